"""Voluntary attrition as a monthly hazard, and the hidden traits of replacement hires.

The hazard of agent i is ``h x m_i / mean(m)`` (capped at 1), ``h`` the scenario's monthly
hazard (``Turnover.monthly_hazard``) and ``m_i = (pay_i / median pay) ** -pay_elasticity x
(new_agent_factor if tenure < new_agent_months)``: the multipliers move who leaves, the team
keeps the configured rate. Pure functions of their inputs and one generator each.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.scenario.models import Scenario
from kpisim.scenario.turnover import Turnover
from kpisim.sim.population import draw_traits


def leave_hazard(pay_cents: np.ndarray, tenure_months: np.ndarray, turnover: Turnover) -> np.ndarray:
    """Monthly probability of a voluntary leave for each agent (see the module docstring).

    Args:
        pay_cents: each agent's pay this month (NaN or <= 0: treated as the median).
        tenure_months: each agent's tenure at the end of the month.
    """
    n = len(pay_cents)
    if n == 0 or turnover.monthly_hazard == 0:
        return np.zeros(n)
    pay = np.asarray(pay_cents, dtype=float)
    ok = np.isfinite(pay) & (pay > 0)
    med = float(np.median(pay[ok])) if ok.any() else 1.0
    rel = np.where(ok, pay / med, 1.0)
    m = rel ** (-turnover.pay_elasticity)
    m = m * np.where(
        np.asarray(tenure_months, dtype=float) < turnover.new_agent_months, turnover.new_agent_factor, 1.0
    )
    return np.minimum(1.0, turnover.monthly_hazard * m / m.mean())


def draw_leavers(hazard: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Who leaves: one uniform per agent (drawn for every agent, so one hazard does not shift the
    others' draws)."""
    return rng.random(len(hazard)) < hazard


def draw_hires(scenario: Scenario, groups: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """Hidden traits of one new hire per entry of ``groups`` (a group's name: the hire takes a
    post of that group, with its skills, shift and trait distribution), drawn in order."""
    by_name = {g.name: g for g in scenario.agents}
    frames = []
    for name in groups:
        one = scenario.model_copy(update={"agents": [by_name[name].model_copy(update={"count": 1})]})
        frames.append(draw_traits(one, rng))
    if not frames:
        return draw_traits(scenario, rng).iloc[0:0]
    return pd.concat(frames, ignore_index=True)
