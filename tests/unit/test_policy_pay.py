"""Pay elements: performance (score, grade, cap, gates), commissions, fines, team bonus, prizes,
totals and alignment of scores with the KPI table."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from kpisim.errors import DataError
from kpisim.policy import load_policy
from tests.policyhelpers import POLICIES, half_up, make_policy, rows

DIRECT = {
    "components": [{"id": "c", "metric": "v", "weight": 100, "rule": {"type": "direct"}, "missing": "nan"}]
}


def _p(scorecard=None, **pay):
    sc = dict(DIRECT, **(scorecard or {}))
    return make_policy(inputs=[{"name": "v"}], scorecard=sc, pay=pay)


def _run(p, df):
    return p.pay(p.score(df), df)


def test_performance_score_cap_and_gate():
    p = _p(
        {
            "bonuses": [{"id": "b", "metric": "praise", "points_each": 10}],
            "gates": [{"id": "low", "metric": "qa_pass_rate", "when": "x < 0.9"}],
        },
        performance={"full_cents": 100_000, "max_pct": 105, "gates": ["low"]},
    )
    df = rows(
        {"agent_id": "a", "v": 80, "praise": 0, "qa_pass_rate": 0.95},
        {"agent_id": "b", "v": 100, "praise": 2, "qa_pass_rate": 0.95},  # 120 points -> capped at 105 %
        {"agent_id": "c", "v": 100, "praise": 0, "qa_pass_rate": 0.5},  # gated
        {"agent_id": "d", "v": np.nan, "praise": 0, "qa_pass_rate": 0.95},
    )  # no score
    pay = _run(p, df)
    assert pay["performance_cents"].tolist() == [80_000, 105_000, 0, 0]


def test_performance_by_grade():
    p = load_policy(POLICIES / "s4_callcentre.yaml")
    from kpisim.testing.demo import synthetic_kpi_table

    df = synthetic_kpi_table(10, 1, seed=5)
    s = p.score(df)
    pay = p.pay(s, df)
    full = p.pay_plan.performance.full_cents
    want = s["grade"].astype(str).map({"A": full * 13 // 10, "B": full, "C": full // 2})
    gated = s["gate_qa_bar"].to_numpy()
    assert pay["performance_cents"].tolist() == np.where(gated, 0, want).tolist()
    assert s["grade"].value_counts().to_dict() == {"A": 2, "B": 7, "C": 1}


@pytest.mark.parametrize(
    "sales, rate, cents",
    [
        (250, "1%", 3),  # 2.5 -> 3 (half-up, exact)
        (249, "1%", 2),
        (1_000_001, "0.5%", 5000),  # 5000.005 -> 5000
        (123_456_789, "0.6%", 740_741),  # 740,740.734 -> 740,741
        (0, "3%", 0),
    ],
)
def test_commission_rate_is_exact(sales, rate, cents):
    p = _p(commissions=[{"id": "s", "metric": "sales_cents", "rate": rate}])
    pay = _run(p, rows({"agent_id": "a", "v": 50, "sales_cents": sales}))
    assert pay["commission_s_cents"].iloc[0] == cents == pay["commission_cents"].iloc[0]


def test_commission_per_unit_above_baseline_scaled_by_qa():
    p = _p(
        commissions=[
            {
                "id": "calls",
                "metric": "handled",
                "above": 1800,
                "cents_each": 50,
                "scale_by": {"metric": "qa_mean", "divisor": 100},
            }
        ]
    )
    df = rows(
        {"agent_id": "a", "v": 1, "handled": 1900, "qa_mean": 90.0},
        {"agent_id": "b", "v": 1, "handled": 1700, "qa_mean": 90.0},
        {"agent_id": "c", "v": 1, "handled": 1801, "qa_mean": 99.0},
    )  # 49.5 -> 50
    assert _run(p, df)["commission_cents"].tolist() == [4500, 0, 50]


def test_fines_per_event_and_in_days_of_base_pay():
    p = _p(
        base_cents=350_000,
        fines=[
            {"id": "absence", "metric": "absence_days", "base_days_each": 2},
            {"id": "severe", "metric": "complaints", "free": 1, "cents_each": 10_000},
        ],
    )
    df = rows({"agent_id": "a", "v": 0, "absence_days": 1, "complaints": 3})
    pay = _run(p, df)
    day2 = half_up(Fraction(350_000 * 2) / Fraction("21.75"))  # 32,183.9 -> 32,184
    assert pay["fine_absence_cents"].iloc[0] == day2 == 32_184
    assert pay["fine_severe_cents"].iloc[0] == 20_000
    assert pay["total_cents"].iloc[0] == 350_000 - 32_184 - 20_000


def test_fractional_counts_cannot_be_fined():
    p = _p(fines=[{"id": "x", "metric": "complaints", "cents_each": 1}])
    with pytest.raises(DataError, match="whole counts"):
        _run(p, rows({"agent_id": "a", "v": 1, "complaints": 1.5}))


def _team(split="equal", fund=100_001):
    return _p(
        team_bonuses=[
            {
                "id": "fund",
                "fund_cents": fund,
                "split": split,
                "targets": [
                    {"metric": "conversion_rate", "agg": "mean", "when": "x >= 0.7"},
                    {"metric": "handled", "agg": "sum", "when": "x >= 100"},
                ],
            }
        ]
    )


def test_team_bonus_split_equal_exactly():
    df = rows(
        *[
            {"agent_id": a, "team": "t", "v": v, "conversion_rate": 0.7, "handled": 40}
            for a, v in (("a", 50), ("b", 90), ("c", 70))
        ],
        {"agent_id": "d", "team": "u", "v": 99, "conversion_rate": 0.9, "handled": 10},
    )
    pay = _run(_team(), df)
    # 100,001 / 3 = 33,333.67: the cent left goes to the best total (b) first, then c
    assert pay["team_bonus_cents"].tolist() == [33_333, 33_334, 33_334, 0]


def test_team_bonus_by_score_and_missed_target():
    df = rows(
        *[
            {"agent_id": a, "team": "t", "v": v, "conversion_rate": 0.8, "handled": 60}
            for a, v in (("a", 25), ("b", 75))
        ]
    )
    assert _run(_team("by_score", 100_000), df)["team_bonus_cents"].tolist() == [25_000, 75_000]
    low = df.assign(conversion_rate=[0.8, 0.5])  # mean 0.65 < 0.7
    assert _run(_team("by_score", 100_000), low)["team_bonus_cents"].sum() == 0


def test_team_bonus_needs_team_column():
    with pytest.raises(DataError, match="missing column 'team'"):
        _run(_team(), rows({"agent_id": "a", "v": 1, "conversion_rate": 1, "handled": 200}))


def test_prize_first_place_ties_split_and_lower_is_better():
    p = _p(
        prizes=[
            {"id": "sales", "metric": "sales_cents", "cents": 10_001},
            {"id": "fast", "metric": "avg_response_s", "cents": 5_000},
        ]
    )
    df = rows(
        {"agent_id": "b", "v": 1, "sales_cents": 900, "avg_response_s": 12.0},
        {"agent_id": "a", "v": 1, "sales_cents": 900, "avg_response_s": 10.0},
        {"agent_id": "c", "v": 1, "sales_cents": 100, "avg_response_s": np.nan},
    )
    pay = _run(p, df)
    assert pay["prize_sales_cents"].tolist() == [5_000, 5_001, 0]  # odd cent to the lower agent_id
    assert pay["prize_fast_cents"].tolist() == [0, 5_000, 0]
    assert pay["prize_cents"].tolist() == [5_000, 10_001, 0]


def test_total_is_sum_of_elements():
    from kpisim.testing.demo import synthetic_kpi_table

    for name in ("s0_songsong", "s1_xiyu_289", "s3_kuaishangtong_presales", "s4_callcentre"):
        p = load_policy(POLICIES / f"{name}.yaml")
        df = synthetic_kpi_table(12, 2, seed=1)
        pay = p.pay(p.score(df), df)
        parts = ["base_cents", "performance_cents", "commission_cents", "team_bonus_cents", "prize_cents"]
        parts += [c for c in pay.columns if c.startswith("pool_")]
        parts += [c for c in ("level_cents",) if c in pay.columns]  # level pay, where a plan has it
        for kind in ("commission", "team_bonus", "prize", "fine"):
            items = [c for c in pay.columns if c.startswith(f"{kind}_") and c != f"{kind}_cents"]
            total = "fines_cents" if kind == "fine" else f"{kind}_cents"
            assert (pay[items].sum(axis=1) == pay[total]).all(), (name, kind)
        assert (pay[parts].sum(axis=1) - pay["fines_cents"] == pay["total_cents"]).all(), name
        for c in pay.columns:
            if c.endswith("_cents"):
                assert pay[c].dtype == np.int64, (name, c)


def test_scores_are_aligned_by_keys_when_rows_differ():
    p = _p(
        commissions=[{"id": "s", "metric": "sales_cents", "rate": "10%"}], performance={"full_cents": 1000}
    )
    df = rows({"agent_id": "a", "v": 10, "sales_cents": 100}, {"agent_id": "b", "v": 90, "sales_cents": 200})
    s = p.score(df).iloc[::-1].reset_index(drop=True)
    pay = p.pay(s, df)
    assert pay["agent_id"].tolist() == ["a", "b"]
    assert pay["performance_cents"].tolist() == [100, 900]
    with pytest.raises(DataError, match="no score row for KPI row 2"):
        p.pay(p.score(df).iloc[:1], df)


def test_level_pay_follows_the_staff_level():
    """S3's promotion "with a raise": pay.level_cents per level of scorecard.levels, exact cents."""
    from kpisim.policy.loading import variant
    from kpisim.testing.demo import synthetic_kpi_table

    s3 = variant(
        load_policy(POLICIES / "s3_kuaishangtong_presales.yaml"),
        {"pay": {"level_cents": {"junior": 0, "mid": 30000, "senior": 60000}}},
    )
    df = synthetic_kpi_table(6, 1, seed=2)
    df["level"] = (["junior", "mid", "senior"] * len(df))[: len(df)]
    pay = s3.pay(s3.score(df), df)
    want = df["level"].map({"junior": 0, "mid": 30000, "senior": 60000})
    assert (pay["level_cents"].to_numpy() == want.to_numpy()).all()
    none = s3.model_copy(update={"pay_plan": s3.pay_plan.model_copy(update={"level_cents": {}})})
    p0 = none.pay(none.score(df), df)
    assert "level_cents" not in p0 and (pay["total_cents"] - p0["total_cents"] == want.to_numpy()).all()


def test_level_pay_needs_known_levels():
    from kpisim.errors import SpecError
    from kpisim.policy.loading import variant

    s3 = load_policy(POLICIES / "s3_kuaishangtong_presales.yaml")
    with pytest.raises(SpecError, match=r"level_cents.*unknown level 'boss'"):
        variant(s3, {"pay": {"level_cents": {"boss": 100}}})
