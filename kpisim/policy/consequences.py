"""Multi-period consequences (S3): flags raised after a condition holds N periods running.

For each agent (within scenario_id and replication) the rows are taken in period order.
"Consecutive" means adjacent in the sorted list of distinct periods present in the table: an
agent missing from a period breaks the run, and so does a period where the agent has no score.
A flag is raised on every row where the run has reached ``periods`` (so with 3 periods it shows in
the 3rd, 4th, ... bad month).

Level conditions use the staff level column declared in ``scorecard.levels``:
``below_level`` holds when the total is below the own level's ``min_total``;
``reaches_next_level`` when it is at or above the next level's ``min_total`` (never at the top).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from kpisim.errors import DataError
from kpisim.policy.frame import Table
from kpisim.policy.money import group_starts
from kpisim.policy.rule_models import parse_interval

if TYPE_CHECKING:
    from kpisim.policy.models import Consequence, Levels


def condition(cons: Consequence, total: np.ndarray, table: Table, levels: Levels | None) -> np.ndarray:
    """Boolean per row: does the consequence's condition hold this period?"""
    scored = ~np.isnan(total)
    if cons.when in ("below_level", "reaches_next_level"):
        assert levels is not None, "level consequences are checked to need scorecard.levels"
        lvl = level_index(table, levels)
        mins = np.array([float(b.min_total) for b in levels.bands], dtype=float)
        if cons.when == "below_level":
            return scored & (total < mins[lvl])
        top = len(mins) - 1
        nxt = mins[np.minimum(lvl + 1, top)]
        return scored & (lvl < top) & (total >= nxt)
    iv = parse_interval(cons.when)
    lo_ok = (total >= iv.lo) if iv.lo_closed else (total > iv.lo)
    hi_ok = (total <= iv.hi) if iv.hi_closed else (total < iv.hi)
    return scored & lo_ok & hi_ok


def level_index(table: Table, levels: Levels) -> np.ndarray:
    """Index (0 = lowest) of each row's staff level; unknown labels are an error."""
    table.require(levels.column, "scorecard.levels.column")
    return table.cached(f"level:{levels.column}", lambda: _level_index(table, levels))


def _level_index(table: Table, levels: Levels) -> np.ndarray:
    names = [b.name for b in levels.bands]
    codes, _ = table.codes(levels.column)
    s = table.df[levels.column]
    first = np.full(codes.max(initial=-1) + 1, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # a row holding each label
    labels = [str(s.iloc[i]) for i in first]
    lookup = np.array([names.index(lab) if lab in names else -1 for lab in labels], dtype=np.int64)
    out = lookup[codes] if len(codes) else codes
    if (out < 0).any():
        i = int(np.flatnonzero(out < 0)[0])
        raise DataError(
            f"{table.what}: column {levels.column!r} row {i + 1} has level {s.iloc[i]!r}; "
            f"allowed: {', '.join(names)}"
        )
    return out


def streak(cond: np.ndarray, table: Table) -> np.ndarray:
    """Length of the run of consecutive periods (ending at each row) where ``cond`` holds."""
    n = table.n
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order, _same, adjacent = table.cached("streak_order", lambda: _agent_months(table))
    c = cond[order]
    cont = np.zeros(n, dtype=bool)
    cont[1:] = adjacent & c[:-1]
    run_start = c & ~cont
    run_id = np.cumsum(run_start)
    pos = group_starts(run_id)
    out = np.zeros(n, dtype=np.int64)
    out[order] = np.where(c, pos + 1, 0)
    return out


def _agent_months(table: Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows sorted by agent then period; whether each row continues the previous row's agent;
    whether it is the next period of the same agent."""
    df, n = table.df, table.n
    ent, _ = table.ids(tuple(c for c in ("scenario_id", "replication", "agent_id") if c in df.columns))
    per = table.codes("period")[0] if "period" in df.columns else np.zeros(n, dtype=np.int64)
    order = np.lexsort((per, ent))
    e, p = ent[order], per[order]
    same = e[1:] == e[:-1]
    dup = same & (p[1:] == p[:-1])
    if dup.any():
        i = int(order[1:][dup][0])
        raise DataError(
            f"{table.what}: agent {df['agent_id'].iloc[i]!r} has two rows for period "
            f"{df['period'].iloc[i] if 'period' in df.columns else '(none)'}; one row per "
            "agent and period is needed for multi-period consequences"
        )
    return order, same, same & (p[1:] - p[:-1] == 1)
