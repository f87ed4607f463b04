"""The bundled shop under S3 for 12 months (about 1 min of CPU per simulated year): slow."""

from __future__ import annotations

import pandas as pd
import pytest

from kpisim.analysis.year import simulate_year
from kpisim.scenario.models import load_scenario

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop_year(s3):
    return simulate_year(
        load_scenario("scenarios/shop_chat.yaml"), s3, months=12, seed=1, replications=2, jobs=2
    )


def test_a_year_of_the_shop_under_s3(shop_year):
    y = shop_year
    t = y.trajectory()
    assert len(t) == 12 and t["period"].iloc[-1] == pd.Timestamp("2027-10-01")
    cost = y.turnover_cost()
    # S3's rule eliminates agents and their posts are refilled; resignations at about 25 %/year
    assert (cost["eliminated"] > 0).all() and (cost["hires"] >= cost["eliminated"]).all()
    assert cost["attrition_rate"].mean() == pytest.approx(0.25, abs=0.2)  # 2 x 35 agent-years: wide
    q = y.rule_quality().set_index("rule")
    assert 0 <= q.loc["eliminated", "wrong_share"] <= 1
    assert (t["staffed_posts"] <= 35 + 1e-9).all()


def test_years_in_parallel_equal_years_in_sequence(shop_year, s3):
    one = simulate_year(
        load_scenario("scenarios/shop_chat.yaml"), s3, months=12, seed=1, replications=2, jobs=1
    )
    pd.testing.assert_frame_equal(one.events, shop_year.events)
    pd.testing.assert_frame_equal(one.pay, shop_year.pay)
