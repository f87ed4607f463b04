"""Assemble the roles' score or pay tables into one, in the KPI table's row order.

Each role's result is a DataFrame or its columns as name -> array, for all rows of the table
(ranked across roles: only the role's rows are taken) or for the role's rows only. The result
equals ``pd.concat`` of the roles' rows put back in table order, built column by column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from kpisim.policy.frame import KEY_COLUMNS, Table

Frame: TypeAlias = pd.DataFrame | dict
"""A role's result: a DataFrame, or its columns as name -> array (``scoring.score_columns``)."""


def combine(
    frames: list[tuple[np.ndarray, Frame, bool]], kt: pd.DataFrame, table: Table | None = None
) -> pd.DataFrame:
    """One table in ``kt``'s row order from each role's result (``rows``, columns, ``full``: the
    result has a row for every row of ``kt`` and only ``rows`` are taken, else only ``rows``).

    The result is what ``pd.concat`` of the roles' rows, put back in table order, gives: columns
    in order of first appearance, a column some roles lack missing (NaN) on their rows. It is
    assembled column by column by position (no copy of whole frames): key columns from ``kt``,
    numpy columns by masked copies, other arrays (text, categories) by one ``take``; only a
    column some roles lack and that is not float goes through ``pd.concat``.
    """
    return pd.DataFrame(combine_columns(frames, kt, table), copy=False)


def combine_columns(
    frames: list[tuple[np.ndarray, Frame, bool]],
    kt: pd.DataFrame,
    table: Table | None = None,
    *,
    keep: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """The columns of :func:`combine` as name -> array (as the DataFrame holds them), before
    they become a DataFrame; ``keep``: only the columns it accepts (the others are not built)."""
    n = len(kt)
    if len(frames) == 1 and len(frames[0][0]) == n:
        return _arrays(frames[0][1], keep)
    arrays = [_arrays(f, keep) for _, f, _ in frames]
    cols = list(dict.fromkeys(c for a in arrays for c in a))
    pos = np.concatenate([rows for rows, _, _ in frames])
    order = np.argsort(pos, kind="stable")  # stacked parts -> table rows
    masks = [_mask(rows, n) if full else None for rows, _, full in frames]
    out: dict[str, object] = {}
    slow = []
    for c in cols:
        got = [a.get(c) for a in arrays]
        present = [x for x in got if x is not None]
        dtype = present[0].dtype
        if any(x.dtype != dtype for x in present):
            slow.append(c)
        elif len(present) == len(got) and c in KEY_COLUMNS and c in kt.columns:
            # every role's key columns are copies of the table's
            out[c] = (table.key_array(c) if table is not None else kt[c].array).copy()
        elif isinstance(dtype, np.dtype) and (len(present) == len(got) or dtype == np.float64):
            arr = np.full(n, np.nan) if len(present) < len(got) else np.empty(n, dtype=dtype)
            for (rows, _, full), x, m in zip(frames, got, masks, strict=True):
                if x is not None:
                    if full:
                        np.copyto(arr, x, where=m)
                    else:
                        arr[rows] = x
            out[c] = arr
        elif len(present) == len(got):  # one extension dtype: stack the parts, one take
            parts = [x[rows] if full else x for (rows, _, full), x in zip(frames, present, strict=True)]
            out[c] = type(parts[0])._concat_same_type(parts).take(order)
        else:
            slow.append(c)
    if slow:
        part = pd.concat(
            [
                (_frame(f).iloc[rows] if full else _frame(f))[[c for c in slow if c in a]].reset_index(
                    drop=True
                )
                for (rows, f, full), a in zip(frames, arrays, strict=True)
            ],
            ignore_index=True,
        )
        part = part.iloc[order].reset_index(drop=True)
        for c in slow:
            col = part[c]
            if c.startswith(("gate_", "flag_")):
                col = col.fillna(False).astype(bool)
            elif c == "flags":
                col = col.fillna("")
            out[c] = column(col)
    return {c: out[c] for c in cols}


def _frame(f: Frame) -> pd.DataFrame:
    return f if isinstance(f, pd.DataFrame) else pd.DataFrame(f, copy=False)


def _arrays(f: Frame, keep: Callable[[str], bool] | None = None) -> dict:
    """Column name -> numpy array (numpy dtypes) or extension array, as the DataFrame of ``f``
    would hold it (only the columns ``keep`` accepts)."""
    if isinstance(f, pd.DataFrame):
        return {c: column(s) for c, s in f.items() if keep is None or keep(c)}
    return {c: as_column(x) for c, x in f.items() if keep is None or keep(c)}


def column(s: pd.Series) -> Any:
    """The array a DataFrame holds for the column ``s`` (numpy for numpy dtypes)."""
    return s.to_numpy() if isinstance(s.dtype, np.dtype) else s.array


def as_column(x: Any) -> Any:
    """``x`` (an array) as the array a DataFrame would hold for it (object arrays
    of text become text columns)."""
    if (isinstance(x, np.ndarray) and x.dtype != object) or (
        isinstance(x, ExtensionArray) and not isinstance(x, pd.arrays.NumpyExtensionArray)
    ):
        return x
    return column(pd.Series(x, copy=False))


def _mask(rows: np.ndarray, n: int) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    m[rows] = True
    return m
