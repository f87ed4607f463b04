"""Figure of the coaching-alert study: false alarms against detection delay, per rule."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.plots._base import _plt


def alert_tradeoff(summary: pd.DataFrame):
    """False alarms per agent-month (left is better) against mean detection delay in days (down is
    better), one point per rule, labelled with the share of declines it missed.

    Args:
        summary: ``AlertStudy.summary`` (or ``evaluate_alerts``): ``rule``,
            ``false_alarms_per_agent_month``, ``mean_delay_days``, ``missed_share``, and
            optionally ``rules_id`` (one colour per rules file).
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.8, 4.6))
    files = summary["rules_id"] if "rules_id" in summary else pd.Series("rules", index=summary.index)
    for i, (fid, g) in enumerate(summary.groupby(files, sort=False)):
        delay = g["mean_delay_days"].to_numpy(float)
        ax.scatter(g["false_alarms_per_agent_month"], delay, s=60, color=f"C{i}", label=str(fid), zorder=3)
    # a label goes above its point, or below it when a close neighbour sits higher (so the two
    # labels point away from each other instead of overlapping)
    xs = summary["false_alarms_per_agent_month"].to_numpy(float)
    ys = np.nan_to_num(summary["mean_delay_days"].to_numpy(float))
    span_x = max(float(np.nanmax(xs)) if xs.size else 1.0, 1e-9)
    span_y = max(float(np.nanmax(ys)) if ys.size else 1.0, 1e-9)
    for k, (_, r) in enumerate(summary.iterrows()):
        missed = r["missed_share"]
        text = f"{r['rule']}\n{missed:.0%} missed" if np.isfinite(missed) else str(r["rule"])
        d = np.hypot((xs - xs[k]) / span_x, (ys - ys[k]) / span_y)
        d[k] = np.inf
        j = int(np.argmin(d)) if d.size > 1 else k
        below = j != k and d[j] < 0.15 and ys[j] > ys[k]
        ax.annotate(
            text,
            (xs[k], ys[k]),
            fontsize=7,
            xytext=(6, -18 if below else 4),
            textcoords="offset points",
        )
    ax.set_xlabel("false alarms per agent-month (lower is better)")
    ax.set_ylabel("days from decline start to first alert (lower is better)")
    x = summary["false_alarms_per_agent_month"].to_numpy(float)
    y = summary["mean_delay_days"].to_numpy(float)
    ax.set_xlim(0, 1.3 * np.nanmax(x) if np.isfinite(x).any() and np.nanmax(x) > 0 else 1)
    ax.set_ylim(0, 1.25 * np.nanmax(y) if np.isfinite(y).any() and np.nanmax(y) > 0 else 1)
    ax.grid(alpha=0.3)
    if files.nunique() > 1:
        ax.legend(
            fontsize=8, title="rules file", title_fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1)
        )
    ax.set_title("Coaching alerts: crying wolf against catching declines late", fontsize=10)
    fig.tight_layout()
    return fig
