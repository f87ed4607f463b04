"""The staffing report page: one recommended headcount (the number the console prints), its
simulated service level, the charts with the target drawn, and short formatted tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kpisim.report import definitions, staffing_pay, tables
from kpisim.report.comparison_page import embed
from kpisim.report.format import estimate, money, number, pct
from kpisim.report.render import render
from kpisim.report.tables import Cell, ci, text


def recommended(sweep: pd.DataFrame) -> int | None:
    """The smallest swept headcount whose simulated mean meets the target (as the CLI prints it)."""
    if "mean_meets_target" not in sweep:
        return None
    from kpisim.analysis.staffing import recommend

    return recommend(sweep)


def _target(sweep: pd.DataFrame, col: str) -> float | None:
    if col not in sweep or sweep[col].isna().all():
        return None
    return float(sweep[col].dropna().iloc[0])


def want(target_sl, max_abandon, threshold_s) -> str:
    """The target in words."""
    parts = []
    if target_sl is not None:
        parts.append(f"{pct(target_sl, decimals=0)} of contacts answered within {threshold_s:g} s")
    if max_abandon is not None:
        parts.append(f"at most {pct(max_abandon, decimals=0)} abandoned")
    return " and ".join(parts) or "no target"


def figures(sweep, required, d: Path, *, days: float, currency: str, threshold_s: float) -> dict[str, dict]:
    from kpisim import plots

    tsl, mab, best = _target(sweep, "target_sl"), _target(sweep, "max_abandon"), recommended(sweep)
    figs = {"curves": lambda: plots.staffing_curves(sweep, target_sl=tsl, max_abandon=mab, recommended=best)}
    if "labour_cost_cents" in sweep:
        figs["cost"] = lambda: plots.staffing_cost_curve(
            sweep, target_sl=tsl, days=days, currency=currency, threshold_s=threshold_s
        )
    if required is not None and len(required):
        figs["required"] = lambda: plots.required_staff_profile(required, target=want(tsl, mab, threshold_s))
    out = {}
    for name, make in figs.items():
        p = d / ("staffing.png" if name == "curves" else f"staffing_{name}.png")
        plots.save(make(), p)
        out[name] = embed(p.read_bytes())
    return out


def erlang_note(sweep: pd.DataFrame, check: pd.DataFrame | None) -> str:
    """The Erlang headcount as a cross-check of the recommendation, never a second answer."""
    if check is None or not len(check) or not {"agents", "service_level", "meets_target"} <= set(check):
        return ""
    c, best = check.iloc[0], recommended(sweep)
    n = int(c["agents"])
    s = (
        f"Cross-check: queueing theory (Erlang, interval by interval under the scenario's shifts) suggests {n} "
        f"agents; simulated at {n} the service level is {pct(c['service_level'])}, which "
        f"{'meets' if bool(c['meets_target']) else 'misses'} the target."
    )
    swept = {int(a) for a in sweep["agents"]}
    if best is not None and bool(c["meets_target"]) and n < best and n not in swept:
        s += (
            f" {n} was not among the simulated headcounts, so the recommendation stays {best}; to narrow it, "
            f"simulate the headcounts between them (--headcounts {','.join(str(h) for h in range(n, best + 1))})."
        )
    elif best is not None:
        s += f" The recommendation ({best}) is the simulated one."
    return s


def sweep_table(sweep: pd.DataFrame, *, days: float, currency: str, reps: int) -> tables.Table:
    share = {"kind": "pct", "bounds": (0, 1), "reps": reps}
    cols: list[tables.Col] = [
        ("Headcount", lambda r: Cell(str(int(r["agents"])), "n")),
        ("Logged in on average", lambda r: Cell(number(r.get("staffed_agents")), "n")),
        ("Service level", ci("service_level", **share)),
        ("Erlang A service level", lambda r: Cell(pct(r.get("erlang_a_service_level")), "n")),
        ("Average speed of answer, s", ci("asa_s", bounds=(0, None))),
        ("Abandoned", ci("abandon_rate", **share)),
        ("Occupancy", ci("occupancy", **share)),
        (
            f"Labour cost per day, {currency}",
            lambda r: Cell(
                money(r.get("labour_cost_cents", float("nan")) / days, currency, unit=False, decimals=0), "n"
            ),
        ),
    ]
    if "mean_meets_target" in sweep:
        cols.append(("Meets target", lambda r: Cell("yes" if bool(r["mean_meets_target"]) else "no")))
    return tables.build(sweep, cols)


def check_table(check: pd.DataFrame, reps: int) -> tables.Table:
    share = {"kind": "pct", "bounds": (0, 1), "reps": reps}
    return tables.build(
        check,
        [
            ("Erlang headcount", lambda r: Cell(str(int(r["agents"])), "n")),
            ("Logged in on average", lambda r: Cell(number(r.get("staffed_agents")), "n")),
            ("Simulated service level", ci("service_level", **share)),
            ("Simulated abandonment", ci("abandon_rate", **share)),
            ("Mean meets the target", lambda r: Cell("yes" if bool(r["meets_target"]) else "no")),
            (
                "Not significantly worse (95 %)",
                lambda r: Cell("yes" if bool(r.get("not_significantly_worse")) else "no"),
            ),
        ],
    )


def page(
    sweep, required, check, imgs, *, details: dict, scenario: str, reps: int, currency: str, plans=None
) -> str:
    threshold_s = float(details.get("threshold_s") or 20.0)
    days = float(details.get("days") or 1.0)
    tsl, mab = _target(sweep, "target_sl"), _target(sweep, "max_abandon")
    best = recommended(sweep)
    goal = want(tsl, mab, threshold_s)
    warnings, points = [], []
    if best is None:
        top = int(sweep["agents"].max())
        rec = (
            f"None of the simulated headcounts (up to {top}) meets the target ({goal}); simulate larger ones."
        )
    else:
        r = sweep[sweep["agents"] == best].iloc[0]
        sl = estimate(
            r["service_level"],
            r.get("service_level_lo"),
            r.get("service_level_hi"),
            kind="pct",
            bounds=(0, 1),
        )
        rec = (
            f"Recommended headcount: {best} agents. Simulated service level {sl.text} "
            f"(95 % interval {sl.interval}) against the target of {goal}. "
            + (
                f"Labour cost {money(r['labour_cost_cents'] / days, currency, decimals=0)} a day."
                if "labour_cost_cents" in r
                else ""
            )
        )
        lo = r.get("service_level_lo")
        if tsl is not None and lo is not None and not pd.isna(lo) and lo < tsl:
            warnings.append(
                f"The interval of the service level at {best} agents reaches below the target: the mean meets it, "
                "but more replications (or one more agent) would make sure."
            )
    checked = check is not None and len(check) and {"agents", "service_level", "meets_target"} <= set(check)
    if checked:
        points.append(erlang_note(sweep, check))
    if details.get("erlang", "").startswith("not computed"):
        warnings.append(f"Erlang requirement {details['erlang']}.")
    ec = sweep.get("erlang_c_service_level")
    if ec is not None and ec.isna().any():
        warnings.append(
            "Erlang C has no answer at some headcounts (more traffic than agents: the queue grows without end); "
            "those points are left blank in the charts and tables, not drawn as 0."
        )
    return render(
        "staffing.html.j2",
        title=f"kpisim staffing: {scenario}",
        scenario=scenario,
        lead=(
            f"{reps} simulated replications of {number(days)} day(s) per headcount. Target: {goal}. "
            f"Money in {currency}; brackets are 95 % intervals."
        ),
        recommendation=rec,
        points=points,
        warnings=warnings,
        imgs={k: imgs.get(k) for k in ("curves", "cost", "required", "pay")},
        tables={
            "sweep": sweep_table(sweep, days=days, currency=currency, reps=reps),
            "check": check_table(check, reps) if checked else None,
            "pay": staffing_pay.table(sweep, currency=currency, plans=plans or {}, days=days, reps=reps),
        },
        pay_notes=staffing_pay.notes(sweep, days=days, fill_missing=bool(details.get("fill_missing"))),
        definitions=definitions.STAFFING,
    )


__all__ = ["figures", "page", "recommended", "text"]
