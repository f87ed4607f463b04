"""Agent-side tables drawn or derived after the run: attendance, conduct, QA reviews, silent orders.

- attendance: one row per scheduled agent-day; logged-in and break (hang-up) time come from the
  recorded agent states, lateness / early leave / absence / leave from the calendar draws.
- conduct: Poisson counts per agent-day of each event kind at ``rate x true_conduct`` for
  breaches (``after_hours_help`` and ``adopted_idea`` at their plain rate), ``conduct`` stream.
- QA: per agent and calendar month of the contact's arrival, ``qa_samples_per_month`` answered contacts sampled without
  replacement (all if fewer), score = clip(round(true_qa + N(0, qa_sd)), 0, 100), ``qa`` stream.
- silent orders: Poisson(per_day) orders per day, uniform time of day, lognormal value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.scenario.models import Conduct, Scenario
from kpisim.sim.agents import BREAK, OFFLINE

POSITIVE_CONDUCT = ("after_hours_help", "adopted_idea")


def attendance_table(
    calendar_att: pd.DataFrame, states: pd.DataFrame, roster: pd.DataFrame, start: pd.Timestamp
) -> pd.DataFrame:
    """Attendance rows (schema table ``attendance`` without run keys).

    Args:
        calendar_att: per agent-day draws from ``population.build_calendar``.
        states: state intervals with ``agent`` (index), ``state`` (code of ``kpisim.sim.agents``),
            ``start_s``, ``end_s``.
        roster: agents (row order = agent index).
        start: horizon start (midnight).
    """
    att = calendar_att.copy()
    code = states["state"].to_numpy()
    on = code != OFFLINE  # column by column: no copy of the whole states table
    begin = states["start_s"].to_numpy()[on]
    dur = states["end_s"].to_numpy()[on] - begin
    brk = np.where(code[on] == BREAK, dur, 0.0)
    day = (begin // 86400).astype(np.int64)
    del begin
    days = int(day.max()) + 1 if day.size else 1
    key = states["agent"].to_numpy()[on] * days + day  # one key sorts as (agent, day)
    del day, on
    sums = pd.DataFrame({"logged_in_s": dur, "hangup_s": brk}, copy=False).groupby(key, sort=True).sum()
    k = sums.index.to_numpy()
    agg = pd.DataFrame(
        {
            "agent": k // days,
            "day": k % days,
            "logged_in_s": sums["logged_in_s"],
            "hangup_s": sums["hangup_s"],
        }
    ).reset_index(drop=True)
    att = att.merge(agg, on=["agent", "day"], how="left")
    att[["logged_in_s", "hangup_s"]] = att[["logged_in_s", "hangup_s"]].fillna(0.0)
    return pd.DataFrame(
        {
            "agent_id": roster["agent_id"].to_numpy()[att["agent"].to_numpy()],
            "date": start + pd.to_timedelta(att["day"].to_numpy(), unit="D"),
            "scheduled_s": att["scheduled_s"].to_numpy(float),
            "logged_in_s": att["logged_in_s"].to_numpy(float),
            "hangup_s": att["hangup_s"].to_numpy(float),
            "late_min": att["late_min"].to_numpy(float),
            "early_leave_min": att["early_leave_min"].to_numpy(float),
            "absent": att["absent"].to_numpy(bool),
            "leave": att["leave"].to_numpy(bool),
        }
    )


def conduct_table(
    scenario: Scenario,
    calendar_att: pd.DataFrame,
    roster: pd.DataFrame,
    start: pd.Timestamp,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Conduct events (one row each) on the days each agent worked."""
    groups = {g.name: g for g in scenario.agents}
    worked = calendar_att[~(calendar_att["absent"] | calendar_att["leave"])]
    a = worked["agent"].to_numpy()
    d = worked["day"].to_numpy()
    kinds = list(Conduct.model_fields)
    rates = np.array([[getattr(groups[g].conduct, k) for k in kinds] for g in roster["group"]]).reshape(
        len(roster), len(kinds)
    )
    mult = np.where(
        np.isin(kinds, POSITIVE_CONDUCT)[None, :], 1.0, roster["true_conduct"].to_numpy()[:, None]
    )
    lam = (rates * mult)[a] if len(a) else np.zeros((0, len(kinds)))
    counts = rng.poisson(lam)
    rows, cols = np.nonzero(counts)
    reps = counts[rows, cols]
    return pd.DataFrame(
        {
            "agent_id": np.repeat(roster["agent_id"].to_numpy()[a[rows]], reps),
            "date": np.repeat(start + pd.to_timedelta(d[rows], unit="D"), reps),
            "event": np.repeat(np.array(kinds, dtype=object)[cols], reps),
        }
    )


def qa_table(
    scenario: Scenario, contacts: pd.DataFrame, roster: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """QA reviews: a sample of each agent's answered contacts per calendar month.

    ``contacts`` is the run's contacts frame with its helper columns ``answered`` and
    ``agent_idx`` (roster row), in contact order. Agents are visited in the order of their ids,
    then month by month; each review picks without replacement among the group's contacts.
    """
    k = scenario.qa_samples_per_month
    empty = pd.DataFrame({"agent_id": [], "contact_id": [], "reviewed_at": [], "qa_score": []})
    if k == 0 or contacts.empty:
        return empty
    rows = np.flatnonzero(contacts["answered"].to_numpy(bool))  # column by column: no table copy
    if rows.size == 0:
        return empty
    ids = roster["agent_id"].to_numpy(object)
    rank = np.empty(ids.size, dtype=np.int64)
    rank[np.argsort(ids, kind="stable")] = np.arange(ids.size)  # agents in the order of their ids
    agent = rank[contacts["agent_idx"].to_numpy()[rows]]
    arrival = contacts["arrival_at"].to_numpy()
    month = arrival[rows].astype("datetime64[M]").astype(np.int64)
    order = np.lexsort((month, agent))  # stable: contact order within an agent's month
    rows, agent, month = rows[order], agent[order], month[order]
    cut = np.flatnonzero((agent[1:] != agent[:-1]) | (month[1:] != month[:-1])) + 1
    sd_of = np.array([s.outcomes.qa_sd for s in scenario.queues.values()], dtype=float)
    queue = contacts["queue_idx"].to_numpy()
    true_qa = roster["true_qa"].to_numpy(float)
    by_rank = np.argsort(ids, kind="stable")  # rank -> roster row
    picks, scores, who = [], [], []
    for lo, hi in zip(np.r_[0, cut], np.r_[cut, rows.size], strict=True):
        idx = rows[lo:hi]
        pick = np.sort(rng.choice(idx, size=min(k, idx.size), replace=False))
        a = by_rank[agent[lo]]
        sd = sd_of[queue[pick]]
        scores.append(np.clip(np.rint(true_qa[a] + sd * rng.standard_normal(pick.size)), 0, 100))
        picks.append(pick)
        who.append(np.full(pick.size, a))
    pick_all, who_all = np.concatenate(picks), np.concatenate(who)
    return pd.DataFrame(
        {
            "agent_id": ids[who_all],
            "contact_id": contacts["contact_id"].to_numpy()[pick_all],
            "reviewed_at": arrival[pick_all],
            "qa_score": np.concatenate(scores),
        }
    )


def silent_orders_table(scenario: Scenario, start: pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    """Orders placed without any contact (S3's pool base)."""
    so = scenario.silent_orders
    days = scenario.horizon.days
    counts = rng.poisson(so.per_day, days) if so.per_day > 0 else np.zeros(days, dtype=np.int64)
    n = int(counts.sum())
    t = np.repeat(np.arange(days) * 86400.0, counts) + rng.random(n) * 86400.0
    s2 = np.log1p(so.value_cv**2)
    value = np.rint(so.value_cents * np.exp(np.sqrt(s2) * rng.standard_normal(n) - s2 / 2)).astype(np.int64)
    return pd.DataFrame(
        {
            "order_id": np.arange(n, dtype=np.int64),
            "ordered_at": start + pd.to_timedelta(t, unit="s"),
            "value_cents": value,
        }
    )
