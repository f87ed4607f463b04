"""The metric registry: every KPI's stable key, unit, direction, levels, formula and parameters.

Metric keys are used as-is in policy YAML; never rename one. ``docs/metrics.md`` is generated
from this module (``python -m kpisim.kpi.docs``).

Every metric is computed from additive *columns* (counts and sums, see ``COLUMNS``) that are
summed per group and only then divided, so a KPI table can be re-aggregated exactly
(``kpisim.kpi.compute.reaggregate``). A definition parameter (service-level threshold, FCR
window, counted states, ...) belongs to one metric and shapes that metric's own columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kpisim.errors import SpecError
from kpisim.vocab import CONDUCT_EVENTS, GOOD_CONDUCT_EVENTS, LOGGED_IN_STATES, STATES

#: Aggregation levels. ``by`` columns map to levels through ``DIMENSIONS``; ``by=()`` is centre.
LEVELS: tuple[str, ...] = ("agent", "team", "queue", "channel", "centre")
#: Period kinds; ``interval`` uses ``interval_min`` (default 30) buckets.
PERIODS: tuple[str, ...] = ("interval", "day", "week", "month")
#: ``by`` column -> level. Agent attributes come from the ``agents`` table joined on agent_id.
DIMENSIONS: dict[str, str] = {
    "agent_id": "agent",
    "group": "team",
    "team": "team",
    "shift": "team",
    "tenure_group": "team",
    "queue": "queue",
    "channel": "channel",
}

ALL = LEVELS
QUEUE_LEVELS = ("queue", "channel", "centre")
STAFF_LEVELS = ("agent", "team", "centre")
DAILY = ("day", "week", "month")


@dataclass(frozen=True)
class Param:
    """A definition parameter of one metric.

    Attributes:
        name: parameter name, e.g. ``threshold_s``.
        default: immutable default (number, bool, str or tuple of str).
        doc: meaning, with the unit.
        choices: allowed values of a str parameter, or allowed items of a tuple parameter.
        minimum: smallest allowed value of a numeric parameter.
    """

    name: str
    default: Any
    doc: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = 0.0


@dataclass(frozen=True)
class Column:
    """An additive column (count or sum) from which metrics are computed.

    Attributes:
        name: column name in the KPI table (``n_*`` counts, ``sum_*_s`` / ``*_cents`` sums).
        source: event-log table it is summed from.
        doc: what one row contributes.
        integer: the sum is an integer (count or cents) and is stored as ``Int64``.
        owner: metric whose parameters shape the column, if any.
    """

    name: str
    source: str
    doc: str
    integer: bool = True
    owner: str | None = None


@dataclass(frozen=True)
class Bounds:
    """The range a metric's value can take, in the metric's unit; ``None`` = unbounded.

    Attributes:
        lower: smallest possible value, or None.
        upper: largest possible value, or None.
    """

    lower: float | None = 0.0
    upper: float | None = None

    def __post_init__(self):
        if self.lower is not None and self.upper is not None and not self.lower < self.upper:
            raise ValueError(f"bounds: lower {self.lower!r} must be below upper {self.upper!r}")

    def clip(self, value: float) -> float:
        """``value`` moved inside the bounds (NaN stays NaN)."""
        if self.lower is not None and value < self.lower:
            return float(self.lower)
        if self.upper is not None and value > self.upper:
            return float(self.upper)
        return float(value)

    def __str__(self) -> str:
        lo = "-inf" if self.lower is None else f"{self.lower:g}"
        hi = "inf" if self.upper is None else f"{self.upper:g}"
        return f"[{lo}, {hi}]"


#: A share (ratio of a count to a larger count): between 0 and 1.
SHARE = Bounds(0.0, 1.0)
#: Counts, sums, durations, money, rates per N and relative values: 0 or more, no upper bound.
NON_NEGATIVE = Bounds(0.0, None)


@dataclass(frozen=True)
class Metric:
    """One KPI.

    Attributes:
        key: stable key used in policy YAML.
        unit: unit of the value.
        direction: ``higher``, ``lower`` or ``neutral`` (which way is better).
        kind: ``count`` (value = numerator x scale), ``ratio`` (numerator / denominator x
            scale), ``relative`` (agent value of ``base`` / mean over the agent's group) or
            ``broadcast`` (centre-wide value repeated on every row of the period).
        formula: human-readable definition.
        numerator: column summed for the numerator (for ``relative``: the base's column).
        denominator: column summed for the denominator, if any.
        scale: constant factor, or the name of a parameter holding it (e.g. ``per``).
        levels: levels the metric applies to; elsewhere its value is NaN.
        periods: period kinds it applies to; elsewhere NaN.
        params: definition parameters with defaults.
        base: for ``relative``: key of the metric compared with the group mean.
        integer: the value is an integer count / cents sum (stored as ``Int64``).
        bounds: the range the value can take (analyses clip perturbed values to it).
    """

    key: str
    unit: str
    direction: str
    kind: str
    formula: str
    numerator: str
    denominator: str | None = None
    scale: float | str = 1.0
    levels: tuple[str, ...] = ALL
    periods: tuple[str, ...] = PERIODS
    params: tuple[Param, ...] = ()
    base: str | None = None
    integer: bool = False
    bounds: Bounds = NON_NEGATIVE

    def defaults(self) -> dict[str, Any]:
        """Parameter name -> default value."""
        return {p.name: p.default for p in self.params}

    @property
    def columns(self) -> tuple[str, ...]:
        """The additive columns the metric needs."""
        return tuple(c for c in (self.numerator, self.denominator) if c)


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
) + tuple(_c(f"n_{e}", "conduct", f"1 per `{e}` event") for e in CONDUCT_EVENTS)

#: column name -> Column.
COLUMNS: dict[str, Column] = {c.name: c for c in _COLUMNS}


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

_METRICS: tuple[Metric, ...] = (
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
        "than long_min minutes (S3 item 2: <= 3 a month free)",
        "n_late_short",
        levels=STAFF_LEVELS,
        periods=DAILY,
        integer=True,
        params=(Param("long_min", 15.0, "minutes from which lateness counts as long"),),
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
        params=(
            Param(
                "group",
                "team",
                "agent attribute defining the group, or `centre` (all agents)",
                choices=("team", "shift", "tenure_group", "group", "centre"),
            ),
        ),
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
        params=(
            Param(
                "group",
                "team",
                "agent attribute defining the group, or `centre` (all agents)",
                choices=("team", "shift", "tenure_group", "group", "centre"),
            ),
        ),
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

#: metric key -> Metric.
METRICS: dict[str, Metric] = {m.key: m for m in _METRICS}


def _allowed(names) -> str:
    return ", ".join(sorted(names))


def select_metrics(metrics: Any = None) -> tuple[str, ...]:
    """Validate a metric selection; ``None`` means all metrics, in registry order.

    Raises:
        SpecError: an unknown metric key (the message lists the allowed keys).
    """
    if metrics is None:
        return tuple(METRICS)
    if isinstance(metrics, str):
        metrics = (metrics,)
    out = []
    for k in metrics:
        if k not in METRICS:
            raise SpecError("metrics", str(k), f"unknown metric {k!r}; allowed: {_allowed(METRICS)}")
        if k not in out:
            out.append(k)
    return tuple(out)


def _check_param(metric: str, p: Param, value: Any) -> Any:
    where = f"{metric}.{p.name}"
    d = p.default
    if isinstance(d, bool):
        if not isinstance(value, bool):
            raise SpecError("definitions", where, f"bad value {value!r}: expected true or false")
        return value
    if isinstance(d, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise SpecError("definitions", where, f"bad value {value!r}: expected a number")
        if p.minimum is not None and value < p.minimum:
            raise SpecError("definitions", where, f"bad value {value!r}: must be >= {p.minimum:g}")
        if isinstance(d, int) and not float(value).is_integer():
            raise SpecError("definitions", where, f"bad value {value!r}: expected an integer")
        return type(d)(value)
    if isinstance(d, str):
        if not isinstance(value, str) or (p.choices and value not in p.choices):
            raise SpecError(
                "definitions", where, f"bad value {value!r}: allowed: {', '.join(p.choices or ())}"
            )
        return value
    if isinstance(d, tuple):
        items = (value,) if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
            raise SpecError("definitions", where, f"bad value {value!r}: expected a list of names")
        bad = [v for v in items if p.choices and v not in p.choices]
        if bad:
            raise SpecError(
                "definitions", where, f"bad value {bad[0]!r}: allowed: {', '.join(p.choices or ())}"
            )
        return tuple(items)
    raise AssertionError(f"unsupported default {d!r}")  # pragma: no cover - registry bug


def resolve_definitions(
    definitions: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Merge user definitions over the defaults: metric key -> {parameter: value}.

    Args:
        definitions: e.g. ``{"service_level": {"threshold_s": 30}}``.

    Raises:
        SpecError: unknown metric, unknown parameter or a bad value; the message names it and
            lists what is allowed.
    """
    out = {k: m.defaults() for k, m in METRICS.items()}
    for key, overrides in (definitions or {}).items():
        if key not in METRICS:
            raise SpecError("definitions", str(key), f"unknown metric {key!r}; allowed: {_allowed(METRICS)}")
        metric = METRICS[key]
        if not isinstance(overrides, Mapping):
            raise SpecError("definitions", key, f"bad value {overrides!r}: expected a mapping of parameters")
        params = {p.name: p for p in metric.params}
        for name, value in overrides.items():
            if name not in params:
                allowed = _allowed(params) if params else "(none: this metric has no parameters)"
                raise SpecError(
                    "definitions", f"{key}.{name}", f"unknown parameter {name!r}; allowed: {allowed}"
                )
            out[key][name] = _check_param(key, params[name], value)
    return out


def levels_of(by: tuple[str, ...]) -> frozenset[str]:
    """The set of levels a ``by`` tuple aggregates at (agent attributes fold into ``agent``).

    Raises:
        SpecError: an unknown ``by`` column.
    """
    for b in by:
        if b not in DIMENSIONS:
            raise SpecError("by", str(b), f"unknown column {b!r}; allowed: {_allowed(DIMENSIONS)}")
    if not by:
        return frozenset({"centre"})
    lv = {DIMENSIONS[b] for b in by}
    if "agent" in lv:
        lv.discard("team")
    return frozenset(lv)


def applies(metric: Metric, levels: frozenset[str], period: str | None = None) -> bool:
    """Whether ``metric`` has a value at these levels (and period kind, if given)."""
    return levels <= set(metric.levels) and (period is None or period in metric.periods)
