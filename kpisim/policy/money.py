"""Exact money arithmetic in integer minor units (cents / fen), vectorised.

Rules used throughout kpisim:

* **Half-up rounding to a cent** (half away from zero for negatives): ``x * num / den`` is
  computed exactly in integers as ``(2*x*num + den) // (2*den)``. Rates and percentages are
  Decimals turned into exact fractions, never floats.
* **Largest remainder** (Hamilton) for splitting an amount among recipients: everyone gets the
  floor of their exact quota; the cents left over (fewer than the number of recipients) go one
  each to the largest fractional remainders; equal remainders go to the better-ranked recipient
  first. The shares always add up exactly to the amount.
* int64 is used while ``|x| * num`` stays below 2**62; beyond that the same formulas run on
  Python integers (object arrays), so results never overflow silently.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

_LIMIT = 2**62


def fraction(d: Decimal | int | str) -> tuple[int, int]:
    """Exact ``(numerator, denominator)`` of a Decimal, e.g. ``Decimal("0.006") -> (3, 500)``."""
    num, den = Decimal(d).as_integer_ratio()
    return int(num), int(den)


def _fits(*bounds: int) -> bool:
    prod = 1
    for b in bounds:
        prod *= max(1, abs(int(b)))
    return prod < _LIMIT


def mul_div_half_up(x: np.ndarray, num, den) -> np.ndarray:
    """``round_half_up(x * num / den)`` exactly, elementwise.

    Args:
        x: integer amounts (int64 array or scalar).
        num: integer numerator(s) (scalar or array broadcastable to ``x``).
        den: positive integer denominator(s).

    Returns:
        int64 array (object array of Python ints only if int64 would overflow).
    """
    x = np.asarray(x)
    num_a, den_a = np.asarray(num), np.asarray(den)
    xm = int(np.abs(x).max()) if x.size else 0
    nm = int(np.abs(num_a).max()) if num_a.size else 0
    dm = int(np.abs(den_a).max()) if den_a.size else 1
    if _fits(2, xm, nm) and _fits(2, dm):
        x, num_a, den_a = x.astype(np.int64), num_a.astype(np.int64), den_a.astype(np.int64)
    else:
        x, num_a, den_a = x.astype(object), num_a.astype(object), den_a.astype(object)
    p = x * num_a
    mag = (2 * np.abs(p) + den_a) // (2 * den_a)
    out = np.where(p < 0, -mag, mag)
    return out if out.dtype == object else out.astype(np.int64)


def round_half_up(x: np.ndarray) -> np.ndarray:
    """Float amounts to integer cents, half away from zero (for products with float factors).

    A tolerance of 1e-6 cent absorbs binary floating-point error (e.g. 2.675 stored as 2.67499...).
    """
    x = np.asarray(x, dtype=float)
    return (np.sign(x) * np.floor(np.abs(x) + 0.5 + 1e-6)).astype(np.int64)


def group_starts(sorted_gid: np.ndarray) -> np.ndarray:
    """Position of each row within its run of equal group ids (0 for the first)."""
    n = len(sorted_gid)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.arange(n, dtype=np.int64)
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(sorted_gid[1:], sorted_gid[:-1], out=start[1:])
    first = np.maximum.accumulate(np.where(start, idx, 0))
    return idx - first


def apportion(gid: np.ndarray, weights: np.ndarray, amounts: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Split each group's amount among its rows in proportion to integer weights, exactly.

    Largest remainder: floor of each quota, then one extra cent to the largest remainders,
    equal remainders in ``priority`` order (lower first). Groups whose weights sum to 0 pay
    nothing.

    Args:
        gid: group id of each recipient row (0..G-1).
        weights: non-negative integer weight of each row.
        amounts: cents to split, one per group (length G).
        priority: integer order among equal remainders (lower = served first), per row.

    Returns:
        int64 cents per row; per group they add up to ``amounts`` (or 0 if the weights are 0).
    """
    gid = np.asarray(gid, dtype=np.int64)
    n = len(gid)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    amounts = np.asarray(amounts)
    g = len(amounts)
    w = np.asarray(weights, dtype=np.int64)
    if (w < 0).any():
        raise ValueError("apportion weights must be >= 0")
    total_w = sum_by(gid, w, g)
    big = not (
        _fits(int(np.abs(amounts).max(initial=0)), int(w.max(initial=0)))
        and _fits(int(total_w.max(initial=0)))
    )
    if big:
        w, amounts, total_w = w.astype(object), amounts.astype(object), total_w.astype(object)
    else:
        amounts = amounts.astype(np.int64)
    den = total_w[gid]
    safe = np.where(den > 0, den, 1)
    quota = amounts[gid] * w
    base = np.where(den > 0, quota // safe, 0)
    rem = np.where(den > 0, quota % safe, 0)
    paid = sum_by(gid, base, g) if not big else _sum_object(gid, base, g)
    left = np.where(total_w > 0, amounts - paid, 0)
    # only rows with a remainder can receive a leftover cent (sum of remainders = left x W)
    cand = np.flatnonzero(rem > 0)
    extra = np.zeros(n, dtype=np.int64)
    if len(cand):
        cg, crem, cprio = gid[cand], rem[cand], np.asarray(priority)[cand]
        maxden = int(total_w.max()) + 1
        if not big and _fits(g + 1, maxden):
            order = np.lexsort((cprio, cg * maxden + (maxden - 1 - crem)))  # group, then largest remainder
        else:
            order = np.lexsort((cprio, -np.asarray(crem, dtype=float), cg))
        pos = group_starts(cg[order])
        extra[cand[order]] = (pos < left[cg[order]]).astype(np.int64)
    out = base + extra
    return out if out.dtype == object else out.astype(np.int64)


def sum_by(gid: np.ndarray, values: np.ndarray, g: int) -> np.ndarray:
    """Exact int64 sum of ``values`` per group (float bincount when provably exact, else add.at)."""
    values = np.asarray(values)
    if values.dtype == object:
        return _sum_object(gid, values, g)
    bound = int(np.abs(values).max(initial=0)) * max(len(values), 1)
    if bound < 2**53:
        return np.bincount(gid, weights=values, minlength=g).astype(np.int64)
    out = np.zeros(g, dtype=np.int64)
    np.add.at(out, gid, values.astype(np.int64))
    return out


def _sum_object(gid: np.ndarray, values: np.ndarray, g: int) -> np.ndarray:
    out = np.zeros(g, dtype=object)
    np.add.at(out, gid, values)
    return out
