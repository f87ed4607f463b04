"""The event-log schema: the contract between the simulator (or a real export) and the KPI engine.

Every table of an event log is a pandas DataFrame with the columns below. ``docs/event-log.md``
is generated from this module (``python -m kpisim.io.schema``), so this is the single place where a
column is defined. Times are naive local timestamps (``datetime64[ns]``); durations are seconds
(float, suffix ``_s``); money is integer cents (suffix ``_cents``).

Every table also carries the run keys ``scenario_id`` (str), ``replication`` (int) and
``seed`` (int); an imported export gets ``replication = 0`` and ``seed = -1``.
"""

from __future__ import annotations

RUN_KEYS: tuple[tuple[str, str, str], ...] = (
    ("scenario_id", "string", "Scenario id (from the scenario file) or export name."),
    ("replication", "int64", "Replication number, 0-based."),
    ("seed", "int64", "Seed of the run (-1 for imported data)."),
)

#: table name -> ((column, dtype, description), ...). dtype is a pandas dtype string.
TABLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "contacts": (
        ("contact_id", "int64", "Unique id of the contact within a replication."),
        ("channel", "string", "`voice` or `chat`."),
        (
            "direction",
            "string",
            "`inbound` (the customer contacted the centre) or `outbound` (a connected dial attempt of an outbound campaign; its `queue` is the campaign, its `arrival_at` = `answered_at` the moment the customer picked up, `wait_s` 0). Logs and exports without it are inbound.",
        ),
        ("queue", "string", "Queue / skill group the contact arrived in."),
        ("customer_id", "int64", "Customer; a repeat contact (unresolved, came back) keeps the same id."),
        ("arrival_at", "datetime64[ns]", "When the contact entered the queue."),
        ("answered_at", "datetime64[ns]", "When an agent took it; NaT if abandoned or blocked."),
        (
            "ended_at",
            "datetime64[ns]",
            "End of the conversation; for abandoned contacts the moment the customer gave up; for blocked ones the arrival.",
        ),
        ("wrap_up_end_at", "datetime64[ns]", "End of after-contact work; NaT if not answered."),
        ("agent_id", "string", "Agent who handled it; <NA> if not answered."),
        ("abandoned", "bool", "Customer gave up while waiting."),
        ("blocked", "bool", "Rejected on arrival because the queue was full."),
        ("queued", "bool", "Had to wait (no eligible agent free on arrival)."),
        ("wait_s", "float64", "Seconds from arrival to answer, or to abandonment; 0 if blocked."),
        (
            "handle_s",
            "float64",
            "Seconds from answer to end of conversation (talk / session time); NaN if not answered.",
        ),
        ("wrap_up_s", "float64", "Seconds of after-contact work; NaN if not answered."),
        (
            "concurrency",
            "Int64",
            "Sessions the agent held including this one when it was answered (voice: 1); <NA> if not answered.",
        ),
        (
            "attempt",
            "int64",
            "1 for a first contact; 2, 3, ... for the customer's repeats of the same issue (simulation truth; the KPI engine computes FCR from customer_id and time, not from this).",
        ),
        (
            "transferred",
            "bool",
            "The agent transferred the contact to another queue (a new contact row follows with the same customer_id).",
        ),
        ("transfer_of", "Int64", "contact_id of the contact this one was transferred from; <NA> otherwise."),
        (
            "resolved",
            "bool",
            "Customer's issue was resolved in this contact (simulation truth; not answered => False).",
        ),
        ("converted", "bool", "Pre-sales: the customer placed a paid order after this contact."),
        ("order_value_cents", "int64", "Value of that order (0 if none)."),
        ("refunded", "bool", "The order was later refunded / cancelled."),
        ("rescue_opportunity", "bool", "The customer was about to cancel an order (after-sales)."),
        ("rescued", "bool", "The agent saved that order."),
        ("survey_responded", "bool", "The customer rated the contact."),
        ("csat", "Int64", "Satisfaction rating 1-5; <NA> without a survey answer."),
        ("nps", "Int64", "Would-recommend score 0-10; <NA> without a survey answer."),
        ("complaint", "bool", "The customer complained about this contact."),
        ("praise", "bool", "The customer praised the agent by name."),
        (
            "first_response_s",
            "float64",
            "Chat: seconds from the customer's first message to the agent's first manual reply; NaN for voice or no reply.",
        ),
        (
            "response_time_sum_s",
            "float64",
            "Chat: sum of customer-message -> agent-reply gaps (seconds); 0 for voice.",
        ),
        ("response_count", "int64", "Chat: number of such gaps (agent replies); 0 for voice."),
        ("customer_msgs", "int64", "Chat: messages written by the customer."),
        ("agent_msgs", "int64", "Chat: manual messages written by the agent."),
        ("system_msgs", "int64", "Chat: automatic/system messages."),
        ("replied", "bool", "Chat: the agent replied at least once (voice: answered)."),
        ("invalid", "bool", "Chat: only one side wrote a manual message (S3 #19)."),
        (
            "customer_wrote",
            "bool",
            "Chat: the customer wrote at least one manual message (the base of `reply_rate`); voice: answered. Logs and exports without it derive it (see Notes).",
        ),
    ),
    "agent_states": (
        ("agent_id", "string", "Agent."),
        (
            "state",
            "string",
            "`available`, `busy`, `wrap_up`, `break` or `offline` (logged out, within the horizon). Chat: `busy` while the agent holds at least one session and none is in wrap-up; see `sessions`.",
        ),
        ("start_at", "datetime64[ns]", "Start of the interval."),
        (
            "end_at",
            "datetime64[ns]",
            "End of the interval (exclusive). Simulated states are cut at the horizon end.",
        ),
        (
            "sessions",
            "int64",
            "Session slots in use during the interval: a chat session takes one, a voice call all of the agent's `max_concurrency` (so a voice-only agent shows 0 or 1). Partial chat occupancy = sessions / max_concurrency.",
        ),
    ),
    "agents": (
        ("agent_id", "string", "Agent."),
        ("group", "string", "Agent group in the scenario."),
        ("team", "string", "Team."),
        ("shift", "string", "Shift name (e.g. `day`, `night`)."),
        ("tenure_group", "string", "Tenure group (e.g. `new`, `experienced`)."),
        ("queues", "string", "Served queues with priority, `queue:priority` joined by `;` (1 = highest)."),
        (
            "max_concurrency",
            "int64",
            "Session slots of the agent: chat sessions it may hold at once; a voice call takes them all (voice-only agents: 1).",
        ),
        ("true_speed", "float64", "HIDDEN TRUTH: handle-time multiplier (< 1 is faster)."),
        (
            "true_resolution",
            "float64",
            "HIDDEN TRUTH: multiplier on the odds of resolving an issue (1 = average).",
        ),
        ("true_sales", "float64", "HIDDEN TRUTH: sales skill, multiplier on conversion odds."),
        ("true_order_value", "float64", "HIDDEN TRUTH: multiplier on order value."),
        ("true_courtesy", "float64", "HIDDEN TRUTH: shift of satisfaction (CSAT/NPS) in standard units."),
        (
            "true_reliability",
            "float64",
            "HIDDEN TRUTH: attendance reliability (1 = never late/absent beyond the base rates).",
        ),
        ("true_qa", "float64", "HIDDEN TRUTH: mean QA score 0-100."),
        ("true_conduct", "float64", "HIDDEN TRUTH: multiplier on conduct-breach rates."),
    ),
    "attendance": (
        ("agent_id", "string", "Agent."),
        ("date", "datetime64[ns]", "Work day (midnight)."),
        ("scheduled_s", "float64", "Scheduled shift length (seconds)."),
        ("logged_in_s", "float64", "Time logged in (seconds), breaks included."),
        ("hangup_s", "float64", "Time in `break` state (seconds; S3 'hang-up')."),
        ("late_min", "float64", "Minutes late at shift start (0 if on time)."),
        ("early_leave_min", "float64", "Minutes left before shift end (0 if none)."),
        ("absent", "bool", "Did not come to a scheduled shift (unplanned)."),
        ("leave", "bool", "On approved personal leave that day."),
    ),
    "conduct": (
        ("agent_id", "string", "Agent."),
        ("date", "datetime64[ns]", "Day of the event."),
        (
            "event",
            "string",
            "`rule_breach`, `poor_attitude`, `ignored_customer`, `wrong_answer`, `unclear_agreement`, `handover_failure`, `work_handoff`, `after_hours_help`, `adopted_idea`.",
        ),
    ),
    "qa": (
        ("agent_id", "string", "Agent whose contact was reviewed."),
        ("contact_id", "int64", "Reviewed contact."),
        (
            "reviewed_at",
            "datetime64[ns]",
            "Arrival time of the reviewed contact (the review counts in that contact's period).",
        ),
        ("qa_score", "float64", "QA score 0-100."),
    ),
    "silent_orders": (
        ("order_id", "int64", "Order placed without any contact."),
        ("ordered_at", "datetime64[ns]", "When."),
        ("value_cents", "int64", "Order value."),
    ),
    "declines": (
        ("agent_id", "string", "HIDDEN TRUTH: agent whose work got worse."),
        (
            "kind",
            "string",
            "HIDDEN TRUTH: `decline` (sustained, from `start_at` on) or `off_day` (one worked day).",
        ),
        ("start_at", "datetime64[ns]", "HIDDEN TRUTH: first day (midnight) of the decline or off-day."),
        (
            "end_at",
            "datetime64[ns]",
            "HIDDEN TRUTH: midnight after its last day (exclusive; a decline running to the end of the run ends at the horizon end).",
        ),
        (
            "size",
            "float64",
            "HIDDEN TRUTH: loss as a fraction of skill: handle time x (1 + size), resolution odds x (1 - size).",
        ),
    ),
    "dials": (
        ("dial_id", "int64", "Unique id of the dial attempt within a replication (in the order made)."),
        ("campaign", "string", "Outbound campaign."),
        ("record_id", "int64", "Calling-list record dialled (see `call_list`)."),
        ("attempt", "int64", "1 for the record's first attempt, 2, 3, ... for retries."),
        ("agent_id", "string", "Agent who dialled (preview) or for whom the system dialled (progressive)."),
        ("dialled_at", "datetime64[ns]", "When the number was dialled (after the preview, in preview mode)."),
        ("outcome_at", "datetime64[ns]", "When the outcome was known (end of ringing, busy tone, greeting)."),
        ("outcome", "string", "`no_answer`, `busy`, `voicemail`, `wrong_number` or `connected`."),
        ("contact_id", "Int64", "The outbound contact of a `connected` attempt; <NA> otherwise."),
    ),
    "call_list": (
        ("campaign", "string", "Outbound campaign."),
        ("record_id", "int64", "Record of the campaign's calling list (0, 1, ... in list order)."),
        (
            "added_at",
            "datetime64[ns]",
            "When the record became available (horizon start, or the midnight of its refresh day).",
        ),
        ("attempts", "int64", "Dial attempts made on the record (0: never dialled)."),
        (
            "status",
            "string",
            "`connected` (reached), `wrong_number` (dropped), `exhausted` (no attempt left, or an outcome not retried) or `open` (still to be dialled at the horizon end).",
        ),
        ("converted", "bool", "The connected call made a sale (marketing success)."),
    ),
}


