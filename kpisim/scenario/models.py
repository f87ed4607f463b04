"""Scenario files: a contact centre's horizon, queues, traffic, agents and behaviour.

Frozen, validated pydantic models. ``docs/scenario.md`` documents every field. Load a file with
``load_scenario(path)``; every mistake raises ``SpecError`` naming the file, the field path, the
bad value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from kpisim.errors import SpecError
from kpisim.io.load import load_yaml, not_a, reject_bools, spec_kind, validate
from kpisim.provenance import mark_loaded

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: the dates a scenario may cover (pandas timestamps reach 1677-2262; a centre's plans, far less)
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
#: plausible sizes (docs/scenario.md); a larger centre is several scenarios
MAX_AGENTS_PER_GROUP = 10_000
MAX_CONCURRENCY = 50
MAX_DAILY_VOLUME = 1_000_000
MAX_FACTOR = 100.0
MAX_CENTS = 10**10  # one order or value: 100 million in major units
MAX_DURATION_S = 7 * 86_400.0


class _Spec(BaseModel):
    # every float of every spec is finite (no .nan / .inf in YAML) unless a field says otherwise
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_numbers(cls, data):
        return reject_bools(cls, data)


def parse_clock(value: str, *, allow_24: bool = True) -> int:
    """``"HH:MM"`` -> minutes after midnight (``"24:00"`` -> 1440)."""
    if not isinstance(value, str) or len(value.split(":")) != 2:
        raise ValueError(f"expected a time 'HH:MM', got {value!r}")
    hh, mm = value.split(":")
    if not (hh.isdigit() and mm.isdigit()):
        raise ValueError(f"expected a time 'HH:MM', got {value!r}")
    h, m = int(hh), int(mm)
    if m >= 60 or h > 24 or (h == 24 and (m != 0 or not allow_24)):
        raise ValueError(f"expected a time between 00:00 and 24:00, got {value!r}")
    return h * 60 + m


class Distribution(_Spec):
    """A positive random duration (seconds).

    ``exponential`` uses only ``mean_s``; ``lognormal`` and ``gamma`` need ``cv`` (standard
    deviation / mean, > 0); ``fixed`` always gives ``mean_s``.
    """

    dist: Literal["exponential", "lognormal", "gamma", "fixed"] = "exponential"
    mean_s: float = Field(gt=0, le=MAX_DURATION_S, description="Mean in seconds (> 0, at most a week).")
    cv: float | None = Field(
        default=None, le=20, description="Coefficient of variation (> 0, <= 20) for lognormal/gamma."
    )

    @model_validator(mode="after")
    def _check_cv(self):
        if self.dist in ("lognormal", "gamma") and self.cv is None:
            raise ValueError(f"dist {self.dist!r} needs cv (> 0)")
        if self.cv is not None and self.cv <= 0:
            raise ValueError(f"cv must be > 0, got {self.cv}")
        return self


class TraitDist(_Spec):
    """A hidden trait's distribution across agents of a group: normal(mean, sd), clipped."""

    mean: float = Field(ge=-1000, le=1000)
    sd: float = Field(default=0.0, ge=0, le=1000)


