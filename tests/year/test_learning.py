"""Tenure learning curves (S3 #8: new agents are slower and less skilled)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.scenario.turnover import Tenure
from kpisim.sim.months import effective, potential


def test_learning_curve_is_monotone_and_ends_at_the_trained_level():
    t = Tenure()
    months = np.linspace(0, 36, 200)
    speed = np.array([t.speed_factor(m) for m in months])
    skill = np.array([t.skill_factor(m) for m in months])
    assert speed[0] == pytest.approx(t.new_speed) and skill[0] == pytest.approx(t.new_skill)
    assert (np.diff(speed) < 0).all() and (np.diff(skill) > 0).all()  # slower -> faster; weak -> skilled
    assert speed[-1] == pytest.approx(1.0, abs=1e-4) and skill[-1] == pytest.approx(1.0, abs=1e-4)
    # e-folding time: after learn_months a brand-new agent has closed 1 - 1/e of the gap
    assert t.speed_factor(t.learn_months) - 1 == pytest.approx((t.new_speed - 1) / np.e)


def test_traits_at_a_tenure_round_trip_through_the_potential():
    t = Tenure()
    drawn = pd.DataFrame(
        {
            "true_speed": [1.2, 0.9],
            "true_resolution": [0.7, 1.1],
            "true_sales": [0.8, 1.0],
            "true_qa": [97.0, 98.0],
        }
    )
    start = np.array([2.0, 24.0])
    pot = potential(drawn, t, start)
    assert np.allclose(effective(pot, t, start)[drawn.columns], drawn)
    assert (
        pot["true_speed"].iloc[0] < 1.2 and pot["true_resolution"].iloc[0] > 0.7
    )  # a new agent will improve
    assert (pot["true_qa"] == drawn["true_qa"]).all()  # QA is not on the curve
    new = effective(pot, t, np.zeros(2))
    assert (new["true_speed"] > pot["true_speed"]).all() and (new["true_sales"] < pot["true_sales"]).all()
