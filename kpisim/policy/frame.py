"""Column access, key columns and group ids over a KPI table, cached for one scoring call.

Groups are always (scenario_id, replication, period), whichever of those the table has, plus a
rule's extra ``group_by`` columns (e.g. ``team``). A table without any of them is one group.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kpisim.errors import DataError

BASE_GROUP = ("scenario_id", "replication", "period")
KEY_COLUMNS = ("scenario_id", "replication", "seed", "team", "agent_id", "period")
"""Key columns copied to score and pay outputs when present (in this order)."""


class Table:
    """A KPI table with cached float columns, group ids and agent order.

    Args:
        df: the KPI table (one row per agent and period).
        what: how messages name the table.
    """

    def __init__(self, df: pd.DataFrame, *, what: str = "KPI table"):
        if not isinstance(df, pd.DataFrame):
            raise DataError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
        if "agent_id" not in df.columns:
            raise DataError(f"{what}: missing column 'agent_id' (one row per agent and period is expected)")
        self.df = df
        self.n = len(df)
        self.what = what
        self._cols: dict[str, np.ndarray] = {}
        self._groups: dict[tuple, tuple[np.ndarray, int]] = {}
        self._codes: dict[str, tuple[np.ndarray, int]] = {}
        self._misc: dict[str, object] = {}

    def require(self, name: str, needed_by: str) -> None:
        """Raise ``DataError`` naming the column and its user if ``name`` is absent."""
        if name not in self.df.columns:
            raise DataError(
                f"{self.what}: missing column {name!r}, needed by {needed_by}; "
                f"columns present: {', '.join(map(str, self.df.columns[:30]))}"
            )

    def col(self, name: str, needed_by: str) -> np.ndarray:
        """Column ``name`` as float64 (missing values NaN; read-only, cached)."""
        got = self._cols.get(name)
        if got is not None:
            return got
        self.require(name, needed_by)
        s = self.df[name]
        try:
            arr = s.to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError):
            bad = s[pd.to_numeric(s, errors="coerce").isna() & s.notna()]
            raise DataError(
                f"{self.what}: column {name!r} (needed by {needed_by}) must be numeric; "
                f"found {bad.iloc[0]!r} in row {int(np.flatnonzero(s.index == bad.index[0])[0]) + 1}"
            ) from None
        arr.flags.writeable = False
        self._cols[name] = arr
        return arr

    def counts(self, name: str, needed_by: str) -> np.ndarray:
        """A count column: missing -> 0; negative values are an error."""
        x = self.col(name, needed_by)
        x = np.where(np.isnan(x), 0.0, x)
        if (x < 0).any():
            i = int(np.flatnonzero(x < 0)[0])
            raise DataError(
                f"{self.what}: column {name!r} (needed by {needed_by}) is a count; "
                f"row {i + 1} has {x[i]:g} < 0"
            )
        return x

    def codes(self, name: str) -> tuple[np.ndarray, int]:
        """Codes of a key column in sorted order of its values (missing values last), and count.

        Numbers sort numerically and text alphabetically; mixed types sort as text.
        """
        got = self._codes.get(name)
        if got is None:
            s = self.df[name]
            try:
                codes, uniq = pd.factorize(s, sort=True, use_na_sentinel=False)
            except TypeError:
                codes, uniq = pd.factorize(s.astype(str), sort=True, use_na_sentinel=False)
            got = (codes.astype(np.int64), len(uniq))
            self._codes[name] = got
        return got

    def ids(self, cols: list[str] | tuple[str, ...]) -> tuple[np.ndarray, int]:
        """Id (0..G-1) of each row's combination of ``cols`` values, in sorted key order, and G."""
        key = ("ids", *cols)
        got = self._groups.get(key)
        if got is not None:
            return got
        if not cols:
            got = (np.zeros(self.n, dtype=np.int64), 1 if self.n else 0)
        else:
            combined = np.zeros(self.n, dtype=np.int64)
            span = 1
            for c in cols:
                codes, k = self.codes(c)
                span *= max(k, 1)
                if span >= 2**62:  # pragma: no cover - astronomically many key combinations
                    ids = self.df.groupby(list(cols), sort=True, dropna=False, observed=True).ngroup()
                    got = (ids.to_numpy(np.int64), int(ids.max()) + 1 if self.n else 0)
                    break
                combined = combined * max(k, 1) + codes
            else:
                ids, uniq = pd.factorize(combined, sort=True)
                got = (ids.astype(np.int64), len(uniq))
        self._groups[key] = got
        return got

    def groups(self, extra: tuple[str, ...] = (), needed_by: str = "") -> tuple[np.ndarray, int]:
        """Group id (0..G-1) of every row for BASE_GROUP + ``extra``, and G.

        Ids follow the sorted order of the key values, so they do not depend on row order.
        """
        for c in extra:
            self.require(c, needed_by or f"group_by {list(extra)}")
        cols = [c for c in BASE_GROUP if c in self.df.columns] + [c for c in extra if c not in BASE_GROUP]
        return self.ids(tuple(dict.fromkeys(cols)))

    def agent_order(self) -> np.ndarray:
        """Rank of each row's agent_id in ascending order (numbers numerically, else as text)."""
        return self.codes("agent_id")[0]

    def cached(self, key: str, make):
        """Memoise ``make()`` under ``key`` for the life of this table wrapper."""
        if key not in self._misc:
            self._misc[key] = make()
        return self._misc[key]

    def keys(self, extra: tuple[str, ...] = ()) -> dict[str, object]:
        """Key columns present (KEY_COLUMNS, then ``extra``) as column -> array (dtype kept)."""
        cols = [c for c in KEY_COLUMNS if c in self.df.columns]
        cols += [c for c in extra if c in self.df.columns and c not in cols]
        # copies of the arrays, dtype kept: no round trip through Python objects (fast for
        # Arrow-backed strings) and no memory shared with the caller's table
        return {c: self.key_array(c).copy() for c in cols}

    def key_array(self, name: str):
        """Column ``name``'s array as the table holds it (cached; do not modify: copy it)."""
        return self.cached(f"array:{name}", lambda: self.df[name].array)


