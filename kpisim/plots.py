"""Figures for the analyses (matplotlib/seaborn). One function per figure; each returns a Figure.

The Agg backend is chosen inside the functions (never at ``import kpisim``), so the core library
never imports matplotlib. Money is shown in major units (yuan for CNY) with the currency in the
axis label; error bars are 95 % confidence intervals across replications.
"""

from __future__ import annotations

import pandas as pd


def _plt():
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _err(df: pd.DataFrame, col: str, scale: float = 1.0):
    lo = (df[col] - df[f"{col}_lo"]).clip(lower=0).fillna(0) * scale
    hi = (df[f"{col}_hi"] - df[col]).clip(lower=0).fillna(0) * scale
    return [lo.to_numpy(), hi.to_numpy()]


def _xticks(ax, labels) -> None:
    ax.set_xticks(range(len(labels)), list(labels), rotation=30, ha="right", fontsize=8)


def cost_bars(cost: pd.DataFrame, *, currency: str = "CNY", budget_cents: int | None = None):
    """Mean monthly payout per policy with 95 % CI and the P5–P95 range of monthly totals."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    x = range(len(cost))
    ax.bar(x, cost["total_cents"] / 100, yerr=_err(cost, "total_cents", 0.01), capsize=4, color="#4c72b0", label="mean (95 % CI)")
    if "p5_cents" in cost:
        # beside the bar, in its own colour: the spread of single months is often small next to the total
        ax.errorbar([i + 0.3 for i in x], (cost["p5_cents"] + cost["p95_cents"]) / 200,
                    yerr=(cost["p95_cents"] - cost["p5_cents"]) / 200, fmt="none", ecolor="#dd8452",
                    elinewidth=2.5, capsize=5, label="P5–P95 of months")
    if budget_cents is not None:
        ax.axhline(budget_cents / 100, color="#c44e52", linestyle="--", label="budget")
    _xticks(ax, cost["policy"])
    ax.set_ylabel(f"total payout per month ({currency})")
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
    for ax, pol in zip(axes.flat, pols):
        d = wl[wl["policy"] == pol]
        labels = [("all" if b == 0 else f"band {b}\n{r}") for b, r in zip(d["band"], d["band_range"])]
        x = range(len(d))
        ax.bar(x, 100 * d["share_gain"], yerr=_err(d, "share_gain", 100), capsize=3, color="#55a868", label="gain")
        # the bar points down: its lower error is the upper end of the share's interval
        ax.bar(x, -100 * d["share_lose"], yerr=_err(d, "share_lose", 100)[::-1], capsize=3, color="#c44e52",
               label="lose")
        ax.axhline(0, color="k", linewidth=0.8)
        ax.set_ylim(-105, 105)
        ax.set_xticks(list(x), labels, fontsize=7)
        ax.set_ylabel("agents (%; losers below 0)")
        thr = d["threshold_cents"].iloc[0] / 100 if len(d) else 0
        ax.set_title(f"{pol} vs {d['baseline'].iloc[0] if len(d) else ''}: moves > {thr:g} {currency}", fontsize=10)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(pols):]:
        ax.set_visible(False)
    fig.suptitle("Winners and losers by baseline score band (95 % CI)")
    fig.tight_layout()
    return fig


def fairness_bars(fair: pd.DataFrame):
    """Validity (correlation of pay with true contribution), rank stability between months, Gini,
    with CIs; pay variance split into person / position / luck."""
    plt = _plt()
    cols = [("validity_pay", "corr(pay, true contribution)", "correlation (−1 to 1)"),
            ("rank_stability", "rank stability (tau, month vs month)", "Kendall tau (−1 to 1)"),
            ("gini", "Gini of pay", "Gini (0 = equal, 1 = one takes all)")]
    fig, axes = plt.subplots(1, len(cols) + 1, figsize=(4 * (len(cols) + 1), 3.8))
    x = range(len(fair))
    for ax, (c, label, unit) in zip(axes, cols):
        ax.bar(x, fair[c], yerr=_err(fair, c), capsize=4, color="#8172b2")
        ax.set_ylabel(unit)
        _xticks(ax, fair["policy"])
        ax.set_title(label)
    ax = axes[-1]
    bottom = pd.Series(0.0, index=fair.index)
    labels = {"person_share": "person (who you are)", "position_share": "position (where you work)",
              "luck_share": "luck (month to month)"}
    for c, colr in (("person_share", "#55a868"), ("position_share", "#dd8452"), ("luck_share", "#c44e52")):
        ax.bar(x, fair[c], bottom=bottom, color=colr, label=labels[c])
        bottom = bottom + fair[c].fillna(0)
    _xticks(ax, fair["policy"])
    ax.set_title("pay variance: person / position / luck")
    ax.set_ylabel("share of pay variance (0–1)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.suptitle("Fairness and validity (uses the simulator's hidden truth)")
    fig.tight_layout()
    return fig


def pay_gap_bars(gaps: pd.DataFrame, *, currency: str = "CNY"):
    """Mean pay gap of each team / shift / tenure group vs all agents, per policy, with 95 % CI."""
    plt = _plt()
    dims = list(dict.fromkeys(gaps["dimension"]))
    fig, axes = plt.subplots(1, max(len(dims), 1), figsize=(5 * max(len(dims), 1), 4), squeeze=False)
    for ax, dim in zip(axes[0], dims):
        d = gaps[gaps["dimension"] == dim]
        pols = list(dict.fromkeys(d["policy"]))
        levels = list(dict.fromkeys(d["level"]))
        w = 0.8 / max(len(pols), 1)
        for i, pol in enumerate(pols):
            e = d[d["policy"] == pol].set_index("level").reindex(levels)
            xs = [j + i * w for j in range(len(levels))]
            ax.bar(xs, e["gap_cents"] / 100, width=w, yerr=_err(e, "gap_cents", 0.01), capsize=2, label=pol)
        ax.axhline(0, color="k", linewidth=0.8)
        ax.set_xticks([j + 0.4 - w / 2 for j in range(len(levels))], [str(v) for v in levels], rotation=20)
        ax.set_ylabel(f"pay gap vs all agents ({currency}/month)")
        ax.set_title(f"by {dim.replace('_', ' ')}")
        ax.legend(fontsize=7)
    fig.suptitle("Pay gaps by group (95 % CI)")
    fig.tight_layout()
    return fig


def staffing_curves(sweep: pd.DataFrame):
    """Service level, ASA, abandonment and occupancy vs headcount: simulated (95 % CI) and Erlang A."""
    plt = _plt()
    panels = [("service_level", "service level", 100, "%"), ("asa_s", "average speed of answer", 1, "s"),
              ("abandon_rate", "abandonment", 100, "%"), ("occupancy", "occupancy", 100, "%")]
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.8))
    for ax, (c, label, k, unit) in zip(axes, panels):
        if c not in sweep:
            continue
        ax.errorbar(sweep["agents"], sweep[c] * k, yerr=_err(sweep, c, k), marker="o", capsize=3, label="simulated")
        if f"erlang_a_{c}" in sweep:
            ax.plot(sweep["agents"], sweep[f"erlang_a_{c}"] * k, "--", label="Erlang A")
        if f"erlang_c_{c}" in sweep:
            ax.plot(sweep["agents"], sweep[f"erlang_c_{c}"] * k, ":", label="Erlang C")
        ax.set_xlabel("agents (headcount)")
        ax.set_ylabel(f"{label} ({unit})")
        ax.set_title(label)
        ax.legend(fontsize=7)
    fig.suptitle("Staffing vs response time")
    fig.tight_layout()
    return fig


def incentive_bars(grad: pd.DataFrame, *, currency: str = "CNY", ncols: int = 3):
    """Incentive gradient: pay change of a typical agent for one realistic step on each metric (95 % CI).

    One panel per policy, at most ``ncols`` panels a row; panel height follows the number of metrics.
    """
    plt = _plt()
    pols = list(dict.fromkeys(grad["policy"]))
    n = max(len(pols), 1)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    k = max((int((grad["policy"] == p).sum()) for p in pols), default=1)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, (0.24 * k + 1.5) * nrows), squeeze=False)
    for ax, pol in zip(axes.flat, pols):
        d = grad[grad["policy"] == pol]
        xerr = _err(d, "delta_pay_cents", 0.01) if "delta_pay_cents_lo" in d else None
        ax.barh(range(len(d)), d["delta_pay_cents"] / 100, xerr=xerr, capsize=2, color="#4c72b0")
        ax.set_yticks(range(len(d)), list(d["metric"]), fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="k", linewidth=0.8)
        ax.set_xlabel(f"pay change for one step better ({currency}/month)")
        ax.set_ylabel("metric")
        ax.set_title(pol, fontsize=10)
    for ax in list(axes.flat)[len(pols):]:
        ax.set_visible(False)
    fig.suptitle("Incentive gradient (median agent, one realistic step, 95 % CI)")
    fig.tight_layout()
    return fig


def save(fig, path) -> None:
    """Write ``fig`` as PNG atomically and close it."""
    from kpisim.atomic import replacing

    plt = _plt()
    try:
        with replacing(path) as tmp:
            fig.savefig(tmp, dpi=110, format="png")
    finally:
        plt.close(fig)


def score_breakdown_bars(breakdown: pd.DataFrame, *, hue: str | None = None, ncols: int = 3):
    """Where the points come from: mean points per scorecard part (95 % CI) against its maximum.

    One panel per policy; one bar per part that adds up to the total (categories, items outside
    categories, deductions below 0), drawn over a light bar of the part's maximum. ``breakdown``
    is a :func:`kpisim.analysis.breakdown.score_breakdown` table; with ``hue`` (one of its ``by``
    columns, e.g. ``"shift"``) the parts are grouped bars, one per level.
    """
    import numpy as np

    plt = _plt()
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
    for ax, pol in zip(axes.flat, pols):
        d = d0[d0["policy"] == pol]
        items = list(dict.fromkeys(d["item"]))
        y = np.arange(len(items))
        first = d.drop_duplicates("item").set_index("item").reindex(items)
        labels = [f"{i} ({k})" if k in ("category", "bonus", "deduction") else i for i, k in zip(items, first["kind"])]
        ax.barh(y, first["max_points"].fillna(0), height=0.8, color="#dddddd", label="maximum")
        h = 0.8 / len(levels)
        for j, lvl in enumerate(levels):
            e = (d if lvl is None else d[d[hue] == lvl]).set_index("item").reindex(items)
            off = -0.4 + h * (j + 0.5) if lvl is not None else 0.0
            ax.barh(y + off, e["points"], height=h * 0.9, xerr=_err(e, "points"), capsize=2,
                    color=colours[j % len(colours)], label="mean (95 % CI)" if lvl is None else f"{hue}: {lvl}")
        ax.axvline(0, color="k", linewidth=0.8)
        ax.set_yticks(y, labels, fontsize=8)
        ax.invert_yaxis()
        mx = breakdown[(breakdown["policy"] == pol) & (breakdown["kind"] == "total")]["max_points"]
        ax.set_title(f"{pol} (max {mx.iloc[0]:g} points)" if len(mx) else pol, fontsize=10)
        ax.set_xlabel("points per agent-month")
        ax.set_ylabel("scorecard part")
        ax.legend(fontsize=7, loc="best")
    for ax in list(axes.flat)[len(pols):]:
        ax.set_visible(False)
    fig.suptitle("Score breakdown: mean points per part vs its maximum (deductions below 0)")
    fig.tight_layout()
    return fig


def lever_effect_bars(levers: pd.DataFrame, *, currency: str = "CNY",
                      kpis: tuple[str, ...] = ("handled", "fcr_rate", "csat_mean", "conversion_rate", "complaints")):
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
    fig, axes = plt.subplots(1, 1 + len(ks), figsize=(6 + 2.3 * len(ks), 4.2),
                             gridspec_kw={"width_ratios": [2.6] + [1] * len(ks)}, squeeze=False)
    ax = axes[0][0]
    w = 0.8 / max(len(pols), 1)
    x = np.arange(len(labs))
    for i, pol in enumerate(pols):
        e = levers[levers["policy"] == pol].set_index("lever").reindex(labs)
        ax.bar(x - 0.4 + w * (i + 0.5), e["delta_pay_cents"] / 100, width=w * 0.9,
               yerr=_err(e, "delta_pay_cents", 0.01), capsize=2, label=pol)
    ax.axhline(0, color="k", linewidth=0.8)
    ax.set_xticks(x, labs)
    ax.set_ylabel(f"pay change per agent-month ({currency})")
    ax.set_title("pay of the agents who pull the lever")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    first = levers.drop_duplicates("lever").set_index("lever").reindex(labs)
    for ax, k in zip(axes[0][1:], ks):
        rate = k.endswith("_rate")
        scale = 100 if rate else 1
        ax.bar(x, first[f"delta_{k}"] * scale, yerr=_err(first, f"delta_{k}", scale), capsize=2, color="#937860")
        ax.axhline(0, color="k", linewidth=0.8)
        _xticks(ax, labs)
        ax.set_title(f"Δ {k}", fontsize=9)
        ax.set_ylabel("percentage points" if rate else ("points (1-5)" if k == "csat_mean" else "per agent-month"))
    fig.suptitle("Lever effects (same simulated months with and without the lever, 95 % CI)")
    fig.tight_layout()
    return fig


def tier_cliff_bars(cliffs: pd.DataFrame, *, top: int = 15):
    """Tier cliffs: share of agents one realistic step below a tier boundary (95 % CI), largest first."""
    import numpy as np

    plt = _plt()
    d = cliffs.sort_values("share_within_step", ascending=False, kind="stable").head(top)
    d = d.iloc[::-1]
    labels = [f"{p} · {c} @ {b:g}{' × avg' if r else ''}"
              for p, c, b, r in zip(d["policy"], d["component"], d["boundary"], d["relative"])]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(d) + 1.5))
    y = np.arange(len(d))
    ax.barh(y, 100 * d["share_within_step"], xerr=_err(d, "share_within_step", 100), capsize=2, color="#c44e52")
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
        line, = axes[0].plot(d["rank"], d["pay_cents"] / 100, marker="o", markersize=3, label=pol)
        axes[0].fill_between(d["rank"], d["pay_cents_lo"] / 100, d["pay_cents_hi"] / 100, alpha=0.15,
                             color=line.get_color(), linewidth=0)
        axes[1].plot(d["rank"], d["step_up_cents"] / 100, marker="o", markersize=3, color=line.get_color(), label=pol)
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


def concentration_bars(fair: pd.DataFrame):
    """How concentrated pay is: Gini of monthly pay and the top 10 % agents' share, per policy (95 % CI)."""
    plt = _plt()
    cols = [("gini", "Gini of pay", "Gini (0 = equal, 1 = one takes all)", 1.0),
            ("top10_share", "share of the best-paid 10 %", "share of total payout (%)", 100.0)]
    fig, axes = plt.subplots(1, len(cols), figsize=(10, 4))
    x = range(len(fair))
    for ax, (c, title, unit, k) in zip(axes, cols):
        ax.bar(x, fair[c] * k, yerr=_err(fair, c, k), capsize=4, color="#8172b2")
        _xticks(ax, fair["policy"])
        ax.set_ylabel(unit)
        ax.set_title(title)
    fig.suptitle("Concentration of monthly pay")
    fig.tight_layout()
    return fig


