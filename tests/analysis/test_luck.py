"""Luck share, rank stability, position share and the jackknife interval, on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.luck import (
    fixed_population,
    luck_share,
    luck_table,
    person_share,
    position_share,
    rank_stability,
    variance_components,
)
from kpisim.analysis.stats import jackknife_ci, t_ci
from kpisim.errors import KpisimError
from kpisim.sim.run import simulate_one


def test_variance_components_by_hand():
    # agent means 2 and 6, grand mean 4: SSW = 4 on 2 df -> MSW 2; SSB = 2*(4+4) = 16;
    # between = (16 - (2 - 1) x 2) / 4 observations = 3.5; luck = 2 / (2 + 3.5)
    y = np.array([[1.0, 3.0], [5.0, 7.0]])
    assert variance_components(y) == pytest.approx((2.0, 3.5, 0.0))
    assert luck_share(y) == pytest.approx(2 / 5.5)


def test_variance_components_unbalanced_weights_by_months():
    # agent 1 has 3 months, agent 2 has 1 month (NaN cells are missing, not zero)
    y = np.array([[1.0, 2.0, 3.0], [10.0, np.nan, np.nan]])
    # N = 4, a = 2; SSW = 2 on 2 df -> MSW 1; means 2 and 10, grand (1+2+3+10)/4 = 4;
    # SSB = 3*(2-4)^2 + (10-4)^2 = 48 (weighted by months) -> between = (48 - 1 x 1) / 4
    assert variance_components(y) == pytest.approx((1.0, 47 / 4, 0.0))


def test_luck_share_extremes():
    rng = np.random.default_rng(0)
    persistent = np.repeat(rng.normal(size=(40, 1)), 6, axis=1)  # the same pay every month
    assert luck_share(persistent) == pytest.approx(0.0, abs=1e-12)
    noise = rng.normal(size=(40, 6))  # no agent effect at all
    assert luck_share(noise) > 0.8


def test_rank_stability():
    a = np.arange(10.0)
    assert rank_stability(np.column_stack([a, a, a])) == pytest.approx(1.0)
    assert rank_stability(np.column_stack([a, -a])) == pytest.approx(-1.0)


def test_position_share_all_group():
    # pay depends on the group only (plus a little month noise): nearly all of it is position
    groups = np.array(["day"] * 5 + ["night"] * 5)
    rng = np.random.default_rng(4)
    y = np.where(groups == "day", 100.0, 50.0)[:, None] + rng.normal(0, 0.1, size=(10, 4))
    assert position_share(y, groups) == pytest.approx(1.0, abs=0.01)
    # pay differs by person inside each group: position only explains the group means
    y2 = y + np.arange(10.0)[:, None]
    assert 0 < position_share(y2, groups) < 1


def test_jackknife_of_a_mean_is_the_t_interval():
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0])
    est, lo, hi, n = jackknife_ci(lambda keep: x[keep].mean(), x.size)
    m, tlo, thi, _ = t_ci(x)
    assert (est, lo, hi, n) == pytest.approx((m, tlo, thi, 6))
    assert math.isnan(jackknife_ci(lambda keep: x[:2][keep].mean(), 2)[1])  # too few months: no CI


def _merged(pay: np.ndarray, traits: np.ndarray) -> pd.DataFrame:
    a, m = pay.shape
    return pd.DataFrame(
        {
            "policy": "p",
            "replication": np.tile(np.arange(m), a),
            "period": "2026-01",
            "agent_id": np.repeat([f"a{i}" for i in range(a)], m),
            "group": "g",
            "pay_cents": pay.ravel(),
            "total": pay.ravel(),
            "true_speed": traits.ravel(),
        }
    )


def test_luck_table_needs_a_fixed_population():
    rng = np.random.default_rng(1)
    pay = rng.normal(100, 10, size=(8, 4))
    fixed = _merged(pay, np.repeat(rng.normal(size=(8, 1)), 4, axis=1))
    redrawn = _merged(pay, rng.normal(size=(8, 4)))
    assert fixed_population(fixed) and not fixed_population(redrawn)
    assert luck_table(fixed).loc[0, "luck_share"] == pytest.approx(luck_share(pay))
    assert math.isnan(luck_table(redrawn).loc[0, "luck_share"])


def test_simulated_population_is_fixed_across_replications(shop3):
    a0 = simulate_one(shop3, seed=5, replication=0).tables["agents"]
    a1 = simulate_one(shop3, seed=5, replication=1).tables["agents"]
    truth = [c for c in a0 if c.startswith("true_")]
    pd.testing.assert_frame_equal(a0[["agent_id", *truth]], a1[["agent_id", *truth]])
    r1 = simulate_one(shop3, seed=5, replication=1, population="redraw").tables["agents"]
    assert not np.allclose(a0["true_speed"], r1["true_speed"])
    with pytest.raises(KpisimError, match="population must be one of fixed, redraw"):
        simulate_one(shop3, seed=5, replication=0, population="new")


def test_luck_table_shares_add_up_and_have_intervals():
    rng = np.random.default_rng(3)
    groups = np.repeat(["day", "night"], 6)
    person = rng.normal(0, 20, size=(12, 1))
    pay = 1000 + np.where(groups == "day", 100.0, 0.0)[:, None] + person + rng.normal(0, 10, size=(12, 5))
    d = _merged(pay, np.repeat(person, 5, axis=1))
    d["group"] = np.repeat(groups, 5)
    row = luck_table(d).iloc[0]
    assert row["luck_share"] + row["position_share"] + row["person_share"] == pytest.approx(1.0)
    for c in ("luck_share", "position_share", "person_share", "rank_stability"):
        assert (
            0 <= row[f"{c}_lo"] <= row[c] <= row[f"{c}_hi"] <= (1 if c.endswith("share") else 1.0 + 1e-12)
        ), c
    assert row["position_share"] > row["luck_share"]  # a 100-cent group gap dwarfs 10-cent noise


def test_nested_components_by_hand():
    # 2 groups x 2 agents x 2 months. Agent means 2, 4 | 10, 12; group means 3 | 11; grand 7.
    y = np.array([[1.0, 3.0], [3.0, 5.0], [9.0, 11.0], [11.0, 13.0]])
    groups = np.array(["a", "a", "b", "b"])
    # SSW = 4 x 2 = 8 on 4 df -> MSW 2; SSA = 2 x (1 + 1 + 1 + 1) = 8, a - k = 2
    # -> person (8 - 2 x 2) / 8 = 0.5; SSG = 4 x (16 + 16) = 128, k - 1 = 1 -> position (128 - 2) / 8
    assert variance_components(y, groups) == pytest.approx((2.0, 0.5, 15.75))
    total = 2.0 + 0.5 + 15.75
    assert luck_share(y, groups) == pytest.approx(2 / total)
    assert position_share(y, groups) == pytest.approx(15.75 / total)
    assert person_share(y, groups) == pytest.approx(0.5 / total)


def test_group_effect_plus_noise_has_no_person_share():
    # the reviewer's case: pay = group gap + month noise, nobody differs within a group
    rng = np.random.default_rng(11)
    groups = np.repeat(["day", "night"], 20)
    gap = np.where(groups == "day", 1.0, -1.0)[:, None] * 0.25  # σ²_g = 0.0625
    y = gap + rng.normal(0, 1, size=(40, 24))  # σ²_w = 1
    truth = 0.0625 / 1.0625
    assert position_share(y, groups) == pytest.approx(truth, abs=0.04)  # stated tolerance: sampling error
    assert person_share(y, groups) < 0.02
    assert luck_share(y, groups) == pytest.approx(1 - truth, abs=0.04)


def test_single_agent_groups_confound_person_and_position():
    y = np.array([[1.0, 2.0], [5.0, 6.0], [9.0, 9.5]])
    groups = np.array(["a", "b", "c"])
    assert math.isnan(position_share(y, groups)) and math.isnan(person_share(y, groups))
    assert luck_share(y, groups) == pytest.approx(luck_share(y))  # falls back to the one-way split
