"""Figure of the plan designer: the trials and the Pareto front (validity vs luck share)."""

from __future__ import annotations

import pandas as pd

from kpisim.plots._base import _plt


def pareto_front(trials: pd.DataFrame, front: pd.DataFrame, *, chosen: dict[str, int] | None = None):
    """Validity (pay follows true contribution, up is better) against luck share (left is better).

    Args:
        trials: one row per trial with validity, luck_share, feasible.
        front: the feasible Pareto-optimal trials.
        chosen: label -> trial number of the chosen plans (annotated).
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    ok = trials[trials["feasible"]]
    bad = trials[~trials["feasible"] & (trials["validity"] > -1)]
    ax.scatter(bad["luck_share"], bad["validity"], s=10, c="0.8", label="over budget")
    ax.scatter(ok["luck_share"], ok["validity"], s=12, c="tab:blue", alpha=0.6, label="within budget")
    f = front.sort_values("luck_share")
    ax.plot(f["luck_share"], f["validity"], "o-", c="tab:red", ms=5, label="Pareto front")
    for label, t in (chosen or {}).items():
        row = trials[trials["trial"] == t]
        if len(row):
            ax.annotate(
                label,
                (row["luck_share"].iloc[0], row["validity"].iloc[0]),
                fontsize=8,
                xytext=(4, 4),
                textcoords="offset points",
            )
    ax.set_xlabel("luck share of pay variance (lower is better)")
    ax.set_ylabel("validity: corr(pay, true contribution)")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig
