"""Behaviour parameters: what each tactic does at full intensity, what it costs, how it is caught.

A tactic's intensity ``x`` runs from 0 (never) to 1 (as much as the model allows); every effect
below scales with ``x`` (see ``docs/behaviour.md`` for the table). The defaults are moderate,
plausible values, not estimates from data: change them per scenario.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field

from kpisim.io.load import load_yaml, validate


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TacticEffects(_Spec):
    """Effects at intensity 1 (linear in the intensity unless said otherwise).

    rush: handle time x (1 - rush_speed), resolution odds x (1 - rush_resolution),
        satisfaction latent - rush_csat.
    sales_push: conversion odds x (1 + push_odds), complaints x (1 + push_complaint),
        refunds x (1 + push_refund).
    cherry_pick (chat): stalls on the longest ``cherry_share`` of sessions (first response
        + ``cherry_delay_s``), transfers a stalled session away with P = ``cherry_transfer``.
    limit_concurrency (chat): session slots x (1 - concurrency_cut), at least 1.
    early_release: P(end the contact before the issue is solved) = ``release_share``; such a
        contact takes ``release_handle`` of its handle time and is never resolved (the customer
        comes back as the queue's ``return_prob`` says).
    transfer_dump: a contact whose base work exceeds ``dump_work`` x the queue's mean handle
        time is transferred away (queues with ``transfer_to``) with P = ``dump_share`` after at
        most ``dump_handle_s``.
    availability_avoidance: after a contact ending while someone waits in one of the agent's
        queues (a peak), P = ``avoid_share`` of ``avoid_s`` extra not-ready time (recorded as
        after-contact work, its usual disguise).
    survey_selection: after a contact the customer would rate 3 or less, the survey is not
        offered with P = ``survey_suppress`` (measured CSAT up, participation down).
    genuine_effort: handle time x (1 - effort_speed), resolution odds x (1 + effort_resolution),
        conversion odds x (1 + effort_sales), satisfaction latent + effort_csat.
    """

    rush_speed: float = Field(default=0.3, ge=0, lt=1)
    rush_resolution: float = Field(default=0.5, ge=0, lt=1)
    rush_csat: float = Field(default=0.4, ge=0)
    push_odds: float = Field(default=0.6, ge=0)
    push_complaint: float = Field(default=1.0, ge=0)
    push_refund: float = Field(default=1.5, ge=0)
    cherry_share: float = Field(default=0.3, ge=0, le=1)
    cherry_delay_s: float = Field(default=90.0, ge=0)
    cherry_transfer: float = Field(default=0.5, ge=0, le=1)
    concurrency_cut: float = Field(default=0.5, ge=0, lt=1)
    release_share: float = Field(default=0.5, ge=0, le=1)
    release_handle: float = Field(default=0.4, gt=0, le=1)
    dump_work: float = Field(default=1.5, gt=0)
    dump_share: float = Field(default=0.8, ge=0, le=1)
    dump_handle_s: float = Field(default=60.0, gt=0)
    avoid_share: float = Field(default=0.5, ge=0, le=1)
    avoid_s: float = Field(default=120.0, ge=0)
    survey_suppress: float = Field(default=0.9, ge=0, le=1)
    effort_speed: float = Field(default=0.1, ge=0, lt=1)
    effort_resolution: float = Field(default=0.6, ge=0)
    effort_sales: float = Field(default=0.3, ge=0)
    effort_csat: float = Field(default=0.3, ge=0)


class Costs(_Spec):
    """Agents' hidden monthly costs (cents) of a tactic at intensity x: ``c_agent x weight x x^2``.

    ``c_agent`` is drawn per agent (lognormal with the given mean and log-sd): one effort cost
    (``genuine_effort``) and one gaming cost (every other tactic); a share ``never_game`` of agents
    never game (infinite gaming cost). ``weights`` scales a tactic's cost (default 1).
    """

    effort_cents: float = Field(default=40_000, ge=0)
    effort_sd: float = Field(default=0.5, ge=0)
    gaming_cents: float = Field(default=20_000, ge=0)
    gaming_sd: float = Field(default=1.0, ge=0)
    never_game: float = Field(default=0.25, ge=0, le=1)
    weights: dict[str, float] = Field(default_factory=dict)


class Detection(_Spec):
    """How gaming is caught: a QA-sampled contact that was released early, dumped or had its
    survey withheld is caught with P = ``qa``; a complaint on such a contact with P = ``complaint``.
    A caught case is a conduct event ``event`` that the policy's own rules then punish."""

    qa: float = Field(default=0.8, ge=0, le=1)
    complaint: float = Field(default=0.5, ge=0, le=1)
    event: str = "rule_breach"


class Behaviour(_Spec):
    """All behaviour parameters of a scenario (effects, costs, detection, company costs).

    cost_per_contact_cents: the company's cost of one answered contact (prices repeat contacts
    and transfers in the consequences).
    """

    effects: TacticEffects = TacticEffects()
    costs: Costs = Costs()
    detection: Detection = Detection()
    cost_per_contact_cents: int = Field(default=300, ge=0)


def load_behaviour(path: str | os.PathLike) -> Behaviour:
    """Load behaviour parameters from YAML (any subset of ``Behaviour``'s fields).

    Raises:
        SpecError: naming the file, the field path, the bad value and what is allowed.
    """
    return validate(Behaviour, load_yaml(path) or {}, file=path)
