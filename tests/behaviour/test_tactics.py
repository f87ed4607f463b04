"""Tactics in the simulator: no tactics = today's tables; each tactic moves what it documents."""

from __future__ import annotations

import pandas as pd
import pytest

from kpisim.errors import KpisimError
from kpisim.rng import population_rng
from kpisim.sim.population import draw_traits
from kpisim.sim.run import simulate_one
from kpisim.sim.tactics import TacticPlan, intensity_matrix
from tests.analysis.conftest import short


@pytest.fixture(scope="module")
def shop1():
    return short("scenarios/shop_chat.yaml", 1)


@pytest.fixture(scope="module")
def roster(shop1):
    return draw_traits(shop1, population_rng(5))


@pytest.fixture(scope="module")
def base(shop1):
    return simulate_one(shop1, seed=5, replication=0)


def run(shop1, roster, tactics):
    plan = TacticPlan(intensity_matrix(roster, tactics))
    return simulate_one(shop1, seed=5, replication=0, tactics=plan), plan


def _answered(log):
    c = log.contacts
    return c[c["answered_at"].notna()]


def test_zero_intensities_give_identical_tables(shop1, roster, base):
    log, _ = run(shop1, roster, {"rush": 0.0})
    for name in base.tables:
        pd.testing.assert_frame_equal(base.tables[name], log.tables[name])


def test_early_release_leaves_issues_unresolved_and_customers_come_back(shop1, roster, base):
    log, plan = run(shop1, roster, {"early_release": 1.0})
    assert plan.released
    assert _answered(log)["resolved"].mean() < _answered(base)["resolved"].mean() - 0.1
    assert (log.contacts["attempt"] > 1).sum() > (base.contacts["attempt"] > 1).sum()


def test_survey_selection_raises_measured_csat_and_lowers_participation(shop1, roster, base):
    log, _ = run(shop1, roster, {"survey_selection": 1.0})
    a, b = _answered(log), _answered(base)
    assert a["csat"].mean() > b["csat"].mean()
    assert a["csat"].notna().sum() < b["csat"].notna().sum()


def test_transfer_dump_transfers_more(shop1, roster, base):
    log, plan = run(shop1, roster, {"transfer_dump": 1.0})
    assert plan.dumped and log.contacts["transferred"].sum() > base.contacts["transferred"].sum()


def test_genuine_effort_resolves_more(shop1, roster, base):
    log, _ = run(shop1, roster, {"genuine_effort": 1.0})
    assert _answered(log)["resolved"].mean() > _answered(base)["resolved"].mean()


def test_rush_shortens_handle_time(shop1, roster, base):
    log, _ = run(shop1, roster, {"rush": 1.0})
    assert _answered(log)["handle_s"].mean() < _answered(base)["handle_s"].mean()


def test_sales_push_converts_and_refunds_more(shop1, roster, base):
    log, _ = run(shop1, roster, {"sales_push": 1.0})
    a, b = _answered(log), _answered(base)
    assert a["converted"].sum() > b["converted"].sum() and a["refunded"].sum() > b["refunded"].sum()


def test_bad_intensities_are_refused(roster):
    with pytest.raises(KpisimError, match=r"within 0\.\.1"):
        intensity_matrix(roster, {"rush": 1.5})
    with pytest.raises(KpisimError, match="unknown tactic"):
        intensity_matrix(roster, {"napping": 0.5})
