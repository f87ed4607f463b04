"""Agents required per interval for a service target (Erlang, interval by interval), checked by
simulation on the roster that headcount really builds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from kpisim.analysis import erlang_staffing, sipp
from kpisim.analysis.staffing_sweep import (
    erlang_prediction,
    session_time,
    slots_per_agent,
    staffing_sweep,
    with_headcount,
)
from kpisim.errors import KpisimError
from kpisim.scenario.models import Scenario


def required_staff(
    scenario: Scenario,
    *,
    target_sl: float | None = 0.8,
    threshold_s: float = 20.0,
    max_abandon: float | None = None,
    check: bool = True,
    replications: int = 2,
    seed: int = 1,
    jobs: int | None = None,
    executor: Any = None,
    progress: bool | str = True,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Staff needed for a target: per interval from Erlang, and as a roster headcount under the
    scenario's own shift pattern, checked by simulation.

    1. The scenario is simulated at its own headcount: contacts offered per interval (repeats and
       transfers included) and, per agent group, staffed agents per interval; divided by the
       group's count, the latter is the group's *coverage* (how much of one of its agents each
       interval gets: shifts, breaks, absences).
    2. ``required_agents`` per interval: the fewest staffed agents meeting the target in that
       interval (Erlang A, or C when a queue has no patience; each interval stationary with its
       offered traffic, see ``kpisim.analysis.sipp``; chat: servers / slots per agent).
    3. ``headcount``: the smallest roster ``n`` whose planned staffing, sum over groups of coverage
       x the group's count in ``with_headcount(scenario, n)``, meets the target over the whole
       horizon by the SIPP Erlang prediction (volume-weighted service level / abandonment; chat:
       the slots per agent of that roster).
    4. With ``check``, that headcount is simulated (``staffing_sweep``) and its simulated service
       level / abandonment is reported beside the target.

    Returns:
        (per-interval table: day, interval, start, volume, required_agents, planned_agents
        (= sum over groups of coverage x count at the headcount); check table from
        :func:`staffing_sweep` at the headcount, with
        ``target_sl``, ``max_abandon``, ``meets_target`` = the simulated mean meets every target,
        and ``not_significantly_worse`` = every target lies inside or on the good side of the
        95 % CI (with few replications the CI is wide: read both), or None).

    Raises:
        KpisimError: voice and chat mixed, or the target is out of reach.
    """
    h = scenario.horizon
    slots = slots_per_agent(scenario)
    if not slots:
        raise KpisimError(
            "required_staff uses Erlang C/A, valid for voice-only or chat-only centres; "
            f"scenario {scenario.id!r} mixes voice and chat queues"
        )
    base = staffing_sweep(
        scenario,
        headcounts=[scenario.n_agents],
        replications=replications,
        seed=seed,
        jobs=jobs,
        executor=executor,
        progress=progress,
        threshold_s=threshold_s,
        keep_staffed=True,
    )
    _, offered, by_group = base.attrs["profiles"][0]
    coverage = {g.name: by_group[g.name] / g.count for g in scenario.agents}
    vols, hs, patience = sipp.traffic_profile(scenario, session_time(scenario, slots), offered)
    busy = vols > 0
    need = np.zeros(vols.shape, dtype=np.int64)
    need[busy] = erlang_staffing.required_agents_per_interval(
        vols[busy],
        h.interval_min * 60,
        hs[busy],
        target_sl=target_sl,
        threshold_s=threshold_s,
        max_abandon=max_abandon,
        patience_mean_s=patience,
    )
    need = np.ceil(need / slots - 1e-9).astype(np.int64)  # servers -> agents
    headcount = _erlang_headcount(scenario, coverage, offered, target_sl, max_abandon, threshold_s)
    planned = planned_staffing(scenario, coverage, headcount)
    days, per_day = vols.shape
    table = pd.DataFrame(
        {
            "day": np.repeat(np.arange(days), per_day),
            "interval": np.tile(np.arange(per_day), days),
            "volume": vols.ravel(),
            "required_agents": need.ravel(),
            "planned_agents": planned.ravel(),
        }
    )
    table["start"] = (
        pd.Timestamp(h.start)
        + pd.to_timedelta(table["day"], unit="D")
        + pd.to_timedelta(table["interval"] * h.interval_min, unit="min")
    )
    table.insert(0, "scenario_id", scenario.id)
    table.attrs["headcount"] = headcount
    if not check:
        return table, None
    chk = staffing_sweep(
        scenario,
        headcounts=[headcount],
        replications=replications,
        seed=seed,
        jobs=jobs,
        executor=executor,
        progress=progress,
        threshold_s=threshold_s,
    )
    chk["target_sl"] = target_sl
    chk["max_abandon"] = max_abandon
    mean_ok = pd.Series(True, index=chk.index)
    ci_ok = pd.Series(True, index=chk.index)
    if target_sl is not None:
        mean_ok &= chk["service_level"] >= target_sl
        ci_ok &= chk["service_level_hi"].fillna(chk["service_level"]) >= target_sl
    if max_abandon is not None:
        mean_ok &= chk["abandon_rate"] <= max_abandon
        ci_ok &= chk["abandon_rate_lo"].fillna(chk["abandon_rate"]) <= max_abandon
    chk["meets_target"] = mean_ok  # the simulated mean meets every target
    chk["not_significantly_worse"] = ci_ok  # every target inside or on the good side of the 95 % CI
    return table, chk


