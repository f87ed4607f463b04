"""The staffing report's "Pay per agent by headcount" section: each pay plan's mean pay per agent
per month at every swept headcount (``pay_per_agent_cents_<plan>`` columns of the sweep), as a
figure and a table, with the plans named as the policies name themselves."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from kpisim.report import tables
from kpisim.report.comparison_page import embed
from kpisim.report.format import number
from kpisim.report.tables import Cell, ci

PREFIX = "pay_per_agent_cents_"


def plan_keys(sweep: pd.DataFrame) -> list[str]:
    """The plans paid in ``sweep`` (the suffixes of its ``pay_per_agent_cents_<plan>`` columns)."""
    return [
        c.removeprefix(PREFIX)
        for c in sweep.columns
        if c.startswith(PREFIX) and not c.endswith(("_lo", "_hi"))
    ]


def figure(sweep: pd.DataFrame, d: Path, *, currency: str, plans: Mapping[str, str]) -> dict | None:
    """``staffing_pay.png`` in ``d`` (:func:`kpisim.plots.staffing_pay`), embedded; None without plans."""
    if not plan_keys(sweep):
        return None
    from kpisim import plots

    p = d / "staffing_pay.png"
    plots.save(plots.staffing_pay(sweep, currency=currency, labels=dict(plans)), p)
    return embed(p.read_bytes())


def table(
    sweep: pd.DataFrame, *, currency: str, plans: Mapping[str, str], days: float, reps: int
) -> tables.Table | None:
    """Headcount, contacts handled per agent and each plan's pay per agent per month (95 % interval)."""
    keys = plan_keys(sweep)
    if not keys:
        return None
    cols: list[tables.Col] = [
        ("Headcount", lambda r: Cell(str(int(r["agents"])), "n")),
        (
            f"Contacts handled per agent in {number(days)} day(s)",
            ci("handled_per_agent", bounds=(0, None), reps=reps),
        ),
    ]
    for k in keys:
        cols.append(
            (
                f"{plans.get(k, k)}: pay per agent a month, {currency}",
                ci(f"{PREFIX}{k}", kind="money", currency=currency, bounds=(0, None), reps=reps),
            )
        )
    return tables.build(sweep, cols)


def notes(sweep: pd.DataFrame, *, days: float, fill_missing: bool) -> list[str]:
    """What to keep in mind reading the section (empty without plans)."""
    if not plan_keys(sweep):
        return []
    out = [
        "Each plan scores and pays every simulated agent on the same simulated days at each headcount; "
        "the pay per agent is the plan's monthly payout divided by the headcount. Fewer agents each take "
        "more contacts but serve them worse (longer waits, more abandoned): a plan paying for volume pays "
        "more per agent when the centre is understaffed, one paying for service quality less, and a flat "
        "line means the plan's pay does not follow headcount."
    ]
    if days < 28:
        out.append(
            f"Only {number(days)} day(s) were simulated: each plan pays them as one month, so volume-based "
            "pay is what those days earn, not a full month's."
        )
    if fill_missing:
        out.append(
            "Metrics without data were scored with the plans' declared neutral values (--fill-missing)."
        )
    return out


__all__ = ["PREFIX", "figure", "notes", "plan_keys", "table"]
