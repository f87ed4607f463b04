"""Luck and rank stability: how much of an agent's pay changes from month to month by chance.

Needs the same agents in every simulated month (``simulate(..., population="fixed")``, the
default): agent ``a`` of replication 0 and of replication 1 is the same person with the same
hidden traits, so the month-to-month variation of her pay is luck. Definitions in
docs/analysis.md ("Luck share and rank stability").

A *month* is one (replication, period) pair: the unit of replication.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as _st

from kpisim.analysis.stats import jackknife_ci

MONTH = ["replication", "period"]


def fixed_population(df: pd.DataFrame) -> bool:
    """True if every agent id has the same hidden traits in every month of ``df``."""
    truth = [c for c in df.columns if c.startswith("true_") and c != "true_contribution"]
    if not truth:
        return False
    return bool((df.groupby("agent_id")[truth].nunique(dropna=False) <= 1).all().all())


def _wide(df: pd.DataFrame, value: str) -> pd.DataFrame:
    """Agents (sorted ids) x months table of ``value`` (NaN where an agent has no row that month)."""
    return df.pivot_table(index="agent_id", columns=MONTH, values=value, aggfunc="mean", dropna=False)


def variance_components(y: np.ndarray) -> tuple[float, float]:
    """One-way random-effects ANOVA estimates (within-agent, between-agent) of an agents x months
    matrix (NaNs = missing cells): ``σ²_w = MSW``, ``σ²_b = max((MSB − MSW) / n₀, 0)``.

    ``n₀ = (N − Σ nᵢ² / N) / (a − 1)`` is the usual size for unbalanced groups (= months when
    every agent is in every month). Returns NaNs with fewer than 2 agents or 2 months.
    """
    ok = ~np.isnan(y)
    n_i = ok.sum(axis=1)
    rows = n_i > 0
    y, ok, n_i = y[rows], ok[rows], n_i[rows]
    a, N = y.shape[0], int(n_i.sum())
    if a < 2 or N - a < 1:
        return (math.nan, math.nan)
    means = np.nansum(y, axis=1) / n_i
    grand = float(np.nansum(y) / N)
    ssw = float(np.nansum((y - means[:, None]) ** 2))
    ssb = float((n_i * (means - grand) ** 2).sum())
    msw, msb = ssw / (N - a), ssb / (a - 1)
    n0 = (N - float((n_i**2).sum()) / N) / (a - 1)
    return (msw, max((msb - msw) / n0, 0.0))


def luck_share(y: np.ndarray) -> float:
    """σ²_w / (σ²_w + σ²_b): the share of pay variance that is within-agent across months."""
    w, b = variance_components(y)
    if math.isnan(w) or w + b <= 0:
        return math.nan
    return w / (w + b)


def position_share(y: np.ndarray, groups: np.ndarray) -> float:
    """Share of pay variance that comes with *where* an agent works (her group: team, shift,
    queues): ``(1 − luck share) × adjusted R²`` of the agents' mean pay on their group."""
    luck = luck_share(y)
    means = np.nanmean(y, axis=1)
    ok = ~np.isnan(means)
    means, groups = means[ok], groups[ok]
    a = means.size
    levels, codes = np.unique(groups, return_inverse=True)
    k = levels.size
    if math.isnan(luck) or a - k < 1 or means.var() <= 0:
        return math.nan if math.isnan(luck) else 0.0
    fitted = pd.Series(means).groupby(codes).transform("mean").to_numpy()
    r2 = 1 - ((means - fitted) ** 2).sum() / ((means - means.mean()) ** 2).sum()
    adj = 1 - (1 - r2) * (a - 1) / (a - k)
    return (1 - luck) * float(np.clip(adj, 0.0, 1.0))


def rank_stability(y: np.ndarray) -> float:
    """Mean Kendall tau between the agents' rankings of every pair of months (1 = same order
    every month, 0 = unrelated)."""
    m = y.shape[1]
    taus = []
    for i in range(m):
        for j in range(i + 1, m):
            ok = ~np.isnan(y[:, i]) & ~np.isnan(y[:, j])
            if ok.sum() >= 3 and np.ptp(y[ok, i]) > 0 and np.ptp(y[ok, j]) > 0:
                taus.append(_st.kendalltau(y[ok, i], y[ok, j]).statistic)
    return float(np.mean(taus)) if taus else math.nan


def luck_table(merged: pd.DataFrame) -> pd.DataFrame:
    """Per policy: ``luck_share``, ``position_share``, ``person_share`` (= 1 − luck − position) and
    ``rank_stability``, each with a delete-one-month jackknife CI (``_lo``, ``_hi``).

    Args:
        merged: one row per policy, replication, agent and period with ``pay_cents``, ``total``
            (score; rank stability uses it, or pay when a policy has no score), ``group`` and the
            hidden ``true_*`` traits. NaN everywhere when the population is not fixed.
    """
    rows = []
    for pol, d in merged.groupby("policy", sort=False):
        row: dict = {"policy": pol}
        if not fixed_population(d):
            for c in ("luck_share", "position_share", "person_share", "rank_stability"):
                row[c] = row[f"{c}_lo"] = row[f"{c}_hi"] = math.nan
            row["months"] = 0
            rows.append(row)
            continue
        wide = _wide(d, "pay_cents")
        pay = wide.to_numpy(float)
        rank_col = "total" if "total" in d and d["total"].notna().any() else "pay_cents"
        rank_y = _wide(d, rank_col).reindex(index=wide.index, columns=wide.columns).to_numpy(float)
        months = pay.shape[1]
        if "group" in d:
            groups = d.groupby("agent_id")["group"].first().reindex(wide.index).astype(str).to_numpy()
        else:
            groups = None

        def position(y):
            return position_share(y, groups) if groups is not None else math.nan

        def person(y):
            return 1 - luck_share(y) - position(y)

        measures = (("luck_share", luck_share, pay), ("position_share", position, pay),
                    ("person_share", person, pay), ("rank_stability", rank_stability, rank_y))
        for c, fn, y in measures:
            est, lo, hi, _ = jackknife_ci(lambda keep, fn=fn, y=y: fn(y[:, keep]), months)
            if c.endswith("_share") and not math.isnan(lo):  # a share: keep the interval inside [0, 1]
                lo, hi = max(lo, 0.0), min(hi, 1.0)
            row[c], row[f"{c}_lo"], row[f"{c}_hi"] = est, lo, hi
        row["months"] = months
        rows.append(row)
    return pd.DataFrame(rows)
