"""``score``: KPI table -> one row of points per agent and period, with the full breakdown.

Output columns (in order): the key columns present (scenario_id, replication, seed, team,
agent_id, period, plus grouping/level columns used by the policy); ``pts_<component>`` (points
after weighting); ``ded_<deduction>`` (points deducted, >= 0); ``bonus_<bonus>``;
``cat_<category>`` (after the category's floor and maximum); ``deductions`` and ``bonus`` (sums
of the items, before category limits); ``total`` (after floor, cap, zeroing gates; rounded
half-up to ``scorecard.total.decimals``; NaN = no score); ``max``; ``grade`` (if graded);
``gate_<gate>`` and ``flag_<consequence>`` booleans; ``flags`` (ids of triggered gates and raised
consequences joined by ``;``, empty when none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kpisim.errors import DataError
from kpisim.kpi.registry import METRICS, Bounds
from kpisim.policy.checks import component_max, component_scale, scorecard_max
from kpisim.policy.consequences import condition, streak
from kpisim.policy.frame import Table, text_column
from kpisim.policy.grades import grade
from kpisim.policy.metrics import known_metrics
from kpisim.policy.rule_models import parse_interval
from kpisim.policy.rules import evaluate

if TYPE_CHECKING:
    from kpisim.policy.models import Policy


def directions(policy: Policy | None = None) -> dict[str, str]:
    """Metric -> direction for the registry plus the policy's inputs (a policy object without
    declared ``inputs``, or None, gives the registry alone)."""
    d = dict(known_metrics())
    d.update({i.name: i.direction for i in getattr(policy, "inputs", ())})
    return d


def bounds(policy: Policy | None = None) -> dict[str, Bounds]:
    """Metric -> range of values (``kpisim.kpi.registry.Bounds``) for the registry plus the
    policy's inputs (their declared ``bounds``)."""
    b = {k: m.bounds for k, m in METRICS.items()}
    b.update({i.name: Bounds(*i.bounds) for i in getattr(policy, "inputs", ())})
    return b


def to_units(total: np.ndarray, decimals: int) -> np.ndarray:
    """Totals as integer steps of ``10**-decimals``, rounded half-up (float NaN stays NaN).

    A 1e-6-step tolerance absorbs binary float error (87.125 may be stored as 87.12499...).
    """
    scaled = total * 10.0**decimals
    return np.floor(scaled + 0.5 + 1e-6)


def in_interval(x: np.ndarray, text: str) -> np.ndarray:
    """Elementwise test of a condition string (NaN -> False)."""
    iv = parse_interval(text)
    lo = (x >= iv.lo) if iv.lo_closed else (x > iv.lo)
    hi = (x <= iv.hi) if iv.hi_closed else (x < iv.hi)
    return lo & hi


def score(policy: Policy, kpi_table: pd.DataFrame, /, *, table: Table | None = None) -> pd.DataFrame:
    """Score every row of ``kpi_table`` under ``policy``'s scorecard.

    Args:
        policy: a validated policy.
        kpi_table: one row per agent and period with the metric columns the policy uses and the
            declared ``inputs``.
        table: ``Table(kpi_table)`` when the caller already has one (its cached columns and
            group ids are shared, e.g. by the cards of several roles on one table).

    Returns:
        A new DataFrame, same row order as ``kpi_table``; columns in the module docstring.

    Raises:
        DataError: a needed column is missing or not numeric, a count is negative, or a level
            label is unknown.
    """
    return pd.DataFrame(score_columns(policy, kpi_table, table=table), copy=False)  # new arrays: no copy


def score_columns(
    policy: Policy, kpi_table: pd.DataFrame, /, *, table: Table | None = None
) -> dict[str, Any]:
    """The columns of :func:`score` as name -> array, before they become a DataFrame (for
    callers that assemble several cards' results by position)."""
    t = Table(kpi_table) if table is None else table
    sc = policy.scorecard
    dirs = directions(policy)
    absent = [i.name for i in policy.inputs if i.name not in kpi_table.columns]
    if absent:
        raise DataError(
            f"{t.what}: missing input column(s) {', '.join(map(repr, absent))} declared "
            f"under inputs of policy {policy.id!r}; supply them with the KPI table "
            "(kpisim score --inputs FILE, or kpisim.policy.inputs.attach_inputs)"
        )
    out: dict[str, Any] = {}
    extra_keys = _extra_keys(policy)
    out.update(t.keys(extra_keys))

    comp_pts = _component_points(sc, t, dirs, out)

    ded = _deduction_points(sc, t, out)

    bon = _bonus_points(sc, t, dirs, out)

    zeros = np.zeros(t.n)
    total = zeros.copy()
    for cat in sc.categories:
        pts = np.full(t.n, float(cat.max_points)) if cat.basis == "full" else zeros.copy()
        pts = pts + sum((comp_pts[c.id] for c in sc.components if c.category == cat.id), zeros)
        pts = pts + sum((bon[b.id] for b in sc.bonuses if b.category == cat.id), zeros)
        pts = pts - sum((ded[d.id] for d in sc.deductions if d.category == cat.id), zeros)
        pts = np.clip(pts, cat.floor, cat.max_points)
        out[f"cat_{cat.id}"] = pts
        total = total + pts
    total = total + sum((comp_pts[c.id] for c in sc.components if c.category is None), zeros)
    total = total + sum((bon[b.id] for b in sc.bonuses if b.category is None), zeros)
    total = total - sum((ded[d.id] for d in sc.deductions if d.category is None), zeros)
    out["deductions"] = sum(ded.values(), zeros)
    out["bonus"] = sum(bon.values(), zeros)

    if sc.total.floor is not None:
        total = np.maximum(total, sc.total.floor)
    if sc.total.cap is not None:
        total = np.minimum(total, sc.total.cap)

    gates, total = _gates(sc, t, total)

    total = to_units(total, sc.total.decimals) / 10.0**sc.total.decimals
    out["total"] = total
    out["max"] = np.full(t.n, scorecard_max(sc))
    if sc.grades is not None:
        out["grade"] = grade(sc.grades, total, t, dirs)
    for gid, hit in gates.items():
        out[f"gate_{gid}"] = hit
    flags: dict[str, np.ndarray] = dict(gates)
    for cons in sc.consequences:
        hit = streak(condition(cons, total, t, sc.levels), t) >= cons.periods
        out[f"flag_{cons.id}"] = hit
        flags[cons.id] = hit
    out["flags"] = _join_flags(flags, t.n)
    return out


