"""Outbound campaigns in a scenario: the calling list, contact windows, dialling mode, dial
outcomes, talk and wrap-up of connected calls, retry rules, conversion and the blend rule of the
agents who dial (S4: daily dial attempts, successful dial rate, list utilisation, marketing
success).

Blended agents take inbound calls first: an idle agent of a campaign's groups dials only when no
inbound call of the queues those groups serve has waited longer than ``blend.max_inbound_wait_s``
and at least ``blend.keep_free`` other agents who serve those queues stay free for inbound.
The simulation of it is ``kpisim.sim.outbound``; ``docs/scenario.md`` documents every field.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from kpisim.scenario.base import MAX_CENTS, WEEKDAYS, Distribution, _Spec, parse_clock
from kpisim.vocab import DIAL_OUTCOMES

#: the most records a campaign may bring over the horizon (initial list + daily refreshes); a
#: record's random draws are made before the run, so this bounds memory
MAX_RECORDS = 2_000_000
#: the most dial attempts per record
MAX_ATTEMPTS = 20
#: the most (record, attempt) pairs a campaign may pre-draw (records x max_attempts; ~120 MB)
MAX_ATTEMPT_DRAWS = 5_000_000


class DialOutcomes(_Spec):
    """Probabilities of a dial attempt's outcome; they must sum to 1."""

    no_answer: float = Field(default=0.35, ge=0, le=1, description="Nobody picks up.")
    busy: float = Field(default=0.1, ge=0, le=1, description="The line is busy.")
    voicemail: float = Field(default=0.15, ge=0, le=1, description="An answering machine picks up.")
    wrong_number: float = Field(
        default=0.05, ge=0, le=1, description="Somebody else picks up: the record is dropped."
    )
    connected: float = Field(default=0.35, ge=0, le=1, description="The listed customer picks up.")

    @model_validator(mode="after")
    def _sum_to_one(self):
        total = sum(getattr(self, k) for k in DIAL_OUTCOMES)
        if abs(total - 1.0) > 1e-9:
            parts = ", ".join(f"{k} {getattr(self, k):g}" for k in DIAL_OUTCOMES)
            raise ValueError(f"the outcome probabilities must sum to 1, got {total:g} ({parts})")
        return self

    def probabilities(self) -> list[float]:
        """The probabilities in ``vocab.DIAL_OUTCOMES`` order."""
        return [getattr(self, k) for k in DIAL_OUTCOMES]


_Retried = Literal["no_answer", "busy", "voicemail"]


def _retried_default() -> list[_Retried]:
    return ["no_answer", "busy", "voicemail"]


class Retry(_Spec):
    """When a record is dialled again: after an outcome in ``after``, at least ``spacing_min``
    minutes after the previous attempt ended, up to ``max_attempts`` attempts in all."""

    max_attempts: int = Field(default=3, ge=1, le=MAX_ATTEMPTS, description="Attempts per record.")
    spacing_min: float = Field(
        default=120.0, gt=0, le=30 * 1440, description="Minutes between an attempt's end and the next."
    )
    after: list[_Retried] = Field(
        default_factory=_retried_default,
        description="Outcomes after which the record is retried (connected and wrong_number end it).",
    )


class Blend(_Spec):
    """Inbound priority of blended agents: when an idle agent may dial."""

    max_inbound_wait_s: float = Field(
        default=20.0,
        ge=0,
        le=86_400,
        description="No dialling while an inbound call of the group's queues has waited longer (s).",
    )
    keep_free: int = Field(
        default=1,
        ge=0,
        le=10_000,
        description="The blend threshold: dial only if at least this many other agents who serve "
        "the group's queues stay free for inbound.",
    )


def _all_day() -> dict[str, list[str] | Literal["closed"]]:
    return {"default": ["00:00", "24:00"]}


class Campaign(_Spec):
    """An outbound campaign: a calling list worked by blended agent groups."""

    groups: list[str] = Field(min_length=1, description="Agent groups who dial (blended agents).")
    mode: Literal["preview", "progressive"] = "progressive"
    list_size: int = Field(default=0, ge=0, le=MAX_RECORDS, description="Records on the list at the start.")
    refresh_per_day: int = Field(
        default=0, ge=0, le=MAX_RECORDS, description="New records added at midnight of every later day."
    )
    windows: dict[str, list[str] | Literal["closed"]] = Field(
        default_factory=_all_day,
        description="Contact windows: weekday or 'default' -> ['HH:MM', 'HH:MM'] or 'closed'; "
        "attempts start only inside them (and inside the agents' shifts).",
    )
    outcomes: DialOutcomes = DialOutcomes()
    ring: Distribution = Field(
        default=Distribution(dist="lognormal", mean_s=20.0, cv=0.5),
        description="Seconds from dialling to the outcome (ringing, busy tone, voicemail greeting).",
    )
    preview: Distribution = Field(
        default=Distribution(dist="fixed", mean_s=20.0),
        description="Preview mode: seconds the agent reads the record before dialling.",
    )
    talk: Distribution = Field(description="Talk time of a connected call (s) before the agent's speed.")
    wrap_up: Distribution | None = None
    conversion: float = Field(
        default=0.0, ge=0, lt=1, description="P(sale) per connected call, average agent (odds x sales skill)."
    )
    order_value_cents: int = Field(default=0, ge=0, le=MAX_CENTS, description="Mean sale value (cents).")
    order_value_cv: float = Field(default=0.6, gt=0, le=20)
    retry: Retry = Retry()
    blend: Blend = Blend()

    @field_validator("windows")
    @classmethod
    def _windows(cls, v):
        for k, hours in v.items():
            if k not in (*WEEKDAYS, "default"):
                raise ValueError(f"unknown weekday {k!r}; allowed: default, {', '.join(WEEKDAYS)}")
            if hours != "closed":
                if len(hours) != 2:
                    raise ValueError(f"{k}: expected [start, end], got {hours!r}")
                if parse_clock(hours[1]) <= parse_clock(hours[0]):
                    raise ValueError(f"{k}: window end {hours[1]} must be after its start {hours[0]}")
        return v

    @model_validator(mode="after")
    def _checks(self):
        if len(set(self.groups)) != len(self.groups):
            raise ValueError(f"groups: a group is named twice in {self.groups!r}")
        if self.list_size == 0 and self.refresh_per_day == 0:
            raise ValueError("list_size and refresh_per_day are both 0: the calling list is empty")
        if all(self.window(wd) is None for wd in range(7)):
            raise ValueError("windows: closed every day; open a contact window on at least one day")
        return self

    def window(self, weekday: int) -> tuple[int, int] | None:
        """(start, end) minutes after midnight of the contact window on ``weekday``, or None."""
        h = self.windows.get(WEEKDAYS[weekday], self.windows.get("default", "closed"))
        if h == "closed":
            return None
        return parse_clock(h[0]), parse_clock(h[1])

    def records(self, days: int) -> int:
        """Records the campaign brings over ``days`` days (initial list + refreshes)."""
        return self.list_size + self.refresh_per_day * max(days - 1, 0)
