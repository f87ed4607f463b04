"""``simulate_year``: one team carried month to month under a policy (or a policy timeline).

Each month: the roster of the month (who works, from which day to which day, at which tenure)
is simulated with the month's own streams (``kpisim.rng.month_streams``), its KPIs are scored
and paid by the version of the plan that pays that month, the plan's consequences are applied
(``rules.judge``), voluntary leavers are drawn (``kpisim.sim.turnover``), and every leaver's
post is filled by a hire after the notice and the hiring delay. Hidden sustained declines run
on across months (``kpisim.analysis.year.declines``). Replications are independent
years of the same starting team; they may run in parallel (months within a year cannot).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kpisim.analysis.alerts.apply import series_tables
from kpisim.analysis.executors import as_executor
from kpisim.analysis.year.declines import DeclineBook
from kpisim.analysis.year.result import Year
from kpisim.analysis.year.rules import RuleState, judge
from kpisim.errors import KpisimError
from kpisim.kpi.compute import kpis
from kpisim.policy.alerts_models import AlertRules
from kpisim.policy.definitions import kpis_for
from kpisim.policy.inputs import attach_policy_inputs
from kpisim.policy.models import Policy
from kpisim.policy.proration import prorate_fixed
from kpisim.policy.timeline import Timeline, timeline_of
from kpisim.progress import counter
from kpisim.rng import month_streams, population_rng
from kpisim.scenario.models import Scenario
from kpisim.scenario.turnover import DAYS_PER_MONTH
from kpisim.sim.months import effective, month_bounds, month_scenario, potential, tenure_months
from kpisim.sim.population import draw_traits
from kpisim.sim.run import simulate_one
from kpisim.sim.size import check_run_size
from kpisim.sim.turnover import draw_hires, draw_leavers, leave_hazard

TEAM_METRICS = ("service_level", "fcr_rate")


#: Longest run ``simulate_year`` accepts, in months.
MAX_MONTHS = 120


def as_timeline(plan: Policy | Timeline) -> Timeline:
    """A timeline of one version for a plain policy (it pays every month)."""
    if isinstance(plan, Timeline):
        return plan
    return timeline_of([("0001-01", plan)], id=plan.id)


def simulate_year(
    scenario: Scenario,
    plan: Policy | Timeline,
    *,
    months: int = 12,
    seed: int = 1,
    replications: int = 1,
    initial_level: str | dict[str, str] | None = None,
    month_days: int | None = None,
    executor: Any = None,
    jobs: int | None = 1,
    progress: bool | str = False,
    alert_rules: AlertRules | None = None,
    prorate: bool = True,
) -> Year:
    """Simulate ``replications`` independent runs of ``months`` months of one team under ``plan``.

    Args:
        scenario: the centre; its ``tenure`` and ``turnover`` settings drive the team's changes.
        plan: a ``Policy`` (pays every month) or a ``Timeline`` (each version its months).
        months: months per run (1-120).
        seed: base seed; month m of replication r uses ``month_streams(seed, r, m)``; the
            starting team is the ``population="fixed"`` team of ``simulate(seed=seed)``.
        initial_level: the staff level everyone starts at (default: the lowest), or
            ``tenure_group -> level``.
        month_days: simulate only the first ``month_days`` days of each month (quick studies
            and tests; see ``kpisim.sim.months.month_bounds``).
        executor, jobs: where the replications run (see ``kpisim.analysis.executors``);
            results are identical whatever runs them.
        alert_rules: coaching-alert rules whose per-agent KPI series to keep month by month
            (``Year.alert_series``), so ``Year.evaluate_alerts`` judges them over the year.
        prorate: pay base and level pay for the days employed in a hire's first and a leaver's
            last month (``kpisim.policy.proration``); False pays them in full.

    Raises:
        KpisimError: months or replications out of range, or an over-large scenario.
    """
    if not 1 <= months <= MAX_MONTHS:
        raise KpisimError(f"months must be within 1-{MAX_MONTHS}, got {months}")
    if replications < 1:
        raise KpisimError(f"replications must be >= 1, got {replications}")
    timeline = as_timeline(plan)
    check_run_size(scenario, replications=replications * months, in_memory=1)
    if month_days is not None and not 1 <= month_days <= 31:
        raise KpisimError(f"month_days must be within 1-31, got {month_days}")
    tasks = [
        (scenario, timeline, months, int(seed), r, initial_level, month_days, alert_rules, prorate)
        for r in range(replications)
    ]
    ex = as_executor(executor if executor is not None else ("sequential" if jobs == 1 else None), jobs=jobs)
    bar = counter(progress, len(tasks), "simulating years")
    parts = []
    try:
        for res in ex.map(_one_year, tasks):
            parts.append(res)
            if bar:
                bar.update(1)
    finally:
        if bar:
            bar.close()
    tables = {k: pd.concat([p[k] for p in parts], ignore_index=True) for k in parts[0]}
    return Year(
        scenario=scenario,
        timeline=timeline,
        seed=int(seed),
        replications=replications,
        months=months,
        month_days=month_days,
        alert_rules=alert_rules,
        **tables,
    )


def _one_year(task: tuple) -> dict[str, pd.DataFrame]:
    scenario, timeline, months, seed, rep, initial_level, month_days, rules, prorate = task
    return _YearRun(scenario, timeline, seed, rep, initial_level, rules, prorate).run(
        month_bounds(scenario, months, month_days=month_days)
    )


class _YearRun:
    """The state of one replication: every agent ever on the roster, their levels and counters."""

    def __init__(
        self,
        scenario: Scenario,
        timeline: Timeline,
        seed: int,
        rep: int,
        initial_level,
        rules=None,
        prorate=True,
    ):
        self.sc, self.tl, self.seed, self.rep, self.watch = scenario, timeline, seed, rep, rules
        self.prorate = prorate
        drawn = draw_traits(scenario, population_rng(seed))
        start = np.array([scenario.tenure.start_months(g) for g in drawn["tenure_group"]])
        pot = potential(drawn, scenario.tenure, start)
        pot["hired_day"] = -start * DAYS_PER_MONTH
        pot["join_day"] = -np.inf
        pot["leave_day"] = np.nan
        pot["replaces"] = ""
        self.people = pot
        self.levels: dict[str, str | None] = {
            a: _start_level(initial_level, g)
            for a, g in zip(pot["agent_id"], pot["tenure_group"], strict=True)
        }
        self.rules = RuleState()
        self.hired = 0
        self.book = DeclineBook(scenario.declines.duration_days)
        self.out: dict[str, list[pd.DataFrame]] = {
            k: [] for k in ("kpis", "scores", "pay", "roster", "events", "team", "alert_series")
        }

    def run(self, bounds: list) -> dict[str, pd.DataFrame]:
        for m, (first, d0, n) in enumerate(bounds):
            self._month(m, first, d0, n)
        res = {k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in self.out.items()}
        res["declines"] = self.book.table().assign(
            scenario_id=self.sc.id, replication=self.rep, seed=self.seed
        )
        agents = self.people.drop(columns=["join_day"]).assign(replication=self.rep, seed=self.seed)
        res["agents"] = agents.assign(scenario_id=self.sc.id)
        return res

    def _month(self, m: int, first, d0: int, n: int) -> None:
        p = self.people
        leave = p["leave_day"].to_numpy(float)
        join = p["join_day"].to_numpy(float)
        here = (join < d0 + n) & (np.isnan(leave) | (leave > d0))
        roster = p[here].reset_index(drop=True)
        # tenure on the agent's first day of the month: the drawn team is month 0's team exactly
        first_day = np.maximum(float(d0), roster["join_day"].to_numpy(float))
        ten = np.maximum(tenure_months(roster["hired_day"].to_numpy(float), first_day), 0.0)
        eff = effective(roster, self.sc.tenure, ten)
        lo = np.clip(roster["join_day"].to_numpy(float) - d0, 0, n).astype(np.int64)
        rl = roster["leave_day"].to_numpy(float)
        hi = np.where(np.isnan(rl), n, np.clip(rl - d0, 0, n)).astype(np.int64)
        eff["active_from_day"], eff["active_to_day"] = lo, hi
        rngs = month_streams(self.seed, self.rep, m)
        sc_m = month_scenario(self.sc, first, n)
        on = self.sc.declines.active  # declines running at the month's start carry on
        carry = self.book.carried(roster["agent_id"], d0) if on else None
        log = simulate_one(
            sc_m, seed=self.seed, replication=self.rep, roster=eff, rngs=rngs, carried_declines=carry
        )
        if on:
            self.book.record(m, first, d0, n, log.declines, eff)
        if self.watch is not None:  # the alert rules' per-agent series (KPI engine only)
            for period, t in series_tables(log, self.watch).items():
                self.out["alert_series"].append(t.assign(watch=period, month=m))
        pol = self.tl.policy_for(first)
        label = f"{pol.id}@{pol.version}"
        kt = kpis_for(log, pol)
        levels_col = pol.scorecard.levels.column if pol.scorecard.levels is not None else None
        inputs = None
        if levels_col is not None:
            self._levels_for(pol, roster["agent_id"])
        if levels_col is not None and any(i.name == levels_col for i in pol.inputs):
            inputs = pd.DataFrame(
                {"agent_id": roster["agent_id"], levels_col: [self.levels[a] for a in roster["agent_id"]]}
            )
        kt, _ = attach_policy_inputs(kt, {pol.id: pol}, inputs)
        scores = pol.score(kt)
        full = pol.pay(scores, kt)
        # base and level pay for the days employed (a hire's first month, a leaver's last)
        pay = (
            prorate_fixed(full, dict(zip(roster["agent_id"], hi - lo, strict=True)), n)
            if self.prorate
            else full
        )
        keys = {"month": m, "policy_version": label}
        self.out["kpis"].append(kt.assign(**keys))
        self.out["scores"].append(scores.assign(**keys))
        self.out["pay"].append(pay.assign(**keys))
        team = kpis(log, by=(), period="month", metrics=list(TEAM_METRICS))
        self.out["team"].append(
            team.assign(month=m, payout_cents=int(pay["total_cents"].sum()), policy_version=label)
        )
        # consequences and leavers, decided at the end of the month, effective after it
        staying = np.isnan(rl)
        judged = scores[scores["agent_id"].isin(set(roster.loc[staying, "agent_id"]))]
        events = [(a, e, d) for a, e, d in judge(judged, pol, self.levels, self.rules)]
        gone = {a for a, e, _ in events if e == "eliminated"}
        # resigning weighs the month's pay as a full month's (a hire is not underpaid by starting late)
        pay_by = full.set_index("agent_id")["total_cents"].reindex(roster["agent_id"]).to_numpy(float)
        may_quit = staying & ~roster["agent_id"].isin(gone).to_numpy()
        hz = np.zeros(len(roster))  # normalised over the agents who may still resign
        hz[may_quit] = leave_hazard(pay_by[may_quit], (ten + 0.5)[may_quit], self.sc.turnover)
        quits = draw_leavers(hz, rngs["turnover"])
        events += [(a, "resigned", "") for a in roster.loc[quits, "agent_id"]]
        self._record(m, d0, n, roster, eff, ten, label, events, rngs)

    def _levels_for(self, pol: Policy, agents) -> None:
        """Give every agent a level of ``pol``'s bands (the lowest when none yet, or when the plan
        paying the month names its levels otherwise than the one before)."""
        assert pol.scorecard.levels is not None
        names = [b.name for b in pol.scorecard.levels.bands]
        for a in agents:
            if self.levels.get(a) not in names:
                self.levels[a] = names[0]

    def _record(self, m, d0, n, roster, eff, ten, label, events, rngs) -> None:
        exit_day = d0 + n + self.sc.turnover.notice_days
        leavers = [a for a, e, _ in events if e in ("eliminated", "resigned")]
        rows = [
            dict(agent_id=a, event=e, detail=d, day=exit_day if a in leavers else d0 + n)
            for a, e, d in events
        ]
        idx = self.people.set_index("agent_id").index
        groups = [str(self.people.loc[idx.get_loc(a), "group"]) for a in leavers]
        hires = draw_hires(self.sc, groups, rngs["hires"])
        start = np.array([self.sc.tenure.start_months(g) for g in hires["tenure_group"]])
        hires = potential(hires, self.sc.tenure, start)  # the group's draws describe that tenure
        for k, a in enumerate(leavers):
            i = idx.get_loc(a)
            self.people.loc[i, "leave_day"] = exit_day
            self.rules.drop(a)
            self.hired += 1
            h = hires.iloc[[k]].copy()
            h["agent_id"] = f"{groups[k]}-h{self.hired:03d}"
            h["tenure_group"] = "new"
            h["hired_day"] = h["join_day"] = exit_day + self.sc.turnover.hiring_delay_days
            h["leave_day"], h["replaces"] = np.nan, a
            self.levels[h["agent_id"].iat[0]] = None
            self.people = pd.concat([self.people, h], ignore_index=True)
            rows.append(
                dict(
                    agent_id=h["agent_id"].iat[0],
                    event="hired",
                    detail=f"replaces {a}",
                    day=int(h["join_day"].iat[0]),
                )
            )
        keys = {
            "scenario_id": self.sc.id,
            "replication": self.rep,
            "seed": self.seed,
            "month": m,
            "policy_version": label,
        }
        ev = pd.DataFrame(rows, columns=["agent_id", "event", "detail", "day"])
        self.out["events"].append(ev.assign(**keys))
        r = roster[["agent_id", "group", "team", "tenure_group", "leave_day"]].copy()
        r["tenure_months"] = np.round(ten, 2)
        r["level"] = [self.levels.get(a) for a in r["agent_id"]]
        r["status"] = np.where(r["leave_day"].notna(), "notice", "active")
        r["active_days"] = eff["active_to_day"] - eff["active_from_day"]
        for col in ("true_speed", "true_resolution", "true_sales"):
            r[col] = eff[col].to_numpy(float)
        self.out["roster"].append(r.drop(columns=["leave_day"]).assign(**keys))


def _start_level(initial_level, tenure_group: str) -> str | None:
    """The level an agent starts at: ``initial_level`` (one level, or per tenure group), else
    None (the lowest level of the plan paying the month, see ``_YearRun._levels_for``)."""
    if isinstance(initial_level, str):
        return initial_level
    if isinstance(initial_level, dict):
        return initial_level.get(tenure_group)
    return None
