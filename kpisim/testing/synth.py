"""Hand-made and synthetic event logs for tests, benchmarks and the sample export.

``log_from_rows`` builds a tiny log from a few dicts (every column you leave out gets a neutral
default, and wait / handle / wrap-up seconds are derived from the timestamps), so a test can
state its inputs and hand-computed expectations side by side. ``synthetic_log`` draws a large
random log with numpy only (no simulation: outcomes are independent draws with plausible
rates); it is for speed and plumbing, not for studying behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from kpisim.io import schema
from kpisim.io.eventlog import EventLog, conform, derive_customer_wrote, empty_table

_FALSE = (
    "abandoned",
    "blocked",
    "queued",
    "transferred",
    "resolved",
    "converted",
    "refunded",
    "rescue_opportunity",
    "rescued",
    "survey_responded",
    "complaint",
    "praise",
    "replied",
    "invalid",
    "absent",
    "leave",
)


def _ints(values: np.ndarray, valid: np.ndarray) -> pd.arrays.IntegerArray:
    """Nullable Int64 array: ``values`` where ``valid``, <NA> elsewhere."""
    return pd.arrays.IntegerArray(np.asarray(values).astype(np.int64), ~np.asarray(valid, dtype=bool))


def _default(table: str, col: str, df: pd.DataFrame) -> Any:
    dtype = schema.dtypes(table)[col]
    if col in _FALSE:
        return False
    if table == "contacts":
        if col == "customer_id":
            return df["contact_id"]
        if col == "attempt":
            return 1
        if col == "direction":
            return "inbound"
        if col == "ended_at":
            return df["answered_at"] if "answered_at" in df else df["arrival_at"]
    if dtype.startswith("datetime"):
        return pd.NaT
    if dtype in ("Int64", "string"):
        return pd.NA
    if dtype == "float64":
        return np.nan
    return 0


def _fill_contacts(df: pd.DataFrame) -> pd.DataFrame:
    """Derive missing timestamps and durations per row (a value given in a row wins)."""
    df = df.copy()
    if "contact_id" not in df:
        df["contact_id"] = np.arange(1, len(df) + 1)
    for c in ("arrival_at", "answered_at", "ended_at", "wrap_up_end_at"):
        df[c] = (
            pd.to_datetime(df[c]) if c in df else pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
        )
    ans = df["answered_at"].notna()
    derived = {"ended_at": df["answered_at"].where(ans, df["arrival_at"])}
    df["ended_at"] = df["ended_at"].fillna(derived["ended_at"])
    until = df["answered_at"].where(ans, df["ended_at"])
    derived["wait_s"] = (until - df["arrival_at"]).dt.total_seconds()
    derived["handle_s"] = (df["ended_at"] - df["answered_at"]).dt.total_seconds()
    derived["wrap_up_s"] = (
        (df["wrap_up_end_at"] - df["ended_at"])
        .dt.total_seconds()
        .where(df["wrap_up_end_at"].notna(), np.where(ans, 0.0, np.nan))
    )
    derived["concurrency"] = pd.Series(_ints(np.ones(len(df)), ans.to_numpy()), index=df.index)
    derived["replied"] = ans
    derived["customer_wrote"] = derive_customer_wrote(df)
    for c, v in derived.items():
        df[c] = df[c].astype(object).where(df[c].notna(), v) if c in df else v
    return df


def table_from_rows(
    table: str,
    rows: Iterable[Mapping[str, Any]] | pd.DataFrame,
    *,
    scenario_id: str = "test",
    replication: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """A schema-conform table from a few rows; missing columns get neutral defaults.

    Run keys default to ``scenario_id``, ``replication`` and ``seed`` unless the rows set them.
    """
    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    if not len(df):
        return empty_table(table)
    for k, v in (("scenario_id", scenario_id), ("replication", replication), ("seed", seed)):
        if k not in df:
            df[k] = v
    if table == "contacts":
        df = _fill_contacts(df)
    for col in schema.dtypes(table):
        if col not in df:
            df[col] = _default(table, col, df)
        elif df[col].isna().any():  # a key some rows leave out
            df[col] = df[col].astype(object).where(df[col].notna(), _default(table, col, df))
    return conform(table, df)


def log_from_rows(
    *,
    scenario_id: str = "test",
    replication: int = 0,
    seed: int = 0,
    observed: Iterable[str] | None = None,
    **tables: Any,
) -> EventLog:
    """An ``EventLog`` from rows per table, e.g. ``log_from_rows(contacts=[{...}, ...])``.

    Args:
        observed: tables to mark as observed in the manifest (default: all tables).
        **tables: table name -> list of dicts or DataFrame; absent tables are empty.
    """
    out = {}
    for name in schema.TABLES:
        rows = tables.pop(name, None)
        out[name] = (
            table_from_rows(name, rows, scenario_id=scenario_id, replication=replication, seed=seed)
            if rows is not None
            else empty_table(name)
        )
    if tables:
        raise TypeError(f"unknown table(s) {sorted(tables)}; allowed: {sorted(schema.TABLES)}")
    manifest = {"scenario_id": scenario_id, "seed": seed, "replications": [replication]}
    if observed is not None:
        manifest["observed_tables"] = sorted(observed)
    return EventLog(out, manifest)


def synthetic_log(
    n_contacts: int,
    *,
    n_agents: int = 200,
    n_teams: int = 10,
    days: int = 30,
    start: str = "2024-03-01",
    seed: int = 0,
    states_per_contact: float = 2.0,
    scenario_id: str = "synthetic",
    replication: int = 0,
) -> EventLog:
    """A random event log with every table, drawn with numpy (fast; not a simulation).

    Args:
        n_contacts: number of contacts.
        n_agents: agents, spread over ``n_teams`` teams; half serve chat, half voice.
        days: days covered, from ``start``; contacts arrive 08:00-22:00.
        seed: numpy seed; same arguments => identical log.
        states_per_contact: about this many agent-state intervals per contact.
    """
    rng = np.random.default_rng([seed, replication])
    t0 = pd.Timestamp(start).value
    n, na = int(n_contacts), int(n_agents)
    day = rng.integers(0, days, n)
    arr = np.sort(t0 + day * 86_400_000_000_000 + ((8 + rng.random(n) * 14) * 3600e9).astype(np.int64))
    agent_ids = np.array([f"A{i:04d}" for i in range(na)], dtype=object)
    chat_agent = np.arange(na) % 2 == 0
    agent = rng.integers(0, na, n)
    chat = chat_agent[agent]
    queue = np.where(chat, np.where(rng.random(n) < 0.6, "presales", "aftersales"), "voice_support")
    r = rng.random((12, n))
    blocked = r[0] < 0.005
    abandoned = ~blocked & (r[1] < 0.05)
    answered = ~blocked & ~abandoned
    wait = np.where(blocked, 0.0, rng.exponential(30.0, n))
    handle = np.where(answered, rng.lognormal(5.5, 0.5, n), np.nan)
    wrap = np.where(answered, rng.exponential(30.0, n), np.nan)
    ans_at = np.where(answered, arr + (wait * 1e9).astype(np.int64), np.iinfo(np.int64).min)
    end_at = np.where(
        answered, ans_at + (np.nan_to_num(handle) * 1e9).astype(np.int64), arr + (wait * 1e9).astype(np.int64)
    )
    wrap_end = np.where(
        answered, end_at + (np.nan_to_num(wrap) * 1e9).astype(np.int64), np.iinfo(np.int64).min
    )
    converted = answered & (queue == "presales") & (r[2] < 0.3)
    survey = answered & (r[3] < 0.5)
    csat = np.where(survey, rng.choice([1, 2, 3, 4, 5], n, p=[0.02, 0.02, 0.06, 0.2, 0.7]), -1)
    nps = np.where(survey, rng.integers(0, 11, n), -1)
    resp_n = np.where(answered & chat, rng.integers(1, 8, n), 0)
    contacts = pd.DataFrame(
        {
            "scenario_id": scenario_id,
            "replication": replication,
            "seed": seed,
            "contact_id": np.arange(1, n + 1),
            "channel": np.where(chat, "chat", "voice"),
            "queue": queue,
            "customer_id": rng.integers(0, max(int(n * 0.8), 1), n),
            "arrival_at": arr.view("datetime64[ns]"),
            "answered_at": ans_at.view("datetime64[ns]"),
            "ended_at": end_at.view("datetime64[ns]"),
            "wrap_up_end_at": wrap_end.view("datetime64[ns]"),
            "agent_id": pd.array(np.where(answered, agent_ids[agent], None), dtype="string"),
            "abandoned": abandoned,
            "blocked": blocked,
            "queued": wait > 5,
            "wait_s": wait,
            "handle_s": handle,
            "wrap_up_s": wrap,
            "concurrency": _ints(np.where(chat, rng.integers(1, 9, n), 1), answered),
            "attempt": 1,
            "transferred": answered & (r[4] < 0.03),
            "transfer_of": _ints(np.zeros(n), np.zeros(n, dtype=bool)),
            "resolved": answered & (r[5] < 0.85),
            "converted": converted,
            "order_value_cents": np.where(
                converted, np.round(rng.lognormal(8.5, 0.6, n)).astype(np.int64), 0
            ),
            "refunded": converted & (r[6] < 0.05),
            "rescue_opportunity": answered & (queue == "aftersales") & (r[7] < 0.1),
            "rescued": r[8] < 0.5,
            "survey_responded": survey,
            "csat": _ints(csat, survey),
            "nps": _ints(nps, survey),
            "complaint": answered & (r[9] < 0.01),
            "praise": answered & (r[10] < 0.02),
            "first_response_s": np.where(answered & chat, rng.exponential(20.0, n), np.nan),
            "response_time_sum_s": resp_n * rng.exponential(25.0, n),
            "response_count": resp_n,
            "customer_msgs": resp_n + 1,
            "agent_msgs": resp_n,
            "system_msgs": np.where(chat, 2, 0),
            "replied": answered & (~chat | (r[11] < 0.98)),
            "invalid": answered & chat & (r[11] > 0.99),
        }
    )
    contacts["rescued"] &= contacts["rescue_opportunity"]
    agents = _agents(agent_ids, chat_agent, n_teams, rng, scenario_id, replication, seed)
    states = _states(agent_ids, chat_agent, days, t0, max(int(n * states_per_contact), na * days), rng)
    tables = {
        "contacts": contacts,
        "agents": agents,
        "agent_states": states,
        "attendance": _attendance(agent_ids, days, t0, rng),
        "conduct": _conduct(agent_ids, days, t0, rng),
        "qa": _qa(contacts, rng),
        "silent_orders": _silent(n, days, t0, rng),
    }
    out = {}
    for name, df in tables.items():
        for k, v in (("scenario_id", scenario_id), ("replication", replication), ("seed", seed)):
            df[k] = v
        out[name] = conform(name, df)
    return EventLog(
        out,
        {
            "scenario_id": scenario_id,
            "seed": seed,
            "replications": [replication],
            "source": "kpisim.testing.synth.synthetic_log",
        },
    )


def _agents(ids, chat_agent, n_teams, rng, *_) -> pd.DataFrame:
    na = len(ids)
    df = pd.DataFrame(
        {
            "agent_id": ids,
            "team": [f"T{i % n_teams + 1:02d}" for i in range(na)],
            "shift": np.where(np.arange(na) % 3 == 0, "late", "day"),
            "tenure_group": np.where(rng.random(na) < 0.3, "new", "experienced"),
            "queues": np.where(chat_agent, "presales:1;aftersales:2", "voice_support:1"),
            "max_concurrency": np.where(chat_agent, 8, 1),
        }
    )
    if "group" in schema.dtypes("agents"):
        df["group"] = np.where(chat_agent, "chat", "voice")
    for c in ("true_speed", "true_resolution", "true_sales", "true_order_value", "true_reliability"):
        df[c] = rng.lognormal(0.0, 0.2, na)
    df["true_courtesy"] = rng.normal(0.0, 1.0, na)
    df["true_qa"] = rng.uniform(85, 100, na)
    df["true_conduct"] = rng.lognormal(0.0, 0.3, na)
    return df


def _states(ids, chat_agent, days, t0, n_rows, rng) -> pd.DataFrame:
    na = len(ids)
    k = max(n_rows // (na * days), 1)  # intervals per agent-day
    ad = np.arange(na * days)
    a, d = ad % na, ad // na
    shift0 = t0 + d * 86_400_000_000_000 + np.where(a % 3 == 0, 14, 8) * 3_600_000_000_000
    cuts = np.sort(rng.random((ad.size, k - 1)), axis=1) if k > 1 else np.zeros((ad.size, 0))
    edges = np.concatenate([np.zeros((ad.size, 1)), cuts, np.ones((ad.size, 1))], axis=1)
    edges = shift0[:, None] + (edges * 8 * 3_600_000_000_000).astype(np.int64)
    state = rng.choice(
        np.array(["available", "busy", "wrap_up", "break"]), size=(ad.size, k), p=[0.3, 0.5, 0.12, 0.08]
    )
    maxc = np.where(chat_agent[a], 8, 1)
    sessions = np.where(state == "busy", rng.integers(1, 9, (ad.size, k)) % (maxc[:, None]) + 1, 0)
    return pd.DataFrame(
        {
            "agent_id": np.repeat(ids[a], k),
            "state": state.ravel(),
            "start_at": edges[:, :-1].ravel().view("datetime64[ns]"),
            "end_at": edges[:, 1:].ravel().view("datetime64[ns]"),
            "sessions": sessions.ravel(),
        }
    )


def _attendance(ids, days, t0, rng) -> pd.DataFrame:
    na = len(ids)
    ad = np.arange(na * days)
    a, d = ad % na, ad // na
    m = ad.size
    absent = rng.random(m) < 0.02
    leave = ~absent & (rng.random(m) < 0.02)
    on = ~absent & ~leave
    return pd.DataFrame(
        {
            "agent_id": ids[a],
            "date": (t0 + d * 86_400_000_000_000).view("datetime64[ns]"),
            "scheduled_s": 8 * 3600.0,
            "logged_in_s": np.where(on, rng.uniform(7.0, 8.2, m) * 3600, 0.0),
            "hangup_s": np.where(on, rng.uniform(0.2, 1.8, m) * 3600, 0.0),
            "late_min": np.where(on & (rng.random(m) < 0.1), np.round(rng.exponential(8.0, m), 1), 0.0),
            "early_leave_min": np.where(
                on & (rng.random(m) < 0.05), np.round(rng.exponential(10.0, m), 1), 0.0
            ),
            "absent": absent,
            "leave": leave,
        }
    )


def _conduct(ids, days, t0, rng) -> pd.DataFrame:
    from kpisim.vocab import CONDUCT_EVENTS

    m = int(len(ids) * days * 0.05)
    return pd.DataFrame(
        {
            "agent_id": ids[rng.integers(0, len(ids), m)],
            "date": (t0 + rng.integers(0, days, m) * 86_400_000_000_000).view("datetime64[ns]"),
            "event": np.array(CONDUCT_EVENTS, dtype=object)[rng.integers(0, len(CONDUCT_EVENTS), m)],
        }
    )


def _qa(contacts: pd.DataFrame, rng) -> pd.DataFrame:
    handled = contacts[contacts["agent_id"].notna()]
    take = rng.random(len(handled)) < min(1.0, 12 * 200 / max(len(handled), 1))
    h = handled[take]
    return pd.DataFrame(
        {
            "agent_id": h["agent_id"].to_numpy(),
            "contact_id": h["contact_id"].to_numpy(),
            "reviewed_at": h["ended_at"].to_numpy(),
            "qa_score": np.round(rng.uniform(80, 100, len(h)), 1),
        }
    )


def _silent(n, days, t0, rng) -> pd.DataFrame:
    m = max(n // 20, 1)
    return pd.DataFrame(
        {
            "order_id": np.arange(1, m + 1),
            "ordered_at": np.sort(t0 + rng.integers(0, days * 86_400_000_000_000, m)).view("datetime64[ns]"),
            "value_cents": np.round(rng.lognormal(8.5, 0.6, m)).astype(np.int64),
        }
    )
