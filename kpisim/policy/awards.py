"""Team bonuses and first-place prizes (S1), split exactly by largest remainder.

Team bonus: in each team group (scenario_id, replication, period + ``group_by``, default
``team``) every target's aggregate over the members' rows must satisfy its condition (a missing
aggregate fails). The fund then goes to the eligible members (a score and no triggered gate):
``equal`` shares, or ``by_score`` in proportion to the total (all-zero totals: equal).
Leftover cents go to the better total first, then agent_id. If nobody is eligible the fund is
not paid.

Prize: in each group the agent(s) with the best value of the metric (along its direction;
missing values and gated agents are not considered) win; tied winners split the prize
evenly, the leftover cents going to the lower agent_id first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from kpisim.policy.frame import Table, group_mean, snap
from kpisim.policy.money import apportion
from kpisim.policy.ranking import better_first, group_count, rank_within
from kpisim.policy.scoring import in_interval

if TYPE_CHECKING:
    from kpisim.policy.pay_models import Prize, TeamBonus, TeamTarget


def _aggregate(target: TeamTarget, table: Table, gid: np.ndarray, g: int, where: str) -> np.ndarray:
    x = table.col(target.metric, where)
    ok = ~np.isnan(x)
    if target.agg == "mean":
        if target.weighted_by is None:
            return group_mean(x, gid, g)
        w = table.col(target.weighted_by, where)
        ok &= ~np.isnan(w)
        s = np.bincount(gid[ok], weights=x[ok] * w[ok], minlength=g)
        ws = np.bincount(gid[ok], weights=w[ok], minlength=g)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(ws > 0, s / ws, np.nan)
    count = np.bincount(gid[ok], minlength=g)
    if target.agg == "sum":
        s = np.bincount(gid[ok], weights=x[ok], minlength=g)
        return np.where(count > 0, s, np.nan)
    init = np.inf if target.agg == "min" else -np.inf
    acc = np.full(g, init)
    (np.minimum if target.agg == "min" else np.maximum).at(acc, gid[ok], x[ok])
    return np.where(count > 0, acc, np.nan)


def team_bonus(
    tb: TeamBonus, table: Table, total: np.ndarray, units: np.ndarray, gated: np.ndarray
) -> np.ndarray:
    """Cents per row from one team bonus.

    Args:
        tb: the team bonus spec.
        table: the KPI table.
        total: score totals (NaN = no score).
        units: totals as whole score steps (for ``by_score``); ignored where NaN.
        gated: rows excluded by the bonus's gates.
    """
    where = f"pay.team_bonuses[{tb.id}]"
    gid, g = table.groups(tb.group_by, f"{where}.group_by")
    met = np.ones(g, dtype=bool)
    for i, target in enumerate(tb.targets):
        agg = _aggregate(target, table, gid, g, f"{where}.targets[{i + 1}]")
        met &= in_interval(snap(agg), target.when)
    eligible = ~np.isnan(total) & ~gated
    n_elig = group_count(gid, eligible, g)
    amounts = np.where(met & (n_elig > 0), tb.fund_cents, 0).astype(np.int64)
    idx = np.flatnonzero(eligible)
    if tb.split == "by_score":
        w = np.maximum(np.nan_to_num(units[idx]), 0).astype(np.int64)
        wsum = np.bincount(gid[idx], weights=w, minlength=g)
        w = np.where(wsum[gid[idx]] > 0, w, 1)
    else:
        w = np.ones(len(idx), dtype=np.int64)
    rank = rank_within(gid, [better_first(total, "higher")], table.agent_order(), eligible)
    cents = np.zeros(table.n, dtype=np.int64)
    cents[idx] = apportion(gid[idx], w, amounts, rank[idx])
    return cents


def prize(pr: Prize, table: Table, gated: np.ndarray, directions: dict[str, str]) -> np.ndarray:
    """Cents per row from one first-place prize."""
    where = f"pay.prizes[{pr.id}]"
    gid, g = table.groups(pr.group_by, f"{where}.group_by")
    x = table.col(pr.metric, where)
    key = better_first(x, pr.direction or directions.get(pr.metric, "higher"))
    eligible = ~np.isnan(x) & ~gated
    best = np.full(g, np.inf)
    np.minimum.at(best, gid[eligible], key[eligible])
    win = eligible & (key == best[gid])
    idx = np.flatnonzero(win)
    amounts = np.where(group_count(gid, win, g) > 0, pr.cents, 0).astype(np.int64)
    cents = np.zeros(table.n, dtype=np.int64)
    cents[idx] = apportion(gid[idx], np.ones(len(idx), dtype=np.int64), amounts, table.agent_order()[idx])
    return cents
