"""Contact metrics against tiny hand-computed logs (times in seconds after Monday 09:00)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kpisim.kpi.compute import kpis
from kpisim.testing.synth import log_from_rows

T = pd.Timestamp("2024-03-04 09:00")


def at(s: float) -> pd.Timestamp:
    return T + pd.Timedelta(seconds=s)


def service_log():
    """6 contacts in queue `sales`: 3 answered, 2 abandoned (after 5 s and 60 s), 1 blocked."""
    rows = [
        dict(
            contact_id=1,
            customer_id=1,
            arrival_at=at(0),
            answered_at=at(10),
            ended_at=at(110),
            wrap_up_s=20.0,
            agent_id="A1",
        ),
        dict(
            contact_id=2,
            customer_id=2,
            arrival_at=at(60),
            answered_at=at(90),
            ended_at=at(290),
            wrap_up_s=40.0,
            agent_id="A2",
            transferred=True,
            queued=True,
        ),
        dict(contact_id=3, customer_id=3, arrival_at=at(120), ended_at=at(125), abandoned=True, queued=True),
        dict(contact_id=4, customer_id=4, arrival_at=at(130), ended_at=at(190), abandoned=True, queued=True),
        dict(contact_id=5, customer_id=5, arrival_at=at(200), blocked=True, wait_s=0.0),
        dict(
            contact_id=6,
            customer_id=1,
            arrival_at=at(300),
            answered_at=at(315),
            ended_at=at(615),
            wrap_up_s=0.0,
            agent_id="A1",
            queued=True,
        ),
    ]
    for r in rows:
        r.update(queue="sales", channel="voice")
    return log_from_rows(
        contacts=rows, agents=[{"agent_id": "A1", "team": "T"}, {"agent_id": "A2", "team": "T"}]
    )


def one(table: pd.DataFrame, **where) -> pd.Series:
    sel = table
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def centre(log, **kw) -> pd.Series:
    return one(kpis(log, by=(), **kw))


def test_volume_counts():
    r = centre(service_log())
    assert (r["offered"], r["handled"], r["abandoned"], r["blocked"]) == (6, 3, 2, 1)


def test_service_level_default_counts_abandons_and_blocked():
    # answered within 20 s: c1 (10 s), c6 (15 s); base = 3 answered + 2 abandoned + 1 blocked
    assert centre(service_log())["service_level"] == pytest.approx(2 / 6)


@pytest.mark.parametrize(
    "defs, expected",
    [
        ({"threshold_s": 30}, 3 / 6),  # c2's 30 s wait is "within" (<=)
        ({"short_abandon_s": 10}, 2 / 5),  # the 5 s abandon is ignored
        ({"abandons_count": False}, 2 / 3),  # answered only
        ({"threshold_s": 9.9}, 0 / 6),
    ],
)
def test_service_level_parameters(defs, expected):
    r = centre(service_log(), definitions={"service_level": defs})
    assert r["service_level"] == pytest.approx(expected)


def test_service_level_parameters_are_per_metric():
    # abandon_rate keeps its own short_abandon_s when service level's changes
    r = centre(service_log(), definitions={"service_level": {"short_abandon_s": 10}})
    assert r["abandon_rate"] == pytest.approx(2 / 6)


def test_times():
    r = centre(service_log())
    assert r["asa_s"] == pytest.approx((10 + 30 + 15) / 3)
    assert r["talk_s"] == pytest.approx((100 + 200 + 300) / 3)
    assert r["acw_s"] == pytest.approx((20 + 40 + 0) / 3)
    assert r["aht_s"] == pytest.approx((120 + 240 + 300) / 3)
    assert r["avg_time_to_abandon_s"] == pytest.approx((5 + 60) / 2)
    assert r["sum_wait_answered_s"] == pytest.approx(55)
    assert r["n_handled"] == 3


def test_abandon_and_queue_placement():
    r = centre(service_log())
    assert r["abandon_rate"] == pytest.approx(2 / 6)
    assert r["queue_placement_rate"] == pytest.approx(4 / 6)
    r = centre(service_log(), definitions={"abandon_rate": {"short_abandon_s": 10}})
    assert r["abandon_rate"] == pytest.approx(1 / 5)


def test_transfer_and_fcr():
    r = centre(service_log())
    assert r["transfer_rate"] == pytest.approx(1 / 3)
    # c1 has a repeat (c6, same customer, 300 s later); c2 was transferred; c6 is resolved
    assert r["fcr_rate"] == pytest.approx(1 / 3)
    # a 36 s window no longer sees c6 as c1's repeat
    r = centre(service_log(), definitions={"fcr_rate": {"window_h": 0.01}})
    assert r["fcr_rate"] == pytest.approx(2 / 3)


def test_fcr_repeat_in_next_month_and_other_replication():
    base = dict(queue="q", channel="voice", agent_id="A1")
    rows = [
        dict(
            contact_id=1,
            customer_id=7,
            arrival_at="2024-03-31 23:00",
            answered_at="2024-03-31 23:00:05",
            **base,
        ),
        dict(
            contact_id=2,
            customer_id=7,
            arrival_at="2024-04-01 08:00",
            answered_at="2024-04-01 08:00:05",
            **base,
        ),
    ]
    k = kpis(log_from_rows(contacts=rows), by=(), period="month")
    assert list(k["n_fcr"]) == [0, 1]  # March's contact has a repeat 9 h later, in April
    # the same two contacts in different replications are not repeats of each other
    rows[1]["replication"] = 1
    k = kpis(log_from_rows(contacts=rows), by=(), period="month")
    assert list(k["n_fcr"]) == [1, 1]


def test_fcr_same_arrival_time_is_not_a_repeat():
    base = dict(queue="q", channel="voice", customer_id=3, arrival_at=at(0), answered_at=at(1))
    rows = [dict(contact_id=1, agent_id="A1", **base), dict(contact_id=2, agent_id="A2", **base)]
    k = kpis(log_from_rows(contacts=rows), by=("agent_id",))
    assert list(k["fcr_rate"]) == [1.0, 1.0]


def chat_log():
    base = dict(queue="presales", channel="chat", agent_id="A1", arrival_at=at(0), answered_at=at(5))
    rows = [
        dict(
            contact_id=1,
            first_response_s=10.0,
            response_time_sum_s=60.0,
            response_count=3,
            replied=True,
            **base,
        ),
        dict(
            contact_id=2,
            first_response_s=30.0,
            response_time_sum_s=20.0,
            response_count=1,
            replied=True,
            invalid=True,
            **base,
        ),
        dict(contact_id=3, first_response_s=float("nan"), replied=False, **base),
        dict(
            contact_id=4, queue="presales", channel="chat", arrival_at=at(0), ended_at=at(40), abandoned=True
        ),
        # a voice contact (replied = answered) must not enter chat rates
        dict(
            contact_id=5,
            queue="voice",
            channel="voice",
            agent_id="A1",
            arrival_at=at(0),
            answered_at=at(3),
            replied=True,
            first_response_s=99.0,
        ),
    ]
    return log_from_rows(contacts=rows)


def test_chat_metrics():
    r = centre(chat_log())
    assert r["first_response_s"] == pytest.approx(20.0)
    assert r["avg_response_s"] == pytest.approx(80 / 4)
    # contact 2 is invalid with no customer message: the customer never wrote, so it is not in
    # reply_rate's base (issue #11; it used to be 2 / 3, counting all answered chats)
    assert r["reply_rate"] == pytest.approx(1 / 2)
    assert r["invalid_session_rate"] == pytest.approx(1 / 3)
    assert r["n_chat_handled"] == 3


def test_reply_rate_counts_only_customers_who_wrote():
    """S3: customers who wrote and got a manual reply / customers who wrote (issue #11)."""
    base = dict(queue="presales", channel="chat", agent_id="A1", arrival_at=at(0), answered_at=at(5))
    rows = [
        # the customer wrote, the agent replied (x2)
        dict(contact_id=1, customer_msgs=3, agent_msgs=3, replied=True, customer_wrote=True, **base),
        dict(contact_id=2, customer_msgs=1, agent_msgs=2, replied=True, customer_wrote=True, **base),
        # the customer wrote, the agent never replied (missed: invalid, only one side wrote)
        dict(contact_id=3, customer_msgs=2, replied=False, invalid=True, customer_wrote=True, **base),
        # the customer never wrote (x2): not in the base, whatever the agent did
        dict(
            contact_id=4,
            customer_msgs=0,
            agent_msgs=1,
            replied=False,
            invalid=True,
            customer_wrote=False,
            **base,
        ),
        dict(
            contact_id=5,
            customer_msgs=0,
            agent_msgs=1,
            replied=False,
            invalid=True,
            customer_wrote=False,
            **base,
        ),
    ]
    r = centre(log_from_rows(contacts=rows))
    assert r["n_chat_handled"] == 5 and r["n_chat_wrote"] == 3 and r["n_chat_replied"] == 2
    assert r["reply_rate"] == pytest.approx(2 / 3)  # was 2 / 5 = 1 - invalid_session_rate
    assert r["invalid_session_rate"] == pytest.approx(3 / 5)
    # without the column (an old log) it is derived: invalid with no customer message = never wrote
    old = [{k: v for k, v in row.items() if k != "customer_wrote"} for row in rows]
    assert centre(log_from_rows(contacts=old))["reply_rate"] == pytest.approx(2 / 3)


def sales_log():
    base = dict(channel="chat", agent_id="A1", arrival_at=at(0), answered_at=at(5))
    rows = [
        dict(contact_id=1, queue="presales", converted=True, order_value_cents=10_000, **base),
        dict(contact_id=2, queue="presales", converted=True, order_value_cents=5_000, refunded=True, **base),
        dict(contact_id=3, queue="presales", **base),
        dict(
            contact_id=4,
            queue="aftersales",
            converted=True,
            order_value_cents=2_000,
            rescue_opportunity=True,
            rescued=True,
            **base,
        ),
        dict(contact_id=5, queue="aftersales", rescue_opportunity=True, **base),
        dict(contact_id=6, queue="aftersales", rescued=True, **base),  # no opportunity: ignored
    ]
    return log_from_rows(contacts=rows)


def test_sales_metrics():
    r = centre(sales_log())
    assert r["conversion_rate"] == pytest.approx(3 / 6)
    assert r["orders"] == 3
    assert r["aov_cents"] == pytest.approx(17_000 / 3)
    assert r["sales_cents"] == 12_000
    assert r["refund_rate"] == pytest.approx(1 / 3)
    assert r["rescue_rate"] == pytest.approx(1 / 2)


def test_sales_parameters():
    r = centre(
        sales_log(), definitions={"conversion_rate": {"queues": ["presales"]}, "sales_cents": {"net": False}}
    )
    assert r["conversion_rate"] == pytest.approx(2 / 3)
    assert r["sales_cents"] == 17_000


def test_sales_cents_is_integer_column():
    k = kpis(sales_log(), by=())
    assert str(k["sales_cents"].dtype) == "Int64"
    assert str(k["sum_order_value_cents"].dtype) == "Int64"


def survey_log():
    base = dict(queue="q", channel="voice", agent_id="A1", arrival_at=at(0), answered_at=at(5))
    rows = [
        dict(contact_id=1, survey_responded=True, csat=5, nps=10, **base),
        dict(contact_id=2, survey_responded=True, csat=4, nps=9, **base),
        dict(contact_id=3, survey_responded=True, csat=2, nps=3, **base),
        dict(contact_id=4, survey_responded=True, nps=7, **base),
        dict(contact_id=5, complaint=True, praise=True, **base),
        dict(contact_id=6, complaint=True, **base),
    ]
    return log_from_rows(contacts=rows)


def test_satisfaction_metrics():
    r = centre(survey_log())
    assert r["csat_mean"] == pytest.approx(11 / 3)
    assert r["csat_positive_rate"] == pytest.approx(2 / 3)
    assert r["rating_participation"] == pytest.approx(4 / 6)
    assert r["nps"] == pytest.approx(100 * (2 - 1) / 4)
    assert (r["complaints"], r["praise"]) == (2, 1)
    assert r["complaint_rate"] == pytest.approx(2 / 6 * 100)


def test_satisfaction_parameters():
    r = centre(
        survey_log(),
        definitions={
            "csat_positive_rate": {"positive_min": 5},
            "nps": {"promoter_min": 10, "detractor_max": 7},
            "complaint_rate": {"per": 1000},
        },
    )
    assert r["csat_positive_rate"] == pytest.approx(1 / 3)
    assert r["nps"] == pytest.approx(100 * (1 - 2) / 4)
    assert r["complaint_rate"] == pytest.approx(2 / 6 * 1000)


def test_complaint_rate_per_order_with_no_orders_is_nan():
    r = centre(survey_log(), definitions={"complaint_rate": {"base": "orders"}})
    assert math.isnan(r["complaint_rate"])
    assert r["n_complaint_base"] == 0


def test_empty_log_gives_empty_table_with_columns():
    k = kpis(log_from_rows(), by=("agent_id",))
    assert len(k) == 0
    assert {"handled", "aht_s", "n_handled", "period", "agent_id", "team"} <= set(k.columns)


def test_fcr_window_includes_its_end():
    base = dict(queue="q", channel="voice", agent_id="A1", customer_id=4)
    rows = [
        dict(contact_id=1, arrival_at=at(0), answered_at=at(1), **base),
        dict(contact_id=2, arrival_at=at(24 * 3600), answered_at=at(24 * 3600 + 1), **base),
    ]
    assert centre(log_from_rows(contacts=rows))["n_fcr"] == 1  # a repeat exactly 24 h later counts
    r = centre(log_from_rows(contacts=rows), definitions={"fcr_rate": {"window_h": 23.99}})
    assert r["n_fcr"] == 2
