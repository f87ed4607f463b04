"""Whole-policy checks, run once the shapes are valid; each failure names its exact field.

Field paths name list items by id where they have one and by 1-based position otherwise, e.g.
``scorecard.components[conversion].rule.tiers[3]``. Messages state the bad value and what is
allowed. Raises ``SpecError`` with file ``<object>``; ``load_policy`` fills in the file name.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

from kpisim.errors import SpecError
from kpisim.policy.rule_models import Interval, LinearRule, RelativeRule, TargetRule, Tier, TiersRule

_TOL = 1e-9
LEVEL_CONDITIONS = ("below_level", "reaches_next_level")


def _fail(path: str, message: str) -> None:
    raise SpecError("<object>", path, message)


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}"


# --- tiers and linear points --------------------------------------------------------------------
def _key(iv: Interval) -> tuple:
    return (iv.lo, not iv.lo_closed, iv.hi, iv.hi_closed)


def check_tiers(
    tiers: Sequence[Tier], path: str, *, direction: str, scale: float | None, what: str = "points"
) -> None:
    """Tiers must be sorted, tile the whole number line, stay on the scale and follow the direction.

    Args:
        tiers: the bands as written.
        path: field path of the tier list.
        direction: ``higher``, ``lower`` or ``neutral`` (no monotonicity check).
        scale: largest points allowed (``None``: no upper limit).
        what: name of the thing tiers award, for messages.
    """
    ivs = [t.interval for t in tiers]
    keys = [_key(iv) for iv in ivs]
    n = len(ivs)
    ascending = all(keys[i] <= keys[i + 1] for i in range(n - 1))
    descending = all(keys[i] >= keys[i + 1] for i in range(n - 1))
    if not (ascending or descending):
        bad = next((i for i in range(1, n - 1) if (keys[i - 1] <= keys[i]) != (keys[i] <= keys[i + 1])), 1)
        _fail(
            f"{path}[{bad + 2}]",
            f"tiers are not sorted: {ivs[bad + 1].text!r} follows {ivs[bad].text!r}; list tiers "
            "from the lowest values to the highest, or from the highest to the lowest",
        )
    order = list(range(n)) if ascending else list(range(n - 1, -1, -1))
    for a, b in itertools.pairwise(order):
        A, B = ivs[a], ivs[b]
        # name both tiers in file order; blame the later one (the earlier one is read first)
        first_i, later_i = min(a, b), max(a, b)
        pair = f"tier {first_i + 1} {ivs[first_i].text!r} and tier {later_i + 1} {ivs[later_i].text!r}"
        if A.hi > B.lo or (A.hi == B.lo and A.hi_closed and B.lo_closed):
            where = (
                f"at {_fmt(B.lo)}" if A.hi == B.lo else f"between {_fmt(B.lo)} and {_fmt(min(A.hi, B.hi))}"
            )
            _fail(
                f"{path}[{later_i + 1}]",
                f"tiers overlap {where}: {pair} both include it; each value must fall in "
                "exactly one tier (use < on one side and <= on the other)",
            )
        if A.hi < B.lo or (A.hi == B.lo and not A.hi_closed and not B.lo_closed):
            gap = (
                f"the value {_fmt(A.hi)} falls"
                if A.hi == B.lo
                else f"values between {_fmt(A.hi)} and {_fmt(B.lo)} fall"
            )
            _fail(
                f"{path}[{later_i + 1}]",
                f"gap between tiers: {gap} in no tier ({pair}); tiers must cover every value exactly once",
            )
    first, last = ivs[order[0]], ivs[order[-1]]
    if first.lo != -math.inf:
        _fail(
            f"{path}[{order[0] + 1}]",
            f"values below {_fmt(first.lo)} fall in no tier; the lowest tier must have no lower "
            f"bound (e.g. 'x < {_fmt(first.lo)}')",
        )
    if last.hi != math.inf:
        _fail(
            f"{path}[{order[-1] + 1}]",
            f"values above {_fmt(last.hi)} fall in no tier; the highest tier must have no upper "
            f"bound (e.g. 'x > {_fmt(last.hi)}')",
        )
    pts = [tiers[i].points for i in order]
    _check_points_range(pts, [f"{path}[{i + 1}]" for i in order], scale, what)
    _check_monotone(
        pts, [f"{ivs[i].text!r}" for i in order], [f"{path}[{i + 1}]" for i in order], direction, what
    )


def check_linear(
    points: Sequence[tuple[float, float]], path: str, *, direction: str, scale: float | None
) -> None:
    """``[x, points]`` pairs: x strictly increasing, points on the scale and along the direction."""
    xs = [p[0] for p in points]
    for i in range(1, len(xs)):
        if not xs[i] > xs[i - 1]:
            _fail(
                f"{path}[{i + 1}]",
                f"x values must increase strictly; {_fmt(xs[i])} follows {_fmt(xs[i - 1])}",
            )
    for i, x in enumerate(xs):
        if not math.isfinite(x) or not math.isfinite(points[i][1]):
            _fail(f"{path}[{i + 1}]", "points must be finite numbers")
    ps = [p[1] for p in points]
    paths = [f"{path}[{i + 1}]" for i in range(len(ps))]
    _check_points_range(ps, paths, scale, "points")
    _check_monotone(ps, [f"x = {_fmt(x)}" for x in xs], paths, direction, "points")


def _check_points_range(pts: list[float], paths: list[str], scale: float | None, what: str) -> None:
    for p, where in zip(pts, paths, strict=False):
        if p < 0:
            _fail(where, f"{what} {_fmt(p)} below 0; use deductions for points off")
        if scale is not None and p > scale + _TOL:
            _fail(
                where,
                f"{what} {_fmt(p)} exceed the scale {_fmt(scale)} (percent weights score "
                "0-100; the points form scores 0-max_points)",
            )


def _check_monotone(pts: list[float], labels: list[str], paths: list[str], direction: str, what: str) -> None:
    if direction == "neutral":
        return
    for i in range(1, len(pts)):
        worse = pts[i] < pts[i - 1] if direction == "higher" else pts[i] > pts[i - 1]
        if worse:
            _fail(
                paths[i],
                f"{what} go the wrong way for a {direction}-is-better metric: "
                f"{labels[i - 1]} earns {_fmt(pts[i - 1])} but {labels[i]} earns {_fmt(pts[i])}; "
                "fix the order of the points or set direction: neutral",
            )


# --- helpers ----------------------------------------------------------------------------------
def _unique(items: Iterable, path: str, attr: str = "id") -> None:
    seen: set = set()
    for item in items:
        v = getattr(item, attr)
        if v in seen:
            _fail(f"{path}[{v}]", f"duplicate {attr} {v!r}; each {attr} may appear once in the list")
        seen.add(v)


class _Metrics:
    """Known metric names with their directions: the registry plus declared inputs."""

    def __init__(self, policy):
        from kpisim.policy.metrics import known_metrics

        self.registry = known_metrics()
        self.directions = dict(self.registry)
        for inp in policy.inputs:
            self.directions[inp.name] = inp.direction

    def check(self, name: str, path: str) -> str:
        if name not in self.directions:
            close = difflib.get_close_matches(name, list(self.directions), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            _fail(
                path,
                f"unknown metric {name!r}{hint}; use a key of the metric registry "
                "(kpisim.kpi.registry) or declare it under inputs",
            )
        return self.directions[name]


def component_scale(comp) -> float:
    """Top of the rule's scale: 100 in the percent form, ``max_points`` in the points form."""
    return 100.0 if comp.max_points is None else float(comp.max_points)