class Traits(_Spec):
    """Hidden true abilities, drawn per agent. Defaults are neutral (every agent average).

    speed: handle-time multiplier (lognormal around ``mean``; < 1 is faster).
    resolution: multiplier on the odds of resolving an issue.
    sales: multiplier on the odds of converting a pre-sales contact.
    order_value: multiplier on order value.
    courtesy: shift of the satisfaction latent (standard units).
    reliability: divides the lateness/absence rates (> 1 is more reliable).
    qa: mean QA score 0-100.
    conduct: multiplier on conduct-breach rates.
    """

    speed: TraitDist = TraitDist(mean=1.0)
    resolution: TraitDist = TraitDist(mean=1.0)
    sales: TraitDist = TraitDist(mean=1.0)
    order_value: TraitDist = TraitDist(mean=1.0)
    courtesy: TraitDist = TraitDist(mean=0.0)
    reliability: TraitDist = TraitDist(mean=1.0)
    qa: TraitDist = TraitDist(mean=97.0)
    conduct: TraitDist = TraitDist(mean=1.0)

    @model_validator(mode="after")
    def _positive(self):
        for name in ("speed", "resolution", "sales", "order_value", "reliability", "conduct"):
            t = getattr(self, name)
            if t.mean <= 0:
                raise ValueError(f"{name}.mean must be > 0, got {t.mean}")
        if not 0 <= self.qa.mean <= 100:
            raise ValueError(f"qa.mean must be within 0-100, got {self.qa.mean}")
        return self


class Levers(_Spec):
    """Behaviour levers an agent may pull (neutral defaults = no gaming).

    rush_handle_factor: multiplies handle time (e.g. 0.8 = 20 % shorter);
    rush_resolution_odds: multiplies the odds of resolving (< 1 lowers FCR);
    rush_csat_shift: shifts the satisfaction latent (negative lowers CSAT).
    sales_push_odds: multiplies conversion odds; sales_push_complaint_factor and
    sales_push_refund_factor multiply complaint and refund probabilities.
    cherry_pick_share: share of the longest chat sessions the agent stalls on;
    cherry_pick_delay_s: extra first-response delay on those;
    cherry_pick_transfer: probability that such a stalled session is transferred away.
    """

    rush_handle_factor: float = Field(default=1.0, gt=0)
    rush_resolution_odds: float = Field(default=1.0, gt=0)
    rush_csat_shift: float = 0.0
    sales_push_odds: float = Field(default=1.0, gt=0)
    sales_push_complaint_factor: float = Field(default=1.0, ge=0)
    sales_push_refund_factor: float = Field(default=1.0, ge=0)
    cherry_pick_share: float = Field(default=0.0, ge=0, le=1)
    cherry_pick_delay_s: float = Field(default=0.0, ge=0)
    cherry_pick_transfer: float = Field(default=0.0, ge=0, le=1)


#: Names of the behaviour levers (the fields of ``Levers``); the one list every API checks against.
LEVER_NAMES: tuple[str, ...] = tuple(Levers.model_fields)


def pull_levers(levers: Levers, updates: Mapping[str, float], /, *, where: str = "levers") -> Levers:
    """A validated copy of ``levers`` with ``updates`` applied.

    Raises:
        SpecError: an unknown lever name (with the closest names and the allowed list) or a bad
            value (e.g. a non-positive factor).
    """
    for name in updates:
        if name not in LEVER_NAMES:
            close = difflib.get_close_matches(str(name), LEVER_NAMES, n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise SpecError(
                "<object>",
                f"{where}.{name}",
                f"unknown lever {name!r}{hint}; allowed: {', '.join(LEVER_NAMES)}",
            )
    return validate(Levers, {**levers.model_dump(), **dict(updates)}, file="<object>")


class Outcomes(_Spec):
    """What happens to customers of a queue, for an average agent and a customer who did not wait.

    Probabilities are per answered contact unless said otherwise.
    """

    kind: Literal["presales", "aftersales", "service"] = "service"
    resolve: float = Field(default=1.0, ge=0, le=1, description="P(issue resolved at this contact).")
    return_delay_h: float = Field(
        default=6.0, gt=0, description="Mean delay (h, exponential) before an unresolved customer comes back."
    )
    return_prob: float = Field(default=1.0, ge=0, le=1, description="P(an unresolved customer comes back).")
    max_attempts: int = Field(
        default=3, ge=1, le=100, description="An issue is retried at most this many contacts in all."
    )
    transfer: float = Field(
        default=0.0, ge=0, le=1, description="P(the agent transfers the contact to `transfer_to`)."
    )
    transfer_to: str | None = None
    conversion: float = Field(default=0.0, ge=0, lt=1, description="Presales: P(paid order).")
    order_value_cents: int = Field(default=0, ge=0, le=MAX_CENTS, description="Mean order value (cents).")
    order_value_cv: float = Field(default=0.6, gt=0)
    refund: float = Field(default=0.0, ge=0, le=1, description="P(an order is refunded/cancelled).")
    rescue_opportunity: float = Field(
        default=0.0, ge=0, le=1, description="Aftersales: P(customer wants to cancel an order)."
    )
    rescue: float = Field(default=0.0, ge=0, le=1, description="P(agent saves it), average agent.")
    survey: float = Field(default=0.0, ge=0, le=1, description="P(customer rates the contact).")
    satisfaction: float = Field(
        default=2.0, description="Mean satisfaction latent (standard units) of a resolved, unwaited contact."
    )
    unresolved_penalty: float = Field(
        default=1.0, ge=0, description="Satisfaction latent lost when not resolved."
    )
    wait_scale_s: float = Field(
        default=300.0,
        gt=0,
        description="Waiting this long lowers the satisfaction latent by 1 and conversion log-odds by 1.",
    )
    complaint: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="P(complaint) for a satisfied-average contact; scales with dissatisfaction.",
    )
    praise: float = Field(default=0.0, ge=0, le=1, description="P(praise naming the agent), average contact.")
    qa_sd: float = Field(default=2.0, ge=0, description="SD of one QA score around the agent's true QA mean.")


