"""Figures of a calibration: observed vs fitted for each part. Every function takes the tables of
``kpisim.analysis.calibrate.Calibration.tables()`` and returns a Figure; nothing is computed here."""

from __future__ import annotations

import pandas as pd

from kpisim.plots._base import _plt


def arrivals_fit(daily: pd.DataFrame, interval: pd.DataFrame):
    """First contacts per day and per interval of the day: observed (bars) vs fitted (line)."""
    plt = _plt()
    queues = sorted(daily["queue"].unique())
    fig, axes = plt.subplots(len(queues), 2, figsize=(11, 2.8 * len(queues)), squeeze=False)
    for row, q in zip(axes, queues, strict=True):
        d = daily[daily["queue"] == q]
        x = range(len(d))
        row[0].bar(x, d["first_contacts"], color="#9ecae1", label="observed")
        row[0].plot(x, d["fitted"], color="#08519c", marker=".", label="fitted")
        peaks = [i for i, p in enumerate(d["peak_day"]) if p]
        row[0].plot(peaks, d["first_contacts"].iloc[peaks], "r*", markersize=10, label="detected peak day")
        row[0].set_xticks(list(x)[::7], [str(v) for v in d["date"].iloc[::7]], fontsize=8)
        row[0].set_ylabel("first contacts per day\n(in the export)")
        row[0].set_title(f"{q}: daily volume", fontsize=10)
        row[0].legend(fontsize=7)
        i = interval[interval["queue"] == q]
        row[1].bar(range(len(i)), i["observed_per_day"], color="#9ecae1", label="observed")
        row[1].plot(range(len(i)), i["fitted_per_day"], color="#08519c", label="fitted (mean day)")
        row[1].set_xticks(range(0, len(i), 4), list(i["interval"].iloc[::4]), fontsize=8)
        row[1].set_ylabel("first contacts per interval\n(mean day, in the export)")
        row[1].set_title(f"{q}: intraday profile", fontsize=10)
        row[1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def handle_fit(density: pd.DataFrame, by_sessions: pd.DataFrame):
    """Base work per contact (agent speed and chat stretch removed) with the fitted density, and
    mean handle time by sessions held (chat stretch)."""
    plt = _plt()
    queues = sorted(density["queue"].unique())
    fig, axes = plt.subplots(len(queues), 2, figsize=(11, 2.8 * len(queues)), squeeze=False)
    for row, q in zip(axes, queues, strict=True):
        d = density[density["queue"] == q]
        w = float(d["base_work_s"].diff().median())
        row[0].bar(d["base_work_s"], d["observed_density"], width=w, color="#c7e9c0", label="observed")
        row[0].plot(d["base_work_s"], d["fitted_density"], color="#006d2c", label="fitted")
        row[0].set_xlabel("base work per contact (s)")
        row[0].set_ylabel("density")
        row[0].set_title(f"{q}: handle time of an average agent", fontsize=10)
        row[0].legend(fontsize=7)
        b = by_sessions[(by_sessions["queue"] == q) & (by_sessions["contacts"] >= 20)]
        if b["sessions_held"].nunique() < 2:
            row[1].text(
                0.5,
                0.5,
                "one contact at a time (voice),\nor sessions held not known",
                ha="center",
                va="center",
                transform=row[1].transAxes,
                fontsize=9,
            )
            row[1].set_axis_off()
            continue
        row[1].plot(b["sessions_held"], b["observed_mean_s"], "o", color="#31a354", label="observed")
        row[1].plot(b["sessions_held"], b["fitted_mean_s"], "-", color="#006d2c", label="fitted")
        row[1].set_xlabel("sessions held when answered")
        row[1].set_ylabel("mean handle time (s)")
        row[1].set_title(f"{q}: handle time by sessions held", fontsize=10)
        row[1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def patience_fit(survival: pd.DataFrame, estimates: pd.DataFrame):
    """Share still waiting after t seconds: Kaplan-Meier vs the fitted patience; the naive and the
    censored mean beside it."""
    plt = _plt()
    queues = sorted(survival["queue"].unique())
    fig, axes = plt.subplots(1, max(len(queues), 1), figsize=(5.5 * max(len(queues), 1), 3.4), squeeze=False)
    for ax, q in zip(axes[0], queues, strict=False):
        s = survival[survival["queue"] == q]
        ax.step(s["wait_s"], 100 * s["kaplan_meier"], where="post", color="#756bb1", label="Kaplan-Meier")
        ax.plot(s["wait_s"], 100 * s["fitted"], color="#3f007d", label="fitted")
        e = estimates[(estimates["scope"] == q)].set_index("parameter")["estimate"]
        txt = (
            f"naive mean of abandoners: {e.get('naive mean wait of abandoners', float('nan')):.0f} s\n"
            f"censored estimate: {e.get('patience.mean_s', float('nan')):.0f} s"
        )
        ax.text(0.97, 0.95, txt, transform=ax.transAxes, ha="right", va="top", fontsize=8)
        ax.set_xlabel("waiting time (s)")
        ax.set_ylabel("customers still willing to wait (%)")
        ax.set_title(f"{q}: patience", fontsize=10)
        ax.set_ylim(0, 102)
        ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def shrinkage(agents: pd.DataFrame, metric: str = "resolution", label: str = "resolution rate"):
    """Each agent's raw rate against its shrunk rate, sized by contacts: few contacts move far."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    a = agents.dropna(subset=[f"{metric}_raw", f"{metric}_shrunk"])
    n = a["answered"].to_numpy(dtype=float)
    ax.scatter(
        100 * a[f"{metric}_raw"],
        100 * a[f"{metric}_shrunk"],
        s=10 + 90 * n / max(n.max(), 1),
        alpha=0.6,
        color="#e6550d",
    )
    lo = 100 * min(a[f"{metric}_raw"].min(), a[f"{metric}_shrunk"].min())
    hi = 100 * max(a[f"{metric}_raw"].max(), a[f"{metric}_shrunk"].max())
    ax.plot([lo, hi], [lo, hi], "k--", linewidth=0.8, label="no shrinkage")
    ax.set_xlabel(f"agent's own {label} (%)")
    ax.set_ylabel("shrunk towards the team (%)")
    ax.set_title(f"Per-agent {label} (dot size: contacts)", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
