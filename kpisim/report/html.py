"""Write a :class:`~kpisim.analysis.compare.Comparison` to a directory: CSVs, PNGs, report.html.

The whole directory is built in a temporary sibling and renamed into place
(:func:`kpisim.io.atomic.write_dir`), so a failure never leaves new files beside an old report, and a
rerun into the same directory leaves no file of the earlier run. The HTML report is
self-contained: figures are inlined as base64 PNG, tables are plain HTML.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from kpisim.io import atomic
from kpisim.provenance import MANIFEST, Manifest


def _table(df: pd.DataFrame, cols: list[str] | None = None, money: tuple[str, ...] = ()) -> str:
    d = df[[c for c in (cols or df.columns) if c in df]].copy()
    for c in d.columns:
        if c in money:
            d[c] = (d[c] / 100).map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
        elif pd.api.types.is_float_dtype(d[c]):
            d[c] = d[c].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
    return d.to_html(index=False, escape=True, border=0, classes="t")


def _ci_cols(df: pd.DataFrame, col: str, money: bool = False, pct: bool = False) -> pd.Series:
    k = 0.01 if money else (100 if pct else 1)
    fmt = "{:,.2f}" if money else "{:.3g}"

    def one(r):
        if pd.isna(r[col]):
            return ""
        s = fmt.format(r[col] * k)
        if f"{col}_lo" in r and not pd.isna(r[f"{col}_lo"]):
            s += f" [{fmt.format(r[f'{col}_lo'] * k)}, {fmt.format(r[f'{col}_hi'] * k)}]"
        return s

    return df.apply(one, axis=1)


def write_comparison(
    comp,
    path,
    *,
    budget_cents: int | None = None,
    threshold_cents: int = 5000,
    figures: bool = True,
    levers: pd.DataFrame | None = None,
) -> dict[str, str]:
    """Write CSV tables, PNG figures, ``manifest.json`` and a self-contained ``report.html`` for the
    :class:`~kpisim.analysis.compare.Comparison` ``comp`` to the directory ``path``, atomically
    (:func:`kpisim.io.atomic.write_dir`: built whole in a temporary sibling; an earlier kpisim
    output at ``path`` is replaced only once complete, and a directory that is not one is refused).

    ``levers``: a ``comp.lever_effects()`` table to include (simulating it is left to the caller).

    Returns:
        Mapping artefact name -> file path inside ``path``.

    Raises:
        KpisimError: ``path`` is a file or a non-empty directory that is not a kpisim output
            (checked before anything is computed).
    """
    out = Path(path)
    atomic.check_output_dir(out)
    manifest = _manifest(comp).to_json_bytes()
    names: dict[str, str] = {}  # artefact -> file name inside the directory

    def build(d: Path) -> None:
        cost = comp.cost(budget_cents=budget_cents)
        wl = (
            comp.winners_losers(threshold_cents=threshold_cents) if len(comp.policies) > 1 else pd.DataFrame()
        )
        fair = comp.fairness()
        gaps = comp.pay_gaps()
        tables = {
            "kpis": comp.kpis,
            "scores": comp.scores,
            "pay": comp.pay,
            "agents_hidden_truth": comp.agents,
            "monthly_cost": comp.monthly_cost(),
            "cost": cost,
            "winners_losers": wl,
            "fairness": fair,
            "pay_gaps": gaps,
        }
        grad, cliffs, not_computed = _incentives(comp)
        tables["incentive_gradient"] = grad
        tables["tier_cliffs"] = cliffs
        if levers is not None:
            tables["lever_effects"] = levers
        for name, df in tables.items():
            df.to_csv(d / f"{name}.csv", index=False)
            names[name] = f"{name}.csv"
        imgs: dict[str, str] = {}
        if figures:
            from kpisim import plots

            figs = {
                "cost": lambda: plots.cost_bars(cost, currency=comp.currency, budget_cents=budget_cents),
                "fairness": lambda: plots.fairness_bars(fair),
                "pay_gaps": lambda: plots.pay_gap_bars(gaps, currency=comp.currency),
            }
            if len(wl):
                figs["winners_losers"] = lambda: plots.winners_losers_bars(wl)
            if len(grad):
                figs["incentive_gradient"] = lambda: plots.incentive_bars(grad, currency=comp.currency)
            for name, make in figs.items():
                p = d / f"{name}.png"
                plots.save(make(), p)
                names[f"{name}.png"] = p.name
                imgs[name] = base64.b64encode(p.read_bytes()).decode("ascii")
        (d / MANIFEST).write_bytes(manifest)
        names["manifest"] = MANIFEST
        page = _html(
            comp,
            cost,
            wl,
            fair,
            gaps,
            grad,
            cliffs,
            imgs,
            budget_cents,
            threshold_cents,
            levers,
            not_computed,
        )
        (d / "report.html").write_bytes(page.encode("utf-8"))
        names["report"] = "report.html"

    atomic.write_dir(out, build)
    return {k: str(out / v) for k, v in names.items()}


def _incentives(comp) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Incentive gradient and tier cliffs of ``comp``, and why they were not computed ("" if they were).

    The one expected reason to leave them out is a comparison built without the policy objects
    (``meta["policy_objects"]``): there is nothing to re-score, and the report says so. Any
    error while computing them propagates: a report never silently drops a section.
    """
    from kpisim.analysis.incentives import incentive_gradient, tier_cliffs

    if not comp.meta.get("policy_objects"):
        why = "not computed: this comparison holds no policy objects to re-score (meta['policy_objects'])"
        return pd.DataFrame(), pd.DataFrame(), why
    return incentive_gradient(comp), tier_cliffs(comp), ""


