"""Simulated months under tactic profiles, reduced to per-agent KPIs and true consequences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kpisim.analysis.executors import as_executor
from kpisim.errors import KpisimError
from kpisim.kpi.compute import kpis
from kpisim.kpi.variants import add_variants
from kpisim.scenario.behaviour import Behaviour
from kpisim.scenario.models import Scenario
from kpisim.sim.run import simulate_one
from kpisim.sim.tactics import TacticPlan


def _measures(log, plan: TacticPlan, behaviour: Behaviour) -> dict[str, float]:
    """True and measured consequences of one month (team level)."""
    c = log.contacts
    ans = c["answered_at"].notna().to_numpy()
    first = (c["attempt"].to_numpy() == 1) & c["transfer_of"].isna().to_numpy()
    resolved = c["resolved"].to_numpy(bool)
    csat_all = plan.truth.get("csat_all", np.zeros(len(c)))
    surveyed = c["csat"].notna().to_numpy()
    refunded = c["refunded"].to_numpy(bool)
    value = c["order_value_cents"].to_numpy(float)
    n_ans = int(ans.sum())
    return {
        "contacts": float(len(c)),
        "answered": float(n_ans),
        "repeat_contacts": float((c["attempt"].to_numpy() > 1).sum()),
        "transfers": float(c["transferred"].sum()),
        "true_fcr": float(resolved[ans & first].mean()) if (ans & first).any() else np.nan,
        "mean_wait_s": float(c["wait_s"].mean()),
        "abandon_rate": float(c["abandoned"].mean()),
        "complaints": float(c["complaint"].sum()),
        "measured_csat": float(c["csat"].astype(float).mean()),
        "true_csat": float(csat_all[ans].mean()) if n_ans else np.nan,
        "survey_participation": float(surveyed[ans].mean()) if n_ans else np.nan,
        "sales_cents": float(value.sum()),
        "refunded_cents": float(value[refunded].sum()),
        "caught_cases": float(plan.truth.get("caught", np.zeros(0, bool)).sum()),
        "contact_cost_cents": float(n_ans * behaviour.cost_per_contact_cents),
    }


def run_one(task: tuple) -> dict:
    """Worker: one replication under one intensity matrix (roster order)."""
    scenario, seed, rep, x, behaviour, kpi_by, period, variants = task
    plan = TacticPlan(x, behaviour)
    log = simulate_one(scenario, seed=seed, replication=rep, tactics=plan)
    kt = add_variants(log, kpis(log, by=kpi_by, period=period), variants, by=kpi_by, period=period)
    out = {"kpis": kt, "measures": _measures(log, plan, behaviour)}
    out["measures"]["measured_fcr"] = _team_fcr(log)
    return out


def _team_fcr(log) -> float:
    try:
        t = kpis(log, by=(), period="month", metrics=["fcr_rate"])
    except KpisimError:  # a log without the metric's inputs has no measured FCR
        return np.nan
    return float(pd.to_numeric(t["fcr_rate"], errors="coerce").mean())


def run_profiles(
    scenario: Scenario,
    profiles: list[np.ndarray],
    *,
    reps: list[int] | None = None,
    seed: int,
    behaviour: Behaviour,
    jobs: int | None = 1,
    executor: Any = None,
    kpi_by: tuple[str, ...] = ("agent_id",),
    period: str = "month",
    variants: dict | None = None,
) -> list[dict]:
    """Replication ``reps[i]`` (default ``i``) under ``profiles[i]``, results in that order
    whatever runs them. ``variants``: the metric variants the policies define (as ``compare``).
    ``executor``: where the months run (:func:`kpisim.analysis.executors.as_executor`; ``jobs``
    only sizes the default local pool; ``jobs=1`` and no executor: this process)."""
    reps = list(range(len(profiles))) if reps is None else reps
    tasks = [
        (scenario, seed, r, x, behaviour, kpi_by, period, variants)
        for r, x in zip(reps, profiles, strict=True)
    ]
    return list(as_executor(executor, jobs=jobs).map(run_one, tasks))
