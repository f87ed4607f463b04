"""Staffing vs response time: headcount sweeps (simulated, with Erlang C/A beside them) and the
agents required per interval for a target, checked by simulation.

Erlang values treat the centre as one stationary M/M/n(+M) queue: arrival rate = expected
contacts / open seconds, mean handle = the queues' mean handle + wrap-up (weighted by volume),
n = the simulated average number of agents logged in (available, busy or wrapping up) during
opening hours. They are given for voice-only centres (concurrency 1); chat centres get NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kpisim.analysis import theory
from kpisim.analysis.runner import run_replications
from kpisim.analysis.stats import ci_frame
from kpisim.errors import KpisimError
from kpisim.sim.arrivals import interval_rates
from kpisim.spec.scenario import Scenario

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
    agents = [g.model_copy(update={"count": int(n)}) for g, n in zip(scenario.agents, new)]
    return scenario.model_copy(update={"agents": agents})


def summarise_for_staffing(log, *, period: str = "month", agent_kpis: bool = False) -> dict[str, Any]:
    """Worker reduction: centre-level totals (and per-agent KPIs when pay is wanted)."""
    from kpisim.kpi.compute import kpis

    c = kpis(log, by=(), period=period)
    s = lambda col: float(pd.to_numeric(c[col], errors="coerce").fillna(0).sum())  # noqa: E731
    row = {
        "service_level": s("n_sl_within") / s("n_sl_base") if s("n_sl_base") else math.nan,
        "asa_s": s("sum_wait_answered_s") / s("n_handled") if s("n_handled") else math.nan,
        "abandon_rate": s("n_abandoned_counted") / s("n_offered_counted") if s("n_offered_counted") else math.nan,
        "occupancy": s("sum_occ_work_s") / s("sum_occ_base_s") if s("sum_occ_base_s") else math.nan,
        "offered": s("n_offered"), "handled": s("n_handled"),
        "logged_in_h": s("sum_logged_in_s") / 3600, "staffed_s": s("sum_occ_base_s"),
    }
    out = {"centre": row}
    if agent_kpis:
        out["kpis"] = kpis(log, by=("agent_id",), period=period)
    return out


def _open_seconds(scenario: Scenario) -> float:
    h = scenario.horizon
    total = 0.0
    for d in range(h.days):
        hours = h.open_minutes((h.start.weekday() + d) % 7)
        if hours is not None:
            total += (hours[1] - hours[0]) * 60.0
    return total


def _traffic(scenario: Scenario) -> tuple[float, float, float | None, bool]:
    """(arrival rate /s over open time, mean handle+wrap s, mean patience s or None, voice only)."""
    vols = {q: interval_rates(scenario, q).sum() for q in scenario.queues}
    total = sum(vols.values())
    open_s = _open_seconds(scenario)
    if total <= 0 or open_s <= 0:
        return 0.0, math.nan, None, False
    h = sum(v * (scenario.queues[q].handle.mean_s + (scenario.queues[q].wrap_up.mean_s if scenario.queues[q].wrap_up else 0))
            for q, v in vols.items()) / total
    pats = [scenario.queues[q].patience.mean_s for q in vols if scenario.queues[q].patience]
    patience = float(np.mean(pats)) if len(pats) == len(vols) else None
    voice = all(scenario.queues[q].channel == "voice" for q in vols) and all(g.max_concurrency == 1 for g in scenario.agents)
    return total / open_s, h, patience, voice


def staffing_sweep(scenario: Scenario, *, headcounts: Sequence[int] | None = None,
                   factors: Sequence[float] | None = None, replications: int = 3, seed: int = 1,
                   jobs: int | None = None, progress: bool = True, threshold_s: float = 20.0,
                   hourly_cost_cents: int = DEFAULT_HOURLY_COST_CENTS,
                   policies: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Simulate the centre at several headcounts (same seed at every headcount).

    Args:
        scenario: the centre.
        headcounts: total agents to try; or ``factors`` (multiples of today's headcount).
        replications: runs per headcount.
        threshold_s: service-level threshold for the Erlang columns (the KPI uses its own
            definition, default 20 s).
        hourly_cost_cents: labour cost per logged-in hour, cents.
        policies: optional name -> policy; adds ``pay_per_agent_cents_<name>`` (mean monthly pay per
            agent), to show how staffing moves volume-based pay.

    Returns:
        One row per headcount: agents, service_level, asa_s, abandon_rate, occupancy,
        handled_per_agent, labour_cost_cents (each with _lo/_hi 95 % CI), the Erlang A columns
        ``erlang_a_<measure>`` and Erlang C ``erlang_c_service_level``/``erlang_c_asa_s``, and
        ``staffed_agents`` (mean agents logged in during opening hours).
    """
    base_n = scenario.n_agents if isinstance(scenario.n_agents, int) else sum(g.count for g in scenario.agents)
    if headcounts is None:
        if factors is None:
            raise KpisimError("staffing_sweep needs headcounts or factors")
        headcounts = [max(len(scenario.agents), int(round(base_n * f))) for f in factors]
    headcounts = sorted(set(int(h) for h in headcounts))
    variants = [with_headcount(scenario, h) for h in headcounts]
    res = run_replications(variants, summarise_for_staffing, seed=seed, replications=replications, jobs=jobs,
                           progress=progress, options={"agent_kpis": bool(policies)}, desc="staffing")
    rows = []
    for i, h in enumerate(headcounts):
        for r in range(replications):
            out = res[i * replications + r]
            row = {"agents": h, "replication": r, **out["centre"]}
            row["handled_per_agent"] = row["handled"] / h
            row["labour_cost_cents"] = row["logged_in_h"] * hourly_cost_cents
            for name, pol in (policies or {}).items():
                kt = out["kpis"]
                pay = pol.pay(pol.score(kt), kt)
                months = pay.groupby("period")["total_cents"].sum().mean()
                row[f"pay_per_agent_cents_{name}"] = months / h
            rows.append(row)
    d = pd.DataFrame(rows)
    cols = list(CENTRE) + ["handled_per_agent", "labour_cost_cents", "staffed_s"] + \
        [c for c in d.columns if c.startswith("pay_per_agent_cents_")]
    out = ci_frame(d, ["agents"], cols)
    open_s = _open_seconds(scenario)
    out["staffed_agents"] = out["staffed_s"] / open_s if open_s else math.nan
    out = out.drop(columns=["staffed_s", "staffed_s_lo", "staffed_s_hi"])
    out.insert(0, "scenario_id", scenario.id)
    out.insert(1, "seed", seed)
    lam, hmean, patience, voice = _traffic(scenario)
    for c in ("erlang_a_service_level", "erlang_a_asa_s", "erlang_a_abandon_rate", "erlang_a_occupancy",
              "erlang_c_service_level", "erlang_c_asa_s"):
        out[c] = math.nan
    if voice and lam > 0:
        for i, n in enumerate(out["staffed_agents"]):
            k = int(round(n))
            if k < 1:
                continue
            a = theory.erlang_a(lam, hmean, k, patience if patience else math.inf, threshold_s=threshold_s)
            out.loc[i, ["erlang_a_service_level", "erlang_a_asa_s", "erlang_a_abandon_rate", "erlang_a_occupancy"]] = \
                [a.sl_answered_within, a.asa_s, a.p_abandon, a.occupancy]
            if lam * hmean < k:
                out.loc[i, "erlang_c_service_level"] = float(theory.erlang_c_service_level(lam, hmean, k, threshold_s))
                out.loc[i, "erlang_c_asa_s"] = float(theory.erlang_c_asa_s(lam, hmean, k))
    return out


