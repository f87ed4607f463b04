"""Whole-policy checks of roles, definitions and neutral values (after ``checks.check_policy``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kpisim.errors import SpecError
from kpisim.kpi.registry import METRICS
from kpisim.kpi.variants import changed

if TYPE_CHECKING:
    from kpisim.policy.models import Policy


def _fail(path: str, message: str) -> None:
    raise SpecError("<object>", path, message)


def _definition(metric: str, params, path: str) -> None:
    if metric not in METRICS:
        _fail(path, f"{metric!r} is not a registry metric; only registry metrics have definitions")
    try:
        changed(metric, params)
    except SpecError as exc:
        _fail(path, exc.message)


def check_roles(policy: Policy) -> None:
    """Definitions name registry parameters; roles have unique ids, valid cards and, when ranked
    across roles, the same pools, prizes, team bonuses and grades."""
    from kpisim.policy.checks import check_policy
    from kpisim.policy.definitions import cards

    for metric, params in policy.definitions.items():
        _definition(metric, params, f"definitions.{metric}")
    for name in policy.neutral:
        if name not in METRICS and name not in {i.name for i in policy.inputs}:
            _fail(
                f"neutral.{name}",
                f"unknown metric {name!r}; neutral values are for registry metrics or inputs",
            )
    seen: set[str] = set()
    others = 0
    for role in policy.roles:
        where = f"roles[{role.id}]"
        if role.id in seen:
            _fail(where, f"role id {role.id!r} appears twice; role ids must be unique")
        seen.add(role.id)
        others += role.match.other
        if role.scorecard is None and role.pay_plan is None:
            continue
        sub = policy.model_copy(
            update={
                "scorecard": role.scorecard or policy.scorecard,
                "pay_plan": role.pay_plan or policy.pay_plan,
                "roles": (),
            }
        )
        try:
            check_policy(sub)
        except SpecError as exc:
            _fail(f"{where}.{exc.field}", exc.message)
    if others > 1:
        _fail("roles", "only one role may select the other agents (match: {other: true})")
    if policy.roles and all(r.unscored for r in policy.roles):
        _fail("roles", "every role is unscored: at least one role needs a scorecard")
    for sc, _plan in cards(policy):
        for c in sc.components:
            if c.definition is not None:
                path = f"scorecard.components[{c.id}].definition"
                _definition(c.metric, {**policy.definitions.get(c.metric, {}), **c.definition}, path)
    if policy.ranking == "across_roles" and policy.roles:
        _check_across(policy)


def _check_across(policy: Policy) -> None:
    from kpisim.policy.definitions import cards

    pairs = cards(policy)
    first_sc, first_plan = pairs[0]
    for sc, plan in pairs[1:]:
        for what in ("pools", "prizes", "team_bonuses"):
            if getattr(plan, what) != getattr(first_plan, what):
                _fail(
                    "ranking",
                    f"across_roles ranks every role together, so every role's pay plan needs the same "
                    f"{what}; they differ (use within_role, or give the roles one pay plan's {what})",
                )
        if sc.grades != first_sc.grades:
            _fail("ranking", "across_roles needs the same grades on every role's card; they differ")
