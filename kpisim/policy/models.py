"""Policy specs: a scorecard plus a pay plan, as frozen pydantic models.

A policy file is YAML (``scenarios/policies/*.yaml``; field reference in ``docs/policies.md``).
Load it with ``kpisim.load_policy(path)``; apply it with ``policy.score(kpi_table)`` and
``policy.pay(scores, kpi_table)`` (the behaviour lives in ``kpisim.policy``; these methods only
delegate). Whole-policy checks run in ``kpisim.policy.checks`` after the shapes are valid.

Variants: ``policy.model_copy(update=...)`` does not re-validate; use
``kpisim.policy.variant(policy, {...})`` when the update could break a rule.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from kpisim.policy.rule_models import (
    BonusRule,
    Cents,
    Condition,
    Direction,
    Ident,
    Pct,
    Rate,
    Rule,
    Spec,
    _Named,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


# --- scorecard --------------------------------------------------------------------------------
class InputSpec(Spec):
    """A column the user supplies next to the KPI table (e.g. a manager rating).

    Attributes:
        name: column name; usable wherever a metric key is.
        unit: free text, e.g. ``points(0-100)``.
        direction: ``higher``, ``lower`` or ``neutral`` (is more better?).
        description: how it is measured and by whom.
        default: makes the input optional: the value used when the column is not supplied.
        bounds: ``[lower, upper]`` the value can take (``null`` = unbounded), e.g. ``[0, 100]``
            for a 0-100 rating; analyses that perturb values (incentive gradients) keep them
            inside. Default unbounded.
    """

    name: Ident
    unit: str = ""
    direction: Direction = "higher"
    description: str = ""
    default: float | None = None
    bounds: tuple[float | None, float | None] = (None, None)

    @field_validator("bounds")
    @classmethod
    def _ordered(cls, v):
        lo, hi = v
        if lo is not None and hi is not None and not lo < hi:
            raise ValueError(f"lower bound {lo:g} must be below upper bound {hi:g}")
        return v


class Component(_Named):
    """A scored metric: points = rule output x weight (see ``docs/policies.md``).

    Two weight forms, one per scorecard: percent weights (``weight`` only: the rule scores on
    0-100 and the component is worth ``weight`` points of 100) or points x weight (``max_points``
    and ``weight``: the rule scores on 0-max_points and the component is worth
    ``max_points x weight``, S1).

    Attributes:
        metric: registry key or declared input.
        rule: how the value becomes points.
        weight: percent (percent form) or multiplier (points form), > 0.
        max_points: the rule's top score in the points form; absent in the percent form.
        category: id of the category the points count toward, if any.
        direction: overrides the metric's direction (``neutral`` disables monotonicity checks).
        missing: when the value is missing (NaN): ``zero`` points, ``full`` points, or ``nan``
            (the total becomes NaN: the agent has no score).
        definition: registry parameters for this component's metric, e.g. ``{window_h: 12}``.
    """

    metric: Ident
    rule: Rule
    weight: float = Field(gt=0)
    max_points: float | None = Field(default=None, gt=0)
    category: Ident | None = None
    direction: Direction | None = None
    missing: Literal["zero", "full", "nan"] = "zero"
    definition: dict[str, Any] | None = None


class Deduction(_Named):
    """Points off per counted event beyond a free allowance (S3 "first time a warning").

    Deducted points = min(max_points, max(0, count - free) x points_each). A missing count is 0.
    """

    metric: Ident
    points_each: float = Field(gt=0)
    free: int = Field(default=0, ge=0)
    max_points: float | None = Field(default=None, gt=0)
    category: Ident | None = None


class Bonus(_Named):
    """Extra points: ``points_each`` per counted event, or a rule giving points directly.

    Bonus points = min(max_points, points). Rules are ``tiers``, ``linear`` or ``relative`` (e.g.
    S3: online time > 30 % above the team average +3).
    """

    metric: Ident
    points_each: float | None = Field(default=None, gt=0)
    rule: BonusRule | None = None
    max_points: float | None = Field(default=None, gt=0)
    category: Ident | None = None
    direction: Direction | None = None


class Category(_Named):
    """A group of items with its own maximum (S0: 10 / 50 / 30 / 10).

    Attributes:
        max_points: the category's maximum; its points are clipped to [floor, max_points].
        basis: ``components`` (points = its components' points + bonuses - deductions) or
            ``full`` (starts at max_points, only deductions and bonuses apply; S3 execution).
        floor: lowest points the category can fall to (default 0).
    """

    max_points: float = Field(gt=0)
    basis: Literal["components", "full"] = "components"
    floor: float = 0


class Gate(_Named):
    """A named condition on a metric; pay elements listing the gate pay 0 when it triggers.

    Attributes:
        metric: registry key or input; when: triggers when the value satisfies it (``"x < 0.9"``).
        if_missing: ``ignore`` (no data: not triggered) or ``trigger``.
        zero_total: also set the score total to 0 when triggered.
    """

    metric: Ident
    when: Condition
    if_missing: Literal["ignore", "trigger"] = "ignore"
    zero_total: bool = False


class TotalSpec(Spec):
    """Floor (default 0), cap (default none, ``null``) and half-up rounding (0-4 decimals)."""

    floor: float | None = 0
    cap: float | None = None
    decimals: int = Field(default=2, ge=0, le=4)


class GradeBand(Spec):
    """A grade: a share of the ranked agents (forced) or a condition on the total (thresholds)."""

    grade: str = Field(min_length=1, max_length=32)
    pct: Pct | None = None
    when: Condition | None = None


class Grades(Spec):
    """Grades by forced distribution over ranks (S2) or by thresholds on the total.

    Attributes (details in ``docs/policies.md``):
        method: ``forced`` (best ``pct`` % of each group, largest remainder) or ``thresholds``.
        bands: best grade first; group_by: extra grouping columns beyond (scenario_id,
            replication, period); over: ``period`` or ``year`` (forced: rank annual means).
        ties: ``midrank`` (equal totals share the grade of their middle rank), ``same_grade``
            (the best grade any reaches) or ``break`` (order by ``tie_break``, then agent_id).
    """

    method: Literal["forced", "thresholds"]
    bands: tuple[GradeBand, ...] = Field(min_length=1)
    group_by: tuple[Ident, ...] = ()
    ties: Literal["same_grade", "break", "midrank"] = "same_grade"
    tie_break: tuple[Ident, ...] = ()
    over: Literal["period", "year"] = "period"


class LevelBand(Spec):
    """A staff level and the total it requires (S3 junior / mid / senior)."""

    name: str = Field(min_length=1, max_length=32)
    min_total: float


class Levels(Spec):
    """Staff levels read from an input column, lowest first."""

    column: Ident
    bands: tuple[LevelBand, ...] = Field(min_length=2)


class Consequence(_Named):
    """A flag raised when a condition on the total holds ``periods`` consecutive periods.

    ``when`` is a condition on the total (``"x < 80"``), or ``below_level`` (below the own
    level's min_total) or ``reaches_next_level`` (at or above the next level's min_total).
    """

    when: str
    periods: int = Field(ge=1, le=36)


class Scorecard(Spec):
    """Components, categories, deductions, bonuses, gates, total, grades and consequences."""

    max_points: float | None = Field(default=None, gt=0)
    categories: tuple[Category, ...] = ()
    components: tuple[Component, ...] = Field(min_length=1)
    deductions: tuple[Deduction, ...] = ()
    bonuses: tuple[Bonus, ...] = ()
    gates: tuple[Gate, ...] = ()
    total: TotalSpec = TotalSpec()
    grades: Grades | None = None
    levels: Levels | None = None
    consequences: tuple[Consequence, ...] = ()


# --- pay plan --------------------------------------------------------------------------------
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
    performance: Performance | None = None
    commissions: tuple[Commission, ...] = ()
    pools: tuple[Pool, ...] = ()
    team_bonuses: tuple[TeamBonus, ...] = ()
    prizes: tuple[Prize, ...] = ()
    fines: tuple[Fine, ...] = ()


# --- policy ----------------------------------------------------------------------------------
class Policy(Spec):
    """A scorecard and a pay plan (YAML key ``pay``; attribute ``pay_plan``).

    Attributes:
        id: identifier, e.g. ``s3_kuaishangtong_presales``.
        name: human name.
        version: the scorecard's version (sheets change over time, S0).
        description: free text.
        currency: ISO code; all money is in its minor unit (fen for CNY).
        inputs: extra columns the user supplies (manager ratings, exam scores, staff level).
        roles, ranking, definitions, neutral: see ``docs/policies.md``.
    """

    kind: Literal["policy"] = "policy"
    id: Ident
    name: str = Field(min_length=1)
    version: str = "1"
    description: str = ""
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    inputs: tuple[InputSpec, ...] = ()
    scorecard: Scorecard
    pay_plan: PayPlan = Field(default=PayPlan(), alias="pay")
    roles: tuple[Role, ...] = ()
    ranking: Literal["within_role", "across_roles"] = "within_role"
    definitions: dict[Ident, dict[str, Any]] = Field(default_factory=dict)
    neutral: dict[Ident, float] = Field(default_factory=dict)

    model_config = Spec.model_config | {"populate_by_name": True}
    # provenance, set by load_policy (not part of the content): (file, content hash when loaded)
    _loaded: tuple[str, str] | None = PrivateAttr(default=None)

    @field_validator("version", mode="before")
    @classmethod
    def _version_str(cls, v):
        return str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v

    @model_validator(mode="after")
    def _check(self) -> Policy:
        from kpisim.policy.checks import check_policy

        check_policy(self)
        from kpisim.policy.role_checks import check_roles

        check_roles(self)
        return self

    @property
    def max_points(self) -> float:
        """Maximum score of the scorecard (categories + uncategorised components)."""
        from kpisim.policy.checks import scorecard_max

        return scorecard_max(self.scorecard)

    def score(self, kpi_table: pd.DataFrame, /, *, fill_missing: bool = False) -> pd.DataFrame:
        """Score every row, each on its role's card; see :func:`kpisim.policy.roles.score`."""
        from kpisim.policy.roles import score

        return score(self, kpi_table, fill_missing=fill_missing)

    def pay(self, scores: pd.DataFrame, kpi_table: pd.DataFrame, /) -> pd.DataFrame:
        """Payouts in cents per row; see :func:`kpisim.policy.roles.pay`."""
        from kpisim.policy.roles import pay

        return pay(self, scores, kpi_table)

    def pool_ledger(self, scores: pd.DataFrame, kpi_table: pd.DataFrame, /) -> pd.DataFrame:
        """Per pool and group: pool, paid shares, fixed extras and unclaimed cents."""
        from kpisim.policy.roles import pool_ledger

        return pool_ledger(self, scores, kpi_table)


from kpisim.policy.role_models import Role  # noqa: E402 - a Role holds a Scorecard and a PayPlan

Role.model_rebuild(_types_namespace={"Scorecard": Scorecard, "PayPlan": PayPlan})
Policy.model_rebuild()