class ChatDetail(_Spec):
    """Message-level detail of chat sessions (S3 #11, #12, #19, #20)."""

    first_response_s: float = Field(
        default=15.0, gt=0, description="Mean first response (s) of an average agent holding one session."
    )
    response_s: float = Field(default=20.0, gt=0, description="Mean reply gap (s), one session.")
    load_factor: float = Field(
        default=0.05, ge=0, description="Response times grow by this fraction per extra session held."
    )
    response_cv: float = Field(default=0.5, gt=0)
    customer_msgs: float = Field(default=6.0, ge=1, description="Mean customer messages per session.")
    system_ratio: float = Field(default=0.33, ge=0, description="System messages per customer message.")
    invalid: float = Field(default=0.01, ge=0, le=1, description="P(customer never writes a manual message).")
    miss: float = Field(
        default=0.002, ge=0, le=1, description="P(agent never replies) per extra session held."
    )


class Queue(_Spec):
    """A queue / skill group on one channel with its traffic and service-time model."""

    channel: Literal["voice", "chat"]
    daily_volume: float = Field(
        ge=0,
        le=MAX_DAILY_VOLUME,
        description="Expected contacts per day before weekday factors and multipliers.",
    )
    weekday_factor: dict[str, float] = Field(
        default_factory=dict, description="Multiplier per weekday (mon..sun); missing days = 1."
    )
    profile: list[float] | Literal["flat"] = "flat"
    handle: Distribution
    wrap_up: Distribution | None = None
    patience: Distribution | None = None
    capacity: int | None = Field(
        default=None,
        ge=0,
        le=10_000_000,
        description="Max contacts waiting; more are blocked. None = unlimited.",
    )
    concurrency_stretch: float = Field(
        default=0.0, ge=0, description="Chat: handle time x (1 + stretch x (sessions held - 1))."
    )
    outcomes: Outcomes = Outcomes()
    chat: ChatDetail = ChatDetail()

    @field_validator("weekday_factor")
    @classmethod
    def _days(cls, v: dict[str, float]):
        for k, f in v.items():
            if k not in WEEKDAYS:
                raise ValueError(f"unknown weekday {k!r}; allowed: {', '.join(WEEKDAYS)}")
            if not 0 <= f <= MAX_FACTOR:
                raise ValueError(f"weekday factor must be within 0-{MAX_FACTOR:g}, got {f} for {k}")
        return v

    @field_validator("profile")
    @classmethod
    def _profile(cls, v):
        if isinstance(v, list):
            if any(x < 0 for x in v):
                raise ValueError("profile weights must be >= 0")
            if sum(v) <= 0:
                raise ValueError("profile weights must not all be 0")
        return v


