"""Several definitions of one metric side by side in one KPI table: variant columns.

A variant is a metric with some definition parameters set away from the registry defaults. Its
column is named ``<metric>@<param>=<value>[,<param>=<value>...]`` with the parameters in
alphabetical order and only those that differ from the defaults, e.g. ``fcr_rate@window_h=12``
or ``conversion_rate@queues=presales`` (list values joined by ``+``). The plain column
(``fcr_rate``) keeps the table's own definition. Policies name the variants they need
(``kpisim.policy.definitions.kpi_variants``); ``add_variants`` computes them from the log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from kpisim.errors import DataError
from kpisim.kpi.registry import METRICS, resolve_definitions

Variant = tuple[str, Mapping[str, Any]]
"""(metric key, {parameter: value}) of a variant column."""


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        return "+".join(str(v) for v in value) or "none"
    return str(value)


_CHANGED: dict[tuple, dict[str, Any]] = {}
_CHANGED_MAX = 4096  # distinct (metric, parameters) pairs kept; a policy uses a handful


def changed(metric: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters of ``params`` (validated) that differ from the registry defaults.

    A pure function of its arguments (the registry is fixed): each pair is resolved once and
    kept, since policies ask for the same few pairs on every score and pay call.

    Raises:
        SpecError: unknown metric or parameter, or a bad value.
    """
    key = _key(metric, params)
    got = _CHANGED.get(key) if key is not None else None
    if got is None:
        full = resolve_definitions({metric: dict(params or {})})[metric]
        defaults = METRICS[metric].defaults()
        got = {k: v for k, v in sorted(full.items()) if v != defaults[k]}
        if key is not None and len(_CHANGED) < _CHANGED_MAX:
            _CHANGED[key] = got
    return dict(got)  # a copy: callers may change theirs


def _key(metric: str, params: Mapping[str, Any] | None) -> tuple | None:
    """A hashable key of ``(metric, params)`` that tells 1, 1.0 and True apart (they validate
    differently); None when a value is neither a plain scalar nor a list of them."""
    items: list[tuple[str, type, Any]] = []
    for k, v in (params or {}).items():
        if isinstance(v, (list, tuple)):
            if not all(isinstance(x, (str, int, float, bool)) for x in v):
                return None
            items.append((k, type(v), tuple((type(x), x) for x in v)))
        elif isinstance(v, (str, int, float, bool)) or v is None:
            items.append((k, type(v), v))
        else:
            return None
    return (metric, tuple(items))


def variant_column(metric: str, params: Mapping[str, Any] | None) -> str:
    """Column name of ``metric`` under ``params``: the plain key when nothing differs."""
    diff = changed(metric, params)
    if not diff:
        return metric
    return metric + "@" + ",".join(f"{k}={_fmt(v)}" for k, v in diff.items())


def add_variants(
    log: Any,
    table: pd.DataFrame,
    variants: Mapping[str, Variant] | None,
    *,
    by: Sequence[str] = ("agent_id",),
    period: str = "month",
) -> pd.DataFrame:
    """``table`` with one more column per variant, computed from ``log`` with the same ``by``
    and ``period`` (only the variant's metric is recomputed).

    Args:
        log: the event log ``table`` was computed from.
        table: KPI table from ``kpis(log, by=by, period=period)``.
        variants: column name -> (metric, parameters); columns already present are kept.

    Raises:
        SpecError: a bad definition. DataError: the variant rows do not match the table's.
    """
    from kpisim.kpi.compute import RUN_KEYS, kpis

    todo = {c: v for c, v in (variants or {}).items() if c not in table.columns}
    if not todo:
        return table
    keys = [c for c in (*RUN_KEYS, *by, "period") if c in table.columns]
    out = table
    for col, (metric, params) in todo.items():
        v = kpis(log, by=tuple(by), period=period, definitions={metric: dict(params)}, metrics=[metric])
        v = v[[*keys, metric]].rename(columns={metric: col})
        merged = out.merge(v, on=keys, how="left", validate="one_to_one")
        if len(merged) != len(out):  # pragma: no cover - same log, same keys
            raise DataError(f"variant column {col!r}: rows do not match the KPI table's")
        out = merged
    out.attrs = dict(table.attrs)
    meta = dict(out.attrs.get("kpisim", {}))
    meta["variants"] = {c: {"metric": m, "definition": _plain(p)} for c, (m, p) in todo.items()} | dict(
        meta.get("variants", {})
    )
    out.attrs["kpisim"] = meta
    return out


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
