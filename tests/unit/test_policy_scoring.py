"""Scorecard features: categories, deductions with allowances, bonuses, floor/cap, gates, grades,
multi-month consequences, flags, and data errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.errors import DataError
from kpisim.policy import load_policy
from tests.policyhelpers import POLICIES, make_policy, rows

S3 = POLICIES / "s3_kuaishangtong_presales.yaml"
#: S3's definitions: conversion of pre-sales inquirers; lateness in occurrences, long ones too
CONV = "conversion_rate@queues=presales"
LATE = "late_count@count=events,include_long=true"


def _s3_row(**over):
    """An S3 pre-sales agent-month that scores exactly 100 with no events (``conversion_rate`` and
    ``late_count`` are stored under the variant columns S3's definitions read)."""
    base = {
        "agent_id": "a",
        "team": "t",
        "skill": "presales",
        "conversion_rate": 0.6,
        "aov_cents": 20000,
        "reply_rate": 0.98,
        "avg_response_s": 15.0,
        "avg_daily_online_h": 8.0,
        "silent_order_sales_cents": 0,
        "sales_cents": 0,
        "level": "junior",
    }
    for m in (
        "rule_breach",
        "poor_attitude",
        "ignored_customer",
        "wrong_answer",
        "unclear_agreement",
        "reexam_failed",
        "late_count",
        "absence_days",
        "leave_days",
        "short_online_days",
        "work_handoff",
        "handover_failure",
        "praise",
        "after_hours_help",
        "adopted_idea",
        "long_late_count",
    ):
        base[m] = 0
    base.update(over)
    base[CONV] = base.pop("conversion_rate")
    base[LATE] = base.pop("late_count")
    return base


@pytest.mark.parametrize(
    "events, execution",
    [
        ({}, 20),
        ({"rule_breach": 1}, 20),  # first time: a warning
        ({"rule_breach": 2}, 18),  # from the second: -2 each
        ({"rule_breach": 3}, 16),
        ({"poor_attitude": 2}, 20),  # two warnings
        ({"poor_attitude": 3}, 18),
        ({"ignored_customer": 4}, 17),  # -1 each from the second
        ({"unclear_agreement": 1}, 18),  # no allowance
        ({"wrong_answer": 20}, 0),  # category floor 0
        ({"rule_breach": 2, "wrong_answer": 2, "reexam_failed": 1}, 14),
    ],
)
def test_s3_execution_deductions(events, execution):
    p = load_policy(S3)
    s = p.score(rows(_s3_row(**events)))
    assert s["cat_execution"].iloc[0] == execution
    assert s["total"].iloc[0] == 100 - (20 - execution)


@pytest.mark.parametrize(
    "events, attendance",
    [
        ({"late_count": 3}, 10),
        ({"late_count": 5}, 8),
        ({"absence_days": 1}, 7),
        ({"leave_days": 3}, 10),
        ({"leave_days": 5}, 6),
        ({"short_online_days": 4}, 0),
    ],
)
def test_s3_attendance(events, attendance):
    s = load_policy(S3).score(rows(_s3_row(**events)))
    assert s["cat_attendance"].iloc[0] == attendance


def test_s3_teamwork_allowance_two_a_month():
    s = load_policy(S3).score(
        rows(_s3_row(work_handoff=2), _s3_row(agent_id="b", work_handoff=3, handover_failure=3))
    )
    assert s["cat_teamwork"].tolist() == [20, 20 - 3 - 2]


def test_s3_bonus_points_and_online_time_bands():
    # team average online time = (13 + 10 + 7 + 10) / 4 = 10 h: exactly 1.3 -> +3 ("以上": and above)
    r = [
        _s3_row(agent_id="a", avg_daily_online_h=13.0, praise=2),
        _s3_row(agent_id="b", avg_daily_online_h=10.0, adopted_idea=1),
        _s3_row(agent_id="c", avg_daily_online_h=7.0),
        _s3_row(agent_id="d", avg_daily_online_h=10.0, after_hours_help=1),
    ]
    s = load_policy(S3).score(rows(*r))
    assert s["bonus_online_time"].tolist() == [3, 0, 0, 0]
    assert s["bonus"].tolist() == [3 + 4, 5, 0, 2]
    assert s["total"].tolist() == [107, 105, 100, 102]  # no cap in S3
    r[0]["avg_daily_online_h"] = 12.8  # mean 9.95 -> share 1.286 -> +2
    assert load_policy(S3).score(rows(*r))["bonus_online_time"].iloc[0] == 2


def test_total_floor_and_cap():
    p = make_policy(
        scorecard={
            "deductions": [{"id": "c", "metric": "complaints", "points_each": 30}],
            "bonuses": [{"id": "p", "metric": "praise", "points_each": 10}],
            "total": {"floor": 0, "cap": 100},
        }
    )
    df = rows(
        {"agent_id": "a", "conversion_rate": 0.7, "complaints": 5, "praise": 0},
        {"agent_id": "b", "conversion_rate": 0.7, "complaints": 0, "praise": 3},
        {"agent_id": "c", "conversion_rate": 0.4, "complaints": 1, "praise": 0},
    )
    assert p.score(df)["total"].tolist() == [0, 100, 20]


def test_s0_category_maxima_and_complaint_deduction():
    p = load_policy(POLICIES / "s0_songsong.yaml")
    from kpisim.testing.demo import synthetic_kpi_table

    df = synthetic_kpi_table(6, 1, seed=3)
    s = p.score(df)
    assert [p.scorecard.categories[i].max_points for i in range(4)] == [10, 50, 30, 10]
    for cat, mx in (("personnel", 10), ("business", 50), ("orders", 30), ("promotion", 10)):
        assert (s[f"cat_{cat}"] <= mx + 1e-9).all() and (s[f"cat_{cat}"] >= 0).all()
    assert s["total"].round(2).tolist() == (
        s[[f"cat_{c}" for c in ("personnel", "business", "orders", "promotion")]]
        .sum(axis=1)
        .clip(0, 100)
        .round(2)
        .tolist()
    )
    more = df.assign(complaints=df["complaints"] + 1)
    diff = s["cat_business"] - p.score(more)["cat_business"]
    # -3 per complaint unless the category floor (0) absorbs it
    assert ((diff.round(9) == 3) | (p.score(more)["cat_business"] == 0)).all()


def test_gates_zero_total_and_flags():
    p = make_policy(
        scorecard={
            "gates": [
                {"id": "low_qa", "metric": "qa_pass_rate", "when": "x < 0.9", "zero_total": True},
                {"id": "few_reviews", "metric": "qa_reviews", "when": "x < 12", "if_missing": "trigger"},
            ]
        }
    )
    df = rows(
        {"agent_id": "a", "conversion_rate": 0.7, "qa_pass_rate": 0.95, "qa_reviews": 12},
        {"agent_id": "b", "conversion_rate": 0.7, "qa_pass_rate": 0.85, "qa_reviews": 12},
        {"agent_id": "c", "conversion_rate": 0.7, "qa_pass_rate": np.nan, "qa_reviews": np.nan},
    )
    s = p.score(df)
    assert s["total"].tolist() == [100, 0, 100]
    assert s["gate_low_qa"].tolist() == [False, True, False]
    assert s["gate_few_reviews"].tolist() == [False, False, True]
    assert s["flags"].tolist() == ["", "low_qa", "few_reviews"]


def _graded(ties="same_grade", tie_break=()):
    return make_policy(
        inputs=[{"name": "v"}],
        scorecard={
            "components": [
                {"id": "c", "metric": "v", "weight": 100, "rule": {"type": "direct"}, "missing": "nan"}
            ],
            "grades": {
                "method": "forced",
                "ties": ties,
                "tie_break": list(tie_break),
                "bands": [{"grade": "A", "pct": 20}, {"grade": "B", "pct": 70}, {"grade": "C", "pct": 10}],
            },
        },
    )


def test_forced_distribution_20_70_10():
    df = rows(*[{"agent_id": f"a{i}", "v": 10 * i} for i in range(10)])
    g = _graded().score(df)["grade"].astype(str).tolist()
    assert g == ["C"] + ["B"] * 7 + ["A"] * 2


def test_forced_distribution_counts_by_largest_remainder():
    # 7 agents: quotas 1.4 / 4.9 / 0.7 -> floors 1 / 4 / 0, 2 left: to remainders .9 and .7
    df = rows(*[{"agent_id": f"a{i}", "v": 10 * i} for i in range(7)])
    counts = _graded().score(df)["grade"].value_counts().to_dict()
    assert counts == {"A": 1, "B": 5, "C": 1}


def test_forced_distribution_ties():
    vals = [90, 90, 90, 50, 40, 30, 20, 10, 5, 1]
    df = rows(*[{"agent_id": f"a{i}", "v": v, "sales_cents": i} for i, v in enumerate(vals)])
    same = _graded("same_grade").score(df)["grade"].astype(str).tolist()
    assert same[:3] == ["A", "A", "A"]  # ties share the best grade reached
    broken = _graded("break", ["sales_cents"]).score(df)["grade"].astype(str).tolist()
    assert broken[:3] == ["B", "A", "A"]  # higher sales first among equal totals
    nan = _graded().score(df.assign(v=[np.nan, *vals[1:]]))["grade"]
    assert pd.isna(nan.iloc[0])


def test_threshold_grades():
    p = make_policy(
        scorecard={
            "grades": {
                "method": "thresholds",
                "bands": [
                    {"grade": "good", "when": "x >= 80"},
                    {"grade": "ok", "when": "50 <= x < 80"},
                    {"grade": "poor", "when": "x < 50"},
                ],
            }
        }
    )
    df = rows(
        {"agent_id": "a", "conversion_rate": 0.7},
        {"agent_id": "b", "conversion_rate": 0.4},
        {"agent_id": "c", "conversion_rate": 0.1},
    )
    assert p.score(df)["grade"].astype(str).tolist() == ["good", "ok", "poor"]


def test_s3_elimination_after_three_months_below_80():
    p = load_policy(S3)

    # totals: conversion 100 -> 20 pts; each extra rule breach -2
    def month(agent, m, breaches, level="junior"):
        r = _s3_row(agent_id=agent, level=level, rule_breach=1 + breaches)
        r["period"] = f"2024-{m:02d}"
        return r

    df = pd.DataFrame(
        [
            month("a", 1, 11),
            month("a", 2, 11),
            month("a", 3, 11),
            month("a", 4, 11),
            month("b", 1, 11),
            month("b", 2, 0),
            month("b", 3, 11),
            month("b", 4, 11),
            month("c", 1, 11),
            month("c", 2, 11),
            month("c", 4, 11),
        ]
    )  # c misses March
    df = df.assign(scenario_id="s", replication=0)
    s = p.score(df)
    assert (s.loc[s.agent_id == "a", "total"] == 80).all()  # 80 is not "< 80"
    df[LATE] = 5  # -2 attendance: 78 (b's 2nd month 98)
    s = p.score(df)
    assert s.loc[s.agent_id == "a", "flag_eliminate"].tolist() == [False, False, True, True]
    assert s.loc[s.agent_id == "b", "flag_eliminate"].tolist() == [False, False, False, False]
    assert s.loc[s.agent_id == "c", "flag_eliminate"].tolist() == [False, False, False]
    assert "eliminate" in s.loc[(s.agent_id == "a") & (s.period == "2024-03"), "flags"].iloc[0]


def test_s3_promotion_and_demotion_need_three_months():
    p = load_policy(S3)

    def month(agent, m, level, breaches):
        r = _s3_row(agent_id=agent, level=level, rule_breach=1 + breaches)  # total = 100 - 2 x breaches
        r.update(period=f"2024-{m:02d}", scenario_id="s", replication=0)
        return r

    df = pd.DataFrame(
        [month("jr", m, "junior", 5) for m in (1, 2, 3)]  # 90 >= mid's 85
        + [month("sr", m, "senior", 4) for m in (1, 2, 3)]  # 92 < senior's 95
        + [month("top", m, "senior", 0) for m in (1, 2, 3)]
    )  # 100, already top
    s = p.score(df).set_index(["agent_id", "period"])
    assert s.loc["jr", "flag_promote"].tolist() == [False, False, True]
    assert s.loc["sr", "flag_demote"].tolist() == [False, False, True]
    assert not s.loc["top", "flag_promote"].any() and not s.loc["top", "flag_demote"].any()


def test_unknown_level_label_is_a_data_error():
    with pytest.raises(DataError, match="level 'boss'; allowed: junior, mid, senior"):
        load_policy(S3).score(rows(_s3_row(level="boss")))


def test_missing_metric_column_names_the_column_and_item():
    p = make_policy()
    with pytest.raises(
        DataError, match=r"missing column 'conversion_rate', needed by scorecard.components\[conv\]"
    ):
        p.score(rows({"agent_id": "a"}))


def test_missing_input_column_is_named():
    p = make_policy(inputs=[{"name": "exam"}])
    with pytest.raises(DataError, match=r"missing input column.*'exam'"):
        p.score(rows({"agent_id": "a", "conversion_rate": 0.5}))


def test_non_numeric_metric_is_a_data_error():
    p = make_policy()
    with pytest.raises(DataError, match="must be numeric; found 'high' in row 2"):
        p.score(rows({"agent_id": "a", "conversion_rate": 0.5}, {"agent_id": "b", "conversion_rate": "high"}))


def test_negative_count_is_a_data_error():
    p = make_policy(scorecard={"deductions": [{"id": "c", "metric": "complaints", "points_each": 3}]})
    with pytest.raises(DataError, match="count; row 1 has -1"):
        p.score(rows({"agent_id": "a", "conversion_rate": 0.5, "complaints": -1}))


def test_duplicate_agent_period_breaks_consequences():
    p = load_policy(S3)
    with pytest.raises(DataError, match="two rows for period"):
        p.score(rows(_s3_row(), _s3_row()))


def test_output_keeps_keys_and_row_order():
    df = rows(*[_s3_row(agent_id=a) for a in "cab"], seed=7)
    s = load_policy(S3).score(df)
    assert list(s.columns[:7]) == [
        "scenario_id",
        "replication",
        "seed",
        "team",
        "agent_id",
        "period",
        "level",
    ]
    assert s["agent_id"].tolist() == ["c", "a", "b"]
    assert s["max"].iloc[0] == 100
