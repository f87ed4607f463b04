"""Column access, key columns and group ids over a KPI table, cached for one scoring call.

Groups are always (scenario_id, replication, period), whichever of those the table has, plus a
rule's extra ``group_by`` columns (e.g. ``team``). A table without any of them is one group.
"""

from __future__ import annotations

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
        self._agent: np.ndarray | None = None

    def require(self, name: str, needed_by: str) -> None:
        """Raise ``DataError`` naming the column and its user if ``name`` is absent."""
        if name not in self.df.columns:
            raise DataError(f"{self.what}: missing column {name!r}, needed by {needed_by}; "
                            f"columns present: {', '.join(map(str, self.df.columns[:30]))}")

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
            raise DataError(f"{self.what}: column {name!r} (needed by {needed_by}) must be numeric; "
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
            raise DataError(f"{self.what}: column {name!r} (needed by {needed_by}) is a count; "
                            f"row {i + 1} has {x[i]:g} < 0")
        return x

    def groups(self, extra: tuple[str, ...] = (), needed_by: str = "") -> tuple[np.ndarray, int]:
        """Group id (0..G-1) of every row for BASE_GROUP + ``extra``, and G.

        Ids follow the sorted order of the key values, so they do not depend on row order.
        """
        key = tuple(extra)
        got = self._groups.get(key)
        if got is not None:
            return got
        for c in extra:
            self.require(c, needed_by or f"group_by {list(extra)}")
        cols = [c for c in BASE_GROUP if c in self.df.columns] + [c for c in extra if c not in BASE_GROUP]
        if not cols:
            ids, g = np.zeros(self.n, dtype=np.int64), (1 if self.n else 0)
        elif len(cols) == 1:
            codes, uniq = pd.factorize(self.df[cols[0]], sort=True, use_na_sentinel=False)
            ids, g = codes.astype(np.int64), len(uniq)
        else:
            ids = self.df.groupby(cols, sort=True, dropna=False, observed=True).ngroup().to_numpy(np.int64)
            g = int(ids.max()) + 1 if self.n else 0
        self._groups[key] = (ids, g)
        return ids, g

    def agent_order(self) -> np.ndarray:
        """Rank of each row's agent_id in ascending order (numbers numerically, else as text)."""
        if self._agent is None:
            s = self.df["agent_id"]
            try:
                codes, _ = pd.factorize(s, sort=True)
            except TypeError:
                codes, _ = pd.factorize(s.astype(str), sort=True)
            self._agent = codes.astype(np.int64)
        return self._agent

    def keys(self, extra: tuple[str, ...] = ()) -> dict[str, np.ndarray | pd.Series]:
        """Key columns present (KEY_COLUMNS, then ``extra``) as column -> values."""
        cols = [c for c in KEY_COLUMNS if c in self.df.columns]
        cols += [c for c in extra if c in self.df.columns and c not in cols]
        return {c: self.df[c].to_numpy() for c in cols}


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