def _manifest(comp) -> Manifest:
    """Provenance of a comparison: scenario, seed, replications, policies and their content
    hashes and files, the simulated population and the policy inputs (``comp.meta``, less the
    live objects; ``meta["input_files"]``: role -> :class:`kpisim.provenance.InputFile`)."""
    meta = comp.meta
    recorded = ("policy_objects", "scenario", "scenario_sha256", "policy_sha256", "input_files")
    kw = {
        "command": "compare",
        "seed": comp.seed,
        "replications": comp.replications,
        "policy_sha256": meta.get("policy_sha256") or {},
        "input_files": meta.get("input_files") or {},
        "details": {
            "policies": comp.policies,
            "baseline": comp.baseline,
            "currency": comp.currency,
            **{k: v for k, v in meta.items() if k not in recorded},
        },
    }
    scenario = meta.get("scenario")
    if scenario is not None:
        m = Manifest.for_scenario(scenario, **kw)
    else:
        m = Manifest(scenario_id=comp.scenario_id, scenario_sha256=meta.get("scenario_sha256"), **kw)
    pols = meta.get("policy_objects") or {}
    return m.with_policies({n: p for n, p in pols.items() if hasattr(p, "model_dump")})


def _html(
    comp,
    cost,
    wl,
    fair,
    gaps,
    grad,
    cliffs,
    imgs,
    budget_cents,
    threshold_cents,
    levers=None,
    not_computed="",
) -> str:
    cur = html.escape(comp.currency)
    e = html.escape

    def img(name):
        return f'<img alt="{e(name)}" src="data:image/png;base64,{imgs[name]}">' if name in imgs else ""

    c = pd.DataFrame(
        {
            "policy": cost["policy"],
            f"total per month ({cur}) [95% CI]": _ci_cols(cost, "total_cents", money=True),
            f"P5 ({cur})": (cost["p5_cents"] / 100).map("{:,.2f}".format),
            f"P95 ({cur})": (cost["p95_cents"] / 100).map("{:,.2f}".format),
            f"per agent ({cur})": _ci_cols(cost, "per_agent_cents", money=True),
            f"per handled contact ({cur})": _ci_cols(cost, "per_handled_cents", money=True),
            "% of sales": _ci_cols(cost, "pct_of_sales"),
            f"vs baseline ({cur})": _ci_cols(cost, "diff_cents", money=True),
        }
    )
    if "p_over_budget" in cost:
        c["P(over budget)"] = cost["p_over_budget"].map("{:.0%}".format)
    f = pd.DataFrame(
        {
            "policy": fair["policy"],
            "corr(pay, truth)": _ci_cols(fair, "validity_pay"),
            "corr(score, truth)": _ci_cols(fair, "validity_score"),
            "tau(pay, truth)": _ci_cols(fair, "tau_truth"),
            "rank stability (tau month vs month)": _ci_cols(fair, "rank_stability"),
            "P(best agent ranked 1st)": _ci_cols(fair, "best_gets_top"),
            "Gini": _ci_cols(fair, "gini"),
            "top-10% share": _ci_cols(fair, "top10_share"),
            "luck share": _ci_cols(fair, "luck_share"),
            "position share": _ci_cols(fair, "position_share"),
            "person share": _ci_cols(fair, "person_share"),
        }
    )
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>kpisim comparison</title>",
        "<style>body{font-family:sans-serif;max-width:1200px;margin:auto}table.t{border-collapse:collapse;font-size:12px}"
        "table.t td,table.t th{border:1px solid #ccc;padding:2px 6px;text-align:right}img{max-width:100%}</style></head><body>",
        f"<h1>Policy comparison: {e(comp.scenario_id)}</h1>",
        f"<p>{comp.replications} simulated replications (seed {comp.seed}); every policy is scored on the same "
        f"simulated months. Baseline: <b>{e(comp.baseline)}</b>. Money in {cur}. Brackets are 95 % confidence "
        "intervals across replications. Definitions: docs/analysis.md.</p>",
        _filled_note(comp.meta.get("filled_inputs") or {}),
        policy_notes(comp.meta),
        "<h2>Payout cost</h2>",
        img("cost"),
        c.to_html(index=False, border=0, classes="t"),
    ]
    if len(wl):
        w = wl.copy()
        parts += [
            f"<h2>Winners and losers (moves larger than {threshold_cents / 100:,.2f} {cur})</h2>",
            img("winners_losers"),
            _table(
                w,
                [
                    "policy",
                    "band",
                    "band_range",
                    "share_gain",
                    "share_lose",
                    "mean_gain_cents",
                    "mean_loss_cents",
                    "mean_delta_cents",
                ],
                money=("mean_gain_cents", "mean_loss_cents", "mean_delta_cents"),
            ),
        ]
    parts += [
        "<h2>Fairness and validity</h2><p><i>These measures read the simulator's hidden true traits.</i></p>",
        img("fairness"),
        f.to_html(index=False, border=0, classes="t"),
        "<h3>Pay gaps by group</h3>",
        img("pay_gaps"),
        _table(
            gaps,
            ["policy", "dimension", "level", "mean_pay_cents", "gap_cents", "gap_cents_lo", "gap_cents_hi"],
            money=("mean_pay_cents", "gap_cents", "gap_cents_lo", "gap_cents_hi"),
        ),
    ]
    if not_computed:
        parts += [
            "<h2>Incentives</h2>",
            f'<p class="note"><b>Incentives {html.escape(not_computed)}.</b></p>',
        ]
    if len(grad):
        parts += [
            "<h2>Incentives</h2>",
            img("incentive_gradient"),
            _table(grad, money=("base_pay_cents", "new_pay_cents", "delta_pay_cents")),
        ]
    if len(cliffs):
        parts += ["<h3>Tier cliffs</h3>", _table(cliffs)]
    if levers is not None and len(levers):
        lv = pd.DataFrame(
            {
                "lever": levers["lever"],
                "policy": levers["policy"],
                "pulled by": levers.get("groups", ""),
                f"pay change per agent-month ({cur}) [95% CI]": _ci_cols(
                    levers, "delta_pay_cents", money=True
                ),
            }
        )
        for k in ("handled", "fcr_rate", "csat_mean", "sales_cents", "complaints"):
            if f"delta_{k}" in levers:
                lv[f"change in {k}"] = _ci_cols(levers, f"delta_{k}", money=(k == "sales_cents"))
        parts += [
            "<h3>Behaviour levers (simulated, same months)</h3>",
            "<p>A lever that destroys value (e.g. rushing lowers first-contact resolution) but raises pay "
            "means the plan pays for gaming.</p>",
            lv.to_html(index=False, border=0, classes="t"),
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def policy_notes(meta: dict) -> str:
    """Roles, metric definitions and filled metrics of each policy (from ``Comparison.meta``)."""
    e = html.escape
    rows = []
    for pol in sorted(set(meta.get("roles") or {}) | set(meta.get("policy_definitions") or {})):
        roles = ", ".join(
            f"{e(r)} ({n} agent-months)" for r, n in (meta.get("roles") or {}).get(pol, {}).items()
        )
        defs = (meta.get("policy_definitions") or {}).get(pol) or {}
        dtext = "; ".join(f"<code>{e(c)}</code>" for c in defs) or "registry defaults"
        filled = (meta.get("filled_metrics") or {}).get(pol) or {}
        ftext = ", ".join(f"{e(k)} = {v:g}" for k, v in filled.items())
        rows.append(
            f"<li><b>{e(pol)}</b>: roles {roles or '-'}; definitions {dtext}"
            + (f"; <b>no data, filled with neutral values</b>: {ftext}" if ftext else "")
            + "</li>"
        )
    if not rows:
        return ""
    return "<h2>Roles and metric definitions</h2><ul>" + "".join(rows) + "</ul>"


def _filled_note(filled: dict) -> str:
    """A warning paragraph naming the policy inputs that no data supplied."""
    if not filled:
        return ""
    items = ", ".join(f"{html.escape(str(k))} = {html.escape(str(v))}" for k, v in sorted(filled.items()))
    return (
        "<p><b>Note:</b> these policy inputs are not in the simulated data and were set to the same neutral "
        f"value for every agent, so they separate nobody: {items}. Supply real values with "
        "<code>kpisim compare --inputs FILE</code> or <code>compare(..., inputs=...)</code>.</p>"
    )


def write_staffing(
    sweep: pd.DataFrame,
    path,
    *,
    required: pd.DataFrame | None = None,
    check: pd.DataFrame | None = None,
    figures: bool = True,
    manifest: Manifest | Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """Write a staffing sweep (and optionally ``required_staff`` results) to the directory
    ``path``, atomically (:func:`kpisim.io.atomic.write_dir`): CSVs, the ``staffing.png`` figure, a
    self-contained ``staffing.html`` and ``manifest.json`` (``manifest``, a
    :class:`kpisim.provenance.Manifest` or its flat dict form; command ``staffing`` and the swept
    headcounts unless it says otherwise).

    Returns:
        Mapping artefact name -> file path inside ``path``.

    Raises:
        KpisimError: ``path`` is a file or a non-empty directory that is not a kpisim output.
    """
    out = Path(path)
    names: dict[str, str] = {}
    m = manifest if isinstance(manifest, Manifest) else Manifest.from_dict(manifest or {})
    if m.command is None:
        m = m.model_copy(update={"command": "staffing"})
    if "headcounts" not in m.details:
        m = m.with_details(headcounts=sorted(int(h) for h in sweep["agents"].unique()))
    body = m.to_json_bytes()

    def build(d: Path) -> None:
        for name, df in (("staffing_sweep", sweep), ("required_agents", required), ("required_check", check)):
            if df is not None:
                df.to_csv(d / f"{name}.csv", index=False)
                names[name] = f"{name}.csv"
        img = ""
        if figures:
            from kpisim import plots

            p = d / "staffing.png"
            plots.save(plots.staffing_curves(sweep), p)
            names["staffing.png"] = p.name
            img = f'<img alt="staffing" src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}">'
        parts = [
            "<!doctype html><html><head><meta charset='utf-8'><title>kpisim staffing</title></head><body>",
            "<h1>Staffing vs response time</h1>",
            img,
            _table(sweep),
        ]
        if check is not None:
            parts += ["<h2>Required agents (Erlang), checked by simulation</h2>", _table(check)]
        parts.append("</body></html>")
        (d / "staffing.html").write_bytes("\n".join(parts).encode("utf-8"))
        names["report"] = "staffing.html"
        (d / MANIFEST).write_bytes(body)
        names["manifest"] = MANIFEST

    atomic.write_dir(out, build)
    return {k: str(out / v) for k, v in names.items()}