def pay_scatter(pay_a: pd.DataFrame, pay_b: pd.DataFrame, *, names: tuple[str, str] = ("policy A", "policy B"),
                hue: str | None = None, currency: str = "CNY"):
    """Each agent's pay under two policies (same months): points above the diagonal gain under B.

    ``pay_a`` / ``pay_b`` are ``Policy.pay`` tables (``agent_id``, ``period``, ``total_cents``);
    ``hue`` colours the points by a column of ``pay_a`` (e.g. ``team``).
    """
    plt = _plt()
    keys = [k for k in ("scenario_id", "replication", "agent_id", "period") if k in pay_a and k in pay_b]
    cols = keys + ["total_cents"] + ([hue] if hue and hue not in keys else [])
    d = pay_a[cols].merge(pay_b[keys + ["total_cents"]], on=keys, suffixes=("_a", "_b"))
    x, y = d["total_cents_a"] / 100, d["total_cents_b"] / 100
    fig, ax = plt.subplots(figsize=(6.2, 5.4))
    groups = d.groupby(hue, sort=True) if hue else [("agents", d)]
    for level, g in groups:
        ax.scatter(g["total_cents_a"] / 100, g["total_cents_b"] / 100, s=22, alpha=0.8, label=str(level))
    lo, hi = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
    pad = 0.04 * (hi - lo or 1.0)
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="k", linewidth=0.8, linestyle="--", label="same pay")
    ax.set_xlabel(f"pay under {names[0]} ({currency}/month)")
    ax.set_ylabel(f"pay under {names[1]} ({currency}/month)")
    ax.set_title(f"Pay per agent: {names[1]} vs {names[0]}")
    ax.legend(fontsize=7, title=hue)
    fig.tight_layout()
    return fig


