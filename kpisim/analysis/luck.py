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

from kpisim.analysis.ranktau import rank_stability_fast, rank_stability_loo
from kpisim.analysis.stats import jackknife_ci, jackknife_ci_from

MONTH = ["replication", "period"]


def fixed_population(df: pd.DataFrame) -> bool:
    """True if every agent id has the same hidden traits in every month of ``df``."""
    truth = [c for c in df.columns if c.startswith("true_") and c != "true_contribution"]
    if not truth:
        return False
    return bool((df.groupby("agent_id")[truth].nunique(dropna=False) <= 1).all().all())


def _wide(df: pd.DataFrame, value: str) -> pd.DataFrame:
    """Agents (sorted ids) x months table of ``value`` (NaN where an agent has no row that month;
    months in which nobody has a value are dropped)."""
    w = df.pivot_table(index="agent_id", columns=MONTH, values=value, aggfunc="mean", dropna=False)
    return w.loc[:, w.notna().any(axis=0)]


def variance_components(y: np.ndarray, groups: np.ndarray | None = None) -> tuple[float, float, float]:
    """Split the variance of an agents x months matrix (NaN = missing cell) into
    ``(luck, person, position)`` = ``(σ²_w, V_p, V_g)``, per observation:

    * ``σ²_w = MSW = Σ (y − ȳᵢ)² / (N − a)``: month-to-month variance of the same agent;
    * ``V_p = (SSA − (a − k) MSW) / N``, ``SSA = Σ nᵢ (ȳᵢ − ȳ_g)²``: variance between agents of the
      same group, of these agents (their persistent differences, with the month noise that is
      left in their means taken out);
    * ``V_g = (SSG − (k − 1) MSW) / N``, ``SSG = Σ_g N_g (ȳ_g − ȳ)²``: variance between the groups.

    ``N`` observations, ``a`` agents with ``nᵢ`` months each, ``k`` groups with ``N_g``
    observations; negative estimates are set to 0. These are finite-population (fixed-effects)
    quantities — the agents and groups as they are — so ``σ²_w + V_p + V_g`` estimates the
    variance of one agent-month's pay. Without ``groups`` (or one group) ``V_g = 0``. NaNs when
    there are fewer than 2 agents or no agent has 2 months; ``V_p`` and ``V_g`` are NaN when every
    group has a single agent (person and position are then confounded).
    """
    nan3 = (math.nan, math.nan, math.nan)
    ok = ~np.isnan(y)
    n_i = ok.sum(axis=1)
    rows = n_i > 0
    y, ok, n_i = y[rows], ok[rows], n_i[rows].astype(float)
    a = y.shape[0]
    g = (
        np.zeros(a, dtype=np.int64)
        if groups is None
        else np.unique(np.asarray(groups)[rows], return_inverse=True)[1]
    )
    k = int(g.max()) + 1 if a else 0
    N = float(n_i.sum())
    if a < 2 or N - a < 1:
        return nan3
    yz = np.where(ok, y, 0.0)
    means = yz.sum(axis=1) / n_i
    grand = float(yz.sum() / N)
    msw = float((np.where(ok, y - means[:, None], 0.0) ** 2).sum()) / (N - a)
    if a - k < 1:
        return (msw, math.nan, math.nan)
    N_g = np.bincount(g, weights=n_i, minlength=k)
    gmean = np.bincount(g, weights=n_i * means, minlength=k) / N_g
    ssa = float((n_i * (means - gmean[g]) ** 2).sum())
    ssg = float((N_g * (gmean - grand) ** 2).sum())
    v_p = max((ssa - (a - k) * msw) / N, 0.0)
    v_g = max((ssg - (k - 1) * msw) / N, 0.0)
    return (msw, v_p, v_g)


def _shares(y: np.ndarray, groups: np.ndarray | None) -> tuple[float, float, float]:
    """(luck, position, person) shares of the summed components (NaN when undefined)."""
    w, p, g = variance_components(y, groups)
    if math.isnan(w):
        return (math.nan, math.nan, math.nan)
    if math.isnan(p):  # person and position confounded: only the luck share is defined
        w1, b1, _ = variance_components(y)
        total = w1 + b1
        return (w1 / total if total > 0 else math.nan, math.nan, math.nan)
    total = w + p + g
    if total <= 0:
        return (math.nan, math.nan, math.nan)
    return (w / total, g / total, p / total)


def luck_share(y: np.ndarray, groups: np.ndarray | None = None) -> float:
    """σ²_w / (σ²_w + V_p + V_g): the share of pay variance that is within-agent across months."""
    return _shares(y, groups)[0]


def position_share(y: np.ndarray, groups: np.ndarray) -> float:
    """V_g / total: the share of pay variance that comes with *where* an agent works (her group:
    team, shift, queues)."""
    return _shares(y, groups)[1]


def person_share(y: np.ndarray, groups: np.ndarray | None = None) -> float:
    """V_p / total: persistent differences between agents of the same group (skill, mostly)."""
    return _shares(y, groups)[2]


def rank_stability(y: np.ndarray) -> float:
    """Mean Kendall tau between the agents' rankings of every pair of months (1 = same order
    every month, 0 = unrelated); pairs with fewer than 3 common agents or a constant month are
    left out. Computed from one m x m tau matrix (:mod:`kpisim.analysis.ranktau`)."""
    return rank_stability_fast(y)


def luck_table(merged: pd.DataFrame) -> pd.DataFrame:
    """Per policy: ``luck_share``, ``position_share``, ``person_share`` (= 1 − luck − position) and
    ``rank_stability``, each with a delete-one-month jackknife CI (``_lo``, ``_hi``).

    Args:
        merged: one row per policy, replication, agent and period with ``pay_cents``, ``total``
            (score; rank stability uses it, or pay when a policy has no score), ``group`` and the
            hidden ``true_*`` traits. NaN everywhere when the population is not fixed.
    """
    rows = []
    if merged.empty:
        return pd.DataFrame({"policy": pd.Series(dtype=object)})
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
        groups = (
            d.groupby("agent_id")["group"].first().reindex(wide.index).astype(str).to_numpy()
            if "group" in d
            else None
        )
        measures = (
            ("luck_share", lambda y, groups=groups: luck_share(y, groups), pay),
            (
                "position_share",
                lambda y, groups=groups: position_share(y, groups) if groups is not None else math.nan,
                pay,
            ),
            ("person_share", lambda y, groups=groups: person_share(y, groups), pay),
        )
        for c, fn, y in measures:
            est, lo, hi, _ = jackknife_ci(lambda keep, fn=fn, y=y: fn(y[:, keep]), months)
            if c.endswith("_share") and not math.isnan(lo):  # a share: keep the interval inside [0, 1]
                lo, hi = max(lo, 0.0), min(hi, 1.0)
            row[c], row[f"{c}_lo"], row[f"{c}_hi"] = est, lo, hi
        # every delete-one-month rank stability from one tau matrix: O(m²), not O(m³)
        full, loo = rank_stability_loo(rank_y)
        est, lo, hi, _ = jackknife_ci_from(full, loo)
        row["rank_stability"], row["rank_stability_lo"], row["rank_stability_hi"] = est, lo, hi
        row["months"] = months
        rows.append(row)
    return pd.DataFrame(rows)
