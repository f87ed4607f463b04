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

POSITIVE_CONDUCT = ("after_hours_help", "adopted_idea")


def attendance_table(
    calendar_att: pd.DataFrame, states: pd.DataFrame, roster: pd.DataFrame, start: pd.Timestamp
) -> pd.DataFrame:
    """Attendance rows (schema table ``attendance`` without run keys).

    Args:
        calendar_att: per agent-day draws from ``population.build_calendar``.
        states: agent_states with ``agent`` (index), ``state``, ``start_s``, ``end_s``.
        roster: agents (row order = agent index).
        start: horizon start (midnight).
    """
    att = calendar_att.copy()
    st = states[states["state"] != "offline"]
    dur = (st["end_s"] - st["start_s"]).to_numpy()
    day = (st["start_s"] // 86400).astype(np.int64).to_numpy()
    key = pd.DataFrame(
        {
            "agent": st["agent"].to_numpy(),
            "day": day,
            "dur": dur,
            "brk": np.where(st["state"].to_numpy() == "break", dur, 0.0),
        }
    )
    agg = key.groupby(["agent", "day"], as_index=False).agg(
        logged_in_s=("dur", "sum"), hangup_s=("brk", "sum")
    )
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
    """QA reviews: a sample of each agent's answered contacts per calendar month."""
    k = scenario.qa_samples_per_month
    cols = {"agent_id": [], "contact_id": [], "reviewed_at": [], "qa_score": []}
    if k == 0 or contacts.empty:
        return pd.DataFrame(cols)
    ans = contacts[contacts["answered"]]
    month = ans["arrival_at"].dt.to_period("M")
    qa_sd = {q: s.outcomes.qa_sd for q, s in scenario.queues.items()}
    true_qa = dict(zip(roster["agent_id"], roster["true_qa"], strict=False))
    for (agent, _m), idx in ans.groupby([ans["agent_id"], month], sort=True).groups.items():
        idx = np.asarray(idx)
        pick = np.sort(rng.choice(idx, size=min(k, idx.size), replace=False))
        sub = contacts.loc[pick]
        sd = sub["queue"].map(qa_sd).to_numpy(float)
        score = np.clip(np.rint(true_qa[agent] + sd * rng.standard_normal(len(sub))), 0, 100)
        cols["agent_id"].extend([agent] * len(sub))
        cols["contact_id"].extend(sub["contact_id"].tolist())
        cols["reviewed_at"].extend(sub["arrival_at"].tolist())
        cols["qa_score"].extend(score.tolist())
    return pd.DataFrame(cols)


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
