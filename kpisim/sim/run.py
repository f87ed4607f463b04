"""``simulate``: scenario + seed -> event log (all tables of ``kpisim.io.schema``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kpisim.errors import KpisimError
from kpisim.executors import as_executor
from kpisim.io import schema
from kpisim.io.eventlog import EventLog, concat, conform, empty_table
from kpisim.io.strings import constant_string, string_column
from kpisim.provenance import Manifest
from kpisim.rng import population_rng, streams
from kpisim.scenario.models import Scenario
from kpisim.sim.arrivals import draw_arrivals
from kpisim.sim.chat import draw_chat
from kpisim.sim.declines import draw_declines
from kpisim.sim.engine import ABANDONED, ANSWERED, BLOCKED, STATE_NAMES, Engine
from kpisim.sim.gcpause import quiet_gc
from kpisim.sim.outbound_tables import call_list_table, dials_table, outbound_contacts
from kpisim.sim.outcomes import draw_outcomes
from kpisim.sim.population import build_calendar, draw_traits, trim_calendar
from kpisim.sim.size import check_run_size
from kpisim.sim.workforce import attendance_table, conduct_table, qa_table, silent_orders_table

POPULATIONS = ("fixed", "redraw")


def simulate(
    scenario: Scenario,
    *,
    seed: int = 1,
    replications: int = 1,
    first_replication: int = 0,
    population: str = "fixed",
    allow_large: bool = False,
    executor: Any = "sequential",
) -> EventLog:
    """Simulate ``replications`` independent months of ``scenario``.

    Replication r uses the streams of ``SeedSequence([seed, r])``, so replication 3 of a 10-run
    call equals replication 3 run alone. Same scenario and seed => identical log.

    Args:
        population: ``"fixed"`` (default): the same agents (hidden traits drawn from the seed
            alone, see ``kpisim.rng.population_rng``) work every replication, as a real team works
            month after month; ``"redraw"``: every replication draws a new population.
        allow_large: run even when the estimated size is beyond the limits of
            ``kpisim.sim.size`` (otherwise ``KpisimError`` before anything is simulated).
        executor: where the replications run (see :func:`kpisim.executors.as_executor`):
            ``"sequential"`` (default, this process), ``None``/``"processes"`` (local processes),
            a ``LocalProcesses``, a ``distributed.Client``. Each task returns one replication's
            log; the stacked log is identical whichever executor runs them.

    Returns:
        One ``EventLog`` with all replications stacked (column ``replication``).
    """
    if replications < 1:
        raise KpisimError(f"replications must be >= 1, got {replications}")
    check_run_size(scenario, replications=replications, allow_large=allow_large)
    if population not in POPULATIONS:  # before any task starts
        raise KpisimError(f"population must be one of {', '.join(POPULATIONS)}; got {population!r}")
    ex = as_executor(executor)
    tasks = [
        (scenario, seed, r, population) for r in range(first_replication, first_replication + replications)
    ]
    return concat(list(ex.map(_simulate_task, tasks)))  # every executor yields in task order


def _simulate_task(task: tuple[Scenario, int, int, str]) -> EventLog:
    """One replication for an executor (a top-level function, so it pickles)."""
    scenario, seed, replication, population = task
    return simulate_one(scenario, seed=seed, replication=replication, population=population)


def simulate_one(
    scenario: Scenario,
    *,
    seed: int,
    replication: int,
    population: str = "fixed",
    tactics=None,
    roster: pd.DataFrame | None = None,
    rngs: dict[str, np.random.Generator] | None = None,
    carried_declines: np.ndarray | None = None,
) -> EventLog:
    """One replication (see ``simulate``).

    Args:
        tactics: the agents' chosen behaviour, a fresh ``kpisim.sim.tactics.TacticPlan`` (it
            keeps the run's hidden truth afterwards), or None (no tactics: today's tables).
        roster: the agents to simulate (the columns of ``draw_traits``, optionally
            ``active_from_day`` / ``active_to_day``: an agent works only on the days of that
            half-open range), instead of drawing them; a run of several months passes its
            carried roster month by month (``kpisim.analysis.year``).
        rngs: the named streams to use instead of ``streams(seed, replication)``.
        carried_declines: per roster agent, days left of a decline carried in from the month
            before (0: none, ``inf``: for good; see ``kpisim.sim.declines.draw_declines``).
    """
    if population not in POPULATIONS:
        raise KpisimError(f"population must be one of {', '.join(POPULATIONS)}; got {population!r}")
    rngs = streams(seed, replication) if rngs is None else rngs
    start = pd.Timestamp(scenario.horizon.start)
    if roster is None:
        roster = draw_traits(scenario, population_rng(seed) if population == "fixed" else rngs["traits"])
    else:
        roster = roster.reset_index(drop=True)
    calendar = trim_calendar(build_calendar(scenario, roster, rngs["attendance"]), roster)
    t, q = draw_arrivals(scenario, rngs["arrivals"])
    dec = (
        draw_declines(
            scenario.declines,
            len(roster),
            scenario.horizon.days,
            calendar.attendance,
            rngs["declines"],
            **_carry(roster, carried_declines),
        )
        if scenario.declines.active
        else None
    )
    eng = Engine(scenario, roster, calendar.blocks, rngs, tactics, dec)
    with quiet_gc():  # full GC passes over the growing heap made cost superlinear in centre size
        eng.run(t, q)

    keys = {"replication": replication, "seed": seed}
    out: dict[str, pd.DataFrame] = {}

    def keep(name: str, df: pd.DataFrame) -> None:
        out[name] = conform(name, df.assign(**keys, scenario_id=constant_string(scenario.id, len(df))))

    # each table is conformed as soon as it is complete and its working copy dropped, so the
    # run's peak memory holds one table's working columns at a time (see benchmarks/bench_scale.py)
    states = eng.states.intervals(eng.horizon_s)  # first: frees the engine's state records
    keep("attendance", attendance_table(calendar.attendance, states, roster, start))
    keep("agent_states", _agent_states(states, roster, start))
    del states
    contacts = _contacts_frame(eng, scenario, roster, start, tactics)
    qa = qa_table(scenario, contacts, roster, rngs["qa"])  # QA listens to inbound calls
    dials, calls = empty_table("dials"), empty_table("call_list")
    if eng.out is not None:  # outbound campaigns: their connected calls follow the inbound contacts
        first = len(contacts)
        dials = dials_table(eng.out, roster, start, first)
        outbound, sold = outbound_contacts(eng.out, roster, start, first, eng.n_customers)
        calls = call_list_table(eng.out, start, sold)
        contacts = pd.concat([contacts, outbound], ignore_index=True) if len(outbound) else contacts
    conduct = conduct_table(scenario, calendar.attendance, roster, start, rngs["conduct"])
    if tactics is not None:  # gaming caught by QA or complaints becomes conduct events
        caught = tactics.detected(contacts, qa, rngs["detection"])
        if len(caught):
            conduct = pd.concat([conduct, caught], ignore_index=True)
    keep("contacts", contacts)
    del contacts
    keep("agents", roster)
    keep("conduct", conduct)
    keep("qa", qa)
    keep("silent_orders", silent_orders_table(scenario, start, rngs["silent"]))
    keep("declines", dec.table(roster, start) if dec is not None else empty_table("declines"))
    keep("dials", dials)
    keep("call_list", calls)
    out = {name: out[name] for name in schema.TABLES}  # the schema's table order
    manifest = Manifest.for_scenario(
        scenario,
        command="simulate",
        seed=seed,
        replications=[replication],
        details={"population": population},
    )
    return EventLog(out, manifest.to_dict())


def _carry(roster: pd.DataFrame, carried: np.ndarray | None) -> dict[str, Any]:
    """``draw_declines`` keywords of a month of a longer run (none for a plain run)."""
    kw: dict[str, Any] = {}
    if carried is not None:
        kw["carried"] = np.asarray(carried, dtype=float)
    if "active_from_day" in roster.columns:
        kw["window"] = (
            roster["active_from_day"].to_numpy(np.int64),
            roster["active_to_day"].to_numpy(np.int64),
        )
    return kw


#: numpy dtypes of the engine's contact fields in the tables (the rest: numpy's choice)
_DTYPES = {
    "agent": np.int64,
    "queue": np.int64,
    "customer": np.int64,
    "concurrency": np.int64,
    "attempt": np.int64,
    "transfer_of": np.int64,
    "queued": bool,
    "transferred": bool,
    "resolved": bool,
    "stalled": bool,
}


def _contacts_frame(
    eng: Engine, scenario: Scenario, roster: pd.DataFrame, start: pd.Timestamp, tactics=None
) -> pd.DataFrame:
    rec = eng.contacts.pop_arrays(_DTYPES)  # the engine's record is handed over, not copied
    status = rec["status"]
    arr = rec["arrival_s"]
    ans_s = rec["answered_s"]
    end_s = rec["ended_s"]
    wend_s = rec["wrap_end_s"]
    agent_idx = rec["agent"]
    answered = status == ANSWERED
    qnames = list(scenario.queues)
    qidx = rec["queue"]
    channels = [scenario.queues[q].channel for q in qnames]
    wait = np.where(answered, ans_s - arr, np.where(status == ABANDONED, end_s - arr, 0.0))
    cols = {
        "contact_id": np.arange(arr.size, dtype=np.int64),
        "channel": string_column(qidx, channels),
        "direction": constant_string("inbound", arr.size),
        "queue": string_column(qidx, qnames),
        "customer_id": rec["customer"],
        "arrival_at": start + pd.to_timedelta(arr, unit="s"),
        "answered_at": start + pd.to_timedelta(ans_s, unit="s"),
        "ended_at": start + pd.to_timedelta(end_s, unit="s"),
        "wrap_up_end_at": start + pd.to_timedelta(wend_s, unit="s"),
        "agent_id": string_column(np.where(answered, agent_idx, -1), roster["agent_id"].tolist()),
        "abandoned": status == ABANDONED,
        "blocked": status == BLOCKED,
        "queued": rec["queued"],
        "wait_s": wait,
        "handle_s": np.where(answered, end_s - ans_s, np.nan),
        "wrap_up_s": np.where(answered, wend_s - end_s, np.nan),
        "concurrency": pd.arrays.IntegerArray(rec["concurrency"], ~answered),
        "attempt": rec["attempt"],
        "transferred": rec["transferred"],
        "transfer_of": pd.arrays.IntegerArray(np.maximum(rec["transfer_of"], 0), rec["transfer_of"] < 0),
        "resolved": rec["resolved"],
        # helpers for the outcome draws (dropped by conform)
        "queue_idx": qidx,
        "agent_idx": agent_idx,
        "answered": answered,
    }
    stalled = rec.pop("stalled")
    del rec  # the engine's record is now in ``cols`` (or no longer needed)
    # frames that take the columns over (no copies; adding columns to a frame would copy them)
    c = pd.DataFrame(cols, copy=False)
    cols |= draw_outcomes(
        scenario, c, roster, eng.rngs["outcomes"], tactics=tactics, detection_rng=eng.rngs["detection"]
    )
    cols |= draw_chat(scenario, c, roster, stalled, eng.cherry_delay, eng.rngs["chat"])
    return pd.DataFrame(cols, copy=False)


def _agent_states(states: pd.DataFrame, roster: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """The ``agent_states`` table (without run keys) from the state log's intervals (``StateLog.intervals``)."""
    return pd.DataFrame(
        {
            "agent_id": string_column(states["agent"].to_numpy(), roster["agent_id"].tolist()),
            "state": string_column(states["state"].to_numpy(), STATE_NAMES),
            "start_at": start + pd.to_timedelta(states["start_s"].to_numpy(), unit="s"),
            "end_at": start + pd.to_timedelta(states["end_s"].to_numpy(), unit="s"),
            "sessions": states["sessions"].to_numpy(np.int64),
        }
    )