class Multiplier(_Spec):
    """A dated volume multiplier (e.g. a promotion day x3); the date must be in the horizon."""

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v):
        return _iso_date(v)

    date: dt.date
    factor: float = Field(ge=0, le=MAX_FACTOR)
    queues: list[str] | None = Field(default=None, description="Queues affected; None = all.")
    name: str = ""


class Break(_Spec):
    """A scheduled break. With ``spread_min`` > 0 the agents of a group start it staggered:
    agent k of n starts at ``start + k x spread_min / n`` (so not everyone leaves at once)."""

    start: str = Field(description="Clock time 'HH:MM'.")
    minutes: float = Field(gt=0, le=1440)
    spread_min: float = Field(default=0.0, ge=0, le=1440)

    @field_validator("start")
    @classmethod
    def _clock(cls, v):
        parse_clock(v, allow_24=False)
        return v


class Shift(_Spec):
    """Working hours on one weekday. ``end`` before ``start`` means the next day."""

    start: str
    end: str
    breaks: list[Break] = Field(default_factory=list)

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, v):
        parse_clock(v)
        return v

    @model_validator(mode="after")
    def _breaks_inside(self):
        start, end = parse_clock(self.start), parse_clock(self.end)
        if end <= start:
            end += 1440
        for i, b in enumerate(self.breaks):
            at = parse_clock(b.start)
            if at < start:
                at += 1440  # a break after midnight in a shift over midnight
            last = at + b.minutes + b.spread_min
            if not (start <= at and last <= end):
                raise ValueError(
                    f"breaks[{i + 1}]: break at {b.start} for {b.minutes:g} min"
                    + (f" (spread over {b.spread_min:g} min)" if b.spread_min else "")
                    + f" does not fit in the shift {self.start}-{self.end}"
                )
        return self


class Attendance(_Spec):
    """Base rates per scheduled agent-day for an agent of reliability 1."""

    late: float = Field(default=0.0, ge=0, le=1, description="P(late).")
    late_mean_min: float = Field(default=8.0, gt=0, description="Mean lateness (min, exponential).")
    early_leave: float = Field(default=0.0, ge=0, le=1)
    early_leave_mean_min: float = Field(default=10.0, gt=0)
    absent: float = Field(default=0.0, ge=0, le=1, description="P(unplanned absence).")
    leave: float = Field(default=0.0, ge=0, le=1, description="P(personal leave day).")
    extra_break_min: float = Field(
        default=0.0,
        ge=0,
        description="Mean extra unscheduled break per day (min, exponential; hang-up time).",
    )


class Conduct(_Spec):
    """Conduct events per agent-day for an agent with conduct multiplier 1 (S3 items 1, 3, 8)."""

    rule_breach: float = Field(default=0.0, ge=0)
    poor_attitude: float = Field(default=0.0, ge=0)
    ignored_customer: float = Field(default=0.0, ge=0)
    wrong_answer: float = Field(default=0.0, ge=0)
    unclear_agreement: float = Field(default=0.0, ge=0)
    handover_failure: float = Field(default=0.0, ge=0)
    work_handoff: float = Field(default=0.0, ge=0)
    after_hours_help: float = Field(default=0.0, ge=0)
    adopted_idea: float = Field(default=0.0, ge=0)