def component_max(comp) -> float:
    """Points a component is worth at most."""
    return float(comp.weight) if comp.max_points is None else float(comp.max_points) * float(comp.weight)


def scorecard_max(sc) -> float:
    """Maximum total: category maxima plus uncategorised components' maxima."""
    return sum(float(c.max_points) for c in sc.categories) + sum(
        component_max(c) for c in sc.components if c.category is None
    )


# --- the checks -------------------------------------------------------------------------------
def check_policy(policy) -> None:
    """Run every whole-policy check; the first failure raises ``SpecError``."""
    m = _Metrics(policy)
    for i, inp in enumerate(policy.inputs):
        if inp.name in m.registry:
            _fail(
                f"inputs[{i + 1}].name",
                f"input {inp.name!r} is already a registry metric; inputs are extra columns with new names",
            )
    _unique(policy.inputs, "inputs", "name")
    _check_scorecard(policy.scorecard, m, policy)
    _check_pay(policy.pay_plan, policy.scorecard, m)


def _check_rule(rule, path: str, *, direction: str, scale: float | None) -> None:
    if isinstance(rule, TiersRule):
        check_tiers(rule.tiers, f"{path}.tiers", direction=direction, scale=scale)
    elif isinstance(rule, LinearRule):
        check_linear(rule.points, f"{path}.points", direction=direction, scale=scale)
    elif isinstance(rule, RelativeRule):
        if (rule.tiers is None) == (rule.linear is None):
            _fail(
                path,
                "a relative rule needs exactly one of tiers or linear (mapping the share of "
                "the group average, 1.0 = average, to points)",
            )
        if rule.tiers is not None:
            check_tiers(rule.tiers, f"{path}.tiers", direction=direction, scale=scale)
        elif rule.linear is not None:
            check_linear(rule.linear, f"{path}.linear", direction=direction, scale=scale)
    elif isinstance(rule, TargetRule):
        if rule.cap_pct > 100:
            _fail(
                f"{path}.cap_pct",
                f"cap_pct {_fmt(rule.cap_pct)} exceeds 100: points cannot exceed "
                "the component's maximum (reward over-achievement with a commission instead)",
            )
        if rule.floor_pct > rule.cap_pct:
            _fail(
                f"{path}.floor_pct", f"floor_pct {_fmt(rule.floor_pct)} is above cap_pct {_fmt(rule.cap_pct)}"
            )
        if direction == "neutral":
            _fail(path, "percent_of_target needs a higher- or lower-is-better metric; set direction")


