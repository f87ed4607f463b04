"""Consequences that happen: S3's three-month rules on hand-built monthly totals."""

from __future__ import annotations

import pandas as pd

from kpisim.analysis.year.rules import RuleState, action_of, judge


def months_of(totals: dict[str, list[float]], role: str = "presales") -> list[pd.DataFrame]:
    n = len(next(iter(totals.values())))
    return [
        pd.DataFrame({"agent_id": list(totals), "role": role, "total": [t[m] for t in totals.values()]})
        for m in range(n)
    ]


def run(policy, totals, levels=None, role="presales"):
    levels = dict(levels or {})
    state = RuleState()
    out = []
    for m, month in enumerate(months_of(totals, role)):
        out += [(m, a, e, d) for a, e, d in judge(month, policy, levels, state)]
    return out, levels


def test_s3_actions_are_read_from_the_rules(s3):
    assert [action_of(c) for c in s3.scorecard.consequences] == ["eliminate", "demote", "promote"]


def test_three_months_below_80_eliminate_in_the_third_month_exactly(s3):
    totals = {
        "a": [79, 79, 79, 79],  # third month running -> month 2
        "b": [79, 81, 79, 79],  # broken run: months 2, 3 only -> not yet
        "c": [80, 80, 80, 80],  # 80 is not below 80
        "d": [50, 79.99, 0, 90],  # month 2
    }
    events, _ = run(s3, totals)
    assert [(m, a, e) for m, a, e, _ in events if e == "eliminated"] == [
        (2, "a", "eliminated"),
        (2, "d", "eliminated"),
    ]
    # the counter restarts after an action: a 6th month running would act again, not the 4th
    events6, _ = run(s3, {"a": [79] * 6})
    assert [m for m, *_ in events6] == [2, 5]


def test_promotion_and_demotion_change_the_level_after_three_months(s3):
    # junior (0), mid (85), senior (95): three months at the next level's minimum promote
    totals = {"p": [85, 90, 86, 96, 97, 99], "q": [84.99, 90, 90, 90, 90, 90]}
    events, levels = run(s3, totals)
    ups = [(m, a, d) for m, a, e, d in events if e == "promoted"]
    assert ups == [(2, "p", "junior->mid"), (3, "q", "junior->mid"), (5, "p", "mid->senior")]
    assert levels == {"p": "senior", "q": "mid"}
    down, levels = run(s3, {"s": [94, 94, 94]}, levels={"s": "senior"})
    assert [(m, d) for m, _, e, d in down if e == "demoted"] == [(2, "senior->mid")]
    assert levels == {"s": "mid"}


def test_the_aftersales_role_is_judged_on_its_own_card(s3):
    events, _ = run(s3, {"x": [70, 70, 70]}, role="aftersales")
    assert [(m, e) for m, _, e, _ in events] == [(2, "eliminated")]


def test_elimination_wins_over_a_level_change_in_the_same_month(s3):
    # at senior, 3 months below 80: both below own level (demote) and eliminated; only the latter
    events, _ = run(s3, {"s": [70, 70, 70]}, levels={"s": "senior"})
    assert [e for _, _, e, _ in events] == ["eliminated"]
