"""Score breakdown: items add up to the total, signs, limits, measurability, grouping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.breakdown import score_breakdown, score_items
from kpisim.analysis.compare import Comparison
from kpisim.errors import KpisimError
from kpisim.policy import load_policy, validate_policy
from tests.policyhelpers import POLICIES

POLICY = {
    "kind": "policy",
    "id": "tiny",
    "name": "tiny",
    "inputs": [{"name": "rating", "unit": "points(0-100)"}],
    "scorecard": {
        "categories": [{"id": "svc", "max_points": 30}],
        "components": [
            {
                "id": "q",
                "metric": "qa_mean",
                "weight": 30,
                "category": "svc",
                "rule": {"type": "linear", "points": [[60, 0], [100, 100]]},
            },
            {
                "id": "conv",
                "metric": "conversion_rate",
                "weight": 60,
                "rule": {
                    "type": "tiers",
                    "tiers": [{"when": "x >= 0.5", "points": 100}, {"when": "x < 0.5", "points": 0}],
                },
            },
            {"id": "rating", "metric": "rating", "weight": 10, "rule": {"type": "direct"}},
        ],
        "deductions": [{"id": "complaints", "metric": "complaints", "points_each": 5, "category": "svc"}],
        "bonuses": [{"id": "praise", "metric": "praise", "points_each": 1}],
        "total": {"floor": 0, "cap": 100, "decimals": 2},
    },
}


def _comparison(policy) -> Comparison:
    # agent a: q 30, conv 60, rating 8, praise +5 = 103 -> capped at 100 (limits -3)
    # agent b: q 15 - 20 complaint points -> svc clipped to 0; conv missing -> 0; rating 8 -> 8
    rows = [
        {
            "agent_id": "a",
            "shift": "day",
            "qa_mean": 100.0,
            "conversion_rate": 0.6,
            "complaints": 0,
            "praise": 5,
        },
        {
            "agent_id": "b",
            "shift": "evening",
            "qa_mean": 80.0,
            "conversion_rate": np.nan,
            "complaints": 4,
            "praise": 0,
        },
    ]
    kt = pd.DataFrame(
        [
            {**r, "scenario_id": "t", "replication": rep, "seed": 1, "period": "2024-01", "rating": 80.0}
            for rep in (0, 1)
            for r in rows
        ]
    )
    scores = policy.score(kt)
    scores.insert(0, "policy", "tiny")
    pay = policy.pay(scores, kt)
    pay.insert(0, "policy", "tiny")
    return Comparison(
        scenario_id="t",
        seed=1,
        replications=2,
        kpis=kt,
        scores=scores,
        pay=pay,
        agents=pd.DataFrame(),
        baseline="tiny",
        policies=["tiny"],
        meta={"policy_objects": {"tiny": policy}},
    )


@pytest.fixture(scope="module")
def tiny():
    return _comparison(validate_policy(POLICY))


def test_items_and_signs(tiny):
    b = score_breakdown(tiny).set_index("item")
    assert b.loc["q", "points"] == pytest.approx(22.5) and not b.loc["q", "in_total"]  # inside svc
    assert b.loc["complaints", "points"] == pytest.approx(-10.0)  # deductions < 0
    assert b.loc["svc", "points"] == pytest.approx(15.0) and b.loc["svc", "in_total"]  # (30 + 0) / 2
    assert b.loc["conv", "points"] == pytest.approx(30.0)
    assert b.loc["praise", "points"] == pytest.approx(2.5) and np.isnan(b.loc["praise", "max_points"])
    assert b.loc["limits", "points"] == pytest.approx(-1.5)  # the cap took 3 from a
    assert b.loc["total", "points"] == pytest.approx(54.0) and b.loc["total", "max_points"] == 100
    assert b.loc[b["in_total"], "points"].sum() == pytest.approx(b.loc["total", "points"])
    assert b.loc["q", "pct_of_max"] == pytest.approx(75.0)
    assert (b["n"] == 2).all() and b.loc["conv", "points_lo"] == pytest.approx(30.0)  # identical months


def test_measurability(tiny):
    b = score_breakdown(tiny).set_index("item")
    assert b.loc["conv", "missing_share"] == pytest.approx(0.5)
    assert b.loc["q", "missing_share"] == 0 and bool(b.loc["q", "varies"])
    assert b.loc["rating", "source"] == "input" and not bool(b.loc["rating", "varies"])  # constant input
    assert b.loc["q", "source"] == "registry"


def test_by_group(tiny):
    b = score_breakdown(tiny, by=("shift",))
    tot = b[b["item"] == "total"].set_index("shift")["points"]
    assert tot.to_dict() == pytest.approx({"day": 100.0, "evening": 8.0})
    conv = b[b["item"] == "conv"].set_index("shift")["missing_share"]
    assert conv.to_dict() == pytest.approx({"day": 0.0, "evening": 1.0})
    for _, g in b.groupby("shift"):
        assert g.loc[g["in_total"], "points"].sum() == pytest.approx(
            g.loc[g["item"] == "total", "points"].iloc[0]
        )
    with pytest.raises(KpisimError, match="'nope'"):
        score_breakdown(tiny, by=("nope",))


def test_no_limits_row_when_only_rounding_moves_the_total():
    pol = validate_policy(
        {**POLICY, "scorecard": {**POLICY["scorecard"], "total": {"decimals": 0}, "bonuses": []}}
    )
    b = score_breakdown(_comparison(pol))
    assert "limits" not in set(b["item"])


def test_score_items_of_a_bundled_policy():
    items = score_items(load_policy(POLICIES / "s0_songsong.yaml"))
    cats = items[items["kind"] == "category"]
    assert list(cats["item"]) == ["personnel", "business", "orders", "promotion"] and cats["in_total"].all()
    assert not items.loc[items["kind"] != "category", "in_total"].any()  # every S0 item sits in a category
    ded = items[items["kind"] == "deduction"].iloc[0]
    assert (ded["item"], ded["sign"], ded["column"]) == ("complaints", -1, "ded_complaints")
    assert cats["max_points"].sum() == 100
