"""Write a calibration: the scenario YAML, ``calibration.html`` (self-contained: figures inlined
as base64 PNG) and one CSV per table of observed vs fitted values, all beside each other.

The files replace their targets together (:func:`kpisim.io.atomic.replacing_all`): a failure
leaves no half-written scenario or report. Nothing is computed here; the HTML formats the
calibration's own tables (shares in %, money in currency units, column headers in words).
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

import kpisim
from kpisim.io.atomic import json_bytes, replacing_all
from kpisim.plots import calibration as figs

HEADERS = {
    "part": "Part",
    "scope": "Queue / group",
    "parameter": "Parameter",
    "estimate": "Estimate",
    "ci": "95 % interval",
    "unit": "Unit",
    "method": "How",
    "default": "Default used",
    "why": "Why",
    "queue": "Queue",
    "metric": "KPI",
    "what": "Definition",
    "observed": "Export",
    "simulated": "Calibrated scenario",
    "difference": "Difference",
    "family": "Family",
    "mean_s": "Mean (s)",
    "cv": "Variation (cv)",
    "log_likelihood": "Log-likelihood",
    "aic": "AIC",
    "chosen": "Chosen",
    "observed_n": "Observed",
    "censored": "Censored",
    "group": "Group",
    "weekday": "Weekday",
    "agents_working_share": "Agents working (%)",
    "median_login": "Median login",
    "median_logout": "Median logout",
    "fitted_start": "Shift start",
    "fitted_end": "Shift end",
    "scheduled_breaks": "Scheduled breaks",
    "agent_id": "Agent",
    "team": "Team",
    "answered": "Answered",
    "resolution_raw": "Own resolution (%)",
    "resolution_shrunk": "Shrunk resolution (%)",
    "complaint_raw": "Own complaint rate (%)",
    "complaint_shrunk": "Shrunk complaint rate (%)",
    "converted_raw": "Own conversion (%)",
    "converted_shrunk": "Shrunk conversion (%)",
    "speed": "Speed multiplier",
    "contacts": "Contacts",
    "sessions": "Sessions",
    "max_sessions_at_once": "Most sessions at once",
    "mean_sessions_held_at_answer": "Mean sessions held at answer",
}
_SHARE_WORDS = (
    "rate",
    "transfer",
    "resolution",
    "survey",
    "attendance.late",
    "attendance.early_leave",
    "attendance.absent",
    "attendance.leave",
    "chat.invalid",
    "chat.miss",
)


def _is_share(row) -> bool:
    p = str(row["parameter"])
    return row["unit"] == "" and any(w in p for w in _SHARE_WORDS) and not p.endswith("_min")


def _fmt(v: float, share: bool) -> str:
    if pd.isna(v):
        return ""
    return f"{100 * v:.2f} %" if share else (f"{v:,.2f}" if abs(v) >= 10 else f"{v:.4g}")


def estimates_html(e: pd.DataFrame) -> str:
    rows = []
    for _, r in e.iterrows():
        share = _is_share(r)
        ci = "" if pd.isna(r["ci_low"]) else f"{_fmt(r['ci_low'], share)} – {_fmt(r['ci_high'], share)}"
        unit = "%" if share else r["unit"]
        rows.append(
            {
                "scope": r["scope"],
                "parameter": r["parameter"],
                "estimate": _fmt(r["estimate"], share),
                "ci": ci,
                "unit": unit,
                "method": r["method"],
            }
        )
    return _table(pd.DataFrame(rows))


def _table(df: pd.DataFrame, pct: tuple[str, ...] = ()) -> str:
    d = df.copy()
    for c in d.columns:
        if c in pct:
            d[c] = d[c].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}")
        elif c in ("observed", "simulated", "difference"):
            d[c] = d[c].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
        elif pd.api.types.is_float_dtype(d[c]):
            d[c] = d[c].map(lambda v: "" if pd.isna(v) else (f"{v:,.1f}" if abs(v) >= 100 else f"{v:.3g}"))
    d = d.rename(columns={c: HEADERS.get(c, c.replace("_", " ").capitalize()) for c in d.columns})
    return d.to_html(index=False, escape=True, border=0, classes="t")


def _png(fig) -> bytes:
    plt = figs._plt()
    buf = io.BytesIO()
    fig.savefig(buf, dpi=100, format="png")
    plt.close(fig)
    return buf.getvalue()


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


CSS = """body{font-family:system-ui,sans-serif;max-width:1150px;margin:2em auto;color:#222;line-height:1.4}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ccc}
table.t{border-collapse:collapse;font-size:.82em;margin:.6em 0}table.t td,table.t th{padding:2px 8px;white-space:nowrap;
border-bottom:1px solid #eee;text-align:right}table.t th{background:#f4f4f4}table.t td:first-child,
table.t td:nth-child(2){text-align:left}img{max-width:100%}p.note{color:#555;font-size:.9em}"""


def render(cal, check: pd.DataFrame | None = None, figures: bool = True) -> tuple[str, dict[str, bytes]]:
    """The HTML page and the figures (name -> PNG bytes)."""
    t = cal.tables()
    e = t["estimates"]
    pngs: dict[str, bytes] = {}
    if figures:
        pngs["arrivals"] = _png(figs.arrivals_fit(t["arrivals_daily"], t["arrivals_interval"]))
        pngs["handle"] = _png(figs.handle_fit(t["handle_density"], t["handle_by_sessions"]))
        if len(t["patience_survival"]):
            pngs["patience"] = _png(figs.patience_fit(t["patience_survival"], e))
        pngs["shrinkage"] = _png(figs.shrinkage(t["agent_outcomes"]))
    src = html.escape(str(cal.source.get("source", "an event log")))
    part = lambda name: estimates_html(e[e["part"] == name])  # noqa: E731
    fig = lambda name: _img(pngs[name], name) if name in pngs else ""  # noqa: E731
    sc = cal.scenario
    body = [
        f"<h1>Calibration of <code>{html.escape(sc.id)}</code></h1>",
        f"<p>From {src}: {cal.hours.days} days from {cal.hours.start.date()}, opening hours "
        f"{cal.hours.open_min // 60:02d}:{cal.hours.open_min % 60:02d}–{cal.hours.close_min // 60:02d}:"
        f"{cal.hours.close_min % 60:02d}, {len(sc.queues)} queue(s), {sc.n_agents} agents in "
        f"{len(sc.agents)} group(s). Tables in the export: {', '.join(cal.observed_tables)}. Every estimate "
        "comes with its 95 % interval; estimators and their limits: <code>docs/calibrate.md</code>.</p>",
    ]
    if check is not None and len(check):
        body += [
            "<h2>Does the calibrated scenario reproduce the export?</h2>",
            "<p class=note>One simulated run of the calibrated scenario over the same days, KPIs "
            "with the KPI engine's definitions (shares in %, times in seconds).</p>",
            _table(check[["queue", "what", "unit", "observed", "simulated", "difference"]]),
        ]
    body += [
        "<h2>1. Arrivals</h2><p class=note>First contacts only (repeats and transfers are made by the "
        "simulator from the resolution and transfer rates). Weekdays whose level does not differ "
        "from the pooled level share factor 1; peak days are dated multipliers.</p>",
        part("arrivals"),
        fig("arrivals"),
        "<h2>2. Handle time and wrap-up</h2><p class=note>Each agent's speed is separated from the "
        "queue's base work (log-scale least squares, shrunk towards the team); the family is chosen "
        "by likelihood (AIC).</p>",
        part("handle"),
        _table(t["handle_fits"].drop(columns=["mean_s_lo", "mean_s_hi"])),
        fig("handle"),
        "<h2>3. Patience</h2><p class=note>Abandoned contacts are observed patience, answered ones "
        "censored at their wait. The naive mean of the abandoners' waits is shown for contrast: it "
        "only sees the impatient customers.</p>",
        part("patience"),
        fig("patience"),
        "<h2>4. Chat</h2>",
        part("chat"),
    ]
    if len(t.get("chat_concurrency", [])):
        body.append(_table(t["chat_concurrency"]))
    ao = t["agent_outcomes"]
    cols = [
        c
        for c in (
            "agent_id",
            "team",
            "answered",
            "resolution_raw",
            "resolution_shrunk",
            "converted_raw",
            "converted_shrunk",
            "complaint_raw",
            "complaint_shrunk",
        )
        if c in ao
    ]
    body += [
        "<h2>5. Outcomes</h2><p class=note>Per-agent rates are shrunk towards the team (empirical "
        "Bayes): an agent with few contacts gets close to the team rate, one with many keeps its own.</p>",
        part("outcomes"),
        fig("shrinkage"),
        _table(ao[cols], pct=tuple(c for c in cols if c.endswith(("_raw", "_shrunk")))),
        "<h2>6. Shifts, breaks, attendance, conduct, QA</h2>",
        _table(t["shifts"], pct=("agents_working_share",)) if len(t["shifts"]) else "",
        part("workforce"),
        "<h2>Not identified by the export: defaults used</h2>",
        _table(t["defaults"]),
    ]
    page = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Calibration {html.escape(sc.id)}"
        f"</title><style>{CSS}</style></head><body>{''.join(body)}"
        f"<p class=note>kpisim {kpisim.__version__}</p></body></html>"
    )
    return page, pngs


def write_calibration(
    cal, out: str | Path, *, check: pd.DataFrame | None = None, figures: bool = True
) -> dict[str, Path]:
    """Write ``out`` (the scenario YAML) and, beside it, ``calibration.html``,
    ``calibration_<table>.csv`` for every table and ``calibration.manifest.json``."""
    out = Path(out)
    folder = out.parent
    page, _ = render(cal, check, figures)
    files: dict[Path, bytes] = {
        out: cal.yaml().encode("utf-8"),
        folder / "calibration.html": page.encode("utf-8"),
    }
    tables = cal.tables()
    if check is not None:
        tables["kpi_check"] = check
    for name, df in tables.items():
        files[folder / f"calibration_{name}.csv"] = df.to_csv(index=False).encode("utf-8")
    manifest = {
        "kpisim_version": kpisim.__version__,
        "scenario": str(out),
        "scenario_id": cal.scenario.id,
        "source": cal.source.get("source"),
        "source_sha256": cal.source.get("source_sha256"),
        "observed_tables": cal.observed_tables,
        "tables": sorted(tables),
        "rows": {k: int(np.int64(len(v))) for k, v in tables.items()},
    }
    files[folder / "calibration.manifest.json"] = json_bytes(manifest)
    with replacing_all(list(files)) as tmps:
        for tmp, data in zip(tmps, files.values(), strict=True):
            tmp.write_bytes(data)
    return {p.name: p for p in files}
