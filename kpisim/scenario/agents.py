"""Agents in a scenario: hidden traits, behaviour levers, shifts and breaks, attendance and conduct
rates, and agent groups (skills, concurrency: ``AgentGroup.slots`` is the one concurrency rule)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Literal

from pydantic import Field, field_validator, model_validator

from kpisim.errors import SpecError
from kpisim.io.load import validate
from kpisim.scenario.base import (
    MAX_AGENTS_PER_GROUP,
    MAX_CONCURRENCY,
    WEEKDAYS,
    _Spec,
    parse_clock,
)


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
