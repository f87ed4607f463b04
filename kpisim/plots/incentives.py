"""Figures of what a scorecard rewards: incentive gradients, lever effects, tier cliffs, pay by rank
and where the points come from."""

from __future__ import annotations

import pandas as pd

from kpisim.kpi.registry import METRICS, SHARE
from kpisim.plots._base import _err, _plt, _xticks
from kpisim.plots.labels import metric_label, plain_axis, policy_colours


def incentive_bars(grad: pd.DataFrame, *, currency: str = "CNY", ncols: int = 3, colours=None):
    """Incentive gradient: pay change of a typical agent for one realistic step on each metric (95 % CI).

    One panel per policy, at most ``ncols`` panels a row; panel height follows the number of metrics.
    """
    plt = _plt()
    pols = list(dict.fromkeys(grad["policy"]))
    n = max(len(pols), 1)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    k = max((int((grad["policy"] == p).sum()) for p in pols), default=1)
    col = policy_colours(pols, colours)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, (0.24 * k + 1.5) * nrows), squeeze=False)
    for ax, pol in zip(axes.flat, pols, strict=False):
        d = grad[grad["policy"] == pol]
        xerr = _err(d, "delta_pay_cents", 0.01) if "delta_pay_cents_lo" in d else None
        ax.barh(range(len(d)), d["delta_pay_cents"] / 100, xerr=xerr, capsize=2, color=col[pol])
        ax.set_yticks(range(len(d)), [metric_label(m, currency=currency) for m in d["metric"]], fontsize=8)
        plain_axis(ax, "x")
        ax.invert_yaxis()
        ax.axvline(0, color="k", linewidth=0.8)
        ax.set_xlabel(f"pay change for one step better ({currency}/month)")
        ax.set_ylabel("metric")
        ax.set_title(pol, fontsize=10)
    for ax in list(axes.flat)[len(pols) :]:
        ax.set_visible(False)
    fig.suptitle("Incentive gradient (median agent, one realistic step, 95 % CI)")
    fig.tight_layout()
    return fig


def incentive_compare_bars(grad: pd.DataFrame, *, currency: str = "CNY"):
    """Incentive gradient of several policies on one axis: one group of bars per metric (95 % CI).

    ``grad`` is an :func:`kpisim.analysis.incentives.incentive_gradient` table. Unlike
    :func:`incentive_bars` (one panel per policy, each with its own scale) the policies share the
    axis, so a plan that pays nothing for a step shows as no bar next to one that does.
    """
    plt = _plt()
    pols = list(dict.fromkeys(grad["policy"]))
    metrics = list(dict.fromkeys(grad["metric"]))
    h = 0.8 / max(len(pols), 1)
    fig, ax = plt.subplots(figsize=(8, 0.12 * len(metrics) * max(len(pols), 1) + 1.6))
    for i, pol in enumerate(pols):
        d = grad[grad["policy"] == pol].set_index("metric").reindex(metrics)
        ys = [j + i * h - 0.4 + h / 2 for j in range(len(metrics))]
        xerr = _err(d, "delta_pay_cents", 0.01) if "delta_pay_cents_lo" in d else None
        ax.barh(ys, d["delta_pay_cents"] / 100, height=h, xerr=xerr, capsize=2, label=pol)
    ax.set_yticks(range(len(metrics)), metrics, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="k", linewidth=0.8)
    ax.set_xlabel(f"pay change for one step better ({currency}/month)")
    ax.set_ylabel("metric")
    ax.set_title("Incentive gradient (median agent, one realistic step, 95 % CI)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def lever_effect_bars(
    levers: pd.DataFrame,
    *,
    currency: str = "CNY",
    kpis: tuple[str, ...] = ("handled", "fcr_rate", "csat_mean", "conversion_rate", "complaints"),
):
    """Lever effects: pay change per policy (95 % CI) and what the lever does to the KPIs.

    ``levers`` is a :func:`kpisim.analysis.incentives.lever_effects` table. Left: change in pay
    per pulling agent-month, one group of bars per lever, one bar per policy. Right: change in
    each KPI for the same agents (the same for every policy; rates in percentage points).
    """
    import numpy as np

    plt = _plt()
    labs = list(dict.fromkeys(levers["lever"]))
    pols = list(dict.fromkeys(levers["policy"]))
    ks = [k for k in kpis if f"delta_{k}" in levers]
    fig, axes = plt.subplots(
        1,
        1 + len(ks),
        figsize=(6 + 2.3 * len(ks), 4.2),
        gridspec_kw={"width_ratios": [2.6] + [1] * len(ks)},
        squeeze=False,
    )
    ax = axes[0][0]
    w = 0.8 / max(len(pols), 1)
    x = np.arange(len(labs))
    for i, pol in enumerate(pols):
        e = levers[levers["policy"] == pol].set_index("lever").reindex(labs)
        ax.bar(
            x - 0.4 + w * (i + 0.5),
            e["delta_pay_cents"] / 100,
            width=w * 0.9,
            yerr=_err(e, "delta_pay_cents", 0.01),
            capsize=2,
            label=pol,
        )
    ax.axhline(0, color="k", linewidth=0.8)
    ax.set_xticks(x, labs)
    ax.set_ylabel(f"pay change per agent-month ({currency})")
    ax.set_title("pay of the agents who pull the lever")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    first = levers.drop_duplicates("lever").set_index("lever").reindex(labs)
    for ax, k in zip(axes[0][1:], ks, strict=False):
        meta = METRICS.get(k)
        rate = meta is not None and meta.bounds == SHARE  # a share: shown in percentage points
        scale = 100 if rate else 1
        ax.bar(
            x, first[f"delta_{k}"] * scale, yerr=_err(first, f"delta_{k}", scale), capsize=2, color="#937860"
        )
        ax.axhline(0, color="k", linewidth=0.8)
        _xticks(ax, labs)
        ax.set_title(f"Δ {k}", fontsize=9)
        ax.set_ylabel(
            "percentage points"
            if rate
            else (meta.unit if meta is not None and meta.unit.startswith("points") else "per agent-month")
        )
    fig.suptitle("Lever effects (same simulated months with and without the lever, 95 % CI)")
    fig.tight_layout()
    return fig


