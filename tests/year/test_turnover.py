"""Voluntary attrition as a monthly hazard, checked in isolation (no traffic simulated)."""

from __future__ import annotations

import numpy as np
import pytest

from kpisim.scenario.turnover import Turnover
from kpisim.sim.turnover import draw_leavers, leave_hazard


def annual_rate(turnover: Turnover, *, agents: int, years: int, seed: int) -> float:
    """Leavers per agent-year over ``years`` simulated years of a team whose pay and tenure vary
    (every leaver replaced at once by a new agent on median pay)."""
    rng = np.random.default_rng(seed)
    pay = rng.lognormal(np.log(400_000), 0.3, agents)
    tenure = rng.uniform(0, 36, agents)
    leavers = 0
    for _ in range(years * 12):
        quit_ = draw_leavers(leave_hazard(pay, tenure, turnover), rng)
        leavers += int(quit_.sum())
        tenure = np.where(quit_, 0.0, tenure + 1)
        pay = np.where(quit_, np.median(pay), pay)
    return leavers / (agents * years)


def test_default_hazard_is_s3_industry_attrition():
    t = Turnover()
    assert t.annual_attrition == 0.25 and t.enabled
    assert t.monthly_hazard == pytest.approx(0.25 / 12)
    assert Turnover(enabled=False).monthly_hazard == 0


def test_pay_and_tenure_move_who_leaves_not_the_team_rate():
    t = Turnover(pay_elasticity=1.0, new_agent_factor=2.0, new_agent_months=6)
    pay = np.array([200_000, 400_000, 400_000, 800_000])
    h = leave_hazard(pay, np.array([24, 24, 2, 24]), t)
    assert h.mean() == pytest.approx(t.monthly_hazard)  # normalised over the team
    # half the median pay: twice the hazard of a median-paid peer; a new agent twice too
    assert h[0] / h[1] == pytest.approx(2.0) and h[2] / h[1] == pytest.approx(2.0)
    assert h[3] / h[1] == pytest.approx(0.5)
    flat = leave_hazard(pay, np.full(4, 24.0), Turnover(pay_elasticity=0))
    assert np.allclose(flat, 0.25 / 12)


def test_attrition_gives_the_configured_annual_rate_fast():
    # 40 agents x 150 years = 6000 agent-years: SE of the rate ~ sqrt(0.25/6000) = 0.0065
    rate = annual_rate(Turnover(), agents=40, years=150, seed=1)
    assert rate == pytest.approx(0.25, abs=0.03)  # > 4 SE
    low = annual_rate(Turnover(annual_attrition=0.15), agents=40, years=150, seed=2)
    assert low == pytest.approx(0.15, abs=0.025)  # S3's target


@pytest.mark.slow
def test_attrition_gives_the_configured_annual_rate_precisely():
    # 100 agents x 2000 years: SE ~ 0.0011; tolerance 4 SE
    assert annual_rate(Turnover(), agents=100, years=2000, seed=3) == pytest.approx(0.25, abs=0.0045)


def test_draws_do_not_shift_when_one_hazard_changes():
    h = np.full(10, 0.3)
    a = draw_leavers(h, np.random.default_rng(7))
    h2 = h.copy()
    h2[0] = 0.0
    b = draw_leavers(h2, np.random.default_rng(7))
    assert (a[1:] == b[1:]).all() and not b[0]
