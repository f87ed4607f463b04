"""Agent-time, attendance, conduct, QA, relative and centre-wide metrics on tiny logs."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kpisim.kpi.compute import kpis
from kpisim.testing.synth import log_from_rows

D = "2024-03-04 "  # a Monday


def st(agent, state, start, end, sessions=0):
    return dict(agent_id=agent, state=state, start_at=D + start, end_at=D + end, sessions=sessions)


AGENTS = [
    dict(agent_id="A1", team="T1", shift="day", tenure_group="new", max_concurrency=4),
    dict(agent_id="A2", team="T1", shift="day", tenure_group="experienced", max_concurrency=1),
    dict(agent_id="A3", team="T1", shift="late", tenure_group="experienced", max_concurrency=1),
    dict(agent_id="A4", team="T2", shift="late", tenure_group="new", max_concurrency=1),
]
STATES = [
    st("A1", "available", "08:00", "09:00"),
    st("A1", "busy", "09:00", "10:00", sessions=2),
    st("A1", "wrap_up", "10:00", "10:30", sessions=1),
    st("A1", "break", "10:30", "11:00"),
    st("A1", "offline", "11:00", "12:00"),
    st("A1", "available", "12:00", "13:00"),
    st("A2", "busy", "08:30", "10:15", sessions=1),
]


def contacts(counts: dict[str, int]):
    rows, cid = [], 0
    for agent, n in counts.items():
        for _ in range(n):
            cid += 1
            rows.append(
                dict(
                    contact_id=cid,
                    agent_id=agent,
                    queue="q",
                    channel="voice",
                    arrival_at=D + "09:10",
                    answered_at=D + "09:11",
                )
            )
    return rows


def staff_log(**extra):
    tables = dict(agents=AGENTS, agent_states=STATES, contacts=contacts({"A1": 2, "A2": 4, "A4": 3}))
    tables.update(extra)
    return log_from_rows(**tables)


def row(table, agent):
    sel = table[table["agent_id"] == agent]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_time_use_metrics():
    a1 = row(kpis(staff_log()), "A1")
    assert a1["logged_in_h"] == pytest.approx(4.0)  # all but the offline hour
    assert a1["hangup_h"] == pytest.approx(0.5)
    assert a1["occupancy"] == pytest.approx(5400 / 12600)  # busy+wrap / busy+wrap+available
    assert a1["utilisation"] == pytest.approx(5400 / 14400)
    assert a1["actual_work_rate"] == pytest.approx(12600 / 14400)
    assert a1["contacts_per_hour"] == pytest.approx(2 / 4)


def test_time_use_parameters():
    a1 = row(
        kpis(
            staff_log(),
            definitions={
                "occupancy": {"partial_chat": True},
                "utilisation": {"logged_states": ["available", "busy", "wrap_up"]},
                "actual_work_rate": {"online_states": ["available"]},
            },
        ),
        "A1",
    )
    # busy hour held 2 of 4 sessions -> counts half; the other half counts as idle
    assert a1["occupancy"] == pytest.approx((1800 + 1800) / 12600)
    assert a1["utilisation"] == pytest.approx(5400 / 12600)
    assert a1["actual_work_rate"] == pytest.approx(7200 / 14400)


def test_states_split_at_interval_boundaries():
    k = kpis(staff_log(), by=("agent_id",), period="interval", interval_min=60)
    a2 = k[k["agent_id"] == "A2"].set_index("period")["sum_logged_in_s"]
    assert a2[pd.Timestamp(D + "08:00")] == pytest.approx(1800)
    assert a2[pd.Timestamp(D + "09:00")] == pytest.approx(3600)
    assert a2[pd.Timestamp(D + "10:00")] == pytest.approx(900)
    a1 = k[k["agent_id"] == "A1"].set_index("period")
    # 10:00-11:00 holds 30 min wrap-up and 30 min break: occupancy counts only the wrap-up
    assert a1.loc[pd.Timestamp(D + "10:00"), "occupancy"] == pytest.approx(1.0)
    assert a1.loc[pd.Timestamp(D + "10:00"), "utilisation"] == pytest.approx(0.5)
    # 11:00 is offline only: no logged time -> ratios NaN, hours 0
    assert a1.loc[pd.Timestamp(D + "11:00"), "logged_in_h"] == 0
    assert math.isnan(a1.loc[pd.Timestamp(D + "11:00"), "utilisation"])


def test_state_across_midnight_split_by_day():
    s = [dict(agent_id="A1", state="available", start_at="2024-03-04 22:00", end_at="2024-03-05 02:00")]
    k = kpis(log_from_rows(agents=AGENTS[:1], agent_states=s), period="day")
    assert list(k["logged_in_h"]) == pytest.approx([2.0, 2.0])


ATTENDANCE = [
    dict(agent_id="A1", date="2024-03-04", logged_in_s=8 * 3600.0, hangup_s=3600.0, late_min=5.0),
    dict(
        agent_id="A1",
        date="2024-03-05",
        logged_in_s=7 * 3600.0,
        hangup_s=1800.0,
        late_min=20.0,
        early_leave_min=3.0,
    ),
    dict(agent_id="A1", date="2024-03-06", absent=True, logged_in_s=0.0),
    dict(agent_id="A1", date="2024-03-07", leave=True, logged_in_s=0.0),
    dict(agent_id="A1", date="2024-03-08", logged_in_s=8 * 3600.0, hangup_s=2 * 3600.0),
]


def test_attendance_metrics():
    a1 = row(kpis(staff_log(attendance=ATTENDANCE)), "A1")
    assert a1["late_count"] == 2  # day 1: 5 min late; day 2: 3 min early leave
    assert a1["long_late_count"] == 1  # 20 min late
    assert (a1["absence_days"], a1["leave_days"], a1["days_worked"]) == (1, 1, 3)
    assert a1["avg_daily_online_h"] == pytest.approx(23 / 3)
    assert a1["short_online_days"] == 2  # 7 h online; 2 h hang-up
    assert a1["contacts_per_day"] == pytest.approx(2 / 3)


def test_attendance_parameters():
    a1 = row(
        kpis(
            staff_log(attendance=ATTENDANCE),
            definitions={
                "late_count": {"long_min": 4},
                "long_late_count": {"long_min": 4},
                "short_online_days": {"min_online_h": 6.5, "max_hangup_h": 2.5},
            },
        ),
        "A1",
    )
    assert (a1["late_count"], a1["long_late_count"], a1["short_online_days"]) == (1, 2, 0)


def test_attendance_not_applicable_per_interval():
    k = kpis(staff_log(attendance=ATTENDANCE), period="interval")
    assert k["late_count"].isna().all() and k["n_late_short"].isna().all()
    assert k["contacts_per_day"].isna().all()


def test_conduct_counts_zero_filled():
    conduct = [
        dict(agent_id="A1", date="2024-03-04", event="rule_breach"),
        dict(agent_id="A1", date="2024-03-05", event="rule_breach"),
        dict(agent_id="A1", date="2024-03-05", event="adopted_idea"),
        dict(agent_id="A2", date="2024-03-05", event="wrong_answer"),
    ]
    k = kpis(staff_log(conduct=conduct))
    assert (row(k, "A1")["rule_breach"], row(k, "A1")["adopted_idea"], row(k, "A1")["wrong_answer"]) == (
        2,
        1,
        0,
    )
    assert (row(k, "A2")["rule_breach"], row(k, "A2")["wrong_answer"]) == (0, 1)
    assert row(k, "A4")["rule_breach"] == 0


def test_qa_metrics():
    qa = [dict(agent_id="A1", contact_id=1, reviewed_at=D + "12:00", qa_score=s) for s in (98.0, 96.0, 100.0)]
    a1 = row(kpis(staff_log(qa=qa)), "A1")
    assert a1["qa_mean"] == pytest.approx(98.0)
    assert a1["qa_pass_rate"] == pytest.approx(2 / 3)
    assert a1["qa_reviews"] == 3
    a1 = row(kpis(staff_log(qa=qa), definitions={"qa_pass_rate": {"pass_mark": 95}}), "A1")
    assert a1["qa_pass_rate"] == 1.0
    assert math.isnan(row(kpis(staff_log(qa=qa)), "A2")["qa_mean"])  # no reviews -> NaN


def test_qa_by_queue_uses_the_reviewed_contact():
    qa = [dict(agent_id="A1", contact_id=1, reviewed_at=D + "12:00", qa_score=90.0)]
    k = kpis(staff_log(qa=qa), by=("queue",))
    assert list(k["qa_mean"]) == [90.0] and list(k["queue"]) == ["q"]


def test_relative_metrics():
    att = [dict(agent_id="A3", date="2024-03-04", logged_in_s=3600.0)]  # A3: present, handled 0
    k = kpis(staff_log(attendance=att))
    # team T1: A1 2, A2 4, A3 0 -> mean 2; team T2: A4 alone
    assert [row(k, a)["relative_volume"] for a in ("A1", "A2", "A3", "A4")] == pytest.approx(
        [1.0, 2.0, 0.0, 1.0]
    )
    # online time (agent_states): A1 4 h, A2 1.75 h, A3 0 h -> mean 1.9167
    assert row(k, "A1")["relative_online_time"] == pytest.approx(4 / (5.75 / 3))
    assert math.isnan(row(k, "A4")["relative_online_time"])  # group mean 0 -> NaN
    k = kpis(staff_log(attendance=att), definitions={"relative_volume": {"group": "centre"}})
    assert row(k, "A2")["relative_volume"] == pytest.approx(4 / 2.25)
    k = kpis(staff_log(attendance=att), definitions={"relative_volume": {"group": "shift"}})
    assert row(k, "A3")["relative_volume"] == pytest.approx(0.0)
    assert row(k, "A4")["relative_volume"] == pytest.approx(2.0)  # late shift: A3 0, A4 3


def test_relative_only_at_agent_level():
    k = kpis(staff_log(), by=("team",))
    assert k["relative_volume"].isna().all()


def test_silent_orders_broadcast_per_period():
    silent = [
        dict(order_id=1, ordered_at="2024-03-02", value_cents=1000),
        dict(order_id=2, ordered_at="2024-03-20", value_cents=2500),
        dict(order_id=3, ordered_at="2024-04-02", value_cents=700),
    ]
    k = kpis(staff_log(silent_orders=silent))
    assert set(k["silent_order_sales_cents"]) == {3500}
    k = kpis(staff_log(silent_orders=silent), by=())
    assert list(k["silent_order_sales_cents"]) == [3500]


def test_team_attributes_and_team_level():
    k = kpis(staff_log(), by=("agent_id",))
    assert dict(zip(k["agent_id"], k["team"], strict=False)) == {"A1": "T1", "A2": "T1", "A4": "T2"}
    t = kpis(staff_log(), by=("team",))
    assert dict(zip(t["team"], t["handled"], strict=False)) == {"T1": 6, "T2": 3}
    assert t.set_index("team").loc["T1", "logged_in_h"] == pytest.approx(5.75)


def test_agent_missing_from_roster_keeps_rows_with_na_team():
    log = log_from_rows(agents=AGENTS[:1], contacts=contacts({"A1": 1, "Z9": 2}))
    t = kpis(log, by=("team",))
    assert t["handled"].sum() == 3
    assert t["team"].isna().sum() == 1
