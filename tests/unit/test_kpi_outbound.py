"""Outbound KPIs (issue #19): hand-computed values on a tiny log, inbound metrics untouched by
outbound contacts, exact re-aggregation, and bounds on a simulated blended centre."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kpisim
from kpisim.kpi.compute import reaggregate
from kpisim.kpi.registry import METRICS
from kpisim.testing.synth import log_from_rows
from tests.sim.outbound_helpers import blended

T0 = pd.Timestamp("2026-11-02 09:00")


def _at(minutes: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(minutes=minutes)


def _dial(i, agent, record, attempt, outcome, contact=None, day=0):
    t = _at(i + day * 1440)
    return {
        "dial_id": i,
        "campaign": "sales",
        "record_id": record,
        "attempt": attempt,
        "agent_id": agent,
        "dialled_at": t,
        "outcome_at": t + pd.Timedelta(seconds=20),
        "outcome": outcome,
        "contact_id": contact,
    }


@pytest.fixture
def log():
    """Agent x: 6 attempts over 2 days (2 connected, 1 voicemail, 1 wrong number, 2 no answer),
    one sale; agent y: 2 attempts (1 busy, 1 connected, no sale) on day 1; y also answers one
    inbound call. 5 records: 4 attempted, 1 exhausted."""
    dials = [
        _dial(0, "x", 0, 1, "no_answer"),
        _dial(1, "x", 1, 1, "connected", contact=10),
        _dial(2, "x", 2, 1, "voicemail"),
        _dial(3, "y", 3, 1, "busy"),
        _dial(4, "y", 3, 2, "connected", contact=11),
        _dial(5, "x", 0, 2, "no_answer", day=1),
        _dial(6, "x", 2, 2, "wrong_number", day=1),
        _dial(7, "x", 0, 3, "connected", contact=12, day=1),
    ]

    def out(cid, agent, minute, talk_s, sold, day=0):
        t = _at(minute + day * 1440)
        return {
            "contact_id": cid,
            "direction": "outbound",
            "channel": "voice",
            "queue": "sales",
            "customer_id": 100 + cid,
            "agent_id": agent,
            "arrival_at": t,
            "answered_at": t,
            "ended_at": t + pd.Timedelta(seconds=talk_s),
            "converted": sold,
            "order_value_cents": 5000 if sold else 0,
        }

    contacts = [
        {
            "contact_id": 1,
            "channel": "voice",
            "queue": "service",
            "agent_id": "y",
            "arrival_at": _at(0),
            "answered_at": _at(0.5),
            "ended_at": _at(5.5),
        },
        {
            "contact_id": 2,
            "channel": "voice",
            "queue": "service",
            "arrival_at": _at(1),
            "abandoned": True,
            "ended_at": _at(3),
        },
        out(10, "x", 1, 120, True),
        out(11, "y", 4, 200, False),
        out(12, "x", 7, 60, False, day=1),
    ]
    calls = [
        {
            "campaign": "sales",
            "record_id": r,
            "added_at": T0.normalize(),
            "attempts": a,
            "status": s,
            "converted": r == 1,
        }
        for r, a, s in [
            (0, 3, "connected"),
            (1, 1, "connected"),
            (2, 2, "wrong_number"),
            (3, 2, "connected"),
            (4, 0, "open"),
        ]
    ]
    calls[3]["status"] = "exhausted"  # pretend record 3 ran out (status is what the metric reads)
    attendance = [
        {"agent_id": a, "date": T0.normalize() + pd.Timedelta(days=d), "logged_in_s": 8 * 3600.0}
        for a, d in [("x", 0), ("x", 1), ("y", 0), ("y", 1)]
    ]
    agents = [
        {"agent_id": "x", "group": "blend", "team": "t"},
        {"agent_id": "y", "group": "blend", "team": "t"},
    ]
    return log_from_rows(
        contacts=contacts, dials=dials, call_list=calls, attendance=attendance, agents=agents
    )


def test_agent_level_outbound_metrics_by_hand(log):
    t = kpisim.kpis(log, by=("agent_id",), period="month").set_index("agent_id")
    x, y = t.loc["x"], t.loc["y"]
    assert x["dial_attempts"] == 6 and y["dial_attempts"] == 2
    assert x["dial_attempts_per_day"] == pytest.approx(6 / 2) and y["dial_attempts_per_day"] == pytest.approx(
        1.0
    )
    assert x["connect_rate"] == pytest.approx(4 / 6)  # voicemail, wrong number, 2 connected
    assert x["dial_success_rate"] == pytest.approx(2 / 6) and y["dial_success_rate"] == pytest.approx(1 / 2)
    assert x["outbound_calls"] == 2 and y["outbound_calls"] == 1
    assert x["marketing_success_rate"] == pytest.approx(1 / 2) and y["marketing_success_rate"] == 0
    assert x["outbound_talk_s"] == pytest.approx(90.0) and y["outbound_talk_s"] == pytest.approx(200.0)
    assert x["outbound_talk_h"] == pytest.approx(180 / 3600)
    # inbound metrics see only the inbound call y answered
    assert x["handled"] == 0 and y["handled"] == 1
    assert y["talk_s"] == pytest.approx(300.0)  # the inbound call: 09:00:30 -> 09:05:30
    assert x["calls_handled"] == 2 and y["calls_handled"] == 2  # inbound + outbound
    # list metrics are campaign-level: NaN per agent
    assert np.isnan(x["list_utilisation"])


def test_centre_and_campaign_level_outbound_metrics_by_hand(log):
    c = kpisim.kpis(log, by=(), period="month").iloc[0]
    assert c["dial_attempts"] == 8 and c["dial_success_rate"] == pytest.approx(3 / 8)
    assert c["list_utilisation"] == pytest.approx(4 / 5)
    assert c["records_exhausted"] == 1
    assert c["marketing_success_per_record"] == pytest.approx(1 / 4)
    assert c["marketing_success_rate"] == pytest.approx(1 / 3)
    # the outbound calls (no wait, answered) do not lift the inbound service level: 1 of 2 offered
    assert c["offered"] == 2 and c["handled"] == 1
    assert c["service_level"] == pytest.approx(0.0)  # answered after 30 s > 20 s; one abandoned
    assert c["dial_attempts_per_day"] == pytest.approx(8 / 4)
    q = kpisim.kpis(log, by=("queue",), period="month").set_index("queue")
    assert q.loc["sales", "dial_attempts"] == 8 and q.loc["sales", "offered"] == 0
    assert q.loc["service", "dial_attempts"] == 0 and q.loc["service", "offered"] == 2
    d = kpisim.kpis(log, by=(), period="day").set_index("period")
    assert list(d["dial_attempts"]) == [5, 3]  # attributed to the day of dialled_at


def test_outbound_metrics_reaggregate_exactly(log):
    agents = kpisim.kpis(log, by=("agent_id",), period="month")
    team = kpisim.kpis(log, by=("team",), period="month")
    again = reaggregate(agents, by=("team",))
    for m in (
        "dial_attempts",
        "dial_attempts_per_day",
        "connect_rate",
        "dial_success_rate",
        "outbound_calls",
        "marketing_success_rate",
        "outbound_talk_s",
        "calls_handled",
    ):
        assert again[m].iloc[0] == pytest.approx(team[m].iloc[0]), m


def test_registry_holds_the_outbound_metrics_with_share_bounds():
    for k in (
        "connect_rate",
        "dial_success_rate",
        "list_utilisation",
        "marketing_success_rate",
        "marketing_success_per_record",
    ):
        assert (METRICS[k].bounds.lower, METRICS[k].bounds.upper) == (0.0, 1.0)
    assert METRICS["dial_attempts_per_day"].periods == ("day", "week", "month")


def test_list_utilisation_never_exceeds_one_on_a_simulated_centre():
    """A list smaller than the agents can dial: nearly used up, never above 1, per day and month."""
    sc = blended(days=2, campaign={"list_size": 400, "refresh_per_day": 100})
    log = kpisim.simulate(sc, seed=5)
    for period in ("day", "month"):
        t = kpisim.kpis(log, by=("queue",), period=period)
        u = t.loc[t["queue"] == "sales", "list_utilisation"]
        assert len(u) and (u <= 1).all() and (u >= 0).all()
    month = kpisim.kpis(log, by=(), period="month").iloc[0]
    assert month["list_utilisation"] > 0.9
    cl = log.call_list
    assert month["list_utilisation"] == pytest.approx((cl["attempts"] > 0).mean())
