"""Checks of a policy's pay plan: performance pay, commissions, pools, team bonuses, prizes and
fines; each failure names its exact field."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from kpisim.policy.check_base import _fail, _Metrics, _unique


def _check_gates(ids: Sequence[str], path: str, gates: set[str]) -> None:
    for gid in ids:
        if gid not in gates:
            _fail(path, f"unknown gate {gid!r}; defined under scorecard.gates: {sorted(gates) or 'none'}")


_SPLIT_HOW = {"by_score": "in proportion to each agent's rank_by value", "equal": "equally"}


def _check_rank_split(pool, q: str) -> None:
    if not pool.shares:
        _fail(
            f"{q}.shares",
            "split 'rank' (the default) needs shares: the named ranks' percentages, "
            "e.g. [{rank: 1, pct: 40}, {rank: 2, pct: 30}] with rest_pct: 30; or use split: by_score "
            "or split: equal",
        )
    for i, s in enumerate(pool.shares):
        if s.rank != i + 1:
            _fail(
                f"{q}.shares[{i + 1}].rank",
                f"rank {s.rank} out of order; shares must name ranks 1, 2, 3, ... in order",
            )
    total = sum(s.pct for s in pool.shares) + pool.rest_pct
    if total != 100:
        parts = [f"rank {s.rank} {s.pct}" for s in pool.shares] + [f"rest {pool.rest_pct}"]
        _fail(
            f"{q}.shares", f"pool split adds up to {total} % ({' + '.join(parts)}) but must add up to 100 %"
        )


def _check_whole_pool_split(pool, q: str, m: _Metrics) -> None:
    how = _SPLIT_HOW[pool.split]
    if pool.shares:
        _fail(
            f"{q}.shares",
            f"shares are only used with split: rank; split {pool.split!r} pays the "
            f"whole pool {how}; remove shares (and rest_pct) or use split: rank",
        )
    if pool.rest_pct != 0:
        _fail(
            f"{q}.rest_pct",
            f"rest_pct {pool.rest_pct} is only used with split: rank; split "
            f"{pool.split!r} pays the whole pool {how}; remove rest_pct",
        )
    if pool.split == "by_score" and pool.rank_by != "total":
        direction = m.directions[pool.rank_by]
        if direction != "higher":
            _fail(
                f"{q}.rank_by",
                f"split 'by_score' pays in proportion to rank_by, but "
                f"{pool.rank_by!r} is a {direction}-is-better metric (a worse value would earn more); use "
                "total or a higher-is-better metric, or split: rank",
            )


def _check_pay(pay, sc, m: _Metrics) -> None:
    gates = {g.id for g in sc.gates}
    p = "pay"
    for name in ("commissions", "pools", "team_bonuses", "prizes", "fines"):
        _unique(getattr(pay, name), f"{p}.{name}")
    _check_performance(pay, sc, gates, p)
    _check_commissions_and_pools(pay, m, gates, p)
    _check_awards(pay, m, gates, p)
    _check_fines(pay, m, p)
    if pay.level_cents:
        if sc.levels is None:
            _fail(f"{p}.level_cents", "level pay needs scorecard.levels (the staff levels and their column)")
        names = [b.name for b in sc.levels.bands]
        for name in pay.level_cents:
            if name not in names:
                _fail(f"{p}.level_cents.{name}", f"unknown level {name!r}; levels: {', '.join(names)}")
    if not isinstance(pay.days_per_month, Decimal) or pay.days_per_month <= 0:  # pragma: no cover
        _fail(f"{p}.days_per_month", "must be a positive number")


def _check_performance(pay, sc, gates: set[str], p: str) -> None:
    perf = pay.performance
    if perf is not None:
        _check_gates(perf.gates, f"{p}.performance.gates", gates)
        if perf.basis == "grade":
            if sc.grades is None:
                _fail(f"{p}.performance.basis", "basis 'grade' needs scorecard.grades")
            names = {b.grade for b in sc.grades.bands}
            got = set(perf.grade_pct or {})
            if got != names:
                _fail(
                    f"{p}.performance.grade_pct",
                    f"needs a percent for exactly the grades {sorted(names)}; got {sorted(got)}",
                )
        elif perf.grade_pct is not None:
            _fail(f"{p}.performance.grade_pct", "grade_pct is only used with basis: grade")


def _check_commissions_and_pools(pay, m: _Metrics, gates: set[str], p: str) -> None:
    for c in pay.commissions:
        q = f"{p}.commissions[{c.id}]"
        m.check(c.metric, f"{q}.metric")
        if (c.rate is None) == (c.cents_each is None):
            _fail(
                q,
                "a commission needs exactly one of rate (fraction of a cents metric) or cents_each "
                "(per unit of the metric)",
            )
        if c.scale_by is not None:
            m.check(c.scale_by.metric, f"{q}.scale_by.metric")
        _check_gates(c.gates, f"{q}.gates", gates)
    for pool in pay.pools:
        q = f"{p}.pools[{pool.id}]"
        m.check(pool.base_metric, f"{q}.base_metric")
        if pool.rank_by != "total":
            m.check(pool.rank_by, f"{q}.rank_by")
        for t in pool.tie_break:
            m.check(t, f"{q}.tie_break")
        if pool.split == "rank":
            _check_rank_split(pool, q)
        else:
            _check_whole_pool_split(pool, q, m)
        _check_gates(pool.gates, f"{q}.gates", gates)


def _check_awards(pay, m: _Metrics, gates: set[str], p: str) -> None:
    """Team bonuses and prizes."""
    for tb in pay.team_bonuses:
        q = f"{p}.team_bonuses[{tb.id}]"
        for i, t in enumerate(tb.targets):
            m.check(t.metric, f"{q}.targets[{i + 1}].metric")
            if t.weighted_by is not None:
                m.check(t.weighted_by, f"{q}.targets[{i + 1}].weighted_by")
                if t.agg != "mean":
                    _fail(
                        f"{q}.targets[{i + 1}].weighted_by",
                        f"weighted_by works with agg: mean, not {t.agg!r}",
                    )
        _check_gates(tb.gates, f"{q}.gates", gates)
    for pr in pay.prizes:
        q = f"{p}.prizes[{pr.id}]"
        direction = pr.direction or m.check(pr.metric, f"{q}.metric")
        m.check(pr.metric, f"{q}.metric")
        if direction == "neutral":
            _fail(
                f"{q}.direction",
                f"metric {pr.metric!r} is neutral, so 'first place' is undefined; "
                "set direction: higher or lower",
            )
        _check_gates(pr.gates, f"{q}.gates", gates)


def _check_fines(pay, m: _Metrics, p: str) -> None:
    for f in pay.fines:
        q = f"{p}.fines[{f.id}]"
        m.check(f.metric, f"{q}.metric")
        if (f.cents_each is None) == (f.base_days_each is None):
            _fail(q, "a fine needs exactly one of cents_each or base_days_each")
        if f.base_days_each is not None and pay.base_cents == 0:
            _fail(
                f"{q}.base_days_each",
                "base_days_each needs pay.base_cents > 0 (day pay = base / days_per_month)",
            )
