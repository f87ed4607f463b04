"""Deterministic ranking within groups, used by grades, pools and prizes.

Order: the primary value along its direction, then each tie-break metric along its direction
(missing tie-break values rank last), then ``agent_id`` ascending (numbers numerically, text
alphabetically). Rows with a missing primary value or marked ineligible get rank 0 and do not
take a place. The result does not depend on the order of the rows.
"""

from __future__ import annotations

import numpy as np

from kpisim.policy.money import group_starts


def better_first(x: np.ndarray, direction: str) -> np.ndarray:
    """Sort key where smaller is better: ``-x`` for higher-is-better, ``x`` for lower; NaN last."""
    key = -x if direction != "lower" else x.copy()
    return np.where(np.isnan(key), np.inf, key)


def rank_within(
    gid: np.ndarray, keys: list[np.ndarray], agent_order: np.ndarray, eligible: np.ndarray
) -> np.ndarray:
    """1-based rank of each row inside its group; 0 for ineligible rows.

    Args:
        gid: group id per row.
        keys: sort keys, most significant first, smaller = better (see :func:`better_first`).
        agent_order: final tie-break (smaller first), e.g. ``Table.agent_order()``.
        eligible: rows that take part.
    """
    n = len(gid)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # fold (group, ineligible, first key if integral) into one int64 sort key: fewer sort passes
    major = gid.astype(np.int64) * 2 + (~eligible)
    rest = list(keys)
    if rest and _integral(rest[0]):
        k0 = rest[0]
        lo, hi = (k0.min(), k0.max()) if n else (0, 0)
        span = int(hi - lo) + 1
        if span * (int(major.max()) + 1) < 2**62:
            major = major * span + (k0 - lo).astype(np.int64)
            rest = rest[1:]
    order = np.lexsort([agent_order, *list(reversed(rest)), major])
    pos = group_starts(gid[order]) + 1
    rank = np.zeros(n, dtype=np.int64)
    rank[order] = pos
    return np.where(eligible, rank, 0)


def _integral(k: np.ndarray) -> bool:
    """Finite whole numbers of moderate size (safe to cast to int64)."""
    if k.dtype.kind in "iu":
        return True
    return bool(np.isfinite(k).all() and (np.abs(k) < 2**52).all() and (k == np.floor(k)).all())


def group_count(gid: np.ndarray, mask: np.ndarray, g: int) -> np.ndarray:
    """Number of ``mask`` rows per group (length ``g``)."""
    return np.bincount(gid[mask], minlength=g).astype(np.int64)