def tier_cliff_bars(cliffs: pd.DataFrame, *, top: int = 15):
    """Tier cliffs: share of agents one realistic step below a tier boundary (95 % CI), largest first."""
    import numpy as np

    plt = _plt()
    d = cliffs.sort_values("share_within_step", ascending=False, kind="stable").head(top)
    d = d.iloc[::-1]
    from kpisim.policy.definitions import ALL

    roles = d["role"] if "role" in d else [ALL] * len(d)
    labels = [
        f"{p}{'' if ro == ALL else f' ({ro})'} · {c} @ {b:g}{' × avg' if r else ''}"
        for p, ro, c, b, r in zip(
            d["policy"], roles, d["component"], d["boundary"], d["relative"], strict=False
        )
    ]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(d) + 1.5))
    y = np.arange(len(d))
    ax.barh(
        y, 100 * d["share_within_step"], xerr=_err(d, "share_within_step", 100), capsize=2, color="#c44e52"
    )
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(left=0)
    ax.set_xlabel("agents within one step below the boundary (%)")
    ax.set_ylabel("policy · component @ boundary")
    ax.set_title(f"Tier cliffs: the {len(d)} boundaries with most agents just below")
    fig.tight_layout()
    return fig


def rank_pay_curves(by_rank: pd.DataFrame, *, currency: str = "CNY", label: str = "pay"):
    """Mean pay at each score rank per policy (95 % CI band) and the gain from moving up one rank.

    ``by_rank`` is a :func:`kpisim.analysis.incentives.pay_by_rank` table. Left: pay by rank (1 =
    best score); the axis follows the means, so wide bands (few months) are cut at its edges.
    Right: ``step_up_cents``, what passing the next agent up is worth, on a symmetric log scale
    (linear within ±10 currency units) so a cliff at the top and small steps in the middle both
    show. A dotted line marks the median rank. ``label`` names the pay (e.g. "bonus").
    """
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    means = []
    for pol in dict.fromkeys(by_rank["policy"]):
        d = by_rank[by_rank["policy"] == pol].sort_values("rank")
        (line,) = axes[0].plot(d["rank"], d["pay_cents"] / 100, marker="o", markersize=3, label=pol)
        axes[0].fill_between(
            d["rank"],
            d["pay_cents_lo"] / 100,
            d["pay_cents_hi"] / 100,
            alpha=0.15,
            color=line.get_color(),
            linewidth=0,
        )
        axes[1].plot(
            d["rank"], d["step_up_cents"] / 100, marker="o", markersize=3, color=line.get_color(), label=pol
        )
        means.append(d["pay_cents"] / 100)
    m = pd.concat(means) if means else pd.Series(dtype=float)
    if m.notna().any():
        lo, hi = float(min(m.min(), 0.0)), float(m.max())
        pad = 0.06 * (hi - lo or 1.0)
        axes[0].set_ylim(lo - pad, hi + pad)
    axes[1].set_yscale("symlog", linthresh=10)
    med = by_rank["median_rank"].dropna()
    for ax in axes:
        if len(med):
            ax.axvline(float(med.iloc[0]), color="k", linestyle=":", linewidth=1, label="median rank")
        ax.set_xlabel("rank by score (1 = best)")
    axes[0].set_ylabel(f"mean {label} ({currency}/month)")
    axes[0].set_title(f"{label} by rank (band: 95 % CI)")
    axes[1].set_ylabel(f"gain from moving up one rank ({currency}/month, symlog)")
    axes[1].set_title("what passing the next agent up is worth")
    axes[1].axhline(0, color="k", linewidth=0.8)
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.suptitle(f"{label.capitalize()} by score rank")
    fig.tight_layout()
    return fig