def planned_staffing(scenario: Scenario, coverage: Mapping[str, np.ndarray], headcount: int) -> np.ndarray:
    """Staffed agents per interval planned for a roster of ``headcount``: the sum over agent groups
    of the group's coverage (staffed agents per interval / its count) x its count in
    :func:`with_headcount` (the split rounds each group, so the shift mix can change)."""
    return sum(coverage[g.name] * g.count for g in with_headcount(scenario, headcount).agents)


def _erlang_headcount(
    scenario: Scenario,
    coverage: Mapping[str, np.ndarray],
    offered: dict[str, np.ndarray],
    target_sl: float | None,
    max_abandon: float | None,
    threshold_s: float,
) -> int:
    """Smallest roster headcount whose planned staffing (:func:`planned_staffing`) meets the targets
    by the SIPP Erlang A prediction.

    Bisection, then a look below its answer: the prediction improves with the roster except
    where the added agent joins a group with fewer chat slots (the slot approximation gives every
    staffed agent the roster's mean ``max_concurrency``) or the rounding moves an agent between
    groups, which can lower it a little; so below the answer, rosters are tried down to one
    agent per group past the last one meeting the targets, and the smallest meeting them wins
    (exact when no run of failing rosters above a meeting one is longer than the number of
    groups).
    """
    erlangs: dict = {}
    memo: dict[int, bool] = {}

    def meets(n: int) -> bool:
        if n not in memo:
            variant = with_headcount(scenario, n)
            p = erlang_prediction(
                variant,
                planned_staffing(scenario, coverage, n),
                offered=offered,
                threshold_s=threshold_s,
                erlangs=erlangs,
                kinds="a",
            )
            ok = True
            if target_sl is not None:
                ok &= p["erlang_a_service_level"] >= target_sl
            if max_abandon is not None:
                ok &= p["erlang_a_abandon_rate"] <= max_abandon
            memo[n] = bool(ok)
        return memo[n]

    lo = len(scenario.agents)  # every group keeps one agent
    if meets(lo):
        return lo
    hi = max(lo + 1, scenario.n_agents)
    while not meets(hi):
        if 2 * hi > 64 * max(scenario.n_agents, 1):
            raise KpisimError(
                f"the target (service level {target_sl}, max abandonment {max_abandon}) is not reached "
                f"with {hi} agents under the shift pattern of {scenario.id!r}"
            )
        lo, hi = hi, hi * 2
    while hi - lo > 1:  # meets(hi), not meets(lo)
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if meets(mid) else (mid, hi)
    window = len(scenario.agents)  # longest run of failing rosters above a meeting one looked past
    best, k = hi, hi - 1
    while k >= max(len(scenario.agents), best - 1 - window):  # a dip can hide a smaller roster below
        if meets(k):
            best = k
        k -= 1
    return best


# --- the staffing study: what `kpisim staffing` decides, for Python users too ------------------
