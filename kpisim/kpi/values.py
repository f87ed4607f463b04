"""From summed columns to metric values: ratios, scaled counts and relative metrics, one array per
metric, and the finished KPI table (integer counts as nullable integers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kpisim.io import schema
from kpisim.kpi.registry import (
    COLUMNS,
    DIMENSIONS,
    METRICS,
    Metric,
    applies,
)

RUN_KEYS: tuple[str, ...] = ("scenario_id", "replication", "seed")
#: agent attributes joined from the agents table (those the schema has)
AGENT_ATTRS: tuple[str, ...] = tuple(
    a for a in ("group", "team", "shift", "tenure_group") if a in schema.dtypes("agents")
)


def _columns_for(keys: Sequence[str]) -> list[str]:
    want: set[str] = set()
    for k in keys:
        want.update(METRICS[k].columns)
    return [c for c in COLUMNS if c in want]


def _extras(by: tuple[str, ...], columns) -> list[str]:
    """Columns carried along with ``by`` because ``by`` determines them."""
    extra = []
    if "agent_id" in by:
        extra += [a for a in (*AGENT_ATTRS, "skill") if a not in by and a in columns]
    if "queue" in by and "channel" not in by and "channel" in columns:
        extra.append("channel")
    return extra


class _Arrays(dict):
    """Additive columns of a frame as float64 arrays (NaN for missing), converted once."""

    def __init__(self, frame: pd.DataFrame):
        super().__init__()
        self.frame = frame

    def __missing__(self, col: str | None) -> np.ndarray:
        if col is None or col not in self.frame:
            return np.full(len(self.frame), np.nan)
        x = self.frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
        self[col] = x
        return x


def _scale(m: Metric, defs: dict) -> float:
    return float(defs[m.key][m.scale]) if isinstance(m.scale, str) else float(m.scale)


def _value(arrays: _Arrays, m: Metric, defs: dict) -> np.ndarray:
    num = arrays[m.numerator] * _scale(m, defs)
    if m.kind in ("count", "broadcast"):
        return num
    den = arrays[m.denominator]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _relative(arrays: _Arrays, m: Metric, defs: dict) -> np.ndarray:
    frame = arrays.frame
    assert m.base is not None, f"relative metric {m.key!r} names no base metric"
    base = _value(arrays, METRICS[m.base], defs)
    group = defs[m.key]["group"]
    cols = list(RUN_KEYS) + ["period"] + ([] if group == "centre" else [group])
    if any(c not in frame for c in cols) or not len(frame):
        return np.full(len(frame), np.nan)
    tmp = frame[cols].copy()
    tmp["__v"] = base
    mean = tmp.groupby(cols, dropna=False, sort=False)["__v"].transform("mean").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean > 0, base / mean, np.nan)


def _int(x: np.ndarray) -> pd.arrays.IntegerArray:
    mask = np.isnan(x)
    return pd.arrays.IntegerArray(np.where(mask, 0, np.rint(x)).astype(np.int64), mask)


def finish(
    frame: pd.DataFrame,
    keys: Sequence[str],
    levels: frozenset[str],
    period: str | None,
    defs: dict,
    by: tuple[str, ...],
) -> pd.DataFrame:
    """The KPI table: key columns, one column per metric (NaN where it does not apply), then
    the additive columns; rows sorted by the keys."""
    keycols = [
        c for c in list(RUN_KEYS) + list(by) + _extras(by, frame.columns) + ["period"] if c in frame.columns
    ]
    frame = frame.reset_index(drop=True)
    head = frame[keycols].copy()
    for c in keycols:
        if c in DIMENSIONS:
            head[c] = head[c].astype("string")
    order = head.sort_values(keycols, kind="stable", na_position="last").index.to_numpy()
    values: dict[str, Any] = {c: head[c].take(order).reset_index(drop=True) for c in keycols}
    arrays = _Arrays(frame)
    for k in keys:
        m = METRICS[k]
        if not applies(m, levels, period):
            v = np.full(len(frame), np.nan)
        elif m.kind == "relative":
            v = _relative(arrays, m, defs)
        else:
            v = _value(arrays, m, defs)
        values[k] = _int(v[order]) if m.integer else v[order]
    live = set(_columns_for([k for k in keys if applies(METRICS[k], levels, period)]))
    for c in _columns_for(keys):
        x = arrays[c][order] if c in live else np.full(len(frame), np.nan)
        values[c] = _int(x) if COLUMNS[c].integer else x
    return pd.DataFrame(values)
