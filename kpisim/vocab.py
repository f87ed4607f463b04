"""Names defined once: channels, agent states, conduct event kinds, hidden traits, file names.

The simulator writes these names, the KPI registry and the analyses read them; nothing else
spells them out. A new name is appended (tuples keep their order).
"""

from __future__ import annotations

#: Contact channels of ``contacts.channel`` and ``Queue.channel``.
CHANNELS: tuple[str, ...] = ("voice", "chat")

#: Agent states of ``agent_states.state``; the simulator's state codes index this tuple.
STATES: tuple[str, ...] = ("available", "busy", "wrap_up", "break", "offline")
#: States in which an agent is logged in (everything but ``offline``).
LOGGED_IN_STATES: tuple[str, ...] = ("available", "busy", "wrap_up", "break")
#: States in which an agent is staffed: ready for or working on contacts.
STAFFED_STATES: tuple[str, ...] = ("available", "busy", "wrap_up")

#: Conduct event kinds of ``conduct.event``; each is a count metric of the same name.
CONDUCT_EVENTS: tuple[str, ...] = (
    "rule_breach",
    "poor_attitude",
    "ignored_customer",
    "wrong_answer",
    "unclear_agreement",
    "handover_failure",
    "work_handoff",
    "after_hours_help",
    "adopted_idea",
)
#: Conduct kinds that are good for the business (bonus points); the others are breaches.
GOOD_CONDUCT_EVENTS: tuple[str, ...] = ("after_hours_help", "adopted_idea")

#: Hidden trait column of the ``agents`` table -> (sign, log_scale). Sign +1: higher is better for
#: the business, -1: lower is better; log-scale traits are multiplicative (lognormal) in the
#: simulator. Only analyses that measure validity, fairness or behaviour read these columns.
TRAITS: dict[str, tuple[int, bool]] = {
    "true_speed": (-1, True),  # handle-time multiplier: lower is faster
    "true_resolution": (+1, True),
    "true_sales": (+1, True),
    "true_order_value": (+1, True),
    "true_courtesy": (+1, False),
    "true_reliability": (+1, True),
    "true_qa": (+1, False),
    "true_conduct": (-1, True),  # breach-rate multiplier: lower is better
}

#: Agents' hidden tactics (behaviour they choose; intensities 0..1, see ``docs/behaviour.md``).
#: ``genuine_effort`` is the behaviour a good plan buys; the others are gaming.
TACTICS: tuple[str, ...] = (
    "rush",
    "sales_push",
    "cherry_pick",
    "limit_concurrency",
    "early_release",
    "transfer_dump",
    "availability_avoidance",
    "survey_selection",
    "genuine_effort",
)
#: Tactics that QA or complaints can reveal (a caught case becomes a ``rule_breach`` event).
DETECTABLE_TACTICS: tuple[str, ...] = ("early_release", "transfer_dump", "survey_selection")

#: Kinds of the agents' hidden dips (event-log table ``declines``): a sustained ``decline`` from a
#: date on, and a one-day ``off_day`` (S4: act on the first, not the second).
DECLINE_KINDS: tuple[str, ...] = ("decline", "off_day")
#: Who a coaching alert is about: one agent, or the whole team (S4: shared problems first).
ALERT_LEVELS: tuple[str, ...] = ("agent", "team")
#: Direction of a contact (``contacts.direction``): the customer called in, or an agent called out
#: (a connected dial attempt of an outbound campaign).
DIRECTIONS: tuple[str, ...] = ("inbound", "outbound")
#: Outcomes of an outbound dial attempt (``dials.outcome``); only ``connected`` reaches the listed
#: customer and becomes an outbound contact.
DIAL_OUTCOMES: tuple[str, ...] = ("no_answer", "busy", "voicemail", "wrong_number", "connected")
#: Outcomes in which someone or something picked up the line (the base of ``connect_rate``).
PICKED_UP_OUTCOMES: tuple[str, ...] = ("voicemail", "wrong_number", "connected")
#: Dialling modes of a campaign: ``preview`` (the agent reads the record, then dials) or
#: ``progressive`` (the system dials one number for each free agent, no preview).
DIALLING_MODES: tuple[str, ...] = ("preview", "progressive")
#: Final state of a calling-list record (``call_list.status``).
RECORD_STATUSES: tuple[str, ...] = ("open", "connected", "wrong_number", "exhausted")
