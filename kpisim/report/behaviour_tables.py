"""Formatted tables of the report's behaviour section (``compare(..., behaviour="equilibrium")``):
tactics by plan and role, consequences against no response, convergence. Nothing is computed
here; the numbers are :class:`kpisim.analysis.behaviour.Response`'s tables."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kpisim.plots.behaviour import MEASURES, TACTIC_LABELS
from kpisim.report.format import money, number, pct
from kpisim.report.tables import Cell, Table
from kpisim.vocab import TACTICS

#: The solver's status in words.
STATUS = {
    "converged": "converged: no agent can gain by changing a tactic",
    "approximate": "approximately: intensities stable, a small pay jump left beside them",
    "cycling": "cycling: best responses repeat without settling",
    "not converged": "not converged within the round limit",
}


def tactics_table(behaviour: pd.DataFrame) -> Table:
    """One row per plan x role; per tactic the mean intensity (0-1) and the share using it."""
    t = Table(["Plan", "Role", "Agents", *(TACTIC_LABELS[x] for x in TACTICS)])
    for (pol, role), d in behaviour.groupby(["policy", "role"], sort=False):
        d = d.set_index("tactic")
        row = [Cell(str(pol)), Cell(str(role)), Cell(f"{int(d['agents'].iloc[0]):,}", "n")]
        for x in TACTICS:
            r = d.loc[x]
            used = r["share_using"]
            row.append(
                Cell(
                    f"{r['mean_intensity']:.2f}",
                    "n" if used > 0 else "n muted",
                    sub=f"{pct(used, decimals=0)} use it",
                )
            )
        t.rows.append(row)
    return t


def _fmt(v, kind: str, currency: str, *, sign: bool = False) -> str:
    if kind == "money":
        return money(v, currency, unit=False, sign=sign, decimals=0)
    if kind == "share":
        return pct(v, sign=sign) if not sign else pct(v, sign=True).replace(" %", " pts")
    if kind == "csat":  # points of a 1-5 rating
        s = "–" if pd.isna(v) else f"{v:+.2f}" if sign else f"{v:.2f}"
        return s.replace("-", "−")
    s = number(v)
    return f"+{s}" if sign and s not in ("–", "0") and not s.startswith("−") else s


def consequences_table(
    cons: pd.DataFrame, measures: Sequence[str], policies: Sequence[str], currency: str
) -> Table:
    """One row per measure, one column per plan: no response -> at equilibrium, and the change
    with its 95 % interval (same months, common random numbers)."""
    t = Table(["Measure", *policies])
    for m in measures:
        label, kind = MEASURES[m]
        if kind == "money":
            label = f"{label} ({currency})"
        row = [Cell(label)]
        for pol in policies:
            d = cons[(cons["policy"] == pol) & (cons["measure"] == m)]
            if not len(d):
                row.append(Cell("–"))
                continue
            r = d.iloc[0]
            lo, hi = _fmt(r["difference_lo"], kind, currency), _fmt(r["difference_hi"], kind, currency)
            row.append(
                Cell(
                    f"{_fmt(r['without_response'], kind, currency)} → {_fmt(r['at_equilibrium'], kind, currency)}",
                    "n",
                    sub=f"{_fmt(r['difference'], kind, currency, sign=True)} [{lo} to {hi}]",
                )
            )
        t.rows.append(row)
    return t


def convergence_table(conv: pd.DataFrame, prediction: pd.DataFrame, currency: str) -> Table:
    """Per plan: how the best-response iteration ended and whether the response model predicted
    the simulated equilibrium."""
    t = Table(
        [
            "Plan",
            "Result",
            "Rounds",
            "Largest change of an intensity, last round",
            f"Largest gain left to an agent, {currency} a month",
            "Predicted KPIs within the simulation's 95 % interval",
        ]
    )
    for _, r in conv.iterrows():
        p = prediction[prediction["policy"] == r["policy"]]
        t.rows.append(
            [
                Cell(str(r["policy"])),
                Cell(STATUS.get(str(r["status"]), str(r["status"]))),
                Cell(str(int(r["rounds"])), "n"),
                Cell(f"{r['largest_change']:.2f}", "n"),
                Cell(money(r["largest_gain_cents"], currency, unit=False), "n"),
                Cell(f"{int(p['within_ci'].sum())} of {len(p)}" if len(p) else "–", "n"),
            ]
        )
    return t
