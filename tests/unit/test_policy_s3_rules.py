"""S3's rules as the bundled policy reads them (see its header and docs/sources.md), each on a
hand-built row with values exactly at the thresholds."""

from __future__ import annotations

import pandas as pd
import pytest

from kpisim.kpi.compute import kpis
from kpisim.policy import load_policy
from kpisim.testing.synth import log_from_rows
from tests.policyhelpers import POLICIES, rows
from tests.unit.test_policy_scoring import CONV, LATE, _s3_row

S3 = load_policy(POLICIES / "s3_kuaishangtong_presales.yaml")


def score(*records):
    df = rows(*records)
    s = S3.score(df)
    return s, S3.pay(s, df)


@pytest.mark.parametrize(
    "online, bonus",
    [(11.9, 0), (12.0, 2), (12.9, 2), (13.0, 3), (14.0, 3)],  # team average of the others: 10 h
)
def test_online_time_and_above_is_inclusive(online, bonus):
    # "以上": 20 % or more above the team average +2, 30 % or more +3 (the agent vs the mean of
    # a team whose mean is exactly 10 h: the others balance the agent's own hours)
    others = [
        _s3_row(agent_id=f"o{i}", avg_daily_online_h=h) for i, h in enumerate((10.0, 10.0, 20.0 - online))
    ]
    s, _ = score(_s3_row(avg_daily_online_h=online), *others)
    assert s["bonus_online_time"].iloc[0] == bonus


@pytest.mark.parametrize("leave, attendance", [(3, 10), (4, 8), (5, 6)])
def test_personal_leave_three_days_free_then_minus_two_each(leave, attendance):
    s, pay = score(_s3_row(leave_days=leave))
    assert s["cat_attendance"].iloc[0] == attendance
    assert pay["fine_leave_unpaid_cents"].iloc[0] == leave * round(350000 / 21.75)  # unpaid days


def test_lateness_counts_occurrences_with_long_ones_included():
    def day(d, late=0.0, early=0.0):
        return dict(
            agent_id="A1",
            date=pd.Timestamp("2024-03-01") + pd.Timedelta(days=d),
            scheduled_s=9 * 3600.0,
            logged_in_s=9 * 3600.0,
            hangup_s=3600.0,
            late_min=late,
            early_leave_min=early,
            absent=False,
            leave=False,
        )

    # day 0: 5 min late and 5 min early = two occurrences; day 1: 20 min late = one (long)
    log = log_from_rows(attendance=[day(0, 5, 5), day(1, 20)])
    k = kpis(log, definitions={"late_count": dict(S3.definitions["late_count"])})
    assert k["late_count"].iloc[0] == 3 and k["long_late_count"].iloc[0] == 1
    assert kpis(log)["late_count"].iloc[0] == 1  # the registry default counts short-late days
    s, pay = score(_s3_row(late_count=3, long_late_count=1), _s3_row(agent_id="b", late_count=4))
    assert s["cat_attendance"].tolist() == [10, 9]  # three free, then -1 each
    # one hour's pay from the 9 h shift: 3,500 / 21.75 / 9 = 17.88 yuan
    assert pay["fine_long_late_cents"].tolist() == [1788, 0]


def test_one_hour_of_pay_is_a_ninth_of_the_day():
    _, pay = score(_s3_row(long_late_count=2))
    assert pay["fine_long_late_cents"].iloc[0] == 2 * 1788 == 2 * round(350000 / 21.75 / 9)


@pytest.mark.parametrize("days, attendance", [(0, 10), (1, 7), (2, 4), (4, 0)])
def test_short_online_days_cost_three_each_day(days, attendance):
    s, _ = score(_s3_row(short_online_days=days))
    assert s["cat_attendance"].iloc[0] == attendance


def test_unclear_handovers_cost_both_sides():
    # the giver and the receiver each have the failed hand-overs on record: 2 free, then -2 each
    s, _ = score(_s3_row(agent_id="giver", handover_failure=3), _s3_row(agent_id="taker", handover_failure=3))
    assert s["cat_teamwork"].tolist() == [18, 18]
    s, _ = score(_s3_row(handover_failure=2))
    assert s["cat_teamwork"].iloc[0] == 20


@pytest.mark.parametrize(
    "conv, points", [(0.6, 20), (0.5999, 16), (0.55, 16), (0.45, 12), (0.35, 8), (0.3499, 0)]
)
def test_conversion_bands_read_pre_sales_inquirers(conv, points):
    row = _s3_row()
    row[CONV] = conv
    row["conversion_rate"] = 0.05  # all queues: diluted by after-sales chats, not read
    s, _ = score(row)
    assert s["pts_conversion"].iloc[0] == points


def test_conversion_definition_counts_only_pre_sales_queues():
    t = pd.Timestamp("2024-03-04 10:00")

    def c(i, queue, converted):
        return dict(
            contact_id=i,
            customer_id=i,
            queue=queue,
            channel="chat",
            agent_id="A1",
            arrival_at=t + pd.Timedelta(minutes=i),
            answered_at=t + pd.Timedelta(minutes=i, seconds=3),
            converted=converted,
            order_value_cents=10000 if converted else 0,
        )

    log = log_from_rows(contacts=[c(0, "presales", True), c(1, "presales", False), c(2, "aftersales", False)])
    k = kpis(log, definitions={"conversion_rate": {"queues": ["presales"]}})
    assert k["conversion_rate"].iloc[0] == 0.5  # 1 of 2 pre-sales inquirers (not 1 of 3)
    assert kpis(log)["conversion_rate"].iloc[0] == pytest.approx(1 / 3)


def test_late_occurrence_threshold_exactly_three_is_free():
    s, _ = score(_s3_row(late_count=3))
    assert s["cat_attendance"].iloc[0] == 10
    assert LATE in rows(_s3_row()).columns
