"""Metrics of agents' time, quality, attendance and conduct, relative metrics and centre-wide
figures. Each entry is a stable key used as-is in policy YAML; never rename one."""

from __future__ import annotations

from kpisim.kpi.metric_types import (
    DAILY,
    SHARE,
    STAFF_LEVELS,
    Bounds,
    Metric,
    Param,
)
from kpisim.kpi.metrics_contacts import _STATE_LOGGED, _STATE_WORK, _m
from kpisim.vocab import CONDUCT_EVENTS, GOOD_CONDUCT_EVENTS, STATES

#: the group a relative metric compares an agent with (both relative metrics take it)
_RELATIVE_GROUP = Param(
    "group",
    "team",
    "agent attribute defining the group, or `centre` (all agents)",
    choices=("team", "shift", "tenure_group", "group", "centre"),
)


STAFF_METRICS: tuple[Metric, ...] = (
    # --- quality ---
    _m(
        "qa_mean",
        "points(0-100)",
        "higher",
        "ratio",
        "mean qa_score of QA reviews",
        "sum_qa_score",
        "n_qa_reviews",
        bounds=Bounds(0.0, 100.0),
    ),
    _m(
        "qa_pass_rate",
        "ratio",
        "higher",
        "ratio",
        "QA reviews with qa_score >= pass_mark / reviews (S3 #18)",
        "n_qa_pass",
        "n_qa_reviews",
        params=(Param("pass_mark", 97.0, "pass mark, points 0-100"),),
        bounds=SHARE,
    ),
    _m("qa_reviews", "count", "neutral", "count", "QA reviews", "n_qa_reviews", integer=True),
    # --- time use (agent_states) ---
    _m(
        "occupancy",
        "ratio",
        "neutral",
        "ratio",
        "time in work_states / time in work_states or idle_states",
        "sum_occ_work_s",
        "sum_occ_base_s",
        levels=STAFF_LEVELS,
        params=(
            Param("work_states", _STATE_WORK, "states counted as working", choices=STATES),
            Param("idle_states", ("available",), "states counted as idle, waiting for work", choices=STATES),
            Param(
                "partial_chat",
                False,
                "weight busy time by sessions / max_concurrency "
                "(chat partial occupancy); the rest of it counts as idle",
            ),
        ),
        bounds=SHARE,
    ),
    _m(
        "utilisation",
        "ratio",
        "neutral",
        "ratio",
        "time in work_states / time in logged_states (S2: say whether breaks, training and meals count)",
        "sum_util_work_s",
        "sum_util_logged_s",
        levels=STAFF_LEVELS,
        params=(
            Param("work_states", _STATE_WORK, "states counted as working", choices=STATES),
            Param("logged_states", _STATE_LOGGED, "states counted as paid / logged-in time", choices=STATES),
        ),
        bounds=SHARE,
    ),
    _m(
        "actual_work_rate",
        "ratio",
        "higher",
        "ratio",
        "time in online_states / logged-in time (any state except offline) (S3 #4)",
        "sum_online_s",
        "sum_logged_in_s",
        levels=STAFF_LEVELS,
        params=(
            Param(
                "online_states",
                ("available", "busy", "wrap_up"),
                "states counted as online / ready",
                choices=STATES,
            ),
        ),
        bounds=SHARE,
    ),
    _m(
        "logged_in_h",
        "h",
        "higher",
        "count",
        "hours in any state except offline (agent_states)",
        "sum_logged_in_s",
        scale=1 / 3600,
        levels=STAFF_LEVELS,
    ),
    _m(
        "hangup_h",
        "h",
        "lower",
        "count",
        "hours in the break state (S3 'hang-up')",
        "sum_break_s",
        scale=1 / 3600,
        levels=STAFF_LEVELS,
    ),
    # --- attendance ---
    _m(
        "late_count",
        "count",
        "lower",
        "count",
        "days late or left early by more than 0 and less "
        "than long_min minutes (S3 item 2: <= 3 a month free); with count `events` a late start and "
        "an early leave on one day count twice; with include_long also those of long_min or more",
        "n_late_short",
        levels=STAFF_LEVELS,
        periods=DAILY,
        integer=True,
        params=(
            Param("long_min", 15.0, "minutes from which lateness counts as long"),
            Param("count", "days", "`days` (a day counts once) or `events`", choices=("days", "events")),
            Param("include_long", False, "also count lateness / early leave of long_min or more"),
        ),
    ),
    _m(
        "long_late_count",
        "count",
        "lower",
        "count",
        "days late or left early by long_min minutes "
        "or more (S3: counts as 1 h absence); a day can count here and in late_count",
        "n_late_long",
        levels=STAFF_LEVELS,
        periods=DAILY,
        integer=True,
        params=(Param("long_min", 15.0, "minutes from which lateness counts as long"),),
    ),
    _m(
        "absence_days",
        "days",
        "lower",
        "count",
        "days of unplanned absence",
        "n_absent",
        levels=STAFF_LEVELS,
        periods=DAILY,
        integer=True,
    ),
    _m(
        "leave_days",
        "days",
        "lower",
        "count",
        "days of personal leave",
        "n_leave",
        levels=STAFF_LEVELS,
        periods=DAILY,
        integer=True,
    ),
    _m(
        "days_worked",
        "days",
        "neutral",
        "count",
        "attendance days with logged_in_s > 0",
        "n_days_worked",
        levels=STAFF_LEVELS,
        periods=DAILY,
        integer=True,
    ),
    _m(
        "avg_daily_online_h",
        "h",
        "higher",
        "ratio",
        "attendance logged_in_s / days worked, in hours",
        "sum_att_logged_in_s",
        "n_days_worked",
        scale=1 / 3600,
        levels=STAFF_LEVELS,
        periods=DAILY,
    ),
    _m(
        "short_online_days",
        "days",
        "lower",
        "count",
        "worked days with logged_in_s < min_online_h or hangup_s > max_hangup_h (S3 item 2)",
        "n_short_online_days",
        levels=STAFF_LEVELS,
        periods=DAILY,
        integer=True,
        params=(
            Param("min_online_h", 7.5, "minimum online hours per worked day"),
            Param("max_hangup_h", 1.5, "maximum break ('hang-up') hours per worked day"),
        ),
    ),
    # --- relative (S1 relative volume, S3 item 8 relative online time) ---
    _m(
        "relative_volume",
        "ratio",
        "higher",
        "relative",
        "agent handled / mean handled of the "
        "agents of the same group in the same period and replication (S1)",
        "n_handled",
        levels=("agent",),
        base="handled",
        params=(_RELATIVE_GROUP,),
    ),
    _m(
        "relative_online_time",
        "ratio",
        "higher",
        "relative",
        "agent logged_in_h / mean "
        "logged_in_h of the agents of the same group in the same period and replication (S3 "
        "item 8)",
        "sum_logged_in_s",
        levels=("agent",),
        base="logged_in_h",
        params=(_RELATIVE_GROUP,),
    ),
    # --- centre-wide ---
    _m(
        "silent_order_sales_cents",
        "cents",
        "neutral",
        "broadcast",
        "value of silent orders "
        "(placed without any contact) in the period, centre-wide, repeated on every row (S3 pool "
        "base)",
        "sum_silent_order_cents",
        integer=True,
    ),
) + tuple(
    _m(
        e,
        "count",
        "higher" if e in GOOD_CONDUCT_EVENTS else "lower",
        "count",
        f"conduct events of kind `{e}`",
        f"n_{e}",
        levels=STAFF_LEVELS,
        periods=DAILY,
        integer=True,
    )
    for e in CONDUCT_EVENTS
)
