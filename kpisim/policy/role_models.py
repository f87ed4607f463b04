"""Specs of roles: which agents a scorecard (and pay plan) applies to.

A policy without ``roles`` is one role, ``all``, applied to every agent. With ``roles``, each
role selects its agents by agent group, team, primary queue skill or a roster column, and has
its own scorecard and, where it differs, its own pay plan (default: the policy's). The
behaviour lives in ``kpisim.policy.roles``; field reference in ``docs/policies.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, model_validator

from kpisim.policy.rule_models import Ident, Spec, _Named

if TYPE_CHECKING:  # pragma: no cover - resolved by models.py (Role.model_rebuild)
    from kpisim.policy.models import PayPlan, Scorecard

Names = tuple[str, ...]


def _as_tuple(v: Any) -> Any:
    return (v,) if isinstance(v, str) else v


class RoleMatch(Spec):
    """Which agents hold a role; every given key must match (values are alternatives).

    Values may use shell wildcards (``presales*``).

    Attributes:
        group: agent group names (KPI column ``group``, the scenario's ``agents[].name``).
        team: team names (column ``team``).
        skill: primary queue (column ``skill``: the queue the agent serves first).
        column: a roster column supplied with the KPI table (e.g. ``role``), with ``values``.
        values: accepted values of ``column``.
        other: ``true``: every agent no other role selects (only for an ``unscored`` role).
    """

    group: Names = ()
    team: Names = ()
    skill: Names = ()
    column: Ident | None = None
    values: Names = ()
    other: bool = False

    @model_validator(mode="before")
    @classmethod
    def _lists(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                k: _as_tuple(v) if k in ("group", "team", "skill", "values") else v for k, v in data.items()
            }
        return data

    @model_validator(mode="after")
    def _some(self) -> RoleMatch:
        if (self.column is None) != (not self.values):
            raise ValueError("column and values go together: the roster column and its accepted values")
        if not (self.group or self.team or self.skill or self.column or self.other):
            raise ValueError(
                "a role selects its agents by group, team, skill, column + values, or other: true"
            )
        if self.other and (self.group or self.team or self.skill or self.column):
            raise ValueError("other: true selects the agents no other role selects; give no other key")
        return self


class Role(_Named):
    """A role: its agents, its scorecard and (optionally) its own pay plan.

    Attributes:
        match: which agents hold the role.
        scorecard: the role's card (default: the policy's ``scorecard``).
        pay: the role's pay plan (default: the policy's ``pay``).
        unscored: the role's agents get no score (total NaN) and only the role's pay plan's
            base pay; they are listed as role ``unscored`` wherever results are reported.
        notes: why the card looks as it does (assumptions).
    """

    match: RoleMatch
    scorecard: Scorecard | None = None
    pay_plan: PayPlan | None = Field(default=None, alias="pay")
    unscored: bool = False
    notes: str = ""

    model_config = Spec.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _shape(self) -> Role:
        if self.match.other and not self.unscored:
            raise ValueError("match: {other: true} is only allowed for an unscored role")
        return self
