"""Metrics of outbound campaigns (S4: daily dial attempts, successful dial rate, list
utilisation, marketing success rate, talk time). Each entry is a stable key used as-is in
policy YAML; never rename one.

Sources: ``dials`` (one row per attempt, by ``dialled_at``), ``call_list`` (one row per record,
by ``added_at``) and the outbound contacts (``contacts.direction == outbound``, by the moment the
customer picked up). The contact metrics of ``metrics_contacts.py`` count inbound contacts only.
"""

from __future__ import annotations

from kpisim.kpi.metric_types import DAILY, QUEUE_LEVELS, SHARE, STAFF_LEVELS, Metric
from kpisim.kpi.metrics_contacts import _m

#: levels of the per-attempt and per-call metrics: agents, their teams, campaigns (``queue``),
#: channel and centre
_DIAL_LEVELS = ("agent", "team", "queue", "channel", "centre")

OUTBOUND_METRICS: tuple[Metric, ...] = (
    _m(
        "dial_attempts",
        "dials",
        "higher",
        "count",
        "outbound dial attempts (dials)",
        "n_dials",
        levels=_DIAL_LEVELS,
        integer=True,
    ),
    _m(
        "dial_attempts_per_day",
        "dials/day",
        "higher",
        "ratio",
        "dial attempts / days worked (attendance days with logged_in_s > 0) (S4: daily dial "
        "attempts); at team and centre level over all their agents' days",
        "n_dials",
        "n_days_worked",
        levels=STAFF_LEVELS,
        periods=DAILY,
    ),
    _m(
        "connect_rate",
        "ratio",
        "higher",
        "ratio",
        "dial attempts picked up (voicemail, wrong_number or connected) / dial attempts",
        "n_dials_picked_up",
        "n_dials",
        levels=_DIAL_LEVELS,
        bounds=SHARE,
    ),
    _m(
        "dial_success_rate",
        "ratio",
        "higher",
        "ratio",
        "dial attempts connected to the listed customer / dial attempts (S4: successful outbound dial rate)",
        "n_dials_connected",
        "n_dials",
        levels=_DIAL_LEVELS,
        bounds=SHARE,
    ),
    _m(
        "list_utilisation",
        "ratio",
        "higher",
        "ratio",
        "calling-list records dialled at least once / records available (records attributed to "
        "the period they joined the list) (S4: list utilisation)",
        "n_records_attempted",
        "n_records",
        levels=QUEUE_LEVELS,
        bounds=SHARE,
    ),
    _m(
        "records_exhausted",
        "records",
        "lower",
        "count",
        "calling-list records closed without reaching the customer: every attempt used, or an "
        "outcome that is not retried",
        "n_records_exhausted",
        levels=QUEUE_LEVELS,
        integer=True,
    ),
    _m(
        "outbound_calls",
        "calls",
        "higher",
        "count",
        "connected outbound calls (contacts with direction outbound)",
        "n_outbound_calls",
        levels=_DIAL_LEVELS,
        integer=True,
    ),
    _m(
        "calls_handled",
        "calls",
        "higher",
        "count",
        "contacts answered, inbound (`handled`) plus connected outbound calls (`outbound_calls`) "
        "(S4: call volume counts inbound and outbound work)",
        "n_calls_handled",
        integer=True,
    ),
    _m(
        "marketing_success_rate",
        "ratio",
        "higher",
        "ratio",
        "outbound calls that made a sale / connected outbound calls (S4: marketing success rate, "
        "per connected call)",
        "n_outbound_sales",
        "n_outbound_calls",
        levels=_DIAL_LEVELS,
        bounds=SHARE,
    ),
    _m(
        "marketing_success_per_record",
        "ratio",
        "higher",
        "ratio",
        "calling-list records that made a sale / records dialled at least once (records "
        "attributed to the period they joined the list)",
        "n_records_converted",
        "n_records_attempted",
        levels=QUEUE_LEVELS,
        bounds=SHARE,
    ),
    _m(
        "outbound_talk_s",
        "s",
        "lower",
        "ratio",
        "mean handle_s (talk time) of connected outbound calls",
        "sum_outbound_talk_s",
        "n_outbound_calls",
        levels=_DIAL_LEVELS,
    ),
    _m(
        "outbound_talk_h",
        "h",
        "neutral",
        "count",
        "hours of talk on connected outbound calls",
        "sum_outbound_talk_s",
        scale=1 / 3600,
        levels=_DIAL_LEVELS,
    ),
)