def columns(table: str) -> list[str]:
    """All column names of ``table``, run keys first."""
    return [c for c, _, _ in RUN_KEYS] + [c for c, _, _ in TABLES[table]]


def dtypes(table: str) -> dict[str, str]:
    """Column -> pandas dtype string for ``table`` (run keys included)."""
    return {c: t for c, t, _ in RUN_KEYS + TABLES[table]}


def markdown() -> str:
    """``docs/event-log.md``: every table and column of the event log."""
    lines = [
        "# The event log",
        "",
        "<!-- generated by `python -m kpisim.io.schema > docs/event-log.md`; edit kpisim/io/schema.py instead -->",
        "",
        __doc__.strip(),
        "",
        "A run directory (`kpisim simulate ... --out DIR`) holds one `<table>.parquet` per table and",
        "`manifest.json` (a `kpisim.provenance.Manifest`: scenario id, content hash `scenario_sha256`,",
        "`source_path` or, when changed in Python, `derived_from`, seed, replications, population,",
        "kpisim version).",
        "",
        "## Run keys (every table)",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{c}` | {t} | {d} |" for c, t, d in RUN_KEYS]
    for name, cols in TABLES.items():
        lines += ["", f"## `{name}`", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c}` | {t} | {d} |" for c, t, d in cols]
    lines += [
        "",
        "## Notes",
        "",
        "- Chat partial occupancy: an agent holding k of at most m sessions is in state `busy` with",
        "  `sessions = k`; its occupancy in that interval is k / m. A chat session's slot stays taken",
        "  during its after-contact work, so chat agents have no separate `wrap_up` state.",
        "- Concurrency rule (`AgentGroup.slots`): a voice call takes all of an agent's m slots, so an",
        "  agent on a call (or its `wrap_up`) shows `sessions = m` and occupancy 1, and an agent who",
        "  serves voice and chat takes no call while chatting and no chat while on a call.",
        "- `true_*` columns of `agents` are the simulator's hidden truth. The KPI engine never reads",
        "  them; only validity/fairness analyses do, and they say so. The same holds for the whole",
        "  `declines` table (empty unless the scenario sets `declines:`, see docs/alerts.md); only",
        "  the evaluation of coaching alerts reads it.",
        "- Contacts still waiting when no agent is left (no patience configured) are recorded as",
        "  abandoned at the time the simulation ended.",
        "- Outbound campaigns: every dial attempt is a `dials` row, every calling-list record a",
        "  `call_list` row, and every connected attempt also a `contacts` row with `direction =",
        "  outbound` (queue = campaign, channel `voice`, no wait, a sale in `converted` /",
        "  `order_value_cents`). The contact metrics of `docs/metrics.md` count inbound contacts only;",
        "  the outbound metrics read `dials`, `call_list` and the outbound contacts.",
        "- `contacts.customer_wrote` was added after the first release (issue #11: `reply_rate` is",
        "  replied / customers who wrote, as in S3). A run directory or export without the column",
        "  stays readable: it is derived as answered and not (`invalid` with `customer_msgs` = 0),",
        "  which is exact for simulated logs; without `invalid` and message counts every answered",
        "  contact counts as written (the old reply-rate base).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
