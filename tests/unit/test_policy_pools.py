"""S3 silent-order pool: 0.6 % of silent sales; rank 1 40 % + 200, rank 2 30 % + 100, rest 30 %."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpisim.errors import DataError
from kpisim.policy import variant
from tests.policyhelpers import half_up, make_policy, rows

POOL = {
    "id": "silent",
    "base_metric": "silent_order_sales_cents",
    "rate": "0.6%",
    "tie_break": ["sales_cents"],
    "shares": [{"rank": 1, "pct": 40, "plus_cents": 20000}, {"rank": 2, "pct": 30, "plus_cents": 10000}],
    "rest_pct": 30,
}


def _policy(gates=(), **pool):
    return make_policy(
        inputs=[{"name": "score"}],
        scorecard={
            "components": [
                {"id": "s", "metric": "score", "weight": 100, "rule": {"type": "direct"}, "missing": "nan"}
            ],  # no value -> no score
            "gates": list(gates),
        },
        pay={"pools": [{**POOL, **pool}]},
    )


def _table(scores, sales=None, base=100_000_000, **cols):
    n = len(scores)
    sales = sales if sales is not None else [1000 * (i + 1) for i in range(n)]
    df = rows(
        *[{"agent_id": f"a{i}", "score": s, "sales_cents": sales[i]} for i, s in enumerate(scores)],
        silent_order_sales_cents=base,
    )
    for k, v in cols.items():
        df[k] = v
    return df


def _pay(p, df):
    s = p.score(df)
    return p.pay(s, df), p.pool_ledger(s, df)


def test_s3_pool_split_reproduced_exactly():
    # 1,000,000 yuan of silent-order sales -> pool 6,000 yuan = 600,000 fen
    pay, ledger = _pay(_policy(), _table([90, 95, 80, 70, 85]))
    assert ledger["pool_cents"].tolist() == [600_000]
    got = dict(zip([f"a{i}" for i in range(5)], pay["pool_silent_cents"], strict=False))
    assert got == {
        "a1": 240_000 + 20_000,  # rank 1: 40 % + 200 yuan
        "a0": 180_000 + 10_000,  # rank 2: 30 % + 100 yuan
        "a4": 60_000,
        "a2": 60_000,
        "a3": 60_000,
    }  # 30 % / 3
    assert ledger["unclaimed_cents"].tolist() == [0]
    assert ledger["shares_cents"].tolist() == [600_000] and ledger["fixed_cents"].tolist() == [30_000]


def test_pool_rounding_is_half_up_then_largest_remainder():
    # 16,666,750 x 0.006 = 100,000.5 -> 100,001; quotas 40000.4 / 30000.3 / 10000.1 x 3
    pay, ledger = _pay(_policy(), _table([90, 80, 70, 60, 50], base=16_666_750))
    assert ledger["pool_cents"].iloc[0] == 100_001
    assert pay["pool_silent_cents"].tolist() == [40_001 + 20_000, 30_000 + 10_000, 10_000, 10_000, 10_000]
    assert ledger["shares_cents"].iloc[0] + ledger["unclaimed_cents"].iloc[0] == 100_001


def test_one_agent_company_keeps_unclaimed_shares():
    pay, ledger = _pay(_policy(), _table([75]))
    assert pay["pool_silent_cents"].tolist() == [240_000 + 20_000]
    assert ledger["unclaimed_cents"].tolist() == [360_000]


def test_one_agent_redistribute_gets_whole_pool():
    pay, ledger = _pay(_policy(unclaimed="redistribute"), _table([75]))
    assert pay["pool_silent_cents"].tolist() == [600_000 + 20_000]
    assert ledger["unclaimed_cents"].tolist() == [0]


def test_two_agents():
    pay, ledger = _pay(_policy(), _table([60, 61]))
    assert pay["pool_silent_cents"].tolist() == [180_000 + 10_000, 240_000 + 20_000]
    assert ledger["unclaimed_cents"].tolist() == [180_000]
    pay, ledger = _pay(_policy(unclaimed="redistribute"), _table([60, 61]))
    # 40 : 30 scaled to the whole pool: 342,857.14 / 257,142.86 -> largest remainder
    assert pay["pool_silent_cents"].tolist() == [257_143 + 10_000, 342_857 + 20_000]
    assert ledger["unclaimed_cents"].tolist() == [0]


def test_equal_totals_are_ranked_by_sales():
    pay, _ = _pay(_policy(), _table([80, 80, 80], sales=[500, 900, 700]))
    assert pay["pool_silent_cents"].tolist() == [180_000, 260_000, 190_000]


def test_equal_totals_and_sales_fall_back_to_agent_id():
    df = _table([80, 80, 80], sales=[700, 700, 700])
    df["agent_id"] = ["b", "c", "a"]
    pay, _ = _pay(_policy(), df)
    assert pay["pool_silent_cents"].tolist() == [190_000, 180_000, 260_000]


def test_agents_without_score_are_not_ranked():
    df = _table([np.nan, 50, 40, 30])
    pay, ledger = _pay(_policy(), df)
    assert pay["pool_silent_cents"].tolist() == [0, 260_000, 190_000, 180_000]
    assert ledger["ranked"].tolist() == [3]


def test_nobody_ranked_means_nothing_paid():
    pay, ledger = _pay(_policy(), _table([np.nan, np.nan]))
    assert pay["pool_silent_cents"].tolist() == [0, 0]
    assert ledger["unclaimed_cents"].tolist() == [600_000]


def test_gated_agents_are_excluded():
    p = _policy(gates=[{"id": "low_qa", "metric": "qa_pass_rate", "when": "x < 0.9"}])
    p = variant(p, {"pay": {"pools": [{**POOL, "gates": ["low_qa"]}]}})
    df = _table([90, 80, 70], qa_pass_rate=[0.5, 0.95, 0.95])
    pay, _ = _pay(p, df)
    assert pay["pool_silent_cents"].tolist() == [0, 260_000, 190_000 + 0]


def test_pools_are_per_period_and_team():
    df = pd.concat(
        [
            _table([90, 80, 70], base=100_000_000, team=["x", "x", "y"]),
            _table([70, 80, 90], base=50_000_000, team=["x", "x", "y"]).assign(period="2024-02"),
        ],
        ignore_index=True,
    )
    pay, ledger = _pay(_policy(group_by=["team"]), df)
    assert len(ledger) == 4
    by = ledger.set_index(["period", "team"])["pool_cents"]
    assert by.loc[("2024-01", "x")] == 600_000 and by.loc[("2024-02", "y")] == 300_000
    assert pay["pool_silent_cents"].tolist() == [
        260_000,
        190_000,
        260_000,
        100_000,
        140_000,
        120_000 + 20_000,
    ]


def test_base_must_be_one_value_per_group():
    df = _table([90, 80])
    df.loc[1, "silent_order_sales_cents"] = 5
    with pytest.raises(DataError, match="one value per pool group"):
        _pay(_policy(), df)


def test_row_order_does_not_change_payouts():
    df = _table([80, 80, 75, 90, 75, 60], sales=[5, 5, 7, 1, 7, 3])
    pay, _ = _pay(_policy(), df)
    shuffled = df.sample(frac=1, random_state=3).reset_index(drop=True)
    pay2, _ = _pay(_policy(), shuffled)
    a = dict(zip(df["agent_id"], pay["pool_silent_cents"], strict=False))
    b = dict(zip(shuffled["agent_id"], pay2["pool_silent_cents"], strict=False))
    assert a == b


# --- split: by_score / equal -------------------------------------------------------------------
WHOLE = {k: v for k, v in POOL.items() if k not in ("shares", "rest_pct")}


def _whole(split, **pool):
    """A pool paid out whole (``split`` by_score or equal): no shares, no rest_pct."""
    return make_policy(
        inputs=[{"name": "score"}],
        scorecard={
            "components": [
                {"id": "s", "metric": "score", "weight": 100, "rule": {"type": "direct"}, "missing": "nan"}
            ]
        },
        pay={"pools": [{**WHOLE, "split": split, **pool}]},
    )


def test_by_score_is_proportional_to_total_to_the_cent():
    # pool 16,666,850 x 0.6 % = 100,001.1 -> 100,001 fen; totals 50 / 30 / 20.5 (sum 100.5):
    # quotas 100,001 x 50 / 100.5 = 49,751.74, x 30 / 100.5 = 29,851.04, x 20.5 / 100.5 = 20,398.21;
    # floors add up to 100,000, the spare fen goes to the largest remainder (.74)
    pay, ledger = _pay(_whole("by_score"), _table([50, 30, 20.5], base=16_666_850))
    assert ledger["pool_cents"].tolist() == [100_001]
    assert pay["pool_silent_cents"].tolist() == [49_752, 29_851, 20_398]
    assert ledger["shares_cents"].tolist() == [100_001] and ledger["unclaimed_cents"].tolist() == [0]
    assert ledger["fixed_cents"].tolist() == [0]


def test_by_score_on_a_metric_and_without_scores():
    # rank_by a higher-is-better metric: shares follow own sales; an agent without a score gets 0
    pay, ledger = _pay(
        _whole("by_score", rank_by="sales_cents"), _table([80, 10, np.nan, 95], sales=[300, 100, 900, 600])
    )
    assert pay["pool_silent_cents"].tolist() == [180_000, 60_000, 0, 360_000]
    assert ledger["ranked"].tolist() == [3]


def test_by_score_negative_and_all_zero_totals():
    # negative totals (no floor; 1 point off per penalty) count as 0; all weights 0: equal shares
    p = make_policy(
        inputs=[{"name": "score"}, {"name": "penalty", "direction": "lower"}],
        scorecard={
            "components": [{"id": "s", "metric": "score", "weight": 100, "rule": {"type": "direct"}}],
            "deductions": [{"id": "p", "metric": "penalty", "points_each": 1}],
            "total": {"floor": None},
        },
        pay={"pools": [{**WHOLE, "split": "by_score"}]},
    )
    pay, _ = _pay(p, _table([0, 30, 10], penalty=[10, 0, 0]))
    assert p.score(_table([0, 30, 10], penalty=[10, 0, 0]))["total"].tolist() == [-10, 30, 10]
    assert pay["pool_silent_cents"].tolist() == [0, 450_000, 150_000]
    pay, _ = _pay(p, _table([0, 0, 0], penalty=[0, 5, 0]))
    assert pay["pool_silent_cents"].tolist() == [200_000, 200_000, 200_000]


def test_equal_split_odd_cents_go_to_the_better_ranks():
    # 100,001 / 3 = 33,333.67 each: two spare fen, to ranks 1 and 2 (scores 90 > 70 > 50)
    pay, ledger = _pay(_whole("equal"), _table([50, 90, 70], base=16_666_850))
    assert pay["pool_silent_cents"].tolist() == [33_333, 33_334, 33_334]
    assert ledger["unclaimed_cents"].tolist() == [0]


def test_whole_pool_splits_nobody_eligible_and_gates():
    pay, ledger = _pay(_whole("by_score"), _table([np.nan, np.nan]))
    assert pay["pool_silent_cents"].tolist() == [0, 0]
    assert ledger["unclaimed_cents"].tolist() == [600_000]
    p = make_policy(
        inputs=[{"name": "score"}],
        scorecard={
            "components": [{"id": "s", "metric": "score", "weight": 100, "rule": {"type": "direct"}}],
            "gates": [{"id": "low_qa", "metric": "qa_pass_rate", "when": "x < 0.9"}],
        },
        pay={"pools": [{**WHOLE, "split": "equal", "gates": ["low_qa"]}]},
    )
    pay, _ = _pay(p, _table([90, 80, 70], qa_pass_rate=[0.5, 0.95, 0.95]))
    assert pay["pool_silent_cents"].tolist() == [0, 300_000, 300_000]


def test_whole_pool_splits_per_group_and_independent_of_row_order():
    df = pd.concat(
        [
            _table([90, 80, 70], base=100_000_001, team=["x", "x", "y"]),
            _table([33, 33, 34], base=50_000_033, team=["x", "x", "y"]).assign(period="2024-02"),
        ],
        ignore_index=True,
    )
    for split in ("by_score", "equal"):
        p = _whole(split, group_by=["team"])
        pay, ledger = _pay(p, df)
        paid = pay.assign(g=pay["period"] + pay["team"]).groupby("g")["pool_silent_cents"].sum()
        want = ledger.assign(g=ledger["period"] + ledger["team"]).set_index("g")["pool_cents"]
        assert paid.to_dict() == want.to_dict()  # every group's pool paid out exactly
        shuffled = df.sample(frac=1, random_state=5).reset_index(drop=True)
        pay2, _ = _pay(p, shuffled)
        key = lambda d: dict(
            zip(zip(d["period"], d["agent_id"], strict=False), d["pool_silent_cents"], strict=False)
        )
        assert key(pay) == key(pay2.assign(period=shuffled["period"], agent_id=shuffled["agent_id"]))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(0, 10_000)), min_size=1, max_size=12),
    st.integers(0, 10**12),
    st.sampled_from(["by_score", "equal"]),
)
def test_whole_pool_shares_add_up_exactly_and_stay_within_a_cent(totals, base, split):
    scores = [np.nan if t is None else t / 100 for t in totals]  # totals 0-100 with 2 decimals
    pay, ledger = _pay(_whole(split), _table(scores, base=base))
    pool = int(ledger["pool_cents"].iloc[0])
    assert pool == half_up(Fraction(base * 6, 1000))
    got = pay["pool_silent_cents"].to_numpy()
    elig = [t is not None for t in totals]
    if not any(elig):
        assert got.sum() == 0 and int(ledger["unclaimed_cents"].iloc[0]) == pool
        return
    assert int(got.sum()) == pool and int(ledger["unclaimed_cents"].iloc[0]) == 0
    w = [Fraction(0) if t is None else (Fraction(1) if split == "equal" else Fraction(t)) for t in totals]
    if sum(w) == 0:
        w = [Fraction(int(e)) for e in elig]
    for cents, wi in zip(got, w, strict=False):
        assert abs(Fraction(int(cents)) - pool * wi / sum(w)) < 1