def summary(log: EventLog) -> pd.DataFrame:
    """A short per-queue summary of a run (means over replications): offered, answered,
    abandoned %, ASA (s), service level (answered within 20 s / offered), AHT (s); inbound
    contacts only (outbound campaigns: ``kpis`` and the outbound metrics)."""
    c = log.contacts
    c = c[c["direction"] != "outbound"]
    g = c.groupby("queue")
    offered = g.size()
    answered = g["answered_at"].count()
    out = pd.DataFrame(
        {
            "offered": offered,
            "answered": answered,
            "abandoned_pct": 100 * g["abandoned"].sum() / offered,
            "asa_s": c[c["answered_at"].notna()].groupby("queue")["wait_s"].mean(),
            "sl_20s_pct": 100
            * c.assign(ok=c["answered_at"].notna() & (c["wait_s"] <= 20)).groupby("queue")["ok"].sum()
            / offered,
            "aht_s": (c["handle_s"] + c["wrap_up_s"]).groupby(c["queue"]).mean(),
            "agents": log.agents.groupby("replication").size().mean() if len(log.agents) else 0,
        }
    )
    n_rep = max(1, c["replication"].nunique())
    out[["offered", "answered"]] = (out[["offered", "answered"]] / n_rep).round(0).astype("int64")
    return out.round(1)
