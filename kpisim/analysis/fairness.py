"""Validity, luck and inequality of a policy's pay. READS THE SIMULATOR'S HIDDEN TRUTH.

The KPI engine and policies never see the agents' true traits; these measures do, on purpose, to
tell whether a scorecard pays for skill. See docs/analysis.md for the definitions.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as _st

from kpisim.analysis.luck import luck_table
from kpisim.analysis.stats import gini, t_ci, top_share
from kpisim.vocab import TRAITS


def contribution(agents: pd.DataFrame) -> pd.Series:
    """True contribution index of each agent (standard units, mean 0 within a replication).

    The mean over the traits of ``sign x z(trait)`` where ``z`` standardises the (log of a
    multiplicative) trait across the agents of the same replication; a trait nobody differs on
    counts as 0. Uses only hidden traits, never realised outcomes, so it is free of luck.
    """
    parts = []
    keys = agents["replication"] if "replication" in agents else pd.Series(0, index=agents.index)
    for col, (sign, log) in TRAITS.items():
        if col not in agents:
            continue
        x = agents[col].astype(float)
        x = np.log(x.clip(lower=1e-12)) if log else x
        g = x.groupby(keys)
        sd = g.transform("std", ddof=0)
        z = ((x - g.transform("mean")) / sd).where(sd > 1e-12, 0.0)
        parts.append(sign * z)
    if not parts:
        return pd.Series(0.0, index=agents.index, name="true_contribution")
    return (sum(parts) / len(parts)).rename("true_contribution")


#: range of each per-month measure (correlations and tau in [-1, 1]; shares and Gini in [0, 1])
_RANGES: dict[str, tuple[float, float]] = {
    "validity_pay": (-1.0, 1.0),
    "validity_score": (-1.0, 1.0),
    "tau_truth": (-1.0, 1.0),
    "best_gets_top": (0.0, 1.0),
    "gini": (0.0, 1.0),
    "top10_share": (0.0, 1.0),
}


def fairness_table(merged: pd.DataFrame) -> pd.DataFrame:
    """Fairness and validity per policy (rows: policy; columns with ``_lo``/``_hi`` CIs).

    Per-month measures (validity, ``tau_truth``, ``best_gets_top``, Gini, top-10 % share) get t
    intervals over months; luck share and rank stability across months come from
    :func:`kpisim.analysis.luck.luck_table`.

    Args:
        merged: one row per policy, replication, agent and period with ``pay_cents``, ``total``
            (score), ``true_contribution``, the ``true_*`` traits and ``group``.
    """
    rows = []
    for pol, d in merged.groupby("policy", sort=False):
        per_rep = []
        for _key, g in d.groupby(["replication", "period"], sort=True):
            c = g["true_contribution"].to_numpy(float)
            p = g["pay_cents"].to_numpy(float)
            s = g["total"].to_numpy(float)
            per_rep.append(
                {
                    "validity_pay": _corr(p, c),
                    "validity_score": _corr(s, c),
                    "tau_truth": _tau(p, c),
                    "best_gets_top": _best_top(c, s if np.isfinite(s).any() else p),
                    "gini": gini(p),
                    "top10_share": top_share(p, share=0.10),
                }
            )
        pr = pd.DataFrame(per_rep)
        row = {"policy": pol}
        for col in pr.columns:
            m, lo, hi, _n = t_ci(pr[col])
            lower, upper = _RANGES[col]  # bounded measures: keep the interval inside their range
            lo, hi = max(lo, lower), min(hi, upper)
            row[col], row[f"{col}_lo"], row[f"{col}_hi"] = m, lo, hi
        row["n"] = len(pr)
        rows.append(row)
    per_month = pd.DataFrame(rows) if rows else pd.DataFrame({"policy": pd.Series(dtype=object)})
    return per_month.merge(luck_table(merged), on="policy", how="left")


def pay_gaps(
    merged: pd.DataFrame, dims: tuple[str, ...] = ("team", "shift", "tenure_group", "channel")
) -> pd.DataFrame:
    """Mean pay of each group minus the mean pay of everyone, per policy, with t CIs over runs.

    Returns:
        Columns policy, dimension, level, mean_pay_cents(+CI), gap_cents(+CI), n.
    """
    rows = []
    for dim in dims:
        if dim not in merged:
            continue
        for pol, d in merged.groupby("policy", sort=False):
            runs = d.groupby(["replication", "period"])
            overall = runs["pay_cents"].mean()
            by = d.groupby(["replication", "period", dim])["pay_cents"].mean().rename("mean").reset_index()
            by = by.join(overall.rename("all"), on=["replication", "period"])
            by["gap"] = by["mean"] - by["all"]
            for lvl, g in by.groupby(dim, sort=True):
                m, lo, hi, n = t_ci(g["mean"])
                gm, glo, ghi, _ = t_ci(g["gap"])
                rows.append(
                    {
                        "policy": pol,
                        "dimension": dim,
                        "level": lvl,
                        "mean_pay_cents": m,
                        "mean_pay_cents_lo": lo,
                        "mean_pay_cents_hi": hi,
                        "gap_cents": gm,
                        "gap_cents_lo": glo,
                        "gap_cents_hi": ghi,
                        "n": n,
                    }
                )
    return pd.DataFrame(rows)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3 or np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
        return math.nan
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def _tau(a: np.ndarray, b: np.ndarray) -> float:
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3 or np.std(a[ok]) == 0:
        return math.nan
    return float(_st.kendalltau(a[ok], b[ok]).statistic)


def _best_top(truth: np.ndarray, ranked: np.ndarray) -> float:
    """1 if the truly best agent has the top value (1/k when k agents tie at the top), else 0."""
    ok = np.isfinite(truth) & np.isfinite(ranked)
    if not ok.any():
        return math.nan
    t, r = truth[ok], ranked[ok]
    best = int(np.argmax(t))
    top = np.flatnonzero(r == r.max())
    return 1.0 / top.size if best in top else 0.0
