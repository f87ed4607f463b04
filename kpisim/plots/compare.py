"""Figures comparing policies: payout cost, winners and losers, fairness, pay gaps, pay concentration,
one agent's pay under two policies, and each agent's pay month by month."""

from __future__ import annotations

import pandas as pd

from kpisim.plots._base import _err, _plt, _xticks
from kpisim.plots.labels import plain_axis, policy_colours


def cost_bars(cost: pd.DataFrame, *, currency: str = "CNY", budget_cents: int | None = None, colours=None):
    """Mean monthly payout per policy with 95 % CI and the P5–P95 range of monthly totals.

    ``colours``: policy -> colour (:func:`kpisim.plots.labels.policy_colours`), the same in every figure."""
    plt = _plt()
    col = policy_colours(cost["policy"], colours)
    fig, ax = plt.subplots(figsize=(7, 4))
    x = range(len(cost))
    ax.bar(
        x,
        cost["total_cents"] / 100,
        yerr=_err(cost, "total_cents", 0.01),
        capsize=4,
        color=[col[p] for p in cost["policy"]],
        label="mean (95 % CI)",
    )
    if "p5_cents" in cost:
        # beside the bar, in its own colour: the spread of single months is often small next to the total
        ax.errorbar(
            [i + 0.3 for i in x],
            (cost["p5_cents"] + cost["p95_cents"]) / 200,
            yerr=(cost["p95_cents"] - cost["p5_cents"]) / 200,
            fmt="none",
            ecolor="#dd8452",
            elinewidth=2.5,
            capsize=5,
            label="P5–P95 of months",
        )
    if budget_cents is not None:
        ax.axhline(budget_cents / 100, color="#c44e52", linestyle="--", label="budget")
    _xticks(ax, cost["policy"])
    ax.set_ylabel(f"total payout per month ({currency})")
    plain_axis(ax)
    ax.set_title("Payout cost per month by policy")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def winners_losers_bars(wl: pd.DataFrame, *, currency: str = "CNY", ncols: int = 2):
    """Share of agents gaining / losing more than the threshold vs the baseline, by baseline score band.

    One panel per policy, at most ``ncols`` a row; losers are drawn below 0 with their own 95 % CI.
    """
    plt = _plt()
    pols = list(dict.fromkeys(wl["policy"]))
    n = max(len(pols), 1)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.5 * ncols, 4 * nrows), squeeze=False)
    for ax, pol in zip(axes.flat, pols, strict=False):
        d = wl[wl["policy"] == pol]
        labels = [
            ("all" if b == 0 else f"band {b}\n{r}") for b, r in zip(d["band"], d["band_range"], strict=False)
        ]
        x = range(len(d))
        ax.bar(
            x,
            100 * d["share_gain"],
            yerr=_err(d, "share_gain", 100),
            capsize=3,
            color="#55a868",
            label="gain",
        )
        # the bar points down: its lower error is the upper end of the share's interval
        ax.bar(
            x,
            -100 * d["share_lose"],
            yerr=_err(d, "share_lose", 100)[::-1],
            capsize=3,
            color="#c44e52",
            label="lose",
        )
        ax.axhline(0, color="k", linewidth=0.8)
        ax.set_ylim(-105, 105)
        ax.set_xticks(list(x), labels, fontsize=7)
        ax.set_ylabel("agents (%; losers below 0)")
        thr = d["threshold_cents"].iloc[0] / 100 if len(d) else 0
        ax.set_title(
            f"{pol}\nvs {d['baseline'].iloc[0] if len(d) else ''}: moves > {thr:g} {currency}", fontsize=10
        )
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(pols) :]:
        ax.set_visible(False)
    fig.suptitle("Winners and losers by baseline score band (95 % CI)")
    fig.tight_layout()
    return fig


