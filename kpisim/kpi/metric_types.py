"""What a metric is: its definition parameters (``Param``), the additive columns it is computed
from (``Column``), its range (``Bounds``) and the metric itself (``Metric``); the aggregation
levels and period kinds. The metrics themselves are listed in ``metrics_contacts.py`` and
``metrics_staff.py``; ``registry.py`` gathers them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Aggregation levels. ``by`` columns map to levels through ``DIMENSIONS``; ``by=()`` is centre.
LEVELS: tuple[str, ...] = ("agent", "team", "queue", "channel", "centre")
#: Period kinds; ``interval`` uses ``interval_min`` (default 30) buckets.
PERIODS: tuple[str, ...] = ("interval", "day", "week", "month")
#: ``by`` column -> level. Agent attributes come from the ``agents`` table joined on agent_id.
DIMENSIONS: dict[str, str] = {
    "agent_id": "agent",
    "group": "team",
    "team": "team",
    "shift": "team",
    "tenure_group": "team",
    "queue": "queue",
    "channel": "channel",
}

ALL = LEVELS
QUEUE_LEVELS = ("queue", "channel", "centre")
STAFF_LEVELS = ("agent", "team", "centre")
DAILY = ("day", "week", "month")


@dataclass(frozen=True)
class Param:
    """A definition parameter of one metric.

    Attributes:
        name: parameter name, e.g. ``threshold_s``.
        default: immutable default (number, bool, str or tuple of str).
        doc: meaning, with the unit.
        choices: allowed values of a str parameter, or allowed items of a tuple parameter.
        minimum: smallest allowed value of a numeric parameter.
    """

    name: str
    default: Any
    doc: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = 0.0


@dataclass(frozen=True)
class Column:
    """An additive column (count or sum) from which metrics are computed.

    Attributes:
        name: column name in the KPI table (``n_*`` counts, ``sum_*_s`` / ``*_cents`` sums).
        source: event-log table it is summed from.
        doc: what one row contributes.
        integer: the sum is an integer (count or cents) and is stored as ``Int64``.
        owner: metric whose parameters shape the column, if any.
    """

    name: str
    source: str
    doc: str
    integer: bool = True
    owner: str | None = None


@dataclass(frozen=True)
class Bounds:
    """The range a metric's value can take, in the metric's unit; ``None`` = unbounded.

    Attributes:
        lower: smallest possible value, or None.
        upper: largest possible value, or None.
    """

    lower: float | None = 0.0
    upper: float | None = None

    def __post_init__(self):
        if self.lower is not None and self.upper is not None and not self.lower < self.upper:
            raise ValueError(f"bounds: lower {self.lower!r} must be below upper {self.upper!r}")

    def clip(self, value: float) -> float:
        """``value`` moved inside the bounds (NaN stays NaN)."""
        if self.lower is not None and value < self.lower:
            return float(self.lower)
        if self.upper is not None and value > self.upper:
            return float(self.upper)
        return float(value)

    def __str__(self) -> str:
        lo = "-inf" if self.lower is None else f"{self.lower:g}"
        hi = "inf" if self.upper is None else f"{self.upper:g}"
        return f"[{lo}, {hi}]"


#: A share (ratio of a count to a larger count): between 0 and 1.
SHARE = Bounds(0.0, 1.0)
#: Counts, sums, durations, money, rates per N and relative values: 0 or more, no upper bound.
NON_NEGATIVE = Bounds(0.0, None)


@dataclass(frozen=True)
class Metric:
    """One KPI.

    Attributes:
        key: stable key used in policy YAML.
        unit: unit of the value.
        direction: ``higher``, ``lower`` or ``neutral`` (which way is better).
        kind: ``count`` (value = numerator x scale), ``ratio`` (numerator / denominator x
            scale), ``relative`` (agent value of ``base`` / mean over the agent's group) or
            ``broadcast`` (centre-wide value repeated on every row of the period).
        formula: human-readable definition.
        numerator: column summed for the numerator (for ``relative``: the base's column).
        denominator: column summed for the denominator, if any.
        scale: constant factor, or the name of a parameter holding it (e.g. ``per``).
        levels: levels the metric applies to; elsewhere its value is NaN.
        periods: period kinds it applies to; elsewhere NaN.
        params: definition parameters with defaults.
        base: for ``relative``: key of the metric compared with the group mean.
        integer: the value is an integer count / cents sum (stored as ``Int64``).
        bounds: the range the value can take (analyses clip perturbed values to it).
    """

    key: str
    unit: str
    direction: str
    kind: str
    formula: str
    numerator: str
    denominator: str | None = None
    scale: float | str = 1.0
    levels: tuple[str, ...] = ALL
    periods: tuple[str, ...] = PERIODS
    params: tuple[Param, ...] = ()
    base: str | None = None
    integer: bool = False
    bounds: Bounds = NON_NEGATIVE

    def defaults(self) -> dict[str, Any]:
        """Parameter name -> default value."""
        return {p.name: p.default for p in self.params}

    @property
    def columns(self) -> tuple[str, ...]:
        """The additive columns the metric needs."""
        return tuple(c for c in (self.numerator, self.denominator) if c)
