"""The change detectors on (agents x periods) arrays, vectorised over agents.

Inputs are float arrays with NaN where an agent has no value in a period (a day off); a NaN
period neither updates a statistic nor alerts. Every detector returns ``(alarm, statistic)``:
a boolean array (alert in that period) and the statistic it compared with its limit.
"""

from __future__ import annotations

import warnings

import numpy as np


def standardise(x: np.ndarray, mean: np.ndarray, sd: np.ndarray, sign: float) -> np.ndarray:
    """``sign x (x - mean) / sd`` per row (positive = worse); rows with no usable sd are NaN."""
    sd = np.where(np.isfinite(sd) & (sd > 0), sd, np.nan)
    return sign * (x - mean[:, None]) / np.maximum(sd, 1e-9)[:, None]


def baseline(x: np.ndarray, periods: int, groups: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd (ddof 1) per row of the first ``periods`` columns, or pooled over the rows of
    each group (``groups``: a group code per row); NaN where fewer than 2 values."""
    head = x[:, :periods]
    if groups is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # rows without data: NaN is the answer
            mean = np.nanmean(head, axis=1)
            sd = np.nanstd(head, axis=1, ddof=1)
        return mean, np.where(np.isfinite(head).sum(axis=1) >= 2, sd, np.nan)
    mean, sd = np.full(len(x), np.nan), np.full(len(x), np.nan)
    for g in np.unique(groups):
        rows = groups == g
        vals = head[rows][np.isfinite(head[rows])]
        if vals.size >= 2:
            mean[rows], sd[rows] = vals.mean(), vals.std(ddof=1)
    return mean, sd


def exceed(stat: np.ndarray, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Threshold: alert wherever ``stat > limit``."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(stat) & (stat > limit), stat


def n_of_m(stat: np.ndarray, limit: float, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Alert in a period with data when at least ``n`` of the row's last ``m`` periods with data
    (this one included) have ``stat > limit``; the statistic is that count."""
    ok = np.isfinite(stat)
    hit = ok & (np.nan_to_num(stat, nan=-np.inf) > limit)
    count = np.full(stat.shape, np.nan)
    for r in range(stat.shape[0]):
        cols = np.flatnonzero(ok[r])
        if cols.size == 0:
            continue
        c = np.cumsum(hit[r, cols])
        count[r, cols] = c - np.r_[np.zeros(min(m, c.size)), c[:-m]] if c.size > m else c
    return np.nan_to_num(count, nan=-1) >= n, count


def cusum(z: np.ndarray, k: float, h: float, clip: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One-sided upper CUSUM per row: ``S_t = max(0, S_(t-1) + z_t - k)``, alert when ``S_t > h``,
    then ``S`` restarts at 0."""
    if clip is not None:
        z = np.minimum(z, clip)
    s = np.zeros(z.shape[0])
    stat = np.full(z.shape, np.nan)
    alarm = np.zeros(z.shape, bool)
    for t in range(z.shape[1]):
        ok = np.isfinite(z[:, t])
        s = np.where(ok, np.maximum(0.0, s + np.where(ok, z[:, t], 0.0) - k), s)
        stat[:, t] = np.where(ok, s, np.nan)
        alarm[:, t] = ok & (s > h)
        s = np.where(alarm[:, t], 0.0, s)
    return alarm, stat


def ewma(
    z: np.ndarray, weight: float, limit: float, clip: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided EWMA per row: ``E_t = weight z_t + (1 - weight) E_(t-1)`` from 0, alert when
    ``E_t > limit x sqrt(weight / (2 - weight))``, then ``E`` restarts at 0."""
    if clip is not None:
        z = np.minimum(z, clip)
    ucl = limit * np.sqrt(weight / (2.0 - weight))
    e = np.zeros(z.shape[0])
    stat = np.full(z.shape, np.nan)
    alarm = np.zeros(z.shape, bool)
    for t in range(z.shape[1]):
        ok = np.isfinite(z[:, t])
        e = np.where(ok, weight * np.where(ok, z[:, t], 0.0) + (1.0 - weight) * e, e)
        stat[:, t] = np.where(ok, e, np.nan)
        alarm[:, t] = ok & (e > ucl)
        e = np.where(alarm[:, t], 0.0, e)
    return alarm, stat


def cool_down(alarm: np.ndarray, periods: int) -> np.ndarray:
    """Keep an alert only if the row had none in the previous ``periods`` periods."""
    if periods <= 0:
        return alarm
    out = alarm.copy()
    last = np.full(alarm.shape[0], -(10**9))
    for t in range(alarm.shape[1]):
        out[:, t] &= t - last > periods
        last = np.where(out[:, t], t, last)
    return out