def score_breakdown_bars(breakdown: pd.DataFrame, *, hue: str | None = None, ncols: int = 3):
    """Where the points come from: mean points per scorecard part (95 % CI) against its maximum.

    One panel per policy; one bar per part that adds up to the total (categories, items outside
    categories, deductions below 0), drawn over a light bar of the part's maximum. ``breakdown``
    is a :func:`kpisim.analysis.breakdown.score_breakdown` table; with ``hue`` (one of its ``by``
    columns, e.g. ``"shift"``) the parts are grouped bars, one per level.
    """
    import numpy as np

    plt = _plt()
    if "role" in breakdown.columns:  # one panel per policy and role (each role has its own card)
        label = breakdown["policy"] + " · " + breakdown["role"].astype(str)
        breakdown = breakdown.assign(policy=label.where(breakdown["role"] != "all", breakdown["policy"]))
    d0 = breakdown[breakdown["in_total"]]
    pols = list(dict.fromkeys(d0["policy"]))
    n = max(len(pols), 1)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    parts = max((d0[d0["policy"] == p]["item"].nunique() for p in pols), default=1)
    levels = list(dict.fromkeys(d0[hue])) if hue else [None]
    row_h = 0.3 * parts * max(1.0, 0.7 * len(levels)) + 1.6
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, row_h * nrows), squeeze=False)
    colours = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b2", "#937860"]
    for ax, pol in zip(axes.flat, pols, strict=False):
        d = d0[d0["policy"] == pol]
        items = list(dict.fromkeys(d["item"]))
        y = np.arange(len(items))
        first = d.drop_duplicates("item").set_index("item").reindex(items)
        labels = [
            f"{i} ({k})" if k in ("category", "bonus", "deduction") else i
            for i, k in zip(items, first["kind"], strict=False)
        ]
        ax.barh(y, first["max_points"].fillna(0), height=0.8, color="#dddddd", label="maximum")
        h = 0.8 / len(levels)
        for j, lvl in enumerate(levels):
            e = (d if lvl is None else d[d[hue] == lvl]).set_index("item").reindex(items)
            off = -0.4 + h * (j + 0.5) if lvl is not None else 0.0
            ax.barh(
                y + off,
                e["points"],
                height=h * 0.9,
                xerr=_err(e, "points"),
                capsize=2,
                color=colours[j % len(colours)],
                label="mean (95 % CI)" if lvl is None else f"{hue}: {lvl}",
            )
        ax.axvline(0, color="k", linewidth=0.8)
        ax.set_yticks(y, labels, fontsize=8)
        ax.invert_yaxis()
        mx = breakdown[(breakdown["policy"] == pol) & (breakdown["kind"] == "total")]["max_points"]
        ax.set_title(f"{pol} (max {mx.iloc[0]:g} points)" if len(mx) else pol, fontsize=10)
        ax.set_xlabel("points per agent-month")
        ax.set_ylabel("scorecard part")
        ax.legend(fontsize=7, loc="best")
    for ax in list(axes.flat)[len(pols) :]:
        ax.set_visible(False)
    fig.suptitle("Score breakdown: mean points per part vs its maximum (deductions below 0)")
    fig.tight_layout()
    return fig
