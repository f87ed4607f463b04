"""Kendall tau between every pair of months at once, and rank stability's jackknife in O(m²).

Rank stability is the mean Kendall tau-b over the pairs of months (see ``luck.rank_stability``).
Deleting a month only removes the pairs it is in, so once the m x m tau matrix is known every
delete-one-month estimate is ``(S − rowsum_k) / (C − rowcount_k)``: the jackknife costs O(m²)
instead of m recomputations of O(m²) taus each.

The tau matrix itself is one matrix product: for every pair of agents (a, b) and month i let
``s_i = sign(y_ai − y_bi)`` (0 when either is missing). Then for months i, j

* concordant − discordant = ``Σ s_i s_j``;
* pairs not tied in month i among the agents present in both months = ``Σ s_i² v_j`` (``v_j`` = 1
  if both agents are present in month j),

and tau-b = ``Σ s_i s_j / sqrt(Σ s_i² v_j · Σ s_j² v_i)``, exactly scipy's ``kendalltau`` (variant
b) on the agents present in both months.
"""

from __future__ import annotations

import math

import numpy as np

#: Agent pairs per block of the sign matrix (bounds memory: block x months x 8 bytes).
PAIR_BLOCK = 4096


def tau_matrix(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kendall tau-b between the columns (months) of an agents x months matrix (NaN = missing).

    Returns:
        ``(tau, ok)``: m x m arrays; ``ok[i, j]`` is True where the pair counts (at least 3
        agents present in both months and neither month constant among them; the diagonal is
        False) and ``tau`` is NaN elsewhere.
    """
    y = np.asarray(y, dtype=float)
    n, m = y.shape
    present = ~np.isnan(y)
    both = present.T.astype(float) @ present.astype(float)  # agents present in months i and j
    cc = np.zeros((m, m))  # concordant - discordant
    nt = np.zeros((m, m))  # [i, j]: pairs untied in i among agents present in i and j
    a_idx, b_idx = np.triu_indices(n, k=1)
    for lo in range(0, a_idx.size, PAIR_BLOCK):
        a, b = a_idx[lo : lo + PAIR_BLOCK], b_idx[lo : lo + PAIR_BLOCK]
        valid = (present[a] & present[b]).astype(float)
        s = np.sign(np.where(valid > 0, y[a] - y[b], 0.0))
        cc += s.T @ s
        nt += (s * s).T @ valid
    den = nt * nt.T
    ok = (both >= 3) & (nt > 0) & (nt.T > 0)
    np.fill_diagonal(ok, False)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.where(ok, cc / np.sqrt(np.where(ok, den, 1.0)), np.nan)
    return tau, ok


def rank_stability_fast(y: np.ndarray) -> float:
    """Mean Kendall tau over every pair of months (equals ``luck.rank_stability``)."""
    tau, ok = tau_matrix(y)
    c = int(ok.sum()) // 2
    return float(np.nansum(np.where(ok, tau, 0.0)) / 2 / c) if c else math.nan


def rank_stability_loo(y: np.ndarray) -> tuple[float, np.ndarray]:
    """Rank stability on all months and with each month left out (NaN where no pair is left).

    Returns:
        ``(full, loo)`` with ``loo[k]`` = rank stability of the months other than k.
    """
    tau, ok = tau_matrix(y)
    t = np.where(ok, tau, 0.0)
    s_all = t.sum() / 2
    c_all = ok.sum() / 2
    row_s = t.sum(axis=1)
    row_c = ok.sum(axis=1)
    full = float(s_all / c_all) if c_all else math.nan
    left = c_all - row_c
    with np.errstate(invalid="ignore", divide="ignore"):
        loo = np.where(left > 0, (s_all - row_s) / np.where(left > 0, left, 1), np.nan)
    return full, loo
