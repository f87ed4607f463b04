"""Figures of a simulated year: the team (headcount by tenure, leavers and hires per month) and
the trajectory (payout, service level, FCR), each month labelled by its date."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.plots._base import _plt, _xticks
from kpisim.plots.labels import plain_axis

_BANDS = (
    ("tenure_under_3m", "under 3 months", "#dd8452"),
    ("tenure_3_to_12m", "3-12 months", "#55a868"),
    ("tenure_over_12m", "over 12 months", "#4c72b0"),
)
_EVENTS = (
    ("eliminated", "eliminated", "#c44e52"),
    ("resigned", "resigned", "#8172b3"),
    ("hires_started", "hires started", "#55a868"),
    ("promoted", "promoted", "#4c72b0"),
)


def _months(traj: pd.DataFrame) -> list[str]:
    return [pd.Timestamp(p).strftime("%b\n%Y") for p in traj["period"]]


def year_team(traj: pd.DataFrame):
    """Left: headcount by tenure band each month (stacked); right: eliminations, resignations,
    hires who started and promotions per month (means over replications)."""
    plt = _plt()
    x = range(len(traj))
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.2))
    bottom = pd.Series(0.0, index=traj.index)
    for col, label, colour in _BANDS:
        a.bar(x, traj[col], bottom=bottom, label=label, color=colour)
        bottom = bottom + traj[col]
    if "staffed_posts" in traj:
        a.plot(
            list(x),
            traj["staffed_posts"],
            color="black",
            marker="o",
            label="staffed posts (agent-days / days)",
        )
    a.set_ylabel("agents who worked in the month")
    a.set_title("Headcount by tenure")
    a.set_ylim(0, max(1.0, float(bottom.max())) * 1.25)  # room for the legend above the bars
    a.legend(fontsize=8, loc="upper center", ncol=2)
    w = 0.2
    for i, (col, label, colour) in enumerate(_EVENTS):
        b.bar([k + (i - 1.5) * w for k in x], traj[col], width=w, label=label, color=colour)
    b.set_ylabel("agents per month")
    b.set_title("Who leaves, who joins, who is promoted")
    b.legend(fontsize=8)
    for ax in (a, b):
        _xticks(ax, _months(traj))
        plain_axis(ax)
    fig.tight_layout()
    return fig


def year_trajectory(traj: pd.DataFrame, *, currency: str = "CNY"):
    """Payout per month (thousands of ``currency``) and service level and FCR (%)."""
    plt = _plt()
    x = list(range(len(traj)))
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.2))
    a.plot(x, traj["payout_cents"] / 100_000, marker="o")
    a.set_ylabel(f"payout, thousand {currency}")
    a.set_title("Payout per month")
    top = float(np.nanmax(traj["payout_cents"])) / 100_000 if len(traj) else 1.0
    a.set_ylim(0, max(top, 1.0) * 1.15)  # a flat payout sits inside the frame, not on its edge
    b.plot(x, 100 * traj["service_level"], marker="o", label="service level")
    b.plot(x, 100 * traj["fcr_rate"], marker="s", label="first-contact resolution")
    # shares: at least a 10-point window inside 0-100 %, so month-to-month noise is not magnified
    pct = 100 * traj[["service_level", "fcr_rate"]].to_numpy(float)
    if np.isfinite(pct).any():
        lo, hi = float(np.nanmin(pct)), float(np.nanmax(pct))
        pad = max(2.0, (10.0 - (hi - lo)) / 2)
        b.set_ylim(max(0.0, lo - pad), min(100.0, hi + pad))
    b.set_ylabel("%")
    b.set_title("Service level and first-contact resolution")
    b.legend(fontsize=8)
    if "policy_version" in traj:
        changes = [
            i
            for i in range(1, len(traj))
            if traj["policy_version"].iat[i] != traj["policy_version"].iat[i - 1]
        ]
        for ax in (a, b):
            for i in changes:
                ax.axvline(i - 0.5, color="grey", linestyle="--", linewidth=1)
    for ax in (a, b):
        _xticks(ax, _months(traj))
        plain_axis(ax)
    fig.tight_layout()
    return fig