def required_staff(scenario: Scenario, *, target_sl: float | None = 0.8, threshold_s: float = 20.0,
                   max_abandon: float | None = None, check: bool = True, replications: int = 2,
                   seed: int = 1, jobs: int | None = None, progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Agents required per interval for a target, from Erlang A (C without patience).

    Each interval is treated as stationary with the scenario's expected volume (all queues
    pooled), mean handle + wrap-up and mean patience. With ``check``, the centre is simulated
    with a headcount equal to the peak requirement (all agents on for the whole opening hours —
    scenarios staff by shifts, not per interval) and the simulated service level / abandonment is
    returned beside the target.

    Returns:
        (per-interval table: day, interval, start, volume, required_agents; check table from
        :func:`staffing_sweep` for the peak headcount, with ``target_sl``, ``max_abandon`` and
        ``meets_target`` = the simulated value is not significantly worse than the target (the
        target lies inside or on the good side of the 95 % CI), or None).
    """
    h = scenario.horizon
    vols = sum(interval_rates(scenario, q) for q in scenario.queues)
    _, hmean, patience, voice = _traffic(scenario)
    if not voice:
        raise KpisimError("required_staff uses Erlang C/A, valid for voice queues with concurrency 1; "
                          f"scenario {scenario.id!r} has chat or concurrency > 1")
    need = theory.required_agents_per_interval(vols, h.interval_min * 60, hmean, target_sl=target_sl,
                                               threshold_s=threshold_s, max_abandon=max_abandon,
                                               patience_mean_s=patience)
    days, per_day = vols.shape
    table = pd.DataFrame({
        "day": np.repeat(np.arange(days), per_day), "interval": np.tile(np.arange(per_day), days),
        "volume": vols.ravel(), "required_agents": np.asarray(need).ravel(),
    })
    table["start"] = pd.Timestamp(h.start) + pd.to_timedelta(table["day"], unit="D") + \
        pd.to_timedelta(table["interval"] * h.interval_min, unit="min")
    table.insert(0, "scenario_id", scenario.id)
    if not check:
        return table, None
    peak = int(table["required_agents"].max())
    chk = staffing_sweep(scenario, headcounts=[peak], replications=replications, seed=seed, jobs=jobs,
                         progress=progress, threshold_s=threshold_s)
    chk["target_sl"] = target_sl
    chk["max_abandon"] = max_abandon
    ok = pd.Series(True, index=chk.index)
    if target_sl is not None:
        ok &= chk["service_level_hi"].fillna(chk["service_level"]) >= target_sl
    if max_abandon is not None:
        ok &= chk["abandon_rate_lo"].fillna(chk["abandon_rate"]) <= max_abandon
    chk["meets_target"] = ok  # not significantly worse than the target (95 % CI)
    return table, chk
