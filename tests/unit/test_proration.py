"""Base and level pay for part of a month (``kpisim.policy.proration``), exact to the cent."""

from __future__ import annotations

import pandas as pd
import pytest

from kpisim.errors import KpisimError
from kpisim.policy.proration import prorate_fixed


def _pay():
    return pd.DataFrame(
        {
            "agent_id": ["a", "b", "c", "d"],
            "base_cents": [500_000, 3, 500_000, 500_000],
            "level_cents": [100_000, 0, 0, 1],
            "performance_cents": [20_000, 7, 0, 0],
            "total_cents": [620_000, 10, 500_000, 500_001],
        }
    )


def test_fixed_pay_follows_the_days_employed_half_up():
    out = prorate_fixed(_pay(), {"a": 10, "b": 15, "d": 15}, 30)
    # a: 500,000 x 10/30 = 166,666.67 -> 166,667; 100,000 x 10/30 = 33,333.33 -> 33,333
    assert out["base_cents"].tolist() == [166_667, 2, 500_000, 250_000]  # b: 1.5 -> 2 (half up)
    assert out["level_cents"].tolist() == [33_333, 0, 0, 1]  # d: 0.5 -> 1
    assert out["total_cents"].tolist() == [166_667 + 33_333 + 20_000, 2 + 7, 500_000, 250_001]
    assert out["performance_cents"].equals(_pay()["performance_cents"])  # not fixed pay
    parts = out[["base_cents", "level_cents", "performance_cents"]].sum(axis=1)
    assert (out["total_cents"] == parts).all()


def test_a_whole_month_or_an_agent_not_listed_is_paid_in_full():
    pay = _pay()
    assert prorate_fixed(pay, {"a": 30, "b": 30}, 30).equals(pay)
    assert prorate_fixed(pay.drop(columns="level_cents"), {}, 30).equals(pay.drop(columns="level_cents"))


def test_day_counts_outside_the_month_are_refused():
    with pytest.raises(KpisimError, match="days employed must be within 0-30, got 31"):
        prorate_fixed(_pay(), {"a": 31}, 30)
    with pytest.raises(KpisimError, match="month_days must be >= 1"):
        prorate_fixed(_pay(), {}, 0)