def _component_points(sc, t: Table, dirs: dict[str, str], out: dict[str, Any]) -> dict[str, np.ndarray]:
    comp_pts: dict[str, np.ndarray] = {}
    for comp in sc.components:
        where = f"scorecard.components[{comp.id}]"
        x = t.col(comp.metric, where)
        direction = comp.direction or dirs.get(comp.metric, "neutral")
        raw = evaluate(
            comp.rule, x, table=t, direction=direction, scale=component_scale(comp), needed_by=where
        )
        factor = comp.weight / 100.0 if comp.max_points is None else comp.weight
        pts = raw * factor
        if comp.missing == "zero":
            pts = np.where(np.isnan(pts), 0.0, pts)
        elif comp.missing == "full":
            pts = np.where(np.isnan(pts), component_max(comp), pts)
        comp_pts[comp.id] = pts
        out[f"pts_{comp.id}"] = pts
    return comp_pts


def _deduction_points(sc, t: Table, out: dict[str, Any]) -> dict[str, np.ndarray]:
    ded: dict[str, np.ndarray] = {}
    for d in sc.deductions:
        count = t.counts(d.metric, f"scorecard.deductions[{d.id}]")
        pts = np.maximum(count - d.free, 0.0) * d.points_each
        if d.max_points is not None:
            pts = np.minimum(pts, d.max_points)
        ded[d.id] = pts
        out[f"ded_{d.id}"] = pts
    return ded


def _bonus_points(sc, t: Table, dirs: dict[str, str], out: dict[str, Any]) -> dict[str, np.ndarray]:
    bon: dict[str, np.ndarray] = {}
    for b in sc.bonuses:
        where = f"scorecard.bonuses[{b.id}]"
        if b.points_each is not None:
            pts = t.counts(b.metric, where) * b.points_each
        else:
            x = t.col(b.metric, where)
            direction = b.direction or dirs.get(b.metric, "neutral")
            pts = evaluate(b.rule, x, table=t, direction=direction, scale=None, needed_by=where)
            pts = np.where(np.isnan(pts), 0.0, pts)
        if b.max_points is not None:
            pts = np.minimum(pts, b.max_points)
        bon[b.id] = pts
        out[f"bonus_{b.id}"] = pts
    return bon


def _gates(sc, t: Table, total: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    gates: dict[str, np.ndarray] = {}
    for g in sc.gates:
        x = t.col(g.metric, f"scorecard.gates[{g.id}]")
        hit = in_interval(x, g.when)
        if g.if_missing == "trigger":
            hit = hit | np.isnan(x)
        gates[g.id] = hit
        if g.zero_total:
            total = np.where(hit & ~np.isnan(total), 0.0, total)
    return gates, total


def _extra_keys(policy: Policy) -> tuple[str, ...]:
    """Grouping and level columns the policy uses, kept in the output for traceability."""
    sc, pay = policy.scorecard, policy.pay_plan
    cols: list[str] = []
    for rule in [c.rule for c in sc.components] + [b.rule for b in sc.bonuses]:
        cols += list(getattr(rule, "group_by", ()) or ())
    if sc.grades is not None:
        cols += list(sc.grades.group_by)
    if sc.levels is not None:
        cols.append(sc.levels.column)
    for group_by in (
        [p.group_by for p in pay.pools]
        + [t.group_by for t in pay.team_bonuses]
        + [p.group_by for p in pay.prizes]
    ):
        cols += list(group_by)
    return tuple(dict.fromkeys(cols))


def _join_flags(flags: dict[str, np.ndarray], n: int):
    """``;``-joined ids of the true flags per row, built from a bitmask (fast on many rows)."""
    if not flags:
        return np.full(n, "", dtype=object)
    names = list(flags)
    mask = np.zeros(n, dtype=np.int64)
    for i, name in enumerate(names):
        mask |= flags[name].astype(np.int64) << i
    uniq, inv = np.unique(mask, return_inverse=True)
    labels = [";".join(nm for i, nm in enumerate(names) if (int(u) >> i) & 1) for u in uniq]
    return text_column(labels, inv)