def fairness_bars(fair: pd.DataFrame, *, colours=None):
    """Validity (correlation of pay with true contribution), rank stability between months, Gini,
    with CIs; pay variance split into person / position / luck."""
    plt = _plt()
    cols = [
        ("validity_pay", "corr(pay, true contribution)", "correlation (−1 to 1)"),
        ("rank_stability", "rank stability (tau, month vs month)", "Kendall tau (−1 to 1)"),
        ("gini", "Gini of pay", "Gini (0 = equal, 1 = one takes all)"),
    ]
    fig, axes = plt.subplots(1, len(cols) + 1, figsize=(5 * (len(cols) + 1), 4.6))
    x = range(len(fair))
    col = policy_colours(fair["policy"], colours)
    for ax, (c, label, unit) in zip(axes, cols, strict=False):
        ax.bar(x, fair[c], yerr=_err(fair, c), capsize=4, color=[col[p] for p in fair["policy"]])
        ax.set_ylabel(unit)
        _xticks(ax, fair["policy"])
        ax.set_title(label)
    ax = axes[-1]
    bottom = pd.Series(0.0, index=fair.index)
    labels = {
        "person_share": "person (who you are)",
        "position_share": "position (where you work)",
        "luck_share": "luck (month to month)",
    }
    for c, colr in (("person_share", "#55a868"), ("position_share", "#dd8452"), ("luck_share", "#c44e52")):
        ax.bar(x, fair[c], bottom=bottom, color=colr, label=labels[c])
        bottom = bottom + fair[c].fillna(0)
    _xticks(ax, fair["policy"])
    ax.set_title("pay variance: person / position / luck")
    ax.set_ylabel("share of pay variance (0–1)")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.45), ncol=1)
    fig.suptitle("Fairness and validity (uses the simulator's hidden truth)")
    fig.tight_layout()
    return fig


def pay_gap_bars(gaps: pd.DataFrame, *, currency: str = "CNY", colours=None):
    """Mean pay gap of each team / shift / tenure group vs all agents, per policy, with 95 % CI."""
    plt = _plt()
    dims = list(dict.fromkeys(gaps["dimension"]))
    col = policy_colours(gaps["policy"], colours)
    fig, axes = plt.subplots(1, max(len(dims), 1), figsize=(5 * max(len(dims), 1), 4), squeeze=False)
    for ax, dim in zip(axes[0], dims, strict=False):
        d = gaps[gaps["dimension"] == dim]
        pols = list(dict.fromkeys(d["policy"]))
        levels = list(dict.fromkeys(d["level"]))
        w = 0.8 / max(len(pols), 1)
        for i, pol in enumerate(pols):
            e = d[d["policy"] == pol].set_index("level").reindex(levels)
            xs = [j + i * w for j in range(len(levels))]
            ax.bar(
                xs,
                e["gap_cents"] / 100,
                width=w,
                yerr=_err(e, "gap_cents", 0.01),
                capsize=2,
                label=pol,
                color=col[pol],
            )
        ax.axhline(0, color="k", linewidth=0.8)
        ax.set_xticks([j + 0.4 - w / 2 for j in range(len(levels))], [str(v) for v in levels], rotation=20)
        ax.set_ylabel(f"pay gap vs all agents ({currency}/month)")
        plain_axis(ax)
        ax.set_title(f"by {dim.replace('_', ' ')}")
        ax.legend(fontsize=7)
    fig.suptitle("Pay gaps by group (95 % CI)")
    fig.tight_layout()
    return fig


def concentration_bars(fair: pd.DataFrame):
    """How concentrated pay is: Gini of monthly pay and the top 10 % agents' share, per policy (95 % CI)."""
    plt = _plt()
    cols = [
        ("gini", "Gini of pay", "Gini (0 = equal, 1 = one takes all)", 1.0),
        ("top10_share", "share of the best-paid 10 %", "share of total payout (%)", 100.0),
    ]
    fig, axes = plt.subplots(1, len(cols), figsize=(10, 4))
    x = range(len(fair))
    for ax, (c, title, unit, k) in zip(axes, cols, strict=False):
        ax.bar(x, fair[c] * k, yerr=_err(fair, c, k), capsize=4, color="#8172b2")
        _xticks(ax, fair["policy"])
        ax.set_ylabel(unit)
        ax.set_title(title)
    fig.suptitle("Concentration of monthly pay")
    fig.tight_layout()
    return fig


