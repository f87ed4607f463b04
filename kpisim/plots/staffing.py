"""Staffing figures: response time vs headcount, agents needed per interval, what the service level
costs, and how headcount moves each agent's volume, score and pay."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kpisim.plots._base import _err, _plt
from kpisim.plots.labels import plain_axis


def staffing_curves(
    sweep: pd.DataFrame,
    *,
    target_sl: float | None = None,
    max_abandon: float | None = None,
    recommended: int | None = None,
):
    """Service level, ASA, abandonment and occupancy vs headcount: simulated (95 % CI), Erlang A and C.

    Erlang C has no abandonment (its customers never give up), so it is not drawn on that panel,
    and a headcount where it has no answer (more traffic than agents) is a gap, never a 0. The
    targets are drawn as dashed lines and the ``recommended`` headcount as a vertical line."""
    plt = _plt()
    from matplotlib.ticker import MaxNLocator

    panels = [
        ("service_level", "service level", 100, "%"),
        ("asa_s", "average speed of answer", 1, "s"),
        ("abandon_rate", "abandonment", 100, "%"),
        ("occupancy", "occupancy", 100, "%"),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    targets = {"service_level": target_sl, "abandon_rate": max_abandon}
    for ax, (c, label, k, unit) in zip(axes.flat, panels, strict=False):
        if c not in sweep:
            continue
        ax.errorbar(
            sweep["agents"], sweep[c] * k, yerr=_err(sweep, c, k), marker="o", capsize=3, label="simulated"
        )
        for kind, style in (("a", "--"), ("c", ":")):
            col = f"erlang_{kind}_{c}"
            if col not in sweep or (kind == "c" and c == "abandon_rate"):
                continue
            y = pd.to_numeric(sweep[col], errors="coerce")
            if y.notna().any():  # all blank: no line, and no legend entry without a line
                ax.plot(sweep["agents"], y * k, style, label=f"Erlang {kind.upper()}")
        if targets.get(c) is not None:
            ax.axhline(targets[c] * k, color="#c44e52", linestyle="--", linewidth=1, label="target")
        if recommended is not None:
            ax.axvline(recommended, color="#1b7f3b", linewidth=1, alpha=0.7, label="recommended")
        ax.set_xlabel("agents (headcount)")
        ax.set_ylabel(f"{label} ({unit})")
        ax.set_title(label)
        ax.legend(fontsize=7)
        plain_axis(ax)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle("Staffing vs response time")
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
    fig, (top, bot) = plt.subplots(
        2, 1, figsize=(12, 6), sharex=True, gridspec_kw={"height_ratios": [1, 1.6]}
    )
    top.bar(start, d["volume"], width=step / pd.Timedelta(days=1), align="edge", color="#999999")
    top.set_ylabel("calls offered\nper interval")
    top.set_title("traffic", fontsize=10)
    bot.step(
        start, d["required_agents"], where="post", color="#c44e52", label="needed in each interval (Erlang)"
    )
    if "planned_agents" in d:
        hc = required.attrs.get("headcount")
        bot.step(
            start,
            d["planned_agents"],
            where="post",
            color="#4c72b0",
            linestyle="--",
            label="logged in with the scenario's shifts" + (f" at a headcount of {hc}" if hc else ""),
        )
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


def staffing_cost_curve(
    sweep: pd.DataFrame,
    *,
    target_sl: float | None = None,
    days: float = 1.0,
    currency: str = "CNY",
    threshold_s: float = 20.0,
):
    """Service level (95 % CI) against labour cost per day, one point per headcount of a
    :func:`kpisim.analysis.staffing.staffing_sweep` (``labour_cost_cents`` over ``days`` days)."""
    plt = _plt()
    k = 0.01 / days
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    x = sweep["labour_cost_cents"] * k
    xerr = _err(sweep, "labour_cost_cents", k) if "labour_cost_cents_lo" in sweep else None
    ax.errorbar(
        x,
        sweep["service_level"] * 100,
        yerr=_err(sweep, "service_level", 100),
        xerr=xerr,
        marker="o",
        capsize=3,
        label="simulated (95 % CI)",
    )
    for xi, yi, n in zip(x, sweep["service_level"] * 100, sweep["agents"], strict=False):
        ax.annotate(f"{int(n)} agents", (xi, yi), textcoords="offset points", xytext=(6, -12), fontsize=8)
    if target_sl is not None:
        ax.axhline(
            target_sl * 100,
            color="#c44e52",
            linestyle="--",
            linewidth=1,
            label=f"target {target_sl:.0%} in {threshold_s:g} s",
        )
    ax.set_xlabel(f"labour cost ({currency} per day, logged-in hours)")
    plain_axis(ax, "x")
    ax.set_ylabel(f"service level (% answered within {threshold_s:g} s)")
    ax.set_title("What the service level costs")
    ax.margins(x=0.08, y=0.1)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def staffing_pay(
    table: pd.DataFrame,
    *,
    currency: str = "CNY",
    points: str | None = None,
    points_label: str = "score points",
    labels: Mapping[str, str] | None = None,
):
    """How headcount moves each agent's volume, score and pay.

    ``table``: one row per headcount (``agents``) with ``handled_per_agent`` and one or more
    ``pay_per_agent_cents_<policy>`` columns (each optionally with ``_lo``/``_hi`` 95 % CI), as
    :func:`kpisim.analysis.staffing.staffing_sweep` gives with ``policies=``; ``points`` names an
    optional column of mean score points to show in a middle panel; ``labels`` maps a policy
    key (the column suffix) to the plan's name for the legend.
    """
    plt = _plt()
    pays = [
        c for c in table.columns if c.startswith("pay_per_agent_cents_") and not c.endswith(("_lo", "_hi"))
    ]
    panels = ["handled"] + (["points"] if points else []) + ["pay"]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.9), squeeze=False)
    for ax, panel in zip(axes[0], panels, strict=False):
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
                ax.errorbar(
                    table["agents"],
                    table[c] / 100,
                    yerr=yerr,
                    marker="o",
                    capsize=3,
                    label=(labels or {}).get(key := c.removeprefix("pay_per_agent_cents_"), key),
                )
            ax.set_ylabel(f"pay per agent ({currency}/month)")
            ax.set_title("pay per agent (95 % CI)")
            ax.legend(fontsize=8)
        # a flat line should look flat, and not run along the top frame (headroom of 15 %)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.15)
        ax.set_xlabel("agents (headcount)")
    fig.suptitle(f"Staffing moves each agent's volume{', score' if points else ''} and pay")
    fig.tight_layout()
    return fig
