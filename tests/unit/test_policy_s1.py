"""S1 worked example: 9, 9, 7, 4 -> 256 of 289; performance pay = full x 256 / 289 to the cent."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kpisim.policy import load_policy
from tests.policyhelpers import POLICIES, half_up, make_policy, rows

S1 = POLICIES / "s1_xiyu_289.yaml"


def _team():
    """Two agents whose values put agent 'a' at 9, 9, 7, 4 under the bundled S1 bands."""
    # pre-sales agents; S1's team fund reads conversion of pre-sales inquirers (its definition)
    common = {
        "team": "t1",
        "skill": "presales",
        "grade_pay_cents": 0,
        "conversion_rate@queues=presales": 0.7,
        "aov_cents": 7000,
        "orders": 100,
    }
    return rows(
        # sales share 1400/1000 = 1.4 -> 9; volume 700/500 = 1.4 -> 9; 12 s -> 7; 98 % -> 4
        {
            "agent_id": "a",
            "sales_cents": 1_400_000,
            "handled": 700,
            "avg_response_s": 12.0,
            "csat_positive_rate": 0.98,
            **common,
        },
        # shares 0.6 -> 3, 3; 30 s -> 4; 90 % -> 2
        {
            "agent_id": "b",
            "sales_cents": 600_000,
            "handled": 300,
            "avg_response_s": 30.0,
            "csat_positive_rate": 0.90,
            **common,
        },
    )


def test_bundled_s1_reproduces_the_worked_example():
    p = load_policy(S1)
    assert p.max_points == 10 * 10 + 10 * 10 + 8 * 8 + 5 * 5 == 289
    s = p.score(_team())
    a = s.iloc[0]
    assert [a.pts_sales, a.pts_volume, a.pts_response, a.pts_reviews] == [9 * 10, 9 * 10, 7 * 8, 4 * 5]
    assert a.total == 256 and a["max"] == 289
    pay = p.pay(s, _team())
    full = p.pay_plan.performance.full_cents
    assert pay["performance_cents"].iloc[0] == half_up(Fraction(full * 256, 289)) == 177163
    b = s.iloc[1]
    assert b.total == 3 * 10 + 3 * 10 + 4 * 8 + 2 * 5 == 102
    assert pay["performance_cents"].iloc[1] == half_up(Fraction(full * 102, 289))


@pytest.mark.parametrize("full_cents", [200000, 300000, 1, 289, 12345678, 99_999_999_999])
def test_performance_pay_is_exact_for_any_full_amount(full_cents):
    """Points x weight form on declared ratings; pay = full x 256 / 289 rounded half-up."""
    comps = [
        {"id": f"m{i}", "metric": f"r{i}", "max_points": mp, "weight": w, "rule": {"type": "direct"}}
        for i, (mp, w) in enumerate([(10, 10), (10, 10), (8, 8), (5, 5)])
    ]
    p = make_policy(
        inputs=[{"name": f"r{i}"} for i in range(4)],
        scorecard={"components": comps, "total": {"decimals": 0}},
        pay={"performance": {"full_cents": full_cents}},
    )
    df = rows({"agent_id": "a", "r0": 9, "r1": 9, "r2": 7, "r3": 4})
    s = p.score(df)
    assert s["total"].iloc[0] == 256
    cents = p.pay(s, df)["performance_cents"].iloc[0]
    assert cents == half_up(Fraction(full_cents * 256, 289))
    # the exact value is never a half (289 is odd), so the result is also the nearest cent
    assert abs(Fraction(full_cents * 256, 289) - cents) < Fraction(1, 2)


def test_half_cent_rounds_up():
    """1 cent of full pay: 50.0 of 100 is exactly half a cent -> 1; 49.9 -> 0.499 -> 0."""
    p = make_policy(
        inputs=[{"name": "r"}],
        scorecard={
            "components": [{"id": "c", "metric": "r", "weight": 100, "rule": {"type": "direct"}}],
            "total": {"decimals": 1},
        },
        pay={"performance": {"full_cents": 1}},
    )
    df = rows({"agent_id": "a", "r": 50.0}, {"agent_id": "b", "r": 49.9}, {"agent_id": "c", "r": 0})
    got = p.pay(p.score(df), df)["performance_cents"].tolist()
    assert got == [1, 0, 0]


def test_s1_team_bonus_and_prizes():
    p = load_policy(S1)
    df = _team()
    pay = p.pay(p.score(df), df)
    # target met (weighted conversion of pre-sales inquirers 0.70): 2,000 yuan split equally
    assert pay["team_bonus_cents"].tolist() == [100000, 100000]
    # 'a' is first on every metric
    assert pay["prize_cents"].tolist() == [30000 + 30000 + 20000 + 10000, 0]
    # the target reads the pre-sales definition: a plain conversion_rate column does not count
    assert p.pay(p.score(df.assign(conversion_rate=0.1)), df.assign(conversion_rate=0.1))[
        "team_bonus_cents"
    ].sum()
    missed = df.assign(**{"conversion_rate@queues=presales": 0.69})
    pay2 = p.pay(p.score(missed), missed)
    assert pay2["team_bonus_cents"].sum() == 0