def pay_scatter(
    pay_a: pd.DataFrame,
    pay_b: pd.DataFrame,
    *,
    names: tuple[str, str] = ("policy A", "policy B"),
    hue: str | None = None,
    currency: str = "CNY",
):
    """Each agent's pay under two policies (same months): points above the diagonal gain under B.

    ``pay_a`` / ``pay_b`` are ``Policy.pay`` tables (``agent_id``, ``period``, ``total_cents``);
    ``hue`` colours the points by a column of ``pay_a`` (e.g. ``team``).
    """
    plt = _plt()
    keys = [k for k in ("scenario_id", "replication", "agent_id", "period") if k in pay_a and k in pay_b]
    cols = keys + ["total_cents"] + ([hue] if hue and hue not in keys else [])
    d = pay_a[cols].merge(pay_b[[*keys, "total_cents"]], on=keys, suffixes=("_a", "_b"))
    x, y = d["total_cents_a"] / 100, d["total_cents_b"] / 100
    fig, ax = plt.subplots(figsize=(6.2, 5.4))
    groups = d.groupby(hue, sort=True) if hue else [("agents", d)]
    for level, g in groups:
        ax.scatter(g["total_cents_a"] / 100, g["total_cents_b"] / 100, s=22, alpha=0.8, label=str(level))
    lo, hi = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
    pad = 0.04 * (hi - lo or 1.0)
    ax.plot(
        [lo - pad, hi + pad], [lo - pad, hi + pad], color="k", linewidth=0.8, linestyle="--", label="same pay"
    )
    ax.set_xlabel(f"pay under {names[0]} ({currency}/month)")
    ax.set_ylabel(f"pay under {names[1]} ({currency}/month)")
    ax.set_title(f"Pay per agent: {names[1]} vs {names[0]}")
    ax.legend(fontsize=7, title=hue)
    fig.tight_layout()
    return fig


def agent_month_pay(agent_pay: pd.DataFrame, *, currency: str = "CNY", ncols: int = 3):
    """Each agent's pay in every simulated month (dots) and on average (bar), agents ordered by
    hidden true contribution: spread within an agent is luck, steps between agents are person or
    position. One panel per policy.

    Args:
        agent_pay: :meth:`Comparison.agent_pay` rows (policy, agent_id, replication, period,
            pay_cents, true_contribution).
    """
    plt = _plt()
    pols = list(dict.fromkeys(agent_pay["policy"]))
    ncols = max(1, min(ncols, len(pols)))
    nrows = -(-len(pols) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 3.8 * nrows), squeeze=False, sharey=False)
    order = (
        agent_pay.groupby("agent_id")["true_contribution"].mean().sort_values().index
        if "true_contribution" in agent_pay
        else sorted(agent_pay["agent_id"].unique())
    )
    pos = {a: i for i, a in enumerate(order)}
    for ax, pol in zip(axes.ravel(), pols, strict=False):
        d = agent_pay[agent_pay["policy"] == pol]
        x = d["agent_id"].map(pos).to_numpy()
        mean = d.groupby("agent_id")["pay_cents"].mean().reindex(order) / 100
        ax.bar(range(len(order)), mean.to_numpy(), color="#c8d6e5", width=0.8, label="mean over months")
        ax.scatter(x, d["pay_cents"] / 100, s=6, color="#222f3e", alpha=0.6, label="one month")
        ax.set_title(pol)
        ax.set_xlabel("agents, by hidden true contribution (worst → best)")
        ax.set_ylabel(f"pay ({currency}/month)")
        ax.set_xticks([])
        ax.legend(fontsize=7, loc="upper left")
    for ax in axes.ravel()[len(pols) :]:
        ax.set_visible(False)
    fig.suptitle("Pay of each agent month by month (uses the simulator's hidden truth)")
    fig.tight_layout()
    return fig
