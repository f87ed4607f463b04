"""The additive columns every metric is computed from: counts and sums per group, divided only
after summing, so a KPI table can be re-aggregated exactly."""

from __future__ import annotations

from kpisim.kpi.metric_types import Column
from kpisim.vocab import CONDUCT_EVENTS


def _c(name: str, source: str, doc: str, *, integer: bool = True, owner: str | None = None) -> Column:
    return Column(name, source, doc, integer, owner)


_COLUMNS: tuple[Column, ...] = (
    # contacts (attributed to the period of arrival_at)
    _c("n_offered", "contacts", "1 per contact (abandoned and blocked included)"),
    _c("n_handled", "contacts", "1 if answered (answered_at set)"),
    _c("n_abandoned", "contacts", "1 if abandoned"),
    _c("n_blocked", "contacts", "1 if blocked"),
    _c("n_queued", "contacts", "1 if queued"),
    _c("n_sl_within", "contacts", "1 if answered with wait_s <= threshold_s", owner="service_level"),
    _c(
        "n_sl_base",
        "contacts",
        "1 if answered; if abandons_count also 1 if blocked or abandoned with wait_s >= short_abandon_s",
        owner="service_level",
    ),
    _c(
        "n_abandoned_counted",
        "contacts",
        "1 if abandoned with wait_s >= short_abandon_s",
        owner="abandon_rate",
    ),
    _c(
        "n_offered_counted",
        "contacts",
        "1 unless abandoned with wait_s < short_abandon_s",
        owner="abandon_rate",
    ),
    _c("sum_wait_answered_s", "contacts", "wait_s if answered", integer=False),
    _c("sum_wait_abandoned_s", "contacts", "wait_s if abandoned", integer=False),
    _c("sum_handle_s", "contacts", "handle_s if answered (NaN counts 0)", integer=False),
    _c("sum_wrap_up_s", "contacts", "wrap_up_s if answered (NaN counts 0)", integer=False),
    _c("sum_handle_wrap_s", "contacts", "handle_s + wrap_up_s if answered", integer=False),
    _c("n_transferred", "contacts", "1 if answered and transferred"),
    _c(
        "n_fcr",
        "contacts",
        "1 if answered, not transferred and no contact of the same customer_id arrives later within window_h",
        owner="fcr_rate",
    ),
    _c("sum_first_response_s", "contacts", "first_response_s of chat contacts that have one", integer=False),
    _c("n_first_response", "contacts", "1 if a chat contact has first_response_s"),
    _c("sum_response_time_s", "contacts", "response_time_sum_s if answered", integer=False),
    _c("n_responses", "contacts", "response_count if answered"),
    _c("n_chat_handled", "contacts", "1 if an answered chat contact"),
    _c("n_chat_wrote", "contacts", "1 if an answered chat contact with customer_wrote"),
    _c("n_chat_replied", "contacts", "1 if an answered chat contact with customer_wrote and replied"),
    _c("n_chat_invalid", "contacts", "1 if an answered chat contact with invalid"),
    _c("n_conversion_base", "contacts", "1 if answered in a counted queue", owner="conversion_rate"),
    _c(
        "n_conversion_converted",
        "contacts",
        "1 if answered and converted in a counted queue",
        owner="conversion_rate",
    ),
    _c("n_orders", "contacts", "1 if converted"),
    _c("sum_order_value_cents", "contacts", "order_value_cents if converted"),
    _c(
        "sum_sales_cents",
        "contacts",
        "order_value_cents if converted (and, if net, not refunded)",
        owner="sales_cents",
    ),
    _c("n_refunded", "contacts", "1 if converted and refunded"),
    _c("n_rescue_opportunities", "contacts", "1 if answered and rescue_opportunity"),
    _c("n_rescued", "contacts", "1 if answered, rescue_opportunity and rescued"),
    _c("n_survey_responded", "contacts", "1 if answered and survey_responded"),
    _c("n_csat_rated", "contacts", "1 if csat is set"),
    _c("sum_csat", "contacts", "csat if set"),
    _c("n_csat_positive", "contacts", "1 if csat >= positive_min", owner="csat_positive_rate"),
    _c("n_nps_rated", "contacts", "1 if nps is set"),
    _c(
        "sum_nps_net",
        "contacts",
        "+1 if nps >= promoter_min, -1 if nps <= detractor_max, else 0",
        owner="nps",
    ),
    _c("n_complaints", "contacts", "1 if complaint"),
    _c(
        "n_complaint_base",
        "contacts",
        "1 if answered (base=handled) or converted (base=orders)",
        owner="complaint_rate",
    ),
    _c("n_praise", "contacts", "1 if praise"),
    # agent_states (split at period boundaries)
    _c("sum_logged_in_s", "agent_states", "seconds in any state except offline", integer=False),
    _c("sum_break_s", "agent_states", "seconds in break", integer=False),
    _c(
        "sum_occ_work_s",
        "agent_states",
        "seconds in work_states (busy weighted by sessions / max_concurrency if partial_chat)",
        integer=False,
        owner="occupancy",
    ),
    _c(
        "sum_occ_base_s",
        "agent_states",
        "seconds in work_states or idle_states",
        integer=False,
        owner="occupancy",
    ),
    _c("sum_util_work_s", "agent_states", "seconds in work_states", integer=False, owner="utilisation"),
    _c("sum_util_logged_s", "agent_states", "seconds in logged_states", integer=False, owner="utilisation"),
    _c("sum_online_s", "agent_states", "seconds in online_states", integer=False, owner="actual_work_rate"),
    # attendance (attributed to the period of date)
    _c(
        "n_late_short",
        "attendance",
        "1 if late_min or early_leave_min is > 0 and < long_min",
        owner="late_count",
    ),
    _c(
        "n_late_long",
        "attendance",
        "1 if late_min or early_leave_min is >= long_min",
        owner="long_late_count",
    ),
    _c("n_absent", "attendance", "1 if absent"),
    _c("n_leave", "attendance", "1 if on leave"),
    _c("n_days_worked", "attendance", "1 if logged_in_s > 0"),
    _c("sum_att_logged_in_s", "attendance", "logged_in_s", integer=False),
    _c(
        "n_short_online_days",
        "attendance",
        "1 if worked and logged_in_s < min_online_h or hangup_s > max_hangup_h",
        owner="short_online_days",
    ),
    # qa (attributed to the period of reviewed_at)
    _c("n_qa_reviews", "qa", "1 per review with a score"),
    _c("sum_qa_score", "qa", "qa_score", integer=False),
    _c("n_qa_pass", "qa", "1 if qa_score >= pass_mark", owner="qa_pass_rate"),
    # silent orders (centre-wide, attributed to the period of ordered_at)
    _c("sum_silent_order_cents", "silent_orders", "value_cents of every silent order in the period"),
    # outbound campaigns: connected calls are contacts with direction outbound (the columns above
    # count inbound contacts only); dials by dialled_at; calling-list records by added_at
    _c("n_outbound_calls", "contacts", "1 if an outbound contact (a connected dial attempt)"),
    _c("n_calls_handled", "contacts", "1 if answered, inbound or outbound"),
    _c("sum_outbound_talk_s", "contacts", "handle_s of an outbound contact", integer=False),
    _c("n_outbound_sales", "contacts", "1 if an outbound contact and converted"),
    _c("n_dials", "dials", "1 per dial attempt"),
    _c("n_dials_picked_up", "dials", "1 if the outcome is voicemail, wrong_number or connected"),
    _c("n_dials_connected", "dials", "1 if the outcome is connected"),
    _c("n_records", "call_list", "1 per calling-list record"),
    _c("n_records_attempted", "call_list", "1 if the record was dialled at least once"),
    _c("n_records_exhausted", "call_list", "1 if the record's status is exhausted"),
    _c("n_records_converted", "call_list", "1 if the record's connected call made a sale"),
) + tuple(_c(f"n_{e}", "conduct", f"1 per `{e}` event") for e in CONDUCT_EVENTS)

#: column name -> Column.
COLUMNS: dict[str, Column] = {c.name: c for c in _COLUMNS}