class AgentGroup(_Spec):
    """Agents sharing skills, shifts and trait distributions."""

    name: str
    count: int = Field(ge=1, le=MAX_AGENTS_PER_GROUP)
    team: str = "team"
    shift_name: str = "day"
    tenure_group: str = "experienced"
    skills: dict[str, int] = Field(description="queue -> priority (1 = highest).")
    max_concurrency: int = Field(
        default=1,
        ge=1,
        le=MAX_CONCURRENCY,
        description="Session slots per agent: chats held at once (see ``slots``).",
    )
    shifts: dict[str, Shift | Literal["off"]] = Field(
        description="weekday (mon..sun or 'default') -> shift or 'off'."
    )
    traits: Traits = Traits()
    levers: Levers = Levers()
    attendance: Attendance = Attendance()
    conduct: Conduct = Conduct()

    @field_validator("skills")
    @classmethod
    def _skills(cls, v):
        if not v:
            raise ValueError("at least one skill (queue: priority) is required")
        for q, p in v.items():
            if p < 1:
                raise ValueError(f"priority must be >= 1, got {p} for {q!r}")
        return v

    @field_validator("shifts")
    @classmethod
    def _days(cls, v):
        for k in v:
            if k not in (*WEEKDAYS, "default"):
                raise ValueError(f"unknown weekday {k!r}; allowed: default, {', '.join(WEEKDAYS)}")
        return v

    def slots(self, channel: str) -> int:
        """Session slots one contact on ``channel`` takes from an agent of this group.

        The one home of the concurrency rule (engine, roster, occupancy and staffing follow it):
        an agent has ``max_concurrency`` session slots. A chat session takes one slot, so an agent
        holds up to ``max_concurrency`` chats at once (a slot stays taken during the session's
        wrap-up). A voice call takes all the slots: an agent is on one call at a time and does
        nothing else meanwhile. So a blended (voice + chat) agent takes no call while any chat
        session is open and no chat while on a call or its wrap-up. A group that serves only
        voice must have ``max_concurrency`` 1 (``Scenario`` refuses anything else).

        Raises:
            SpecError: ``channel`` is not ``voice`` or ``chat``.
        """
        if channel == "voice":
            return self.max_concurrency
        if channel == "chat":
            return 1
        raise SpecError("<object>", "channel", f"unknown channel {channel!r}; allowed: voice, chat")

    def sessions(self, channel: str) -> int:
        """Contacts on ``channel`` an agent of this group can hold at once (voice 1, chat
        ``max_concurrency``; see ``slots``)."""
        return self.max_concurrency // self.slots(channel)

    def shift_on(self, weekday: int) -> Shift | None:
        """The shift on ``weekday`` (0 = Monday), or None if off."""
        s = self.shifts.get(WEEKDAYS[weekday], self.shifts.get("default", "off"))
        return None if s == "off" else s


def _always_open() -> dict[str, list[str] | Literal["closed"]]:
    return {"default": ["00:00", "24:00"]}


