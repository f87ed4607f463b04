"""Building blocks of policy specs: the frozen base model, intervals, rates and scoring rules.

Only shape and per-field format are checked here (an interval string parses, a number is
positive). Checks that need the whole policy (known metrics, tier tables that tile the number
line, weights that add up) live in ``kpisim.policy.checks`` so that their messages can name
the full field path.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Annotated, Any, Literal

import annotated_types
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from kpisim.io.load import reject_bools

Direction = Literal["higher", "lower", "neutral"]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""Lower-case snake_case identifier: used in output column names (``pts_<id>``)."""


class Spec(BaseModel):
    """Base of every policy spec model: frozen, unknown keys rejected, every float finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_numbers(cls, data):
        return reject_bools(cls, data)


# --- intervals ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Interval:
    """A set of numbers ``lo <(=) x <(=) hi``; infinite bounds are open.

    Attributes:
        lo: lower bound (``-inf`` when unbounded).
        lo_closed: whether ``lo`` itself belongs to the interval.
        hi: upper bound (``+inf`` when unbounded).
        hi_closed: whether ``hi`` itself belongs to the interval.
        text: the source text, for messages.
    """

    lo: float
    lo_closed: bool
    hi: float
    hi_closed: bool
    text: str

    def is_empty(self) -> bool:
        """True when no number satisfies the interval (e.g. ``5 < x < 5``)."""
        if self.lo > self.hi:
            return True
        return self.lo == self.hi and not (self.lo_closed and self.hi_closed)


_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?"
_CHAIN = re.compile(rf"^({_NUM})(<=|<)x(<=|<)({_NUM})$")
_RIGHT = re.compile(rf"^x(<=|<|>=|>|==)({_NUM})$")
_LEFT = re.compile(rf"^({_NUM})(<=|<|>=|>)x$")
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
INTERVAL_HELP = (
    "write a condition on x such as 'x >= 0.6', 'x < 35%', '15 < x <= 22' or "
    "'x == 0' (x is the metric value; a trailing % divides by 100)"
)


def _num(text: str) -> float:
    if text.endswith("%"):
        return float(Decimal(text[:-1]) / 100)
    return float(text)


def _one_sided(op: str, value: float, text: str) -> Interval:
    inf = math.inf
    if op == ">=":
        return Interval(value, True, inf, False, text)
    if op == ">":
        return Interval(value, False, inf, False, text)
    if op == "<=":
        return Interval(-inf, False, value, True, text)
    if op == "<":
        return Interval(-inf, False, value, False, text)
    return Interval(value, True, value, True, text)  # ==


def parse_interval(text: str) -> Interval:
    """Parse a condition such as ``"15 < x <= 22"`` into an :class:`Interval`.

    Accepts ``<, <=, >, >=, ==`` (also ``≤ ≥ =< =>``), one- or two-sided, with ``x`` standing
    for the metric value; a number ending in ``%`` is divided by 100.

    Raises:
        ValueError: the text is not such a condition (the message says what is allowed).
    """
    if not isinstance(text, str):  # checked before the cache: lists are not hashable
        raise ValueError(f"expected a string condition; {INTERVAL_HELP}")
    return _parse_interval(text)


@lru_cache(maxsize=4096)
def _parse_interval(text: str) -> Interval:
    s = (
        text.replace("≤", "<=")
        .replace("≥", ">=")
        .replace("=<", "<=")
        .replace("=>", ">=")
        .replace(" ", "")
        .replace("X", "x")
    )
    if m := _CHAIN.match(s):
        lo, op1, op2, hi = m.groups()
        return Interval(_num(lo), op1 == "<=", _num(hi), op2 == "<=", text)
    if m := _RIGHT.match(s):
        return _one_sided(m.group(1), _num(m.group(2)), text)
    if m := _LEFT.match(s):
        return _one_sided(_FLIP[m.group(2)], _num(m.group(1)), text)
    raise ValueError(f"cannot read condition {text!r}; {INTERVAL_HELP}")


def _check_interval(value: Any) -> str:
    if not isinstance(value, str):  # before the cache: a list is not hashable
        raise ValueError(f"expected a string condition, got {type(value).__name__}; {INTERVAL_HELP}")
    iv = parse_interval(value)
    if iv.is_empty():
        raise ValueError(f"condition {value!r} matches no number; lower bound must be below upper bound")
    return value


Condition = Annotated[str, BeforeValidator(_check_interval)]
"""A condition string on ``x`` (validated with :func:`parse_interval`)."""


# --- rates and percentages ------------------------------------------------------------------
def _to_decimal(value: Any) -> Decimal:
    """Numbers and strings (``"0.6%"``, ``"0.006"``) to an exact Decimal."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("expected a finite number")
        return Decimal(str(value))
    if isinstance(value, str):
        s = value.strip()
        try:
            if s.endswith("%"):
                return Decimal(s[:-1].strip()) / 100
            return Decimal(s)
        except InvalidOperation:
            pass
    raise ValueError("expected a number such as 0.006 or a percentage string such as '0.6%'")