def required_staff_profile(required: pd.DataFrame, *, target: str = ""):
    """Calls offered and agents needed per interval (Erlang) beside the agents a roster puts on.

    ``required`` is the per-interval table of :func:`kpisim.analysis.staffing.required_staff`
    (``start``, ``volume``, ``required_agents`` and, if present, ``planned_agents`` = agents logged
    in per interval at the headcount ``required.attrs["headcount"]`` under the scenario's shifts).
    """
    import matplotlib.dates as mdates

    plt = _plt()
    d = required.sort_values("start")
    start = pd.to_datetime(d["start"])
    step = start.diff().median() if len(d) > 1 else pd.Timedelta(minutes=30)
    fig, (top, bot) = plt.subplots(2, 1, figsize=(12, 6), sharex=True, gridspec_kw={"height_ratios": [1, 1.6]})
    top.bar(start, d["volume"], width=step / pd.Timedelta(days=1), align="edge", color="#999999")
    top.set_ylabel("calls offered\nper interval")
    top.set_title("traffic", fontsize=10)
    bot.step(start, d["required_agents"], where="post", color="#c44e52",
             label="needed in each interval (Erlang)")
    if "planned_agents" in d:
        hc = required.attrs.get("headcount")
        bot.step(start, d["planned_agents"], where="post", color="#4c72b0", linestyle="--",
                 label="logged in with the scenario's shifts" + (f" at a headcount of {hc}" if hc else ""))
    bot.set_ylabel("agents logged in")
    bot.set_xlabel("day and time")
    bot.set_title("agents per interval", fontsize=10)
    bot.legend(fontsize=8, loc="upper right")
    if len(d) and start.iloc[-1] - start.iloc[0] <= pd.Timedelta(days=14):
        bot.xaxis.set_major_locator(mdates.DayLocator())
        bot.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
    else:
        loc = mdates.AutoDateLocator()
        bot.xaxis.set_major_locator(loc)
        bot.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    fig.suptitle("Agents needed per interval" + (f" for {target}" if target else ""))
    fig.tight_layout()
    return fig


