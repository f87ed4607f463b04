"""The S1 redesign (scenarios/policies/redesign_ratio_based.yaml): rates against the own team x
shift average, so an agent on the busy shift with the same rates scores what a day agent does."""

from __future__ import annotations

import pytest

from kpisim.policy import load_policy
from tests.policyhelpers import POLICIES, rows

SAME = {
    "team": "t",
    "skill": "presales",
    "grade_pay_cents": 0,
    "avg_response_s": 12.0,
    "csat_positive_rate": 0.98,
    "aov_cents": 15000,
    "orders": 10,
}


@pytest.fixture(scope="module")
def table():
    # the evening pair has the day pair's rates but meets twice the customers per hour
    df = rows(
        {
            "agent_id": "a",
            "shift": "day",
            "conversion_rate": 0.4,
            "contacts_per_hour": 20.0,
            "handled": 3000,
            "sales_cents": 2_000_000,
        },
        {
            "agent_id": "b",
            "shift": "day",
            "conversion_rate": 0.2,
            "contacts_per_hour": 10.0,
            "handled": 1500,
            "sales_cents": 1_000_000,
        },
        {
            "agent_id": "c",
            "shift": "evening",
            "conversion_rate": 0.4,
            "contacts_per_hour": 40.0,
            "handled": 6000,
            "sales_cents": 4_000_000,
        },
        {
            "agent_id": "d",
            "shift": "evening",
            "conversion_rate": 0.2,
            "contacts_per_hour": 20.0,
            "handled": 3000,
            "sales_cents": 2_000_000,
        },
        **SAME,
    )
    # both policies define conversion over pre-sales inquirers: here, all of the agents' chats
    return df.assign(**{"conversion_rate@queues=presales": df["conversion_rate"]})


def test_redesign_keeps_s1_structure():
    p = load_policy(POLICIES / "redesign_ratio_based.yaml")
    s1 = load_policy(POLICIES / "s1_xiyu_289.yaml")
    assert p.max_points == 289
    assert (
        p.pay_plan.base_cents == s1.pay_plan.base_cents and p.pay_plan.performance == s1.pay_plan.performance
    )
    assert (
        p.pay_plan.commissions == s1.pay_plan.commissions
        and p.pay_plan.team_bonuses == s1.pay_plan.team_bonuses
    )
    assert sum(x.cents for x in p.pay_plan.prizes) * 2 == sum(x.cents for x in s1.pay_plan.prizes)  # 2 shifts


def test_same_rates_same_score_on_either_shift(table):
    p = load_policy(POLICIES / "redesign_ratio_based.yaml")
    s = p.score(table).set_index("agent_id")
    # a: shares 0.4 / 0.3 and 20 / 15 = 1.33 -> 10 (clipped at 1.25); b: 0.667 -> 10 x 0.0667 / 0.65
    low = 10 * (2 / 3 - 0.6) / 0.65
    assert s.loc["a", "pts_conversion"] == pytest.approx(100) and s.loc[
        "b", "pts_productivity"
    ] == pytest.approx(10 * low)
    assert s.loc["a", "total"] == 100 + 100 + 7 * 8 + 4 * 5
    assert s.loc["b", "total"] == round(2 * 10 * low + 7 * 8 + 4 * 5)
    assert s.loc["a", "total"] == s.loc["c", "total"] and s.loc["b", "total"] == s.loc["d", "total"]
    # S1 scores totals against the team average: the evening agent with a's rates scores more
    s1 = load_policy(POLICIES / "s1_xiyu_289.yaml").score(table).set_index("agent_id")
    assert s1.loc["c", "total"] > s1.loc["a", "total"]


def test_prizes_are_per_shift(table):
    p = load_policy(POLICIES / "redesign_ratio_based.yaml")
    pay = p.pay(p.score(table), table).set_index("agent_id")
    # a and c win conversion and productivity in their shift; response and reviews tie -> split in two
    assert pay["prize_cents"].to_dict() == {
        "a": 15000 + 15000 + 5000 + 2500,
        "b": 5000 + 2500,
        "c": 15000 + 15000 + 5000 + 2500,
        "d": 5000 + 2500,
    }
    assert pay.loc["a", "performance_cents"] == (2 * 200000 * 276 + 289) // (
        2 * 289
    )  # half-up of full x 276 / 289
