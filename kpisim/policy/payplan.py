"""``pay``: scores + KPI table -> money per agent and period, in integer cents.

Output columns: the key columns; ``base_cents``; ``performance_cents``;
``commission_<id>_cents`` and their sum ``commission_cents``; ``pool_<id>_cents`` (share plus
fixed extra); ``team_bonus_<id>_cents`` and ``team_bonus_cents``; ``prize_<id>_cents`` and
``prize_cents``; ``fine_<id>_cents`` and ``fines_cents`` (amounts taken off, >= 0); and
``total_cents`` = base + performance + level pay (``level_cents``, only when the plan has
``level_cents``) + commissions + pools + team bonuses + prizes - fines
(not floored: a fine larger than the pay shows as a negative total).

Performance pay (basis ``score``) is ``full_cents x total / max``, computed exactly on the
total's decimal steps and rounded half-up to the cent (S1: full x 256 / 289). Agents without a
score get no performance pay, pool share, team bonus or prize, but keep base pay and
commissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd

from kpisim.errors import DataError
from kpisim.policy.awards import prize, team_bonus
from kpisim.policy.checks import scorecard_max
from kpisim.policy.consequences import level_index
from kpisim.policy.frame import KEY_COLUMNS, Table
from kpisim.policy.money import fraction, mul_div_half_up, round_half_up
from kpisim.policy.pools import pool_shares
from kpisim.policy.scoring import _extra_keys, directions, to_units

if TYPE_CHECKING:
    from kpisim.policy.models import Policy
    from kpisim.policy.pay_models import Commission, Fine, PayPlan, Performance


Scores: TypeAlias = "pd.DataFrame | Mapping[str, Any]"
"""A score table, or its columns by name (arrays in the table's row order, as ``roles`` passes
them inside one call): pay reads only ``total``, ``grade`` and the ``gate_`` columns."""


def _aligned(scores: Scores, kpi_table: pd.DataFrame) -> pd.DataFrame:
    """``scores`` in the row order of ``kpi_table`` (by position when keys match, else by keys)."""
    if not isinstance(scores, pd.DataFrame) or "total" not in scores.columns:
        raise DataError("scores: expected the DataFrame returned by Policy.score (with a 'total' column)")
    keys = [c for c in KEY_COLUMNS if c in scores.columns and c in kpi_table.columns]
    if "agent_id" not in keys:
        raise DataError("scores and KPI table must both have an 'agent_id' column")
    if len(scores) == len(kpi_table) and all(_same(scores[c], kpi_table[c]) for c in keys):
        return scores  # only used positionally: no copy (copying 1M rows costs ~0.6 s on pandas 2.2)
    if scores.duplicated(keys).any() or kpi_table.duplicated(keys).any():
        raise DataError(
            f"scores and KPI table rows differ and the keys {keys} do not identify rows "
            "uniquely; pass the scores computed from this KPI table"
        )
    merged = kpi_table[keys].merge(scores, on=keys, how="left", indicator=True)
    missing = merged["_merge"] != "both"
    if missing.any():
        i = int(np.flatnonzero(missing.to_numpy())[0])
        raise DataError(
            f"scores: no score row for KPI row {i + 1} "
            f"({', '.join(f'{k}={merged[k].iloc[i]!r}' for k in keys)})"
        )
    return merged.drop(columns="_merge")


def _same(a: pd.Series, b: pd.Series) -> bool:
    """Same values in the same order (index ignored; dtypes must agree)."""
    try:
        return bool(a.array.equals(b.array))
    except (TypeError, ValueError):  # pragma: no cover - exotic array types
        return bool(np.array_equal(a.to_numpy(), b.to_numpy()))


def _series(x: Any) -> pd.Series:
    """A score column (a table's Series, or an array) as a Series."""
    return x if isinstance(x, pd.Series) else pd.Series(x, copy=False)


def _total(scores: Scores) -> np.ndarray:
    x = scores["total"]
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        return x
    return _series(x).to_numpy(dtype="float64", na_value=np.nan)


def score_rows(scores: Scores, rows: np.ndarray) -> Scores:
    """The rows ``rows`` of ``scores`` (a new table, index 0..k-1, or arrays)."""
    if isinstance(scores, pd.DataFrame):
        return scores.iloc[rows].reset_index(drop=True)
    return {c: x[rows] for c, x in scores.items()}


def _gated(scores: Scores, ids: tuple[str, ...], n: int) -> np.ndarray:
    hit = np.zeros(n, dtype=bool)
    for gid in ids:
        col = f"gate_{gid}"
        if col not in scores:  # a table's columns, or a mapping's keys
            raise DataError(f"scores: missing column {col!r}; score with the same policy first")
        x = scores[col]
        hit |= x if isinstance(x, np.ndarray) and x.dtype == bool else _series(x).to_numpy(dtype=bool)
    return hit


def performance(perf: Performance, scores: Scores, units: np.ndarray, max_units: int) -> np.ndarray:
    """Performance pay per row in cents (0 without a score or with a triggered gate)."""
    n = len(units)
    scored = ~np.isnan(units)
    if perf.basis == "score":
        u = np.where(scored, np.maximum(units, 0), 0).astype(np.int64)
        cents = mul_div_half_up(u, perf.full_cents, max_units)
    else:
        grades = _series(scores["grade"])
        cents = np.zeros(n, dtype=np.int64)
        assert perf.grade_pct is not None, "performance: exactly one of full_cents / grade_pct (checked)"
        for g, pct in perf.grade_pct.items():
            num, den = fraction(pct)
            amt = int(mul_div_half_up(np.array([perf.full_cents]), num, den * 100)[0])
            cents = np.where((grades == g).to_numpy(dtype=bool), amt, cents)
    if perf.max_pct is not None:
        num, den = fraction(perf.max_pct)
        cap = int(mul_div_half_up(np.array([perf.full_cents]), num, den * 100)[0])
        cents = np.minimum(cents, cap)
    cents = np.where(scored & ~_gated(scores, perf.gates, n), cents, 0)
    return cents.astype(np.int64)


def commission(c: Commission, table: Table, scores: Scores) -> np.ndarray:
    """Commission per row in cents, half-up; exact integer arithmetic for whole values."""
    where = f"pay.commissions[{c.id}]"
    x = table.col(c.metric, where)
    over = np.maximum(np.nan_to_num(x, nan=0.0) - c.above, 0.0)
    whole = bool((over == np.floor(over)).all()) and over.max(initial=0) < 2**53
    if c.scale_by is not None:
        f = np.nan_to_num(table.col(c.scale_by.metric, f"{where}.scale_by"), nan=0.0) / c.scale_by.divisor
        unit = float(c.rate) if c.rate is not None else float(c.cents_each or 0)
        cents = round_half_up(over * unit * f)
    elif c.rate is not None:
        num, den = fraction(c.rate)
        cents = (
            mul_div_half_up(over.astype(np.int64), num, den) if whole else round_half_up(over * float(c.rate))
        )
    else:
        cents = over.astype(np.int64) * c.cents_each if whole else round_half_up(over * c.cents_each)
    return np.where(_gated(scores, c.gates, table.n), 0, cents).astype(np.int64)


def fine(f: Fine, table: Table, plan: PayPlan) -> np.ndarray:
    """Fine per row in cents (>= 0): events beyond ``free`` x amount each."""
    where = f"pay.fines[{f.id}]"
    over = np.maximum(table.counts(f.metric, where) - f.free, 0.0)
    if (over != np.floor(over)).any():
        i = int(np.flatnonzero(over != np.floor(over))[0])
        raise DataError(
            f"{table.what}: column {f.metric!r} (needed by {where}) must hold whole "
            f"counts; row {i + 1} has {over[i] + f.free!r}"
        )
    if f.cents_each is not None:
        each = f.cents_each
    else:
        assert f.base_days_each is not None, "fine: exactly one of cents_each / base_days_each (checked)"
        dn, dd = fraction(f.base_days_each)
        pn, pd_ = fraction(plan.days_per_month)
        each = int(mul_div_half_up(np.array([plan.base_cents]), dn * pd_, dd * pn)[0])
    return over.astype(np.int64) * each


def pay(
    policy: Policy,
    scores: pd.DataFrame,
    kpi_table: pd.DataFrame,
    /,
    *,
    table: Table | None = None,
    shared: dict | None = None,
) -> pd.DataFrame:
    """Money per row of ``kpi_table`` under ``policy``'s pay plan (columns: module docstring).

    Args:
        policy: the policy that produced ``scores``.
        scores: output of ``policy.score(kpi_table)``.
        kpi_table: the KPI table (pool bases, sales, team targets, prize metrics).
        table: ``Table(kpi_table)`` when the caller already has one.
        shared: a dict kept across calls on the same table and scores with plans whose pools,
            team bonuses and prizes are equal (roles ranked across roles, checked): those
            amounts span all rows, so they are computed once and reused.

    Raises:
        DataError: missing columns, a pool base that differs within a group, misaligned scores.
    """
    return pd.DataFrame(pay_columns(policy, scores, kpi_table, table=table, shared=shared), copy=False)


def pay_columns(
    policy: Policy,
    scores: Scores,
    kpi_table: pd.DataFrame,
    /,
    *,
    table: Table | None = None,
    shared: dict | None = None,
    aligned: bool = False,
) -> dict[str, Any]:
    """The columns of :func:`pay` as name -> array, before they become a DataFrame
    (``aligned``: the caller has already put ``scores`` in the table's row order; then they may
    also be the score columns by name, see :data:`Scores`)."""
    plan = policy.pay_plan
    t = Table(kpi_table) if table is None else table
    s = scores if aligned else _aligned(scores, kpi_table)
    n = t.n
    dirs = directions(policy)
    sc = policy.scorecard
    total = _total(s)
    units = to_units(total, sc.total.decimals)
    max_units = int(round(scorecard_max(sc) * 10**sc.total.decimals))

    out: dict[str, Any] = dict(t.keys(_extra_keys(policy)))
    out["base_cents"] = np.full(n, plan.base_cents, dtype=np.int64)
    out["performance_cents"] = (
        performance(plan.performance, s, units, max_units)
        if plan.performance is not None
        else np.zeros(n, dtype=np.int64)
    )
    parts = ["base_cents", "performance_cents"]
    if plan.level_cents:  # checked to need scorecard.levels
        assert sc.levels is not None
        lvl = level_index(t, sc.levels)
        by_level = np.array([plan.level_cents.get(b.name, 0) for b in sc.levels.bands], dtype=np.int64)
        out["level_cents"] = by_level[lvl] if n else np.zeros(0, dtype=np.int64)
        parts.append("level_cents")
    for kind, items, fn in (
        ("commission", plan.commissions, lambda c: commission(c, t, s)),
        (
            "pool",
            plan.pools,
            lambda p: pool_shares(p, t, total, _gated(s, p.gates, n), dirs, ledger=False)[0],
        ),
        ("team_bonus", plan.team_bonuses, lambda b: team_bonus(b, t, total, units, _gated(s, b.gates, n))),
        ("prize", plan.prizes, lambda p: prize(p, t, _gated(s, p.gates, n), dirs)),
    ):
        acc = np.zeros(n, dtype=np.int64)
        for item in items:
            if shared is None or kind == "commission":
                cents = fn(item)
            else:  # team bonuses read the total's decimal steps, which are the card's
                key = (kind, item.id, sc.total.decimals)
                if key not in shared:
                    shared[key] = fn(item)
                cents = shared[key]
            out[f"{kind}_{item.id}_cents"] = cents
            acc = acc + cents
        if kind != "pool":
            out[f"{kind}_cents"] = acc
        parts += [f"{kind}_{item.id}_cents" for item in items] if kind == "pool" else [f"{kind}_cents"]
    fines = np.zeros(n, dtype=np.int64)
    for f in plan.fines:
        cents = fine(f, t, plan)
        out[f"fine_{f.id}_cents"] = cents
        fines = fines + cents
    out["fines_cents"] = fines
    out["total_cents"] = sum((out[p] for p in parts), np.zeros(n, dtype=np.int64)) - fines
    return out


def pool_ledger(policy: Policy, scores: pd.DataFrame, kpi_table: pd.DataFrame, /) -> pd.DataFrame:
    """One row per pool and group: base, pool, ranked agents, shares, fixed extras, unclaimed."""
    t = Table(kpi_table)
    s = _aligned(scores, kpi_table)
    total = s["total"].to_numpy(dtype="float64", na_value=np.nan)
    dirs = directions(policy)
    frames = [pool_shares(p, t, total, _gated(s, p.gates, t.n), dirs)[1] for p in policy.pay_plan.pools]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
