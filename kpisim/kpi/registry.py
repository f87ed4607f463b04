"""The metric registry: every KPI's stable key, unit, direction, bounds, levels, formula and
parameters, gathered from ``metrics_contacts.py``, ``metrics_staff.py`` and
``metrics_outbound.py`` (where each metric is defined), with the lookups the engine and the analyses use.

Metric keys are used as-is in policy YAML; never rename one. ``docs/metrics.md`` is generated
from this module (``python -m kpisim.kpi.docs``).

Every metric is computed from additive *columns* (counts and sums, see ``COLUMNS``) that are
summed per group and only then divided, so a KPI table can be re-aggregated exactly
(``kpisim.kpi.compute.reaggregate``). A definition parameter (service-level threshold, FCR
window, counted states, ...) belongs to one metric and shapes that metric's own columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kpisim.errors import SpecError
from kpisim.kpi.columns import COLUMNS
from kpisim.kpi.metric_types import (
    ALL,
    DAILY,
    DIMENSIONS,
    LEVELS,
    NON_NEGATIVE,
    PERIODS,
    QUEUE_LEVELS,
    SHARE,
    STAFF_LEVELS,
    Bounds,
    Column,
    Metric,
    Param,
)
from kpisim.kpi.metrics_contacts import CONTACT_METRICS
from kpisim.kpi.metrics_outbound import OUTBOUND_METRICS
from kpisim.kpi.metrics_staff import STAFF_METRICS
from kpisim.vocab import CONDUCT_EVENTS, STATES

__all__ = [
    "ALL",
    "COLUMNS",
    "CONDUCT_EVENTS",
    "DAILY",
    "DIMENSIONS",
    "LEVELS",
    "METRICS",
    "NON_NEGATIVE",
    "PERIODS",
    "QUEUE_LEVELS",
    "SHARE",
    "STAFF_LEVELS",
    "STATES",
    "Bounds",
    "Column",
    "Metric",
    "Param",
    "applies",
    "levels_of",
    "resolve_definitions",
    "select_metrics",
]

#: metric key -> Metric.
METRICS: dict[str, Metric] = {m.key: m for m in (*CONTACT_METRICS, *STAFF_METRICS, *OUTBOUND_METRICS)}


def _allowed(names) -> str:
    return ", ".join(sorted(names))


def select_metrics(metrics: Any = None) -> tuple[str, ...]:
    """Validate a metric selection; ``None`` means all metrics, in registry order.

    Raises:
        SpecError: an unknown metric key (the message lists the allowed keys).
    """
    if metrics is None:
        return tuple(METRICS)
    if isinstance(metrics, str):
        metrics = (metrics,)
    out = []
    for k in metrics:
        if k not in METRICS:
            raise SpecError("metrics", str(k), f"unknown metric {k!r}; allowed: {_allowed(METRICS)}")
        if k not in out:
            out.append(k)
    return tuple(out)


def _check_param(metric: str, p: Param, value: Any) -> Any:
    where = f"{metric}.{p.name}"
    d = p.default
    if isinstance(d, bool):
        if not isinstance(value, bool):
            raise SpecError("definitions", where, f"bad value {value!r}: expected true or false")
        return value
    if isinstance(d, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise SpecError("definitions", where, f"bad value {value!r}: expected a number")
        if p.minimum is not None and value < p.minimum:
            raise SpecError("definitions", where, f"bad value {value!r}: must be >= {p.minimum:g}")
        if isinstance(d, int) and not float(value).is_integer():
            raise SpecError("definitions", where, f"bad value {value!r}: expected an integer")
        return type(d)(value)
    if isinstance(d, str):
        if not isinstance(value, str) or (p.choices and value not in p.choices):
            raise SpecError(
                "definitions", where, f"bad value {value!r}: allowed: {', '.join(p.choices or ())}"
            )
        return value
    if isinstance(d, tuple):
        items = (value,) if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
            raise SpecError("definitions", where, f"bad value {value!r}: expected a list of names")
        bad = [v for v in items if p.choices and v not in p.choices]
        if bad:
            raise SpecError(
                "definitions", where, f"bad value {bad[0]!r}: allowed: {', '.join(p.choices or ())}"
            )
        return tuple(items)
    raise AssertionError(f"unsupported default {d!r}")  # pragma: no cover - registry bug


def resolve_definitions(
    definitions: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Merge user definitions over the defaults: metric key -> {parameter: value}.

    Args:
        definitions: e.g. ``{"service_level": {"threshold_s": 30}}``.

    Raises:
        SpecError: unknown metric, unknown parameter or a bad value; the message names it and
            lists what is allowed.
    """
    out = {k: m.defaults() for k, m in METRICS.items()}
    for key, overrides in (definitions or {}).items():
        if key not in METRICS:
            raise SpecError("definitions", str(key), f"unknown metric {key!r}; allowed: {_allowed(METRICS)}")
        metric = METRICS[key]
        if not isinstance(overrides, Mapping):
            raise SpecError("definitions", key, f"bad value {overrides!r}: expected a mapping of parameters")
        params = {p.name: p for p in metric.params}
        for name, value in overrides.items():
            if name not in params:
                allowed = _allowed(params) if params else "(none: this metric has no parameters)"
                raise SpecError(
                    "definitions", f"{key}.{name}", f"unknown parameter {name!r}; allowed: {allowed}"
                )
            out[key][name] = _check_param(key, params[name], value)
    return out


def levels_of(by: tuple[str, ...]) -> frozenset[str]:
    """The set of levels a ``by`` tuple aggregates at (agent attributes fold into ``agent``).

    Raises:
        SpecError: an unknown ``by`` column.
    """
    for b in by:
        if b not in DIMENSIONS:
            raise SpecError("by", str(b), f"unknown column {b!r}; allowed: {_allowed(DIMENSIONS)}")
    if not by:
        return frozenset({"centre"})
    lv = {DIMENSIONS[b] for b in by}
    if "agent" in lv:
        lv.discard("team")
    return frozenset(lv)


def applies(metric: Metric, levels: frozenset[str], period: str | None = None) -> bool:
    """Whether ``metric`` has a value at these levels (and period kind, if given)."""
    return levels <= set(metric.levels) and (period is None or period in metric.periods)
