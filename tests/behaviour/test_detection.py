"""Caught gaming reaches the KPI rows and the response model (so QA deductions can deter).

Regression: the response model kept only KPI columns that vary between agents in the
no-tactics month; with nobody gaming there is no rule breach, so ``rule_breach`` was never
modelled and a plan that deducts for breaches deterred nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.behaviour.costs import role_of
from kpisim.analysis.behaviour.response import fit
from kpisim.analysis.behaviour.runs import run_profiles
from kpisim.rng import population_rng
from kpisim.scenario.behaviour import Behaviour
from kpisim.sim.population import draw_traits
from kpisim.vocab import TACTICS
from tests.behaviour.conftest import tiny_shop

RELEASE = TACTICS.index("early_release")


@pytest.fixture(scope="module")
def months():
    """Two 1-day months with no tactics and the same months with early release rising from 0
    (first agent) to 1 (last agent); KPI rows aligned, intensities and roles per row."""
    sc = tiny_shop(days=1)
    roster = draw_traits(sc, population_rng(3))
    x = np.zeros((len(roster), len(TACTICS)))
    x[:, RELEASE] = np.linspace(0, 1, len(roster))
    zero = np.zeros_like(x)
    res = run_profiles(sc, [zero, zero, x, x], reps=[0, 1, 0, 1], seed=3, behaviour=Behaviour())
    kb = pd.concat([r["kpis"] for r in res[:2]], ignore_index=True)
    ke = pd.concat([r["kpis"] for r in res[2:]], ignore_index=True)
    assert (kb["agent_id"] == ke["agent_id"]).all() and (kb["replication"] == ke["replication"]).all()
    ai = kb["agent_id"].map({a: i for i, a in enumerate(roster["agent_id"])}).to_numpy()
    return kb, ke, x[ai], role_of(roster).to_numpy()[ai]


def test_caught_early_releases_are_rule_breaches_in_the_kpi_table(months):
    kb, ke, xr, _ = months
    assert kb["rule_breach"].sum() == 0  # nobody games, nobody is caught (and no random breach)
    assert ke["rule_breach"].sum() >= 5
    # only agents who release early are caught
    assert (ke["rule_breach"].to_numpy()[xr[:, RELEASE] == 0] == 0).all()


def test_the_response_model_sees_breaches_rise_with_early_release(months):
    kb, ke, xr, roles = months
    model = fit(kb, ke, xr, roles)
    assert "rule_breach" in model.metrics
    j = model.metrics.index("rule_breach")
    slope, se = model.coef["*"][1 + RELEASE, j], model.se["*"][1 + RELEASE, j]
    # hand check on these two months: ~3.5 breaches a day at full intensity, se ~0.9
    assert slope > 2 * se > 0


def test_a_column_constant_without_tactics_is_still_modelled():
    base = pd.DataFrame(
        {"replication": 0, "period": "p", "agent_id": ["a", "b", "c", "d"], "breaches": 0, "flat": 7}
    )
    x = np.zeros((4, len(TACTICS)))
    x[:, RELEASE] = [0.0, 0.5, 1.0, 1.0]
    explore = base.assign(breaches=[0, 1, 2, 2], flat=9)  # centre-level: same for everyone
    model = fit(base, explore, x, np.array(["r"] * 4))
    assert model.metrics == ["breaches"]
    assert model.coef["*"][1 + RELEASE, 0] == pytest.approx(2.0, abs=1e-3)
