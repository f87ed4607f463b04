"""Bonus pools (S3): pool = rate x base per group, split by rank, by score or equally, exact to the cent.

Per group (scenario_id, replication, period + ``group_by``):

1. ``pool = round_half_up(rate x base)``; the base column must hold one value per group (S3:
   ``silent_order_sales_cents``, a centre-level figure repeated on every row).
2. Eligible agents (a score, the ``rank_by`` value present, no triggered gate) are ranked by
   ``rank_by`` (total, or a metric along its direction), then ``tie_break`` metrics (S3: own
   sales), then agent_id ascending. Agents without a score are not ranked and get nothing.
3. ``split: rank`` (S3) - slot weights: named rank ``i`` gets ``pct_i``; each of the ``m``
   agents below the named ranks gets ``rest_pct / m``. Slots nobody holds (fewer agents than
   named ranks, or nobody in the rest) are *unclaimed*: with ``unclaimed: company`` the company
   keeps them; with ``redistribute`` the claimed slots are scaled up pro rata so the whole pool
   is paid out (if anybody is ranked). The pool is split over claimed slots plus one "company"
   slot by largest remainder (see ``kpisim.policy.money``): every share is whole cents, and
   shares + unclaimed == pool exactly. Equal remainders go to the better rank first; the
   company slot comes last. Fixed extras (``plus_cents``, e.g. +200 yuan for rank 1) are paid
   on top of the pool share to the agent holding that rank; they are not part of the pool.
4. ``split: by_score`` - the whole pool is shared in proportion to each eligible agent's
   ``rank_by`` value (the total, exact on its decimal steps; a metric to 6 decimals, whole
   values as they are); negative values count as 0 and if every weight is 0 the pool is shared
   equally. ``split: equal`` - equal shares. Both by largest remainder, equal remainders to the
   better rank first; only a group with nobody eligible leaves the pool unclaimed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kpisim.errors import DataError
from kpisim.policy.frame import BASE_GROUP, Table
from kpisim.policy.money import apportion, fraction, mul_div_half_up, sum_by
from kpisim.policy.ranking import better_first, group_count, rank_within
from kpisim.policy.scoring import to_units

if TYPE_CHECKING:
    from kpisim.policy.pay_models import Pool

_PCT_SCALE = 10_000  # Pct has at most 4 decimals


def group_base(table: Table, column: str, gid: np.ndarray, g: int, needed_by: str) -> np.ndarray:
    """The one value of ``column`` per group, as int64 cents (checked constant and whole)."""
    x = table.col(column, needed_by)
    if np.isnan(x).any():
        i = int(np.flatnonzero(np.isnan(x))[0])
        raise DataError(f"{table.what}: column {column!r} (needed by {needed_by}) is missing in row {i + 1}")
    lo = np.full(g, np.inf)
    hi = np.full(g, -np.inf)
    np.minimum.at(lo, gid, x)
    np.maximum.at(hi, gid, x)
    bad = np.flatnonzero(lo != hi)
    if len(bad):
        i = int(np.flatnonzero(gid == bad[0])[0])
        raise DataError(
            f"{table.what}: column {column!r} (needed by {needed_by}) must have one value "
            f"per pool group; the group of row {i + 1} has values {lo[bad[0]]:g} and "
            f"{hi[bad[0]]:g}"
        )
    if (lo < 0).any() or (lo != np.floor(lo)).any():
        raise DataError(
            f"{table.what}: column {column!r} (needed by {needed_by}) must be whole, non-negative cents"
        )
    lo[np.isinf(lo)] = 0
    return lo.astype(np.int64)


def pool_shares(
    pool: Pool,
    table: Table,
    total: np.ndarray,
    gated: np.ndarray,
    directions: dict[str, str],
    *,
    ledger: bool = True,
) -> tuple[np.ndarray, pd.DataFrame | None]:
    """Cents each row receives from ``pool`` and the per-group ledger.

    Args:
        pool: the pool spec.
        table: the KPI table.
        total: score totals (NaN = no score).
        gated: rows excluded by the pool's gates.
        directions: metric -> direction.

    Returns:
        ``(cents, ledger)``: int64 per row (pool share + fixed extra) and a DataFrame with one row
        per group: key columns, ``pool_id``, ``base_cents``, ``pool_cents``, ``ranked``,
        ``shares_cents``, ``fixed_cents``, ``unclaimed_cents`` (None with ``ledger=False``:
        pay needs only the cents).
    """
    where = f"pay.pools[{pool.id}]"
    gid, g = table.groups(pool.group_by, f"{where}.group_by")
    base = group_base(table, pool.base_metric, gid, g, f"{where}.base_metric")
    num, den = fraction(pool.rate)
    amount = mul_div_half_up(base, num, den)

    if pool.rank_by == "total":
        primary = total
        keys = [better_first(total, "higher")]
    else:
        primary = table.col(pool.rank_by, f"{where}.rank_by")
        keys = [better_first(primary, directions.get(pool.rank_by, "higher"))]
    for m in pool.tie_break:
        keys.append(better_first(table.col(m, f"{where}.tie_break"), directions.get(m, "higher")))
    eligible = ~np.isnan(total) & ~np.isnan(primary) & ~gated
    rank = rank_within(gid, keys, table.agent_order(), eligible)
    n_ranked = group_count(gid, eligible, g)
    if pool.split != "rank":
        idx = np.flatnonzero(eligible)
        gi = gid[idx]
        share = apportion(gi, _weights(pool, primary[idx], gi, g), amount, rank[idx])
        unclaimed = amount - sum_by(gi, share, g)
        fixed = np.zeros(len(idx), dtype=np.int64)
        cents = np.zeros(table.n, dtype=np.int64)
        cents[idx] = share
        if not ledger:
            return cents, None
        return cents, _ledger(pool, table, gid, g, base, amount, n_ranked, gi, share, fixed, unclaimed)

    k = len(pool.shares)
    named = np.array([_scaled(s.pct) for s in pool.shares], dtype=np.int64)
    rest = _scaled(pool.rest_pct)
    m_rest = np.maximum(n_ranked - k, 0)
    slots = np.maximum(m_rest, 1)  # common denominator of rest shares
    idx = np.flatnonzero(eligible)
    r, gi = rank[idx], gid[idx]
    w = np.where(r <= k, named[np.minimum(r, k) - 1] * slots[gi], rest)
    w_total = 100 * _PCT_SCALE * slots
    claimed = np.zeros(g, dtype=np.int64)
    np.add.at(claimed, gi, w)
    company_w = np.where(claimed > 0, 0, w_total) if pool.unclaimed == "redistribute" else w_total - claimed
    all_gid = np.concatenate([gi, np.arange(g, dtype=np.int64)])
    all_w = np.concatenate([w, company_w])
    prio = np.concatenate([r, np.full(g, np.iinfo(np.int64).max // 2)])
    split = apportion(all_gid, all_w, amount, prio)
    share, unclaimed = split[: len(idx)], split[len(idx) :]

    plus = np.array([s.plus_cents for s in pool.shares], dtype=np.int64)
    fixed = np.where(r <= k, plus[np.minimum(r, k) - 1], 0)
    cents = np.zeros(table.n, dtype=np.int64)
    cents[idx] = share + fixed
    if not ledger:
        return cents, None
    return cents, _ledger(pool, table, gid, g, base, amount, n_ranked, gi, share, fixed, unclaimed)


def _weights(pool: Pool, value: np.ndarray, gi: np.ndarray, g: int) -> np.ndarray:
    """Integer weights of the eligible rows for ``by_score`` / ``equal`` splits.

    ``by_score``: the total in steps of 1e-4 points (totals have at most 4 decimals, so this is
    exact), or a metric as is when every value is whole, else in steps of 1e-6; negative values
    count as 0; a group whose weights are all 0 shares equally.
    """
    if pool.split == "equal" or len(value) == 0:
        return np.ones(len(value), dtype=np.int64)
    x = np.maximum(value, 0.0)
    if pool.rank_by == "total":
        w = to_units(x, 4)
    elif (x == np.floor(x)).all() and x.max() < 2**53:
        w = x
    else:
        w = to_units(x, 6)
    w = w.astype(np.int64)
    wsum = sum_by(gi, w, g)
    return np.where(wsum[gi] > 0, w, 1)


def _scaled(pct: Decimal) -> int:
    num, den = fraction(pct * _PCT_SCALE)
    if den != 1:  # pragma: no cover - Pct is validated to 4 decimals
        raise ValueError(f"percentage {pct} has more than 4 decimals")
    return num


def _ledger(pool, table, gid, g, base, amount, n_ranked, gi, share, fixed, unclaimed) -> pd.DataFrame:
    first = np.full(g, table.n, dtype=np.int64)
    np.minimum.at(first, gid, np.arange(table.n, dtype=np.int64))
    cols = [c for c in BASE_GROUP if c in table.df.columns]
    cols += [c for c in pool.group_by if c not in cols]
    data = {c: table.df[c].array.take(first) for c in cols}
    shares = np.zeros(g, dtype=np.int64)
    np.add.at(shares, gi, share)
    fixed_g = np.zeros(g, dtype=np.int64)
    np.add.at(fixed_g, gi, fixed)
    data.update(
        {
            "pool_id": np.full(g, pool.id, dtype=object),
            "base_cents": base,
            "pool_cents": amount,
            "ranked": n_ranked,
            "shares_cents": shares,
            "fixed_cents": fixed_g,
            "unclaimed_cents": np.asarray(unclaimed, dtype=np.int64),
        }
    )
    return pd.DataFrame(data)
