"""Metrics of contacts: volume and service, chat detail, sales and satisfaction. Each entry is a
stable key used as-is in policy YAML; never rename one."""

from __future__ import annotations

from typing import Any

from kpisim.kpi.metric_types import (
    DAILY,
    QUEUE_LEVELS,
    SHARE,
    STAFF_LEVELS,
    Bounds,
    Metric,
    Param,
)
from kpisim.vocab import LOGGED_IN_STATES


def _m(
    key: str,
    unit: str,
    direction: str,
    kind: str,
    formula: str,
    numerator: str,
    denominator: str | None = None,
    **kw: Any,
) -> Metric:
    return Metric(key, unit, direction, kind, formula, numerator, denominator, **kw)


def _short_abandon(doc: str) -> Param:
    return Param("short_abandon_s", 0.0, doc)


_STATE_WORK = ("busy", "wrap_up")
_STATE_LOGGED = LOGGED_IN_STATES


CONTACT_METRICS: tuple[Metric, ...] = (
    # --- volume and service (contacts) ---
    _m(
        "offered",
        "contacts",
        "neutral",
        "count",
        "contacts that arrived (abandoned and blocked included)",
        "n_offered",
        levels=QUEUE_LEVELS,
        integer=True,
    ),
    _m("handled", "contacts", "higher", "count", "contacts answered by an agent", "n_handled", integer=True),
    _m(
        "abandoned",
        "contacts",
        "lower",
        "count",
        "contacts abandoned in the queue",
        "n_abandoned",
        levels=QUEUE_LEVELS,
        integer=True,
    ),
    _m(
        "blocked",
        "contacts",
        "lower",
        "count",
        "contacts rejected by a full queue",
        "n_blocked",
        levels=QUEUE_LEVELS,
        integer=True,
    ),
    _m(
        "service_level",
        "ratio",
        "higher",
        "ratio",
        "answered with wait_s <= threshold_s / (answered + [if abandons_count] blocked + abandoned "
        "with wait_s >= short_abandon_s); abandons shorter than short_abandon_s are left out of "
        "both",
        "n_sl_within",
        "n_sl_base",
        levels=QUEUE_LEVELS,
        params=(
            Param("threshold_s", 20.0, "answer-time threshold, seconds (S2: 80 % within 20 s)"),
            _short_abandon("abandons with wait_s below this many seconds are ignored"),
            Param(
                "abandons_count",
                True,
                "abandoned and blocked contacts count in the denominator (False: answered only)",
            ),
        ),
        bounds=SHARE,
    ),
    _m(
        "asa_s",
        "s",
        "lower",
        "ratio",
        "mean wait_s of answered contacts (average speed of answer)",
        "sum_wait_answered_s",
        "n_handled",
    ),
    _m(
        "aht_s",
        "s",
        "lower",
        "ratio",
        "mean handle_s + wrap_up_s of answered contacts",
        "sum_handle_wrap_s",
        "n_handled",
    ),
    _m(
        "talk_s",
        "s",
        "lower",
        "ratio",
        "mean handle_s (talk / session time) of answered contacts",
        "sum_handle_s",
        "n_handled",
    ),
    _m(
        "acw_s",
        "s",
        "lower",
        "ratio",
        "mean wrap_up_s (after-contact work) of answered contacts",
        "sum_wrap_up_s",
        "n_handled",
    ),
    _m(
        "abandon_rate",
        "ratio",
        "lower",
        "ratio",
        "abandoned with wait_s >= short_abandon_s / (offered - abandoned with wait_s < short_abandon_s)",
        "n_abandoned_counted",
        "n_offered_counted",
        levels=QUEUE_LEVELS,
        params=(
            _short_abandon(
                "abandons with wait_s below this many seconds are left out of numerator and denominator"
            ),
        ),
        bounds=SHARE,
    ),
    _m(
        "avg_time_to_abandon_s",
        "s",
        "lower",
        "ratio",
        "mean wait_s of abandoned contacts",
        "sum_wait_abandoned_s",
        "n_abandoned",
        levels=QUEUE_LEVELS,
    ),
    _m(
        "queue_placement_rate",
        "ratio",
        "neutral",
        "ratio",
        "queued / offered (S3 #15)",
        "n_queued",
        "n_offered",
        levels=QUEUE_LEVELS,
        bounds=SHARE,
    ),
    _m(
        "transfer_rate",
        "ratio",
        "lower",
        "ratio",
        "transferred / handled (S3 #5)",
        "n_transferred",
        "n_handled",
        bounds=SHARE,
    ),
    _m(
        "fcr_rate",
        "ratio",
        "higher",
        "ratio",
        "handled contacts that were not transferred and after which no contact of the same "
        "customer_id arrived within window_h hours (strictly later arrival) / handled; the "
        "repeat may be in a later period; contacts near the end of the log look resolved",
        "n_fcr",
        "n_handled",
        params=(Param("window_h", 24.0, "repeat window, hours (S2: 24 h or 12 h)"),),
        bounds=SHARE,
    ),
    _m(
        "contacts_per_hour",
        "contacts/h",
        "higher",
        "ratio",
        "handled / logged-in hours (agent_states, any state except offline)",
        "n_handled",
        "sum_logged_in_s",
        scale=3600.0,
        levels=STAFF_LEVELS,
    ),
    _m(
        "contacts_per_day",
        "contacts/day",
        "higher",
        "ratio",
        "handled / days worked (attendance days with logged_in_s > 0)",
        "n_handled",
        "n_days_worked",
        levels=STAFF_LEVELS,
        periods=DAILY,
    ),
    # --- chat detail ---
    _m(
        "first_response_s",
        "s",
        "lower",
        "ratio",
        "chat: mean first_response_s over contacts that have one (S3 #11)",
        "sum_first_response_s",
        "n_first_response",
    ),
    _m(
        "avg_response_s",
        "s",
        "lower",
        "ratio",
        "chat: sum response_time_sum_s / sum response_count of answered contacts (S3 #12)",
        "sum_response_time_s",
        "n_responses",
    ),
    _m(
        "reply_rate",
        "ratio",
        "higher",
        "ratio",
        "chat: answered chats in which the customer wrote (customer_wrote) and the agent replied / "
        "answered chats in which the customer wrote (S3 scorecard item 6); sessions where the "
        "customer never wrote are left out (before issue #11 they counted as not replied, so "
        "reply_rate was 1 - invalid_session_rate)",
        "n_chat_replied",
        "n_chat_wrote",
        bounds=SHARE,
    ),
    _m(
        "invalid_session_rate",
        "ratio",
        "lower",
        "ratio",
        "chat: answered chats marked invalid / answered chats (S3 #19)",
        "n_chat_invalid",
        "n_chat_handled",
        bounds=SHARE,
    ),
    # --- sales ---
    _m(
        "conversion_rate",
        "ratio",
        "higher",
        "ratio",
        "converted / handled, both restricted to `queues` (empty = all queues)",
        "n_conversion_converted",
        "n_conversion_base",
        params=(Param("queues", (), "queues counted (e.g. pre-sales queues); empty = all"),),
        bounds=SHARE,
    ),
    _m("orders", "orders", "higher", "count", "converted contacts", "n_orders", integer=True),
    _m(
        "aov_cents",
        "cents",
        "higher",
        "ratio",
        "sum order_value_cents of converted contacts / orders (average order value)",
        "sum_order_value_cents",
        "n_orders",
    ),
    _m(
        "sales_cents",
        "cents",
        "higher",
        "count",
        "sum order_value_cents of converted contacts, refunded ones excluded if net",
        "sum_sales_cents",
        integer=True,
        params=(Param("net", True, "exclude refunded orders"),),
    ),
    _m(
        "refund_rate",
        "ratio",
        "lower",
        "ratio",
        "refunded orders / orders",
        "n_refunded",
        "n_orders",
        bounds=SHARE,
    ),
    _m(
        "rescue_rate",
        "ratio",
        "higher",
        "ratio",
        "rescued / rescue opportunities of answered contacts (S1)",
        "n_rescued",
        "n_rescue_opportunities",
        bounds=SHARE,
    ),
    # --- satisfaction ---
    _m(
        "csat_mean",
        "points(1-5)",
        "higher",
        "ratio",
        "mean csat of rated contacts",
        "sum_csat",
        "n_csat_rated",
        bounds=Bounds(1.0, 5.0),
    ),
    _m(
        "csat_positive_rate",
        "ratio",
        "higher",
        "ratio",
        "contacts with csat >= positive_min / rated contacts (S3 #21)",
        "n_csat_positive",
        "n_csat_rated",
        params=(Param("positive_min", 4, "lowest csat counted as positive (1-5)", minimum=1),),
        bounds=SHARE,
    ),
    _m(
        "rating_participation",
        "ratio",
        "higher",
        "ratio",
        "answered contacts with survey_responded / handled (S3 #22)",
        "n_survey_responded",
        "n_handled",
        bounds=SHARE,
    ),
    _m(
        "nps",
        "points(-100..100)",
        "higher",
        "ratio",
        "100 x (share of nps >= promoter_min - "
        "share of nps <= detractor_max) among contacts with an nps answer (S2)",
        "sum_nps_net",
        "n_nps_rated",
        scale=100.0,
        params=(
            Param("promoter_min", 9, "lowest promoter score (0-10)"),
            Param("detractor_max", 6, "highest detractor score (0-10)"),
        ),
        bounds=Bounds(-100.0, 100.0),
    ),
    _m("complaints", "count", "lower", "count", "contacts with a complaint", "n_complaints", integer=True),
    _m(
        "complaint_rate",
        "per N contacts",
        "lower",
        "ratio",
        "complaints / base x per; base = handled contacts or orders (S2: normalise by a base)",
        "n_complaints",
        "n_complaint_base",
        scale="per",
        params=(
            Param("per", 100.0, "multiplier: complaints per this many base units", minimum=1e-12),
            Param(
                "base",
                "handled",
                "denominator: `handled` contacts or `orders`",
                choices=("handled", "orders"),
            ),
        ),
    ),
    _m(
        "praise",
        "count",
        "higher",
        "count",
        "contacts where the customer praised the agent",
        "n_praise",
        integer=True,
    ),
)
