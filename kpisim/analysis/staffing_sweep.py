"""Staffing vs response time, the sweep: headcount sweeps (simulated, with Erlang C/A beside them) and the
agents required per interval for a target, checked by simulation.

Erlang values are computed per interval and combined (SIPP, see ``kpisim.analysis.sipp``): each
interval is a stationary M/M/n(+M) queue with that interval's expected traffic and the agents the
simulation had staffed in it (mean over replications).

Chat centres use the **slot approximation**: each agent is ``c`` servers (``c`` = the agents'
mean ``max_concurrency``, weighted by headcount) and a session lasts its mean handle + wrap-up
stretched as if the agent held ``c`` sessions (``1 + concurrency_stretch x (c - 1)``). It ignores
skills-based routing, that a session waits for a free slot of *its* agent and that chat agents
may pick up late; a planning guide, checked by simulation. Centres mixing voice and chat get NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kpisim.analysis import sipp
from kpisim.analysis.policy_meta import needed_variants
from kpisim.analysis.runner import run_replications
from kpisim.analysis.stats import ci_frame
from kpisim.errors import KpisimError
from kpisim.executors import Sequential, as_executor
from kpisim.kpi.registry import METRICS
from kpisim.policy.inputs import attach_policy_inputs
from kpisim.policy.timeline import flat_policies
from kpisim.scenario.models import Scenario

#: Labour cost per logged-in hour when none is given (assumption: 30 CNY/h, in cents).
DEFAULT_HOURLY_COST_CENTS = 3000
CENTRE = ("service_level", "asa_s", "abandon_rate", "occupancy")


def with_headcount(scenario: Scenario, headcount: int) -> Scenario:
    """A copy of ``scenario`` with ``headcount`` agents split over the groups in proportion to
    their current counts (largest remainder; every group keeps at least one agent)."""
    counts = np.array([g.count for g in scenario.agents], dtype=float)
    if headcount < len(counts):
        raise KpisimError(f"headcount {headcount} is below the number of agent groups ({len(counts)})")
    raw = counts * headcount / counts.sum()
    new = np.maximum(np.floor(raw).astype(int), 1)
    order = np.argsort(-(raw - np.floor(raw)), kind="stable")
    i = 0
    while new.sum() < headcount:
        new[order[i % len(order)]] += 1
        i += 1
    while new.sum() > headcount:  # only when the minimum of 1 pushed us over
        j = int(np.argmax(new))
        new[j] -= 1
    agents = [g.model_copy(update={"count": int(n)}) for g, n in zip(scenario.agents, new, strict=False)]
    return scenario.model_copy(update={"agents": agents})


def summarise_for_staffing(
    log,
    *,
    horizon,
    queues,
    period: str = "month",
    agent_kpis: bool = False,
    threshold_s: float = 20.0,
    variants: dict | None = None,
) -> dict[str, Any]:
    """Worker reduction: centre-level totals (service level within ``threshold_s``), staffed
    agents per interval (``staffed``: all agents; ``staffed_by_group``: agent group -> its staffed
    agents per interval), offered contacts per queue and interval (and per-agent KPIs when pay is
    wanted)."""
    from kpisim.kpi.compute import kpis
    from kpisim.kpi.variants import add_variants

    # chat occupancy as the share of session slots in use (sessions / max_concurrency), the
    # quantity Erlang's slot model predicts; voice agents have one slot, so nothing changes there
    defs = {"service_level": {"threshold_s": float(threshold_s)}, "occupancy": {"partial_chat": True}}
    c = kpis(log, by=(), period=period, definitions=defs)
    s = lambda col: float(pd.to_numeric(c[col], errors="coerce").fillna(0).sum())  # noqa: E731
    row = {
        "service_level": s("n_sl_within") / s("n_sl_base") if s("n_sl_base") else math.nan,
        "asa_s": s("sum_wait_answered_s") / s("n_handled") if s("n_handled") else math.nan,
        "abandon_rate": s("n_abandoned_counted") / s("n_offered_counted")
        if s("n_offered_counted")
        else math.nan,
        "occupancy": s("sum_occ_work_s") / s("sum_occ_base_s") if s("sum_occ_base_s") else math.nan,
        "offered": s("n_offered"),
        "handled": s("n_handled"),
        "logged_in_h": s("sum_logged_in_s") / 3600,
        "staffed_s": s("sum_occ_base_s"),
    }
    states = log.tables["agent_states"]
    roster = log.tables["agents"]
    group_of = pd.Series(
        roster["group"].astype(str).to_numpy(), index=roster["agent_id"].astype(str).to_numpy()
    )
    state_group = states["agent_id"].astype(str).map(group_of)
    by_group = {
        g: sipp.staffed_profile(states[(state_group == g).to_numpy()], horizon)
        for g in pd.unique(group_of.to_numpy())
    }
    out = {
        "centre": row,
        "staffed": sum(by_group.values()),
        "staffed_by_group": by_group,
        "offered": sipp.offered_profile(log.tables["contacts"], horizon, queues),
    }
    if agent_kpis:  # with the metric variants the policies define (kpisim.kpi.variants)
        kt = kpis(log, by=("agent_id",), period=period, definitions=defs)
        out["kpis"] = add_variants(log, kt, variants, by=("agent_id",), period=period)
    return out


def _open_seconds(scenario: Scenario) -> float:
    h = scenario.horizon
    total = 0.0
    for d in range(h.days):
        hours = h.open_minutes((h.start.weekday() + d) % 7)
        if hours is not None:
            total += (hours[1] - hours[0]) * 60.0
    return total


def slots_per_agent(scenario: Scenario) -> float | None:
    """Erlang servers per agent: the headcount-weighted mean of the contacts an agent holds at
    once (``AgentGroup.sessions``: 1 on voice, ``max_concurrency`` on chat) when all queues are on
    one channel; None when voice and chat are mixed."""
    channels = {q.channel for q in scenario.queues.values()}
    if len(channels) != 1:
        return None
    (channel,) = channels
    n = sum(g.count for g in scenario.agents)
    return sum(g.count * g.sessions(channel) for g in scenario.agents) / n if n else None


def session_time(scenario: Scenario, slots: float | None) -> Callable[[str], float]:
    """Queue -> mean session time in seconds (handle + wrap-up; chat stretched at ``slots``)."""

    def session_s(q: str) -> float:
        spec = scenario.queues[q]
        stretch = 1.0 + spec.concurrency_stretch * (slots - 1) if slots and spec.channel == "chat" else 1.0
        return spec.handle.mean_s * stretch + (spec.wrap_up.mean_s if spec.wrap_up else 0.0)

    return session_s


def erlang_prediction(
    scenario: Scenario,
    staffed: np.ndarray,
    *,
    offered: dict[str, np.ndarray] | None = None,
    threshold_s: float = 20.0,
    erlangs: dict | None = None,
    kinds: str = "ac",
) -> dict[str, float]:
    """SIPP Erlang A (``erlang_a_*``, with the queues' patience) and C (``erlang_c_*``, no
    abandonment) for a profile of staffed agents per interval (days x intervals) and the offered
    contacts per queue and interval (default: the scenario's expected first contacts)."""
    slots = slots_per_agent(scenario)
    names = [f"erlang_{k}_{m}" for k in kinds for m in sipp.MEASURES]
    if not slots:
        return dict.fromkeys(names, math.nan)
    vol, hs, patience = sipp.traffic_profile(scenario, session_time(scenario, slots), offered)
    out = {}
    erlangs = {} if erlangs is None else erlangs
    for kind, pat in (("a", patience), ("c", None)):
        if kind not in kinds:
            continue
        erl = erlangs.setdefault(kind, sipp.ErlangCache(pat, threshold_s))
        res = sipp.sipp(
            vol,
            hs,
            np.asarray(staffed) * slots,
            interval_s=scenario.horizon.interval_min * 60.0,
            patience_s=pat,
            threshold_s=threshold_s,
            erlang=erl,
        )
        out.update({f"erlang_{kind}_{m}": v for m, v in res.items()})
    return out


def _erlang_task(task: tuple) -> dict[str, float]:
    """Executor task: the Erlang A and C predictions of one headcount's staffed profile."""
    variant, staffed, offered, threshold_s = task
    return erlang_prediction(variant, staffed, offered=offered, threshold_s=threshold_s)


def staffing_sweep(
    scenario: Scenario,
    *,
    headcounts: Sequence[int] | None = None,
    factors: Sequence[float] | None = None,
    replications: int = 3,
    seed: int = 1,
    jobs: int | None = None,
    executor: Any = None,
    progress: bool | str = True,
    threshold_s: float = 20.0,
    hourly_cost_cents: int = DEFAULT_HOURLY_COST_CENTS,
    policies: Mapping[str, Any] | None = None,
    inputs: pd.DataFrame | Mapping[str, float] | None = None,
    keep_staffed: bool = False,
    fill_missing: bool = False,
) -> pd.DataFrame:
    """Simulate the centre at several headcounts (same seed at every headcount).

    Args:
        scenario: the centre.
        headcounts: total agents to try; or ``factors`` (multiples of today's headcount).
        replications: runs per headcount.
        threshold_s: service-level threshold, seconds, for the simulated service level (the KPI
            ``service_level`` with this ``threshold_s``) and the Erlang columns.
        hourly_cost_cents: labour cost per logged-in hour, cents.
        policies: optional name -> policy (or timeline); adds ``pay_per_agent_cents_<name>`` (mean
            monthly pay per agent, with ``_lo``/``_hi``), to show how staffing moves volume-based pay.
        inputs: the policies' declared extra inputs, as in :func:`kpisim.compare` (missing ones
            get the same neutral constant for every agent).
        fill_missing: score metrics without data with the policies' declared neutral values, as
            in :func:`kpisim.compare`.
        keep_staffed: keep, per headcount, (mean staffed agents per interval, queue -> mean offered
            contacts per interval, agent group -> its mean staffed agents per interval) in
            ``result.attrs["profiles"]``.

    Returns:
        One row per headcount: agents, service_level, asa_s, abandon_rate, occupancy,
        handled_per_agent, labour_cost_cents (each with _lo/_hi 95 % CI), the Erlang A columns
        ``erlang_a_<measure>`` and Erlang C ``erlang_c_service_level``/``erlang_c_asa_s``, and
        ``staffed_agents`` (mean agents logged in during opening hours).
    """
    base_n = (
        scenario.n_agents if isinstance(scenario.n_agents, int) else sum(g.count for g in scenario.agents)
    )
    if headcounts is None:
        if factors is None:
            raise KpisimError("staffing_sweep needs headcounts or factors")
        headcounts = [max(len(scenario.agents), int(round(base_n * f))) for f in factors]
    headcounts = sorted(set(int(h) for h in headcounts))
    variants = [with_headcount(scenario, h) for h in headcounts]
    res = run_replications(
        variants,
        summarise_for_staffing,
        seed=seed,
        replications=replications,
        jobs=jobs,
        executor=executor,
        progress=progress,
        options={
            "agent_kpis": bool(policies),
            "horizon": scenario.horizon,
            "threshold_s": threshold_s,
            "queues": list(scenario.queues),
            "variants": needed_variants(flat_policies(policies or {})),
        },
        desc="staffing",
    )
    rows = []
    for i, h in enumerate(headcounts):
        for r in range(replications):
            out = res[i * replications + r]
            row = {"agents": h, "replication": r, **out["centre"]}
            row["handled_per_agent"] = row["handled"] / h
            row["labour_cost_cents"] = row["logged_in_h"] * hourly_cost_cents
            kt = attach_policy_inputs(out["kpis"], flat_policies(policies), inputs)[0] if policies else None
            for name, pol in (policies or {}).items():
                pay = pol.pay(pol.score(kt, fill_missing=True) if fill_missing else pol.score(kt), kt)
                months = pay.groupby("period")["total_cents"].sum().mean()
                row[f"pay_per_agent_cents_{name}"] = months / h
            rows.append(row)
    d = pd.DataFrame(rows)
    cols = (
        list(CENTRE)
        + ["handled_per_agent", "labour_cost_cents", "staffed_s"]
        + [c for c in d.columns if c.startswith("pay_per_agent_cents_")]
    )
    out = ci_frame(d, ["agents"], cols)
    for c in CENTRE:  # keep the t interval inside the metric's range (registry bounds)
        b = METRICS[c].bounds
        out[f"{c}_lo"], out[f"{c}_hi"] = (
            out[f"{c}_lo"].clip(lower=b.lower),
            out[f"{c}_hi"].clip(upper=b.upper),
        )
    open_s = _open_seconds(scenario)
    out["staffed_agents"] = out["staffed_s"] / open_s if open_s else math.nan
    out = out.drop(columns=["staffed_s", "staffed_s_lo", "staffed_s_hi"])
    out.insert(0, "scenario_id", scenario.id)
    out.insert(1, "seed", seed)
    profiles = []
    for i in range(len(headcounts)):
        runs = res[i * replications : (i + 1) * replications]
        staffed = np.mean([r["staffed"] for r in runs], axis=0)
        offered = {q: np.mean([r["offered"][q] for r in runs], axis=0) for q in scenario.queues}
        by_group = {
            g.name: np.mean([r["staffed_by_group"].get(g.name, np.zeros_like(staffed)) for r in runs], axis=0)
            for g in variants[i].agents
        }
        profiles.append((staffed, offered, by_group))
    # independent per headcount: on the executor's workers too (serially in this process they
    # were a sixth to a quarter of a sweep's time); each task keeps its own Erlang cache, which
    # memoises exact (rate, session, servers) keys only, so the values are the serial ones
    tasks = [(variants[i], p[0], p[1], threshold_s) for i, p in enumerate(profiles)]
    ex = as_executor(executor, jobs=jobs) if len(tasks) > 1 else Sequential()
    for i, pred in enumerate(ex.map(_erlang_task, tasks)):
        for k, v in pred.items():
            out.loc[i, k] = v
    if keep_staffed:
        out.attrs["profiles"] = profiles
    return out