def _iso_date(value):
    """Dates are written 2026-11-02; a bare number would be read as seconds since 1970."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("expected a date written YYYY-MM-DD, e.g. 2026-11-02")
    return value


class Horizon(_Spec):
    start: dt.date = Field(ge=FIRST_DATE, le=LAST_DATE)

    @field_validator("start", mode="before")
    @classmethod
    def _date(cls, v):
        return _iso_date(v)

    days: int = Field(ge=1, le=3660)
    interval_min: Literal[15, 30, 60] = 30
    open: dict[str, list[str] | Literal["closed"]] = Field(
        default_factory=_always_open,
        description="weekday or 'default' -> ['HH:MM', 'HH:MM'] opening hours, or 'closed'.",
    )

    @field_validator("open")
    @classmethod
    def _open(cls, v):
        for k, hours in v.items():
            if k not in (*WEEKDAYS, "default"):
                raise ValueError(f"unknown weekday {k!r}; allowed: default, {', '.join(WEEKDAYS)}")
            if hours != "closed":
                if len(hours) != 2:
                    raise ValueError(f"{k}: expected [open, close], got {hours!r}")
                a, b = parse_clock(hours[0]), parse_clock(hours[1])
                if b <= a:
                    raise ValueError(f"{k}: closing time {hours[1]} must be after opening {hours[0]}")
        return v

    def open_minutes(self, weekday: int) -> tuple[int, int] | None:
        """(open, close) minutes after midnight on ``weekday``, or None if closed."""
        h = self.open.get(WEEKDAYS[weekday], self.open.get("default", "closed"))
        if h == "closed":
            return None
        return parse_clock(h[0]), parse_clock(h[1])


class SilentOrders(_Spec):
    """Orders placed without any contact (S3's bonus pool base)."""

    per_day: float = Field(default=0.0, ge=0, le=MAX_DAILY_VOLUME)
    value_cents: int = Field(default=0, ge=0, le=MAX_CENTS)
    value_cv: float = Field(default=0.6, gt=0)


class Scenario(_Spec):
    """A whole contact-centre scenario."""

    kind: Literal["scenario"] = Field(default="scenario", exclude=True)
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = ""
    description: str = ""
    currency: str = "CNY"
    horizon: Horizon
    queues: dict[str, Queue]
    multipliers: list[Multiplier] = Field(default_factory=list)
    agents: list[AgentGroup]
    silent_orders: SilentOrders = SilentOrders()
    qa_samples_per_month: int = Field(
        default=0, ge=0, le=1000, description="QA reviews per agent per calendar month (S4: 12)."
    )
    # provenance, set by load_scenario (not part of the content): (file, content hash when loaded);
    # read it with kpisim.provenance.source_path / content_sha256
    _loaded: tuple[str, str] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _cross_checks(self):
        if not self.queues:
            raise ValueError("at least one queue is required")
        if self.horizon.start + dt.timedelta(days=self.horizon.days - 1) > LAST_DATE:
            raise ValueError(f"horizon.days: the horizon would end after {LAST_DATE}")
        if all(self.horizon.open_minutes(wd) is None for wd in range(7)):
            raise ValueError("horizon.open: the centre is closed every day; open it on at least one day")
        served = self._check_groups()
        first = self.horizon.start.weekday()
        days = {(first + d) % 7 for d in range(min(self.horizon.days, 7))}
        if not any(g.shift_on(wd) and self.horizon.open_minutes(wd) for g in self.agents for wd in days):
            raise ValueError(
                f"agents: nobody works on any open day of the horizon ({self.horizon.start}, "
                f"{self.horizon.days} day(s)); give some group a shift on one of those days"
            )
        self._check_queues(served)
        self._check_multipliers()
        return self

    def _check_groups(self) -> set[str]:
        """Group names unique, skills name queues, shifts within opening hours; the queues served."""
        names = set(self.queues)
        served: set[str] = set()
        seen_groups: set[str] = set()
        for i, g in enumerate(self.agents):
            if g.name in seen_groups:
                raise ValueError(f"agents[{i + 1}].name: duplicate group name {g.name!r}")
            seen_groups.add(g.name)
            for q in g.skills:
                if q not in names:
                    raise ValueError(
                        f"{_group(i, g)}.skills: unknown queue {q!r}; queues are {sorted(names)}"
                    )
                served.add(q)
            self._check_concurrency(i, g)
            self._check_shifts(i, g)
            if not any(g.shift_on(wd) is not None and self.horizon.open_minutes(wd) for wd in range(7)):
                raise ValueError(
                    f"{_group(i, g)}.shifts: the group never works (off, or only on closed days, "
                    "every day of the week); give it a shift on at least one open day"
                )
        return served

    def _check_queues(self, served: set[str]) -> None:
        names = set(self.queues)
        for q, spec in self.queues.items():
            if q not in served:
                raise ValueError(
                    f"queues.{q}: no agent group serves queue {q!r} (add it to some group's skills)"
                )
            t = spec.outcomes.transfer_to
            if t is not None and t not in names:
                raise ValueError(
                    f"queues.{q}.outcomes.transfer_to: unknown queue {t!r}; queues are {sorted(names)}"
                )
            if spec.outcomes.transfer > 0 and t is None:
                raise ValueError(f"queues.{q}.outcomes.transfer_to: needed because transfer > 0")
            if isinstance(spec.profile, list):
                per_day = 1440 // self.horizon.interval_min
                if len(spec.profile) != per_day:
                    raise ValueError(
                        f"queues.{q}.profile: needs {per_day} weights (one per "
                        f"{self.horizon.interval_min}-min interval), got {len(spec.profile)}"
                    )

    def _check_multipliers(self) -> None:
        names = set(self.queues)
        first = self.horizon.start
        last = first + dt.timedelta(days=self.horizon.days - 1)
        for i, m in enumerate(self.multipliers):
            if not first <= m.date <= last:
                raise ValueError(
                    f"multipliers[{m.name or i + 1}].date: {m.date} is outside the horizon "
                    f"{first} to {last}; it would never apply"
                )
            for q in m.queues or []:
                if q not in names:
                    raise ValueError(
                        f"multipliers[{m.name or i + 1}].queues: unknown queue {q!r}; "
                        f"queues are {sorted(names)}"
                    )

    def _check_shifts(self, i: int, g: AgentGroup) -> None:
        for day, s in g.shifts.items():
            if s != "off":
                self._check_shift_in_hours(_group(i, g), day, s)

    def _check_concurrency(self, i: int, g: AgentGroup) -> None:
        if g.max_concurrency > 1 and all(self.queues[q].channel == "voice" for q in g.skills):
            raise ValueError(
                f"{_group(i, g)}.max_concurrency: {g.max_concurrency} for group {g.name!r}, which serves "
                "only voice queues; a voice call takes the whole agent, so only 1 is allowed "
                "(max_concurrency counts chat sessions, see AgentGroup.slots)"
            )

    def _check_shift_in_hours(self, at: str, day: str, s: Shift) -> None:
        start, end = parse_clock(s.start), parse_clock(s.end)
        if end <= start:
            end += 1440
        days = range(7) if day == "default" else [WEEKDAYS.index(day)]
        for wd in days:
            hours = self.horizon.open_minutes(wd)
            if hours is None:
                if day != "default":
                    raise ValueError(f"{at}.shifts.{day}: shift {s.start}-{s.end} on a closed day")
                continue
            o, c = hours
            if end > 1440:  # over midnight: the centre must be open until midnight and from midnight
                nxt = self.horizon.open_minutes((wd + 1) % 7)
                ok = start >= o and c == 1440 and nxt is not None and nxt[0] == 0 and end - 1440 <= nxt[1]
            else:
                ok = start >= o and end <= c
            if not ok:
                raise ValueError(
                    f"{at}.shifts.{day}: shift {s.start}-{s.end} is outside opening hours "
                    f"{_fmt(o)}-{_fmt(c)} on {WEEKDAYS[wd]}"
                )

    @property
    def queue_names(self) -> list[str]:
        return list(self.queues)

    @property
    def n_agents(self) -> int:
        return sum(g.count for g in self.agents)


def _group(i: int, g: AgentGroup) -> str:
    """The path of agent group ``i`` as the user reads it: by name (``agents[day]``)."""
    return f"agents[{g.name}]" if g.name and "[" not in g.name and "]" not in g.name else f"agents[{i + 1}]"


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def load_scenario(path: str | os.PathLike, *, encoding: str | None = None) -> Scenario:
    """Load and validate a scenario YAML file.

    Raises:
        SpecError: naming the file, the field path, the bad value and what is allowed.
    """
    data = load_yaml(path, encoding=encoding)
    if spec_kind(data) == "policy":
        not_a(path, data, "policy", "scenario")
    scenario = validate(Scenario, data, file=path)
    return mark_loaded(scenario, path)