def _rate(value: Any) -> Decimal:
    d = _to_decimal(value)
    if not (0 <= d <= 1):
        raise ValueError("a rate is a fraction between 0 and 1 (write '0.6%' or 0.006 for six per mille)")
    return d


#: the largest amount of money (cents) and percentage a policy may state (docs/policies.md);
#: sums over thousands of agents and months then stay far inside int64
MAX_CENTS = 10**12
MAX_PCT = Decimal(10**6)


def _pct(value: Any) -> Decimal:
    d = _to_decimal(value)
    if d < 0:
        raise ValueError("a percentage must be >= 0")
    if d > MAX_PCT:
        raise ValueError(f"a percentage must be <= {MAX_PCT}")
    if d != d.quantize(Decimal("0.0001")):
        raise ValueError("percentages may have at most 4 decimal places")
    return d


Rate = Annotated[Decimal, BeforeValidator(_rate)]
"""A fraction in [0, 1]; YAML may say ``0.006`` or ``"0.6%"``."""
Pct = Annotated[Decimal, BeforeValidator(_pct)]
"""A percentage (40 means 40 %), >= 0, at most 4 decimals."""


def _cents(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > MAX_CENTS:
        raise ValueError(f"an amount in cents must be <= {MAX_CENTS:,} (10**12)")
    return value


Cents = Annotated[int, annotated_types.Interval(ge=0, le=MAX_CENTS), BeforeValidator(_cents)]
"""A non-negative amount of money in integer minor units (fen, cents), at most 10**12."""


# --- scoring rules --------------------------------------------------------------------------
class Tier(Spec):
    """One band of a tier table: the points earned when the value satisfies ``when``.

    Attributes:
        when: condition on the value, e.g. ``"15 < x <= 22"``.
        points: points earned (on the component's scale: 0-100 for percent weights, else
            0-max_points).
    """

    when: Condition
    points: float

    @property
    def interval(self) -> Interval:
        """The parsed condition."""
        return parse_interval(self.when)


Points = tuple[tuple[float, float], ...]


class TiersRule(Spec):
    """Bands with explicit boundary inclusivity that must tile the number line exactly."""

    type: Literal["tiers"]
    tiers: tuple[Tier, ...] = Field(min_length=1)


class LinearRule(Spec):
    """Piecewise-linear interpolation between ``[x, points]`` pairs, clipped outside them."""

    type: Literal["linear"]
    points: Points = Field(min_length=2)


class RelativeRule(Spec):
    """Value divided by the mean of its group (S1), then mapped by ``tiers`` or ``linear``.

    The share is a ratio: 1.0 is exactly the group average, 1.3 is 30 % above it. The group is
    (scenario_id, replication, period) plus ``group_by`` columns (e.g. ``[team]``).
    """

    type: Literal["relative"]
    group_by: tuple[Ident, ...] = ()
    tiers: tuple[Tier, ...] | None = None
    linear: Points | None = None


class TargetRule(Spec):
    """Percent of a target: attainment = 100 x value / target (target / value when lower is better).

    Points = scale x min(attainment, cap_pct) / 100; attainment below ``floor_pct`` earns 0.
    """

    type: Literal["percent_of_target"]
    target: float = Field(gt=0)
    floor_pct: float = Field(default=0, ge=0)
    cap_pct: float = Field(default=100, gt=0)


class DirectRule(Spec):
    """The value already is the points (e.g. a manager rating); clipped to [0, scale]."""

    type: Literal["direct"]


Rule = Annotated[TiersRule | LinearRule | RelativeRule | TargetRule | DirectRule, Field(discriminator="type")]
BonusRule = Annotated[TiersRule | LinearRule | RelativeRule, Field(discriminator="type")]


class _Named(Spec):
    """Mixin of items with an id and an optional human label."""

    id: Ident
    label: str = ""

    @field_validator("label")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()
