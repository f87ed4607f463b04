"""Whole-policy checks, run once the shapes are valid; each failure names its exact field.

Field paths name list items by id where they have one and by 1-based position otherwise, e.g.
``scorecard.components[conversion].rule.tiers[3]``. Messages state the bad value and what is
allowed. Raises ``SpecError`` with file ``<object>``; ``load_policy`` fills in the file name.
"""

from __future__ import annotations

from kpisim.policy.check_base import (
    _TOL,
    LEVEL_CONDITIONS,
    _fail,
    _fmt,
    _Metrics,
    _unique,
    check_linear,
    check_tiers,
)
from kpisim.policy.check_pay import _check_pay
from kpisim.policy.rule_models import LinearRule, RelativeRule, TargetRule, Tier, TiersRule


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
    _check_components(sc, m, cats, base)
    _check_extras(sc, m, cats, base)
    _check_categories(sc, base)
    _check_totals(sc, base)
    for gate in sc.gates:
        m.check(gate.metric, f"{base}.gates[{gate.id}].metric")
    if sc.grades is not None:
        _check_grades(sc.grades, f"{base}.grades", m)
    if sc.levels is not None:
        _check_levels(sc, policy, f"{base}.levels")
    _check_consequences(sc, base)


def _check_components(sc, m: _Metrics, cats: dict, base: str) -> None:
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


def _check_extras(sc, m: _Metrics, cats: dict, base: str) -> None:
    """Deductions and bonuses: known metric, known category, bonus form."""
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


def _check_categories(sc, base: str) -> None:
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


def _check_totals(sc, base: str) -> None:
    """The scorecard's maximum: percent weights add to 100, max_points matches, decimals fit."""
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


def _check_levels(sc, policy, p: str) -> None:
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


def _check_consequences(sc, base: str) -> None:
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
