"""The pay plan's models: performance pay, commissions, bonus pools, team bonuses, prizes and fines
(amounts in integer cents, shares exact). Data only; ``payplan.py`` and ``pools.py`` apply them."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from kpisim.policy.rule_models import (
    Cents,
    Condition,
    Direction,
    Ident,
    Pct,
    Rate,
    Spec,
    _Named,
)

if TYPE_CHECKING:  # pragma: no cover
    pass


# --- scorecard --------------------------------------------------------------------------------
class Performance(Spec):
    """Performance pay: ``full_cents x total / max`` (S1) or ``full_cents x grade_pct[grade] / 100``.

    Attributes:
        full_cents: performance pay at full score, in cents; basis: ``score`` or ``grade``.
        grade_pct: grade -> percent of full pay (basis ``grade``); max_pct: cap in percent.
        gates: gate ids; a triggered gate makes performance pay 0.
    """

    full_cents: Cents
    basis: Literal["score", "grade"] = "score"
    grade_pct: dict[str, Pct] | None = None
    max_pct: Pct | None = None
    gates: tuple[Ident, ...] = ()


class ScaleBy(Spec):
    """Multiply a commission by ``metric / divisor`` (S4: surplus calls weighted by QA)."""

    metric: Ident
    divisor: float = Field(default=1, gt=0)


class Commission(_Named):
    """``rate`` x value (value in cents) or ``cents_each`` x value, on the part above ``above``.

    Rounded half-up to a cent per agent (exact integer arithmetic unless ``scale_by`` is used).
    """

    metric: Ident
    rate: Rate | None = None
    cents_each: Cents | None = None
    above: float = Field(default=0, ge=0)
    scale_by: ScaleBy | None = None
    gates: tuple[Ident, ...] = ()


class PoolShare(Spec):
    """What the agent at ``rank`` gets: ``pct`` % of the pool plus a fixed ``plus_cents``."""

    rank: int = Field(ge=1)
    pct: Pct
    plus_cents: Cents = 0


class Pool(_Named):
    """A bonus pool (S3): pool = rate x base per group, split by rank, by score or equally.

    Attributes (details in ``docs/policies.md``):
        base_metric: column holding the base (one value per group); rate: fraction of it.
        group_by: extra grouping columns beyond (scenario_id, replication, period).
        split: ``rank`` (``shares`` + ``rest_pct``, S3), ``by_score`` (pro rata ``rank_by``)
            or ``equal``; rank_by: ``total`` or a metric (along its direction).
        tie_break: metrics ordering equal ranks (S3: ``[sales_cents]``); then agent_id.
        unclaimed: shares nobody holds: ``company`` keeps them or ``redistribute`` them.
        gates: gate ids; agents with a triggered gate (or no score) are not ranked.
    """

    base_metric: Ident
    rate: Rate
    group_by: tuple[Ident, ...] = ()
    split: Literal["rank", "by_score", "equal"] = "rank"
    rank_by: Ident = "total"
    tie_break: tuple[Ident, ...] = ()
    shares: tuple[PoolShare, ...] = ()
    rest_pct: Pct = Decimal(0)
    unclaimed: Literal["company", "redistribute"] = "company"
    gates: tuple[Ident, ...] = ()


class TeamTarget(Spec):
    """A team-level condition: ``agg`` of ``metric`` over the team satisfies ``when``."""

    metric: Ident
    agg: Literal["mean", "sum", "min", "max"] = "mean"
    weighted_by: Ident | None = None
    when: Condition


class TeamBonus(_Named):
    """A fund paid when all targets are met (S1: 2,000 team-building fund), split among members
    ``equal``-ly or ``by_score`` (proportional to total); exact by largest remainder."""

    fund_cents: Cents
    group_by: tuple[Ident, ...] = ("team",)
    targets: tuple[TeamTarget, ...] = Field(min_length=1)
    split: Literal["equal", "by_score"] = "equal"
    gates: tuple[Ident, ...] = ()


class Prize(_Named):
    """A prize for first place on a metric in each group (S1); ties split it evenly."""

    metric: Ident
    cents: Cents
    group_by: tuple[Ident, ...] = ()
    direction: Direction | None = None
    gates: tuple[Ident, ...] = ()


class Fine(_Named):
    """Money off per counted event beyond ``free``: ``cents_each`` or ``base_days_each`` x day pay.

    Day pay = base_cents / days_per_month, rounded half-up to a cent (S3: absence costs 2 days).
    """

    metric: Ident
    free: int = Field(default=0, ge=0)
    cents_each: Cents | None = None
    base_days_each: Pct | None = None


class PayPlan(Spec):
    """Base pay, performance pay, commissions, pools, team bonuses, prizes and fines."""

    base_cents: Cents = 0
    days_per_month: Decimal = Field(default=Decimal("21.75"), gt=0)
    #: monthly pay per staff level of ``scorecard.levels`` (S3: promotion "with a raise"; S1:
    #: grade/post pay), added to the total; empty = none (no ``level_cents`` column)
    level_cents: dict[str, Cents] = Field(default_factory=dict)
    performance: Performance | None = None
    commissions: tuple[Commission, ...] = ()
    pools: tuple[Pool, ...] = ()
    team_bonuses: tuple[TeamBonus, ...] = ()
    prizes: tuple[Prize, ...] = ()
    fines: tuple[Fine, ...] = ()


# --- policy ----------------------------------------------------------------------------------
