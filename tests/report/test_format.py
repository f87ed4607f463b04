"""Formatting helpers of the reports: money, shares, plain numbers, clipped intervals, cautions."""

from __future__ import annotations

import math

import pytest

from kpisim.report.format import clip, estimate, money, number, pct, replications_for


def test_money_in_currency_units_with_thousands_separators():
    assert money(123456) == "1,234.56 CNY"
    assert money(123456, "EUR", unit=False) == "1,234.56"
    assert money(-2368300, decimals=0) == "−23,683 CNY"
    assert money(5000, sign=True) == "+50.00 CNY"
    assert money(None) == "–" and money(math.nan) == "–"


def test_shares_as_percentages():
    assert pct(0.0571) == "5.7 %"
    assert pct(0.758, decimals=0) == "76 %"
    assert pct(-0.159, sign=True) == "−15.9 %"
    assert pct(math.nan) == "–"


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (6.09e6, "6,090,000"),
        (175000, "175,000"),
        (0.758, "0.758"),
        (3.0, "3"),
        (1.51e7, "15,100,000"),
        (0, "0"),
    ],
)
def test_numbers_never_in_scientific_notation(x, text):
    assert number(x) == text
    assert "e+" not in number(x) and "e-" not in number(x)


def test_intervals_clipped_to_the_range():
    assert clip(-0.12, 0.35, (0, 1)) == (0.0, 0.35)
    assert clip(0.6, 1.02, (-1, 1)) == (0.6, 1.0)
    assert clip(-5, 5) == (-5.0, 5.0)
    e = estimate(0.0571, -0.02, 0.13, kind="pct", bounds=(0, 1))
    assert e.interval == "0.0 % to 13.0 %" and not e.caution


def test_a_wide_interval_carries_a_caution_with_the_replications_needed():
    e = estimate(0.758, -0.1, 1.3, kind="pct", bounds=(0, 1), replications=4)
    assert e.interval == "0.0 % to 100.0 %"
    assert "4 replications cannot answer this" in e.caution
    need = replications_for(-0.1, 1.3, replications=4, target_half_width=0.05)
    assert f"about {need:,} would" in e.caution and need > 4
    assert str(e).endswith("⚠")
    assert not estimate(0.5, 0.45, 0.55, kind="pct", bounds=(0, 1), replications=4).caution


def test_money_estimates_use_the_same_unit_for_value_and_interval():
    e = estimate(42569, 3710, 48100, kind="money")
    assert (e.text, e.interval) == ("425.69", "37.10 to 481.00")
    big = estimate(14870372, 14801690, 14939053, kind="money")
    assert (big.text, big.interval) == ("148,704", "148,017 to 149,391")


def test_metric_values_read_in_their_unit():
    from kpisim.report.format import metric_value

    assert metric_value("csat_positive_rate", 0.99) == "99 %"  # a ratio metric: a percentage
    assert metric_value("fcr_rate", 0.855) == "85.5 %"
    assert metric_value("conversion_rate@queues=presales", 0.45) == "45 %"  # a variant column
    assert metric_value("avg_response_s", 30) == "30"
    assert metric_value("sales_cents", 1.15, relative=True) == "1.15 × team average"
    assert metric_value("no_such_input", 2.5) == "2.5"