def _check_scorecard(sc, m: _Metrics, policy) -> None:
    base = "scorecard"
    for name, items in (
        ("categories", sc.categories),
        ("components", sc.components),
        ("deductions", sc.deductions),
        ("bonuses", sc.bonuses),
        ("gates", sc.gates),
        ("consequences", sc.consequences),
    ):
        _unique(items, f"{base}.{name}")
    cats = {c.id: c for c in sc.categories}

    forms = {c.max_points is None for c in sc.components}
    for comp in sc.components:
        p = f"{base}.components[{comp.id}]"
        direction = comp.direction or m.check(comp.metric, f"{p}.metric")
        m.check(comp.metric, f"{p}.metric")
        if len(forms) > 1 and comp.max_points is not None:
            _fail(
                f"{p}.max_points",
                "mixes the two weight forms: other components use percent weights "
                "(weight only); use either percent weights throughout or max_points x weight throughout",
            )
        _check_rule(comp.rule, f"{p}.rule", direction=direction, scale=component_scale(comp))
        if comp.category is not None and comp.category not in cats:
            _fail(f"{p}.category", f"unknown category {comp.category!r}; defined: {sorted(cats) or 'none'}")

    for kind, items in (("deductions", sc.deductions), ("bonuses", sc.bonuses)):
        for item in items:
            p = f"{base}.{kind}[{item.id}]"
            direction = m.check(item.metric, f"{p}.metric")
            if item.category is not None and item.category not in cats:
                _fail(
                    f"{p}.category", f"unknown category {item.category!r}; defined: {sorted(cats) or 'none'}"
                )
            if kind == "bonuses":
                if (item.points_each is None) == (item.rule is None):
                    _fail(p, "a bonus needs exactly one of points_each (per counted event) or rule")
                if item.rule is not None:
                    _check_rule(item.rule, f"{p}.rule", direction=item.direction or direction, scale=None)

    for cat in sc.categories:
        p = f"{base}.categories[{cat.id}]"
        members = [c for c in sc.components if c.category == cat.id]
        if cat.floor >= cat.max_points:
            _fail(f"{p}.floor", f"floor {_fmt(cat.floor)} must be below max_points {_fmt(cat.max_points)}")
        if cat.basis == "full" and members:
            _fail(
                f"{p}.basis",
                f"basis 'full' starts the category at its maximum, so it cannot also "
                f"hold components ({', '.join(c.id for c in members)}); use basis: components",
            )
        if cat.basis == "components":
            if not members:
                _fail(
                    f"{p}.basis",
                    "category has no components; use basis: full for a category "
                    "scored by deductions from its maximum",
                )
            worth = sum(component_max(c) for c in members)
            if abs(worth - cat.max_points) > _TOL:
                worth_parts = " + ".join(f"{c.id} {_fmt(component_max(c))}" for c in members)
                _fail(
                    f"{p}.max_points",
                    f"components of category {cat.id!r} are worth {_fmt(worth)} "
                    f"points ({worth_parts}) but max_points is {_fmt(cat.max_points)}; they must add up",
                )

    total = scorecard_max(sc)
    if sc.components and sc.components[0].max_points is None and abs(total - 100) > _TOL:
        parts = [f"{c.id} {_fmt(c.max_points)}" for c in sc.categories]
        parts += [f"{c.id} {_fmt(c.weight)}" for c in sc.components if c.category is None]
        _fail(
            f"{base}.components",
            f"percent weights add up to {_fmt(total)} ({' + '.join(parts)}) but must add up to 100",
        )
    if sc.max_points is not None and abs(total - sc.max_points) > _TOL:
        _fail(
            f"{base}.max_points",
            f"max_points {_fmt(sc.max_points)} does not match the scorecard's "
            f"items, which add up to {_fmt(total)}",
        )
    scaled = total * 10**sc.total.decimals
    if abs(scaled - round(scaled)) > 1e-6:
        _fail(
            f"{base}.total.decimals",
            f"the maximum {total!r} is not a whole number of "
            f"{sc.total.decimals}-decimal steps; raise decimals or round the weights",
        )
    if sc.total.floor is not None and sc.total.cap is not None and sc.total.floor > sc.total.cap:
        _fail(f"{base}.total.floor", f"floor {_fmt(sc.total.floor)} is above cap {_fmt(sc.total.cap)}")

    for gate in sc.gates:
        m.check(gate.metric, f"{base}.gates[{gate.id}].metric")
    if sc.grades is not None:
        _check_grades(sc.grades, f"{base}.grades", m)
    if sc.levels is not None:
        p = f"{base}.levels"
        if sc.levels.column not in {i.name for i in policy.inputs}:
            _fail(f"{p}.column", f"level column {sc.levels.column!r} must be declared under inputs")
        _unique(sc.levels.bands, f"{p}.bands", "name")
        mins = [b.min_total for b in sc.levels.bands]
        for i in range(1, len(mins)):
            if not mins[i] > mins[i - 1]:
                _fail(
                    f"{p}.bands[{sc.levels.bands[i].name}].min_total",
                    f"min_total {_fmt(mins[i])} must be above the previous level's {_fmt(mins[i - 1])} "
                    "(list levels from lowest to highest)",
                )
    from kpisim.policy.rule_models import parse_interval

    for cons in sc.consequences:
        p = f"{base}.consequences[{cons.id}].when"
        if cons.when in LEVEL_CONDITIONS:
            if sc.levels is None:
                _fail(p, f"{cons.when!r} needs scorecard.levels (the staff levels and their minimum totals)")
        else:
            try:
                parse_interval(cons.when)
            except ValueError as exc:
                _fail(p, f"{exc}; or one of {', '.join(LEVEL_CONDITIONS)}")


def _check_grades(g, p: str, m: _Metrics) -> None:
    _unique(g.bands, f"{p}.bands", "grade")
    for t in g.tie_break:
        m.check(t, f"{p}.tie_break")
    if g.method == "forced":
        for b in g.bands:
            if b.pct is None or b.when is not None:
                _fail(f"{p}.bands[{b.grade}]", "forced grades take pct (share of ranked agents), not when")
        s = sum(b.pct for b in g.bands)
        if s != 100:
            _fail(
                f"{p}.bands",
                f"grade shares add up to {s} % "
                f"({' + '.join(f'{b.grade} {b.pct}' for b in g.bands)}) but must add up to 100 %",
            )
    else:
        for b in g.bands:
            if b.when is None or b.pct is not None:
                _fail(
                    f"{p}.bands[{b.grade}]", "threshold grades take when (a condition on the total), not pct"
                )
        tiers = [Tier(when=b.when, points=len(g.bands) - i) for i, b in enumerate(g.bands)]
        check_tiers(tiers, f"{p}.bands", direction="higher", scale=None, what="grades")


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
    if not isinstance(pay.days_per_month, Decimal) or pay.days_per_month <= 0:  # pragma: no cover
        _fail(f"{p}.days_per_month", "must be a positive number")