def text_column(labels: list[str], codes: np.ndarray):
    """``labels[codes]`` as the column pandas makes of these strings (its inferred text dtype),
    built by one ``take`` from the few distinct labels: no Python string per row."""
    if not len(codes):
        return np.asarray(labels, dtype=object)[codes]
    key = tuple((type(x), x) for x in labels) if all(isinstance(x, str) for x in labels) else None
    base = _LABELS.get(key) if key is not None else None
    if base is None:  # the few label sets of a scoring run are inferred once (~0.2 ms each)
        base = pd.Series(np.asarray(labels, dtype=object)).array
        if key is not None and len(_LABELS) < 1024:
            _LABELS[key] = base
    return base.take(codes)


_LABELS: dict[tuple, Any] = {}
"""Label tuple -> its inferred text array (immutable: only ever read by ``take``)."""


SNAP_DECIMALS = 9
"""Derived ratios and aggregates are rounded to this many decimals before they are compared
with band boundaries, so binary float noise (2.1 / 3 = 0.6999999999999998) cannot move a value
across a boundary such as ``x >= 0.7``."""


def snap(x: np.ndarray) -> np.ndarray:
    """Round derived values to ``SNAP_DECIMALS`` decimals (NaN stays NaN)."""
    return np.round(x, SNAP_DECIMALS)


def group_mean(x: np.ndarray, gid: np.ndarray, g: int) -> np.ndarray:
    """Mean of non-NaN ``x`` per group (NaN for groups without values), one value per group."""
    ok = ~np.isnan(x)
    s = np.bincount(gid[ok], weights=x[ok], minlength=g)
    c = np.bincount(gid[ok], minlength=g)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.maximum(c, 1), np.nan)
