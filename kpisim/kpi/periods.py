"""Period buckets: integer period codes, their start timestamps, and splitting of intervals.

A period code is an int64 per timestamp: ``interval`` = number of ``interval_min`` buckets since
1970-01-01, ``day`` = days since then, ``week`` = weeks since Monday 1970-01-05 (weeks start on
Monday), ``month`` = months since 1970-01. The period label in KPI tables is the start
timestamp of the period.
"""

from __future__ import annotations

import numpy as np

from kpisim.errors import SpecError
from kpisim.kpi.registry import PERIODS

_NS_MIN = 60 * 1_000_000_000
_NS_DAY = 86_400 * 1_000_000_000
_WEEK_ORIGIN = 4 * _NS_DAY  # 1970-01-05 was a Monday
_NAT = np.iinfo(np.int64).min


def check(period: str, interval_min: int) -> None:
    """Validate a period kind and interval length.

    Raises:
        SpecError: unknown period or an interval that does not divide a day.
    """
    if period not in PERIODS:
        raise SpecError("period", "", f"unknown period {period!r}; allowed: {', '.join(PERIODS)}")
    if (
        isinstance(interval_min, bool)
        or not isinstance(interval_min, int)
        or interval_min <= 0
        or 1440 % interval_min
    ):
        raise SpecError(
            "interval_min",
            "",
            f"bad value {interval_min!r}: expected whole minutes dividing a day (e.g. 15, 30, 60)",
        )


def _step(period: str, interval_min: int) -> tuple[int, int]:
    """(origin ns, length ns) of a fixed-length period kind."""
    if period == "interval":
        return 0, interval_min * _NS_MIN
    if period == "day":
        return 0, _NS_DAY
    return _WEEK_ORIGIN, 7 * _NS_DAY


def codes(ns: np.ndarray, period: str, interval_min: int = 30) -> np.ndarray:
    """Period code of each timestamp.

    Args:
        ns: timestamps as int64 nanoseconds (``datetime64[ns]`` viewed as int64); no NaT.
        period: one of ``PERIODS``.
        interval_min: bucket length for ``interval``, minutes.
    """
    ns = np.asarray(ns, dtype=np.int64)
    if period == "month":
        # month of each day through a small lookup table: much faster than datetime64[M] casts
        day = ns // _NS_DAY
        if day.size == 0:
            return day
        lo, hi = int(day.min()), int(day.max())
        if hi - lo > 4 * day.size + 100_000:
            return ns.view("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
        table = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        return table[day - lo]
    origin, length = _step(period, interval_min)
    return (ns - origin) // length


def starts(code: np.ndarray, period: str, interval_min: int = 30) -> np.ndarray:
    """Start of each period code as int64 nanoseconds."""
    code = np.asarray(code, dtype=np.int64)
    if period == "month":
        return code.astype("datetime64[M]").astype("datetime64[ns]").astype(np.int64)
    origin, length = _step(period, interval_min)
    return origin + code * length


def labels(code: np.ndarray, period: str, interval_min: int = 30) -> np.ndarray:
    """Start of each period code as ``datetime64[ns]``."""
    return starts(code, period, interval_min).view("datetime64[ns]")


def split(
    start: np.ndarray, end: np.ndarray, period: str, interval_min: int = 30
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split [start, end) intervals at period boundaries.

    Args:
        start: interval starts, int64 ns.
        end: interval ends (exclusive), int64 ns; ``end <= start`` gives one empty piece.

    Returns:
        ``(row, code, seconds)``: for each piece, the index of the source interval, the period
        code and the piece's duration in seconds.
    """
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    end = np.maximum(end, start)
    c0 = codes(start, period, interval_min)
    c1 = codes(np.maximum(end - 1, start), period, interval_min)
    n = c1 - c0 + 1
    if n.size == 0 or int(n.max()) == 1:
        return np.arange(start.size), c0, (end - start) / 1e9
    row = np.repeat(np.arange(start.size), n)
    first = np.cumsum(n) - n
    k = np.arange(row.size) - np.repeat(first, n)
    code = c0[row] + k
    lo = np.maximum(start[row], starts(code, period, interval_min))
    hi = np.minimum(end[row], starts(code + 1, period, interval_min))
    return row, code, (hi - lo) / 1e9