def staffing_cost_curve(sweep: pd.DataFrame, *, target_sl: float | None = None, days: float = 1.0,
                        currency: str = "CNY", threshold_s: float = 20.0):
    """Service level (95 % CI) against labour cost per day, one point per headcount of a
    :func:`kpisim.analysis.staffing.staffing_sweep` (``labour_cost_cents`` over ``days`` days)."""
    plt = _plt()
    k = 0.01 / days
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    x = sweep["labour_cost_cents"] * k
    xerr = _err(sweep, "labour_cost_cents", k) if "labour_cost_cents_lo" in sweep else None
    ax.errorbar(x, sweep["service_level"] * 100, yerr=_err(sweep, "service_level", 100), xerr=xerr,
                marker="o", capsize=3, label="simulated (95 % CI)")
    for xi, yi, n in zip(x, sweep["service_level"] * 100, sweep["agents"]):
        ax.annotate(f"{int(n)} agents", (xi, yi), textcoords="offset points", xytext=(6, -12), fontsize=8)
    if target_sl is not None:
        ax.axhline(target_sl * 100, color="#c44e52", linestyle="--", linewidth=1,
                   label=f"target {target_sl:.0%} in {threshold_s:g} s")
    ax.set_xlabel(f"labour cost ({currency} per day, logged-in hours)")
    ax.set_ylabel(f"service level (% answered within {threshold_s:g} s)")
    ax.set_title("What the service level costs")
    ax.margins(x=0.08, y=0.1)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def staffing_pay(table: pd.DataFrame, *, currency: str = "CNY", points: str | None = None,
                 points_label: str = "score points"):
    """How headcount moves each agent's volume, score and pay.

    ``table``: one row per headcount (``agents``) with ``handled_per_agent`` and one or more
    ``pay_per_agent_cents_<policy>`` columns (each optionally with ``_lo``/``_hi`` 95 % CI), as
    :func:`kpisim.analysis.staffing.staffing_sweep` gives with ``policies=``; ``points`` names an
    optional column of mean score points to show in a middle panel.
    """
    plt = _plt()
    pays = [c for c in table.columns if c.startswith("pay_per_agent_cents_") and not c.endswith(("_lo", "_hi"))]
    panels = ["handled"] + (["points"] if points else []) + ["pay"]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.9), squeeze=False)
    for ax, panel in zip(axes[0], panels):
        if panel == "handled":
            yerr = _err(table, "handled_per_agent") if "handled_per_agent_lo" in table else None
            ax.errorbar(table["agents"], table["handled_per_agent"], yerr=yerr, marker="o", capsize=3)
            ax.set_ylabel("contacts handled per agent")
            ax.set_title("volume per agent")
        elif panel == "points":
            yerr = _err(table, points) if f"{points}_lo" in table else None
            ax.errorbar(table["agents"], table[points], yerr=yerr, marker="o", capsize=3, color="#dd8452")
            ax.set_ylabel(points_label)
            ax.set_title("score per agent")
        else:
            for c in pays:
                yerr = _err(table, c, 0.01) if f"{c}_lo" in table else None
                ax.errorbar(table["agents"], table[c] / 100, yerr=yerr, marker="o", capsize=3,
                            label=c.removeprefix("pay_per_agent_cents_"))
            ax.set_ylabel(f"pay per agent ({currency}/month)")
            ax.set_title("pay per agent (95 % CI)")
            ax.legend(fontsize=8)
        # a flat line should look flat, and not run along the top frame (headroom of 15 %)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.15)
        ax.set_xlabel("agents (headcount)")
    fig.suptitle("Staffing moves each agent's volume, score and pay")
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
    order = (agent_pay.groupby("agent_id")["true_contribution"].mean().sort_values().index
             if "true_contribution" in agent_pay else sorted(agent_pay["agent_id"].unique()))
    pos = {a: i for i, a in enumerate(order)}
    for ax, pol in zip(axes.ravel(), pols):
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
    for ax in axes.ravel()[len(pols):]:
        ax.set_visible(False)
    fig.suptitle("Pay of each agent month by month (uses the simulator's hidden truth)")
    fig.tight_layout()
    return fig
