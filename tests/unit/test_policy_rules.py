"""Scoring rules: interval parsing, tier boundaries, linear, relative, percent of target, direct."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kpisim.policy.frame import Table
from kpisim.policy.rule_models import TargetRule, Tier, parse_interval
from kpisim.policy.rules import linear, percent_of_target, relative_share, tiers
from tests.policyhelpers import make_policy, rows


@pytest.mark.parametrize(
    "text, lo, lo_closed, hi, hi_closed",
    [
        ("x >= 0.6", 0.6, True, math.inf, False),
        ("x > 1.3", 1.3, False, math.inf, False),
        ("x <= 15", -math.inf, False, 15, True),
        ("x < 35%", -math.inf, False, 0.35, False),
        ("15 < x < 22", 15, False, 22, False),
        ("22 =< x < 30", 22, True, 30, False),  # the seed's own spelling
        ("15s<x<=22", None, None, None, None),  # units are not allowed
        ("0.55 ≤ x < 0.6", 0.55, True, 0.6, False),
        ("60 <= x", 60, True, math.inf, False),
        ("x == 0", 0, True, 0, True),
    ],
)
def test_parse_interval(text, lo, lo_closed, hi, hi_closed):
    if lo is None:
        with pytest.raises(ValueError, match="cannot read condition"):
            parse_interval(text)
        return
    iv = parse_interval(text)
    assert (iv.lo, iv.lo_closed, iv.hi, iv.hi_closed) == (lo, lo_closed, hi, hi_closed)


S3_ITEM7 = (
    Tier(when="x <= 15", points=100),
    Tier(when="15 < x < 22", points=90),
    Tier(when="22 <= x < 30", points=80),
    Tier(when="x >= 30", points=0),
)


@pytest.mark.parametrize(
    "value, points",
    [
        (0.0, 100),
        (15.0, 100),
        (15.000001, 90),
        (21.99, 90),
        (22.0, 80),
        (29.999, 80),
        (30.0, 0),
        (300, 0),
    ],
)
def test_s3_item7_boundaries(value, points):
    assert tiers(np.array([value]), S3_ITEM7)[0] == points


def test_tier_order_in_file_does_not_matter():
    shuffled_desc = tuple(reversed(S3_ITEM7))
    x = np.array([10, 15, 18, 22, 25, 30, 40, np.nan])
    a, b = tiers(x, S3_ITEM7), tiers(x, shuffled_desc)
    np.testing.assert_array_equal(a, b)
    assert np.isnan(a[-1])


def test_upper_inclusive_boundary_belongs_to_lower_band():
    t = (Tier(when="x <= 20", points=1), Tier(when="20 < x", points=2))
    np.testing.assert_array_equal(tiers(np.array([20.0, 20.0000001]), t), [1, 2])


def test_linear_is_clipped_and_interpolates():
    out = linear(np.array([0.5, 0.85, 0.9, 0.95, 1.2, np.nan]), ((0.85, 0.0), (0.95, 100.0)))
    np.testing.assert_allclose(out[:5], [0, 0, 50, 100, 100])
    assert np.isnan(out[5])


def test_relative_share_uses_group_mean_per_team_and_period():
    df = rows(
        {"agent_id": "a", "team": "t1", "handled": 140},
        {"agent_id": "b", "team": "t1", "handled": 60},
        {"agent_id": "c", "team": "t2", "handled": 50},
        {"agent_id": "d", "team": "t2", "handled": np.nan},
        {"agent_id": "a", "team": "t1", "handled": 10, "period": "2024-02"},
    )
    t = Table(df)
    share = relative_share(t.col("handled", "test"), t, ("team",), "test")
    np.testing.assert_allclose(share[:3], [1.4, 0.6, 1.0])
    assert np.isnan(share[3])  # missing value: no share
    assert share[4] == 1.0  # alone in its period


def test_relative_share_zero_mean_is_missing():
    df = rows({"agent_id": "a", "handled": 0}, {"agent_id": "b", "handled": 0})
    t = Table(df)
    assert np.isnan(relative_share(t.col("handled", "x"), t, (), "x")).all()


def test_percent_of_target_higher_floor_cap():
    rule = TargetRule(type="percent_of_target", target=200, floor_pct=50, cap_pct=100)
    out = percent_of_target(np.array([0, 99, 100, 150, 200, 400]), rule, direction="higher", scale=10)
    np.testing.assert_allclose(out, [0, 0, 5, 7.5, 10, 10])


def test_percent_of_target_lower_is_better():
    rule = TargetRule(type="percent_of_target", target=30)
    out = percent_of_target(np.array([15, 30, 60, 0]), rule, direction="lower", scale=100)
    np.testing.assert_allclose(out, [100, 100, 50, 100])


def test_missing_options_zero_full_nan():
    base = {
        "id": "c",
        "metric": "conversion_rate",
        "weight": 100,
        "rule": {"type": "linear", "points": [[0, 0], [1, 100]]},
    }
    df = rows({"agent_id": "a", "conversion_rate": np.nan}, {"agent_id": "b", "conversion_rate": 0.5})
    got = {}
    for missing in ("zero", "full", "nan"):
        p = make_policy(scorecard={"components": [{**base, "missing": missing}]})
        got[missing] = p.score(df)["total"].tolist()
    assert got["zero"] == [0, 50]
    assert got["full"] == [100, 50]
    assert np.isnan(got["nan"][0]) and got["nan"][1] == 50


def test_direct_rule_clips_to_scale():
    p = make_policy(
        inputs=[{"name": "rating"}],
        scorecard={
            "components": [{"id": "r", "metric": "rating", "weight": 100, "rule": {"type": "direct"}}]
        },
    )
    df = rows(
        {"agent_id": "a", "rating": 120}, {"agent_id": "b", "rating": -5}, {"agent_id": "c", "rating": 87.5}
    )
    assert p.score(df)["total"].tolist() == [100, 0, 87.5]


def test_float_noise_cannot_cross_a_band_boundary():
    """0.1, 0.2, 0.3 average to 0.20000000000000004 in binary floats; 0.2 is still exactly average."""
    p = make_policy(
        scorecard={
            "components": [
                {
                    "id": "c",
                    "metric": "handled",
                    "weight": 100,
                    "rule": {
                        "type": "relative",
                        "tiers": [{"when": "x >= 1", "points": 100}, {"when": "x < 1", "points": 0}],
                    },
                }
            ]
        }
    )
    df = rows(
        {"agent_id": "a", "handled": 0.1},
        {"agent_id": "b", "handled": 0.2},
        {"agent_id": "c", "handled": 0.3},
    )
    assert p.score(df)["total"].tolist() == [0, 100, 100]
