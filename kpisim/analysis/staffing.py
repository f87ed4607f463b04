"""Staffing vs response time: the study the command line runs (sweep, requirement, check and one
recommended headcount), so Python users get the same answer as ``kpisim staffing``.

The sweep lives in :mod:`kpisim.analysis.staffing_sweep` and the per-interval requirement in
:mod:`kpisim.analysis.staffing_required`; both are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kpisim.analysis.staffing_required import planned_staffing, required_staff
from kpisim.analysis.staffing_sweep import (
    CENTRE,
    DEFAULT_HOURLY_COST_CENTS,
    erlang_prediction,
    session_time,
    slots_per_agent,
    staffing_sweep,
    summarise_for_staffing,
    with_headcount,
)
from kpisim.errors import KpisimError
from kpisim.progress import line
from kpisim.scenario.models import Scenario

__all__ = [
    "CENTRE",
    "DEFAULT_HOURLY_COST_CENTS",
    "StaffingStudy",
    "check_headcounts",
    "check_pay_inputs",
    "default_headcounts",
    "erlang_prediction",
    "meets_target",
    "planned_staffing",
    "recommend",
    "required_staff",
    "session_time",
    "shorten",
    "slots_per_agent",
    "staffing_sweep",
    "study_staffing",
    "summarise_for_staffing",
    "voice_only",
    "with_headcount",
]


def shorten(scenario: Scenario, days: int) -> Scenario:
    """A copy of ``scenario`` that simulates only its first ``days`` days (quicker studies).

    Raises:
        KpisimError: ``days`` outside 1 .. the scenario's days.
    """
    n = scenario.horizon.days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= n:
        raise KpisimError(
            f"{days!r} days is not allowed; give an integer from 1 to {n} "
            f"(scenario {scenario.id!r} has {n} days; fewer shortens it)"
        )
    return scenario.model_copy(update={"horizon": scenario.horizon.model_copy(update={"days": days})})


def check_headcounts(scenario: Scenario, headcounts: Sequence[int]) -> list[int]:
    """``headcounts`` as ints, each at least the number of agent groups (every group keeps one
    agent), checked before anything is simulated.

    Raises:
        KpisimError: an empty list or a headcount below the number of groups (the first one).
    """
    groups = len(scenario.agents)
    if not len(headcounts):
        raise KpisimError("no headcounts given; give at least one, e.g. [20, 25, 30]")
    for h in headcounts:
        if isinstance(h, bool) or int(h) != h or h < groups:
            raise KpisimError(
                f"headcount {h!r} is not allowed; give integers >= {groups} (scenario {scenario.id!r} "
                f"has {groups} agent groups and every group keeps at least one agent)"
            )
    return [int(h) for h in headcounts]


def check_pay_inputs(
    scenario: Scenario,
    policies: Mapping[str, Any] | None,
    inputs: pd.DataFrame | Mapping[str, float] | None,
    *,
    headcounts: Sequence[int] | None = None,
    file: str = "inputs",
) -> None:
    """Refuse, before anything is simulated, policy inputs the sweep could not use: inputs
    without policies, and an inputs table (``file`` names it in messages) with no ``agent_id``,
    a column no policy declares, keys given twice or, with ``headcounts``, an agent of some swept
    headcount without a row (:func:`kpisim.policy.inputs.check_inputs`).

    Raises:
        KpisimError: the first problem.
    """
    from kpisim.policy.inputs import check_inputs
    from kpisim.policy.timeline import flat_policies
    from kpisim.sim.population import agent_ids

    if inputs is not None and not policies:
        raise KpisimError(
            f"{file}: policy inputs given without a policy; give the policies that declare them"
        )
    if not isinstance(inputs, pd.DataFrame):
        return
    ids = None
    if headcounts is not None:
        ids = list(
            dict.fromkeys(a for h in sorted(headcounts) for a in agent_ids(with_headcount(scenario, h)))
        )
    check_inputs(inputs, flat_policies(policies or {}), file=file, agent_ids=ids)


def plan_name(key: str, policy: Any) -> str:
    """How reports name a plan: the policy's ``name`` (a timeline's ``id``), else ``key``."""
    return str(getattr(policy, "name", None) or getattr(policy, "id", None) or key)


def default_headcounts(scenario: Scenario, erlang: int | None = None, *, points: int = 6) -> list[int]:
    """``points`` headcounts to sweep, from 80 % of the smaller to 125 % of the larger of today's
    headcount and the Erlang requirement ``erlang`` (60-140 % of today's without one); every
    group keeps at least one agent."""
    today = scenario.n_agents
    lo = 0.8 * min(erlang, today) if erlang else 0.6 * today
    hi = 1.25 * max(erlang, today) if erlang else 1.4 * today
    return sorted({max(len(scenario.agents), int(round(x))) for x in np.linspace(lo, hi, points)})


def voice_only(scenario: Scenario) -> bool:
    """True when every queue is voice, so every agent takes one contact at a time
    (``AgentGroup.sessions("voice")`` is 1) and the Erlang requirement always exists; failing to
    compute it is then a real error."""
    return all(q.channel == "voice" for q in scenario.queues.values())


def meets_target(sweep: pd.DataFrame, *, target_sl: float | None, max_abandon: float | None) -> pd.DataFrame:
    """``sweep`` with ``target_sl``, ``max_abandon`` and ``mean_meets_target`` (the simulated mean
    service level >= ``target_sl`` and mean abandonment <= ``max_abandon``, for those given)."""
    ok = pd.Series(True, index=sweep.index)
    if target_sl is not None:
        ok &= sweep["service_level"] >= target_sl
    if max_abandon is not None:
        ok &= sweep["abandon_rate"] <= max_abandon
    return sweep.assign(target_sl=target_sl, max_abandon=max_abandon, mean_meets_target=ok)


def recommend(sweep: pd.DataFrame) -> int | None:
    """The smallest swept headcount whose simulated mean meets the target (``mean_meets_target``
    from :func:`meets_target`), or None."""
    met = sweep.loc[sweep["mean_meets_target"].astype(bool), "agents"]
    return int(met.min()) if len(met) else None


@dataclass(frozen=True)
class StaffingStudy:
    """The result of :func:`study_staffing`.

    Attributes:
        scenario: the scenario studied.
        sweep: :func:`staffing_sweep` with ``target_sl``, ``max_abandon``, ``mean_meets_target``.
        required: per-interval requirement from :func:`required_staff`, or None (``no_erlang``).
        check: the simulated check of the Erlang headcount, or None.
        target_sl, max_abandon, threshold_s: the targets (fractions) and SL threshold, seconds.
        no_erlang: why the Erlang requirement was not computed ("" when it was).
        policies: name -> policy (or timeline) paid in the sweep (``pay_per_agent_cents_<name>``
            columns), or None.
        inputs: the policies' inputs as given, or None.
        fill_missing: metrics without data were scored with the policies' neutral values.
    """

    scenario: Scenario
    sweep: pd.DataFrame
    required: pd.DataFrame | None
    check: pd.DataFrame | None
    target_sl: float | None
    max_abandon: float | None
    threshold_s: float
    no_erlang: str = ""
    policies: Mapping[str, Any] | None = None
    inputs: pd.DataFrame | Mapping[str, float] | None = None
    fill_missing: bool = False

    @property
    def plan_names(self) -> dict[str, str]:
        """Policy key (the ``pay_per_agent_cents_<key>`` suffix) -> the plan's name (:func:`plan_name`)."""
        return {k: plan_name(k, p) for k, p in (self.policies or {}).items()}

    @property
    def recommended(self) -> int | None:
        """Smallest swept headcount whose simulated mean meets the target (:func:`recommend`)."""
        return recommend(self.sweep)

    @property
    def peak_required(self) -> int | None:
        """Agents that must be logged in during the busiest interval (Erlang), or None."""
        return None if self.required is None else int(self.required["required_agents"].max())

    @property
    def erlang_headcount(self) -> int | None:
        """The roster headcount meeting the target by Erlang under the scenario's shifts, or None."""
        h = None if self.required is None else self.required.attrs.get("headcount")
        return None if h is None else int(h)

    @property
    def headcounts(self) -> list[int]:
        return sorted(int(h) for h in self.sweep["agents"].unique())


def study_staffing(
    scenario: Scenario,
    *,
    headcounts: Sequence[int] | None = None,
    target_sl: float | None = None,
    max_abandon: float | None = None,
    threshold_s: float = 20.0,
    replications: int = 3,
    seed: int = 1,
    jobs: int | None = None,
    executor: Any = None,
    progress: bool | str = True,
    hourly_cost_cents: int = DEFAULT_HOURLY_COST_CENTS,
    policies: Mapping[str, Any] | None = None,
    inputs: pd.DataFrame | Mapping[str, float] | None = None,
    fill_missing: bool = False,
) -> StaffingStudy:
    """What ``kpisim staffing`` computes: the Erlang requirement per interval (checked by
    simulation), then a headcount sweep judged against the targets.

    Targets: ``target_sl`` defaults to 0.8 unless only ``max_abandon`` is given. The Erlang
    requirement is skipped (``no_erlang`` says why) for a chat or mixed centre the Erlang
    functions do not cover; for a voice-only centre its failure is an error. Without
    ``headcounts``, :func:`default_headcounts` around today's and the Erlang headcount.

    With ``policies`` (name -> policy or timeline; ``inputs`` and ``fill_missing`` as in
    :func:`kpisim.compare`) the sweep also pays every agent under each plan:
    ``pay_per_agent_cents_<name>`` (+ ``_lo``/``_hi``), mean pay per agent per month. The inputs
    are checked (:func:`check_pay_inputs`) before anything is simulated when ``headcounts`` are
    given; without them, the agents' coverage is checked once the headcounts are chosen, before
    the sweep.

    Raises:
        KpisimError: bad headcounts or inputs, or (voice-only) the target out of reach.
    """
    if target_sl is None and max_abandon is None:
        target_sl = 0.8
    if headcounts is not None:
        headcounts = check_headcounts(scenario, headcounts)
    check_pay_inputs(scenario, policies, inputs, headcounts=headcounts)
    required = check = None
    no_erlang = ""
    if progress == "auto":
        line("stage 1/2: agents needed per interval (Erlang), checked by simulation")
    try:
        required, check = required_staff(
            scenario,
            target_sl=target_sl,
            threshold_s=threshold_s,
            max_abandon=max_abandon,
            replications=replications,
            seed=seed,
            jobs=jobs,
            executor=executor,
            progress=progress,
        )
    except KpisimError as exc:
        if voice_only(scenario):  # a voice centre always has an Erlang answer: a real error
            raise
        no_erlang = str(exc)  # chat: the Erlang functions may not cover it; the sweep still runs
    if headcounts is None:
        erlang = None
        if required is not None:
            erlang = required.attrs.get("headcount") or int(required["required_agents"].max())
        headcounts = default_headcounts(scenario, erlang)
        check_pay_inputs(scenario, policies, inputs, headcounts=headcounts)
    if progress == "auto":
        line(f"stage 2/2: simulating headcounts {', '.join(map(str, headcounts))}")
    sweep = staffing_sweep(
        scenario,
        headcounts=headcounts,
        replications=replications,
        seed=seed,
        jobs=jobs,
        executor=executor,
        progress=progress,
        threshold_s=threshold_s,
        hourly_cost_cents=hourly_cost_cents,
        policies=policies,
        inputs=inputs,
        fill_missing=fill_missing,
    )
    return StaffingStudy(
        scenario=scenario,
        sweep=meets_target(sweep, target_sl=target_sl, max_abandon=max_abandon),
        required=required,
        check=check,
        target_sl=target_sl,
        max_abandon=max_abandon,
        threshold_s=threshold_s,
        no_erlang=no_erlang,
        policies=dict(policies) if policies else None,
        inputs=inputs,
        fill_missing=fill_missing,
    )
