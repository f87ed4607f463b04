"""Agents respond to the plan, on a tiny shop (2 days, 7 agents): known directions of effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.vocab import TACTICS

#: Statistical checks on a full respond() run (~1 min): `pytest -m slow tests/behaviour`.
pytestmark = pytest.mark.slow

T = {t: i for i, t in enumerate(TACTICS)}
SPEEDERS = [T["rush"], T["early_release"]]


def _cons(r, policy, measure):
    c = r.consequences
    return c[(c["policy"] == policy) & (c["measure"] == measure)].iloc[0]


def test_volume_pay_makes_most_agents_rush_or_release_early_and_fcr_drops(response):
    x = response.equilibria["volume"].x
    assert (x[:, SPEEDERS].max(axis=1) > 0.5).mean() > 0.5
    fcr = _cons(response, "volume", "true_fcr")
    assert fcr["difference_hi"] < -0.05  # a measurable drop (95 % CI below -5 points)


# an FCR gate sees every tactic that costs resolution; QA sees only the detectable ones
@pytest.mark.parametrize(
    ("fixed", "tactics"),
    [("gated", ["rush", "early_release"]), ("qa", ["early_release", "transfer_dump", "survey_selection"])],
)
def test_an_fcr_gate_or_qa_deductions_remove_most_of_it(response, fixed, tactics):
    cols = [T[t] for t in tactics]
    vol = response.equilibria["volume"].x[:, cols].sum()
    assert response.equilibria[fixed].x[:, cols].sum() < 0.5 * vol
    assert (
        _cons(response, fixed, "true_fcr")["difference"] > _cons(response, "volume", "true_fcr")["difference"]
    )


def test_flat_pay_buys_nothing_and_changes_nothing(response):
    assert response.equilibria["flat"].x.max() == 0
    d = response.consequences.query("policy == 'flat'")["difference"]
    assert np.allclose(d.fillna(0), 0)


def test_tables_have_the_documented_shape(response, tmp_path):
    b = response.behaviour
    assert len(b) == 4 * b["role"].nunique() * len(TACTICS)
    assert {"share_using", "mean_intensity", "intensity_lo", "intensity_hi", "share_lo", "share_hi"} <= set(b)
    c = response.consequences
    assert {"without_response", "at_equilibrium", "difference", "difference_lo", "difference_hi"} <= set(c)
    assert set(response.convergence["status"]) <= {"converged", "approximate", "cycling", "not converged"}
    written = response.write(tmp_path)
    assert pd.read_csv(written[0]).shape == b.shape


def test_predictions_agree_with_the_direct_simulation(response):
    p = response.prediction
    assert p["within_ci"].mean() >= 0.8, p


def test_same_seed_same_equilibrium(tiny, cheap_gaming, response):
    from kpisim.analysis.behaviour import respond
    from tests.behaviour.conftest import gated_volume

    again = respond(tiny, {"gated": gated_volume()}, replications=3, seed=3, jobs=2, costs=cheap_gaming)
    np.testing.assert_array_equal(again.equilibria["gated"].x, response.equilibria["gated"].x)
