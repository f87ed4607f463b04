"""Incentives: a volume-only policy pays for rushing, an FCR policy does not; gradient; cliffs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.incentives import incentive_gradient, lever_effects, lever_variant, metric_steps, tier_cliffs
from kpisim.errors import KpisimError
from tests.analysis.conftest import short
from tests.analysis.standins import fcr_policy, volume_policy

RUSH = {"rush": {"rush_handle_factor": 0.7, "rush_resolution_odds": 0.6}}


@pytest.fixture(scope="module")
def rush_effects():
    sc = short("scenarios/phone_centre.yaml", 3)
    return lever_effects(sc, {"volume": volume_policy(), "fcr": fcr_policy()}, RUSH,
                         groups=[sc.agents[0].name], replications=3, seed=2, jobs=1, progress=False)


def test_volume_only_policy_rewards_the_rush_lever(rush_effects):
    r = rush_effects.set_index("policy")
    assert r.loc["volume", "delta_pay_cents_lo"] > 0     # rushing pays under volume pay ...
    assert r.loc["volume", "delta_fcr_rate_hi"] < 0      # ... while first-contact resolution drops
    assert r.loc["fcr", "delta_pay_cents_hi"] < 0        # and an FCR-based policy punishes it
    # CRN: both policies see the same simulated behaviour
    assert r.loc["volume", "delta_handled"] == r.loc["fcr", "delta_handled"]


def test_lever_variant_touches_only_named_groups(shop3):
    v = lever_variant(shop3, {"rush_handle_factor": 0.8}, groups=["as-day"])
    assert [g.levers.rush_handle_factor for g in v.agents] == [0.8 if g.name == "as-day" else 1.0 for g in shop3.agents]
    assert shop3.agents[5].levers.rush_handle_factor == 1.0  # baseline untouched
    with pytest.raises(KpisimError, match="unknown agent group 'x'"):
        lever_variant(shop3, {"rush_handle_factor": 0.8}, groups=["x"])


def test_incentive_gradient_of_a_linear_volume_policy_is_exact(shop_comparison):
    g = incentive_gradient(shop_comparison, metrics={"volume": ["handled", "fcr_rate"]},
                           policies={"volume": volume_policy()}).set_index("metric")
    step = metric_steps(shop_comparison.kpis, ["handled"])["handled"]
    assert step >= 1 and float(step).is_integer()
    assert g.loc["handled", "delta_pay_cents"] == pytest.approx(100 * step)  # 100 cents per contact
    assert g.loc["fcr_rate", "delta_pay_cents"] == 0                         # not paid for


def test_steps_point_to_better():
    kt = pd.DataFrame({"replication": 0, "period": 0, "aht_s": [100.0, 200, 300], "fcr_rate": [0.5, 0.6, 0.7]})
    s = metric_steps(kt, ["aht_s", "fcr_rate"])
    assert s["aht_s"] < 0 < s["fcr_rate"]


def test_tier_cliffs_count_agents_just_below_a_boundary():
    from kpisim.policy import validate_policy

    pol = validate_policy({
        "kind": "policy", "id": "tiny", "name": "tiny",
        "scorecard": {"components": [{"id": "fcr", "metric": "fcr_rate", "weight": 100, "rule": {
            "type": "tiers", "tiers": [{"when": "x >= 0.8", "points": 100}, {"when": "x < 0.8", "points": 0}]}}]},
    })

    class C:
        kpis = pd.DataFrame({"replication": [0] * 4 + [1] * 4, "period": 0,
                             "fcr_rate": [0.70, 0.79, 0.81, 0.90, 0.70, 0.79, 0.81, 0.90]})
        meta = {"policy_objects": {"tiny": pol}}
    sd = C.kpis["fcr_rate"].iloc[:4].std()
    out = tier_cliffs(C)
    row = out[out["boundary"] == 0.8].iloc[0]
    expect = np.mean((0.8 - np.array([0.70, 0.79, 0.81, 0.90]) > 0) & (0.8 - np.array([0.70, 0.79, 0.81, 0.90]) <= 0.5 * sd))
    assert row["share_within_step"] == pytest.approx(expect)
    assert 0 < row["share_within_step"] < 1


def test_comparison_lever_effects_reuse_the_baseline_months(shop3, tmp_path):
    from kpisim.analysis.compare import compare

    comp = compare(shop3, {"volume": volume_policy(), "fcr": fcr_policy()}, replications=2, seed=2,
                   jobs=1, progress=False)
    lv = comp.lever_effects({"rush": RUSH["rush"]}, groups=["as-day"], jobs=1, progress=False)
    direct = lever_effects(shop3, {"volume": volume_policy(), "fcr": fcr_policy()}, RUSH, groups=["as-day"],
                           replications=2, seed=2, jobs=1, progress=False)
    pd.testing.assert_series_equal(lv["delta_pay_cents"], direct["delta_pay_cents"])
    assert (lv["groups"] == "as-day").all()
    comp.to_dir(tmp_path, levers=lv)
    assert "Behaviour levers" in (tmp_path / "report.html").read_text()
    assert (tmp_path / "lever_effects.csv").exists()
