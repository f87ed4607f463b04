"""Blended agents: the trade-off between inbound service level and outbound volume."""

from __future__ import annotations

import pandas as pd

from kpisim.plots._base import _err, _plt


def blend_tradeoff(sweep: pd.DataFrame, *, target_sl: float | None = None, threshold_s: float = 20.0):
    """Inbound service level against outbound dial attempts per blended agent-day, one point per
    blend threshold (``keep_free``, labelled), with 95 % intervals both ways; the service-level
    target as a dashed line. ``sweep`` is ``kpisim.analysis.blend.blend_sweep``'s table."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 5))
    x, y = sweep["dial_attempts_per_day"], sweep["service_level"] * 100
    ax.errorbar(
        x,
        y,
        xerr=_err(sweep, "dial_attempts_per_day"),
        yerr=_err(sweep, "service_level", 100),
        marker="o",
        capsize=3,
        linestyle="-",
    )
    for k, xi, yi in zip(sweep["keep_free"], x, y, strict=True):
        ax.annotate(f"keep {k} free", (xi, yi), textcoords="offset points", xytext=(6, 6), fontsize=9)
    if target_sl is not None:
        ax.axhline(target_sl * 100, linestyle="--", color="grey", label=f"target {target_sl:.0%}")
        ax.legend(loc="lower left")
    ax.set_xlabel("outbound dial attempts per blended agent per day")
    ax.set_ylabel(f"inbound calls answered within {threshold_s:g} s (%)")
    ax.set_title("Blended agents: inbound service level vs outbound volume")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
