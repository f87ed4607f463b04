"""Small statistics shared by the analyses: t confidence intervals, Gini, top shares."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

#: Confidence level of every interval the analyses report.
LEVEL = 0.95


def t_ci(values: Sequence[float] | np.ndarray, *, level: float = LEVEL) -> tuple[float, float, float, int]:
    """Mean and t confidence interval of independent replicate values.

    ``mean ± t(level, n-1) x sd / sqrt(n)``; NaNs are dropped. With one value the bounds are NaN.

    Returns:
        (mean, lower, upper, n).
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return (math.nan, math.nan, math.nan, 0)
    m = float(x.mean())
    if n == 1:
        return (m, math.nan, math.nan, 1)
    half = float(_st.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return (m, m - half, m + half, n)


def ci_frame(
    df: pd.DataFrame,
    by: Sequence[str],
    cols: Sequence[str],
    *,
    level: float = LEVEL,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Per group of ``by``: ``<col>``, ``<col>_lo``, ``<col>_hi`` (t interval over the rows) and ``n``.

    Each row of ``df`` is one replicate (e.g. one replication's value). ``bounds``: column ->
    (lowest, highest) possible value; its interval is kept inside that range (a share's interval
    never goes below 0 % or above 100 %).
    """
    rows = []
    groups = df.groupby(list(by), sort=False, dropna=False) if by else [((), df)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key, strict=False))
        n = 0
        for c in cols:
            m, lo, hi, n = t_ci(g[c].to_numpy(dtype=float), level=level)
            if bounds and c in bounds:
                lo, hi = max(lo, bounds[c][0]), min(hi, bounds[c][1])
            row[c], row[f"{c}_lo"], row[f"{c}_hi"] = m, lo, hi
        row["n"] = n
        rows.append(row)
    return pd.DataFrame(rows)


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative amounts (0 = equal, 1 = one person has all)."""
    x = np.sort(np.asarray(x, dtype=float))
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0 or x.sum() <= 0:
        return math.nan
    i = np.arange(1, n + 1)
    return float((2 * (i * x).sum()) / (n * x.sum()) - (n + 1) / n)


def top_share(x: np.ndarray, *, share: float = 0.10) -> float:
    """Share of the total held by the top ``share`` of people (at least one person)."""
    x = np.sort(np.asarray(x, dtype=float))[::-1]
    x = x[~np.isnan(x)]
    if x.size == 0 or x.sum() <= 0:
        return math.nan
    k = max(1, int(math.ceil(share * x.size)))
    return float(x[:k].sum() / x.sum())


def jackknife_ci(stat, n: int, *, level: float = LEVEL) -> tuple[float, float, float, int]:
    """Delete-one jackknife t interval of a statistic computed on ``n`` independent units.

    Args:
        stat: ``stat(keep)`` -> float, where ``keep`` is a boolean mask over the ``n`` units
            (all True for the full-sample estimate).
        n: number of units (months); with fewer than 3 the bounds are NaN.

    Returns:
        (estimate on all units, lower, upper, n); ``estimate ± t(level, n-1) x se_jack`` with
        ``se_jack² = (n-1)/n x Σ (θ₍ᵢ₎ - mean θ₍·₎)²``.
    """
    full = float(stat(np.ones(n, dtype=bool)))
    if n < 3 or math.isnan(full):
        return (full, math.nan, math.nan, n)
    loo = []
    for i in range(n):
        keep = np.ones(n, dtype=bool)
        keep[i] = False
        loo.append(float(stat(keep)))
    return jackknife_ci_from(full, np.asarray(loo), level=level)


def jackknife_ci_from(
    full: float, loo: np.ndarray, *, level: float = LEVEL
) -> tuple[float, float, float, int]:
    """:func:`jackknife_ci` from the full estimate and the ``n`` delete-one estimates ``loo``
    (for statistics whose leave-one-out values come cheaper all at once)."""
    loo_arr = np.asarray(loo, dtype=float)
    n = int(loo_arr.size)
    if n < 3 or math.isnan(full) or np.isnan(loo_arr).any():
        return (full, math.nan, math.nan, n)
    se = math.sqrt((n - 1) / n * float(((loo_arr - loo_arr.mean()) ** 2).sum()))
    half = float(_st.t.ppf(0.5 + level / 2, n - 1)) * se
    return (full, full - half, full + half, n)
