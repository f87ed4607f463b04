"""Traffic in a scenario: queues (volumes, profiles, handle and patience distributions, chat detail,
outcome rates) and dated multipliers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from kpisim.scenario.base import (
    MAX_CENTS,
    MAX_DAILY_VOLUME,
    MAX_FACTOR,
    WEEKDAYS,
    Distribution,
    _iso_date,
    _Spec,
)


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

    @field_validator("channel", mode="before")
    @classmethod
    def _outbound(cls, v):
        if v == "outbound":
            raise ValueError(
                "'outbound' is not a queue channel; allowed: voice, chat. Outbound calling is a "
                "campaign: add it under `campaigns:` and name the groups that dial (docs/scenario.md)"
            )
        return v

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
