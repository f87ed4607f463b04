"""Figures of the agents' response to a plan: tactics used at equilibrium and what they cost.

Tables come from :func:`kpisim.respond` (``Response.behaviour`` and ``Response.consequences``);
words for tactics and consequence measures are defined here once for figures and report tables.
"""

from __future__ import annotations

import pandas as pd

from kpisim.plots._base import _err, _plt
from kpisim.plots.labels import plain_axis, policy_colours
from kpisim.vocab import TACTICS

#: A tactic in words (``kpisim.vocab.TACTICS`` order).
TACTIC_LABELS = {
    "rush": "rushing",
    "sales_push": "pushing sales",
    "cherry_pick": "cherry-picking chats",
    "limit_concurrency": "fewer chats at once",
    "early_release": "ending contacts early",
    "transfer_dump": "dumping transfers",
    "availability_avoidance": "avoiding peaks",
    "survey_selection": "choosing who is surveyed",
    "genuine_effort": "genuine effort",
}

#: Consequence measure -> (words, kind): kind ``share`` (shown in %), ``money`` (cents, shown in
#: currency units), ``csat`` (points of a 1-5 rating), ``s`` (seconds) or ``count`` (a month).
MEASURES = {
    "csat_inflation": ("CSAT inflation (measured - true, points)", "csat"),
    "measured_csat": ("measured CSAT (1-5)", "csat"),
    "true_csat": ("true satisfaction of all answered (1-5)", "csat"),
    "fcr_inflation": ("FCR inflation (measured - true)", "share"),
    "measured_fcr": ("measured first-contact resolution", "share"),
    "true_fcr": ("true first-contact resolution", "share"),
    "survey_participation": ("survey participation", "share"),
    "repeat_contacts": ("repeat contacts a month", "count"),
    "transfers": ("transfers a month", "count"),
    "mean_wait_s": ("mean wait (s)", "s"),
    "abandon_rate": ("abandoned contacts", "share"),
    "complaints": ("complaints a month", "count"),
    "refunded_cents": ("refunded sales a month", "money"),
    "caught_cases": ("gaming cases caught a month", "count"),
    "payout_cents": ("payout a month", "money"),
    "contact_cost_cents": ("cost of answered contacts a month", "money"),
    "company_cost_cents": ("company cost a month (payout + contacts + refunds)", "money"),
}
#: The groups of measures the report shows, in order.
INFLATION = ("csat_inflation", "measured_csat", "true_csat", "fcr_inflation", "measured_fcr", "true_fcr")
CUSTOMERS = ("true_fcr", "repeat_contacts", "transfers", "mean_wait_s", "abandon_rate", "complaints")
COMPANY = ("payout_cents", "contact_cost_cents", "refunded_cents", "company_cost_cents")


def behaviour_bars(
    behaviour: pd.DataFrame, consequences: pd.DataFrame, *, currency: str = "CNY", colours=None
):
    """Tactics at equilibrium and their price, one colour per policy (95 % CIs).

    One panel per role: mean intensity (0-1) of each tactic, a bar per policy. Last two panels:
    change against the same plan with no response in true first-contact resolution (points of
    %) and in the company cost (payout + extra contacts + refunds, ``currency`` a month).
    """
    plt = _plt()
    pols = list(dict.fromkeys(behaviour["policy"]))
    roles = list(dict.fromkeys(behaviour["role"]))
    col = policy_colours(pols, colours)
    n = len(roles) + 2
    fig, axes = plt.subplots(1, n, figsize=(3.6 * n, 0.32 * len(TACTICS) * max(1, len(pols)) ** 0.5 + 2.2))
    h = 0.8 / max(len(pols), 1)
    for ax, role in zip(axes, roles, strict=False):
        for i, pol in enumerate(pols):
            d = behaviour[(behaviour["role"] == role) & (behaviour["policy"] == pol)]
            d = d.set_index("tactic").reindex(list(TACTICS)).rename(columns={"mean_intensity": "intensity"})
            ys = [j - 0.4 + h * (i + 0.5) for j in range(len(TACTICS))]
            ax.barh(ys, d["intensity"], height=h, xerr=_err(d, "intensity"), capsize=1.5, color=col[pol])
        ax.set_yticks(range(len(TACTICS)), [TACTIC_LABELS[t] for t in TACTICS], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("mean intensity (0 = never, 1 = always)")
        ax.set_title(f"role: {role}", fontsize=10)
    for ax, measure, scale, unit in (
        (axes[-2], "true_fcr", 100.0, "points of %"),
        (axes[-1], "company_cost_cents", 0.01, f"{currency} a month"),
    ):
        d = consequences[consequences["measure"] == measure].set_index("policy").reindex(pols)
        d = d.rename(columns=lambda c: c.replace("difference", "d"))
        ax.barh(
            range(len(pols)),
            d["d"] * scale,
            xerr=_err(d, "d", scale),
            capsize=2,
            color=[col[p] for p in pols],
        )
        ax.set_yticks(range(len(pols)), pols, fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="k", linewidth=0.8)
        plain_axis(ax, "x")
        ax.set_xlabel(f"change vs no response ({unit})")
        ax.set_title(MEASURES[measure][0].split(" (")[0], fontsize=10)
    from matplotlib.patches import Patch

    fig.legend(
        handles=[Patch(color=col[p], label=p.replace("\n", " ")) for p in pols],
        loc="lower center",
        ncol=min(len(pols), 4),
        fontsize=8,
        frameon=False,
    )
    fig.suptitle("What agents do under each plan, and what it costs (equilibrium, 95 % CI)")
    fig.tight_layout(rect=(0, 0.04 * (1 + (len(pols) - 1) // 4), 1, 1))
    return fig
