"""Coaching-alert rules as data (S4: act on a sustained decline, not a one-day dip; look for
problems shared by the team first). ``load_alerts(path)`` reads a YAML rules file
(``scenarios/alerts/``); the detectors that apply the rules live in ``kpisim.analysis.alerts``.

Every rule watches one registry metric per agent and ``period`` (day or week), on its worse side
(the metric's direction, or ``when``). Statistical rules work on the standardised series
``z = (value - baseline mean) / baseline sd`` signed so that positive is worse, with the baseline
estimated from the first ``baseline_periods`` periods of the agent's own history (``own``) or of
its team (``team``). See ``docs/alerts.md``.
"""

from __future__ import annotations

import difflib
import os
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from kpisim.errors import SpecError
from kpisim.io.load import load_yaml, validate
from kpisim.kpi.registry import METRICS, applies, levels_of
from kpisim.policy.rule_models import Ident, Spec

#: periods an alert rule may watch
ALERT_PERIODS: tuple[str, ...] = ("day", "week")
#: calendar days of each watched period
PERIOD_DAYS: dict[str, int] = {"day": 1, "week": 7}


class TeamFirst(Spec):
    """Alert the team, not each agent, when many of its agents move together in a period.

    share: alert the team when at least this share of its agents with data in the period are
        beyond ``z`` (or beyond the rule's ``value``, for rules on values).
    min_agents: and at least this many agents.
    z: how far beyond the baseline (standard deviations, worse side) counts as "moving".
    On a team alert its agents get no alert for that period, and the agents' standardised series
    are taken relative to their team (minus the team's median z of the period) before detection.
    """

    share: float = Field(default=0.5, gt=0, le=1)
    min_agents: int = Field(default=3, ge=1, le=10_000)
    z: float = Field(default=1.0, ge=0, le=10)


class _Rule(Spec):
    name: Ident
    metric: str
    period: Literal["day", "week"] = "day"
    when: Literal["worse", "above", "below"] = "worse"
    baseline: Literal["own", "team"] = "own"
    baseline_periods: int = Field(default=7, ge=2, le=366)
    cooldown: int = Field(default=0, ge=0, le=366, description="Periods without a new alert after one.")
    team_first: TeamFirst | None = None

    def sign(self, direction: str) -> float:
        """+1 when larger values are worse, -1 when smaller values are."""
        if self.when == "above" or (self.when == "worse" and direction == "lower"):
            return 1.0
        return -1.0

    @property
    def uses_z(self) -> bool:
        """Does the rule watch the standardised series (and so need a baseline)?"""
        return True


class _Level(_Rule):
    value: float | None = Field(default=None, description="Limit in the metric's units.")
    z: float | None = Field(default=None, ge=0, le=20, description="Limit in baseline sd.")

    @model_validator(mode="after")
    def _one_limit(self):
        if (self.value is None) == (self.z is None):
            raise ValueError("value: give exactly one of value (metric units) or z (baseline sd)")
        return self

    @property
    def uses_z(self) -> bool:
        return self.z is not None


class Threshold(_Level):
    """Alert in every period whose value is beyond the limit."""

    type: Literal["threshold"]


class NOfM(_Level):
    """Alert when at least ``n`` of the agent's last ``m`` periods with data are beyond the limit."""

    type: Literal["n_of_m"]
    n: int = Field(ge=1, le=366)
    m: int = Field(ge=1, le=366)

    @model_validator(mode="after")
    def _n_le_m(self):
        if self.n > self.m:
            raise ValueError(f"n: bad value {self.n}: must be at most m ({self.m})")
        return self


class Ewma(_Rule):
    """EWMA ``E_t = weight z_t + (1 - weight) E_(t-1)`` from 0; alert when
    ``E_t > limit x sqrt(weight / (2 - weight))`` (its asymptotic sd); E restarts at 0 after an alert.
    ``clip`` caps each z (so one extreme period adds at most ``weight x clip``)."""

    type: Literal["ewma"]
    weight: float = Field(default=0.3, gt=0, le=1)
    limit: float = Field(default=3.0, gt=0, le=20)
    clip: float | None = Field(default=None, gt=0, le=20)


class Cusum(_Rule):
    """One-sided CUSUM ``S_t = max(0, S_(t-1) + z_t - k)`` from 0; alert when ``S_t > h``; S restarts
    at 0 after an alert. ``clip`` caps each z, so one period adds at most ``clip - k`` (a one-day
    dip cannot alert when ``clip - k <= h``)."""

    type: Literal["cusum"]
    k: float = Field(default=0.5, ge=0, le=20)
    h: float = Field(default=4.0, gt=0, le=100)
    clip: float | None = Field(default=None, gt=0, le=20)


Rule = Annotated[Threshold | NOfM | Ewma | Cusum, Field(discriminator="type")]
#: the rule types, in the order docs/alerts.md explains them
RULE_TYPES: tuple[str, ...] = ("threshold", "n_of_m", "ewma", "cusum")


class AlertRules(Spec):
    """A file of coaching-alert rules."""

    kind: Literal["alerts"] = Field(default="alerts", exclude=True)
    id: Ident
    name: str = ""
    description: str = ""
    rules: list[Rule] = Field(min_length=1, max_length=100)

    @model_validator(mode="before")
    @classmethod
    def _types(cls, data):
        """An unknown or missing rule type, named with the rule and the allowed types."""
        rules = data.get("rules") if isinstance(data, dict) else None
        for i, r in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(r, dict) and r.get("type") not in RULE_TYPES:
                name = r.get("name")
                at = f"rules[{name}]" if isinstance(name, str) and name.isidentifier() else f"rules[{i + 1}]"
                got = f"unknown rule type {r['type']!r}" if "type" in r else "a rule needs a type"
                raise ValueError(f"{at}.type: {got}; allowed: {', '.join(RULE_TYPES)}")
        return data

    @model_validator(mode="after")
    def _check(self):
        seen: set[str] = set()
        for r in self.rules:
            where = f"rules[{r.name}]"
            if r.name in seen:
                raise ValueError(f"{where}.name: duplicate rule name {r.name!r}")
            seen.add(r.name)
            m = METRICS.get(r.metric)
            if m is None:
                close = difflib.get_close_matches(r.metric, list(METRICS), n=3, cutoff=0.6)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise ValueError(
                    f"{where}.metric: unknown metric {r.metric!r}{hint}; use a key of the metric registry"
                )
            if not applies(m, levels_of(("agent_id",)), r.period):
                raise ValueError(
                    f"{where}.metric: {r.metric!r} has no value per agent and {r.period}; "
                    "choose a metric measured per agent (docs/metrics.md)"
                )
            if r.when == "worse" and m.direction == "neutral":
                raise ValueError(
                    f"{where}.when: {r.metric!r} is neither better higher nor lower; say above or below"
                )
        return self


def validate_alerts(data: Any, *, file: str = "<object>") -> AlertRules:
    """Build :class:`AlertRules` from plain data (a parsed YAML mapping).

    Raises:
        SpecError: the first problem, naming ``file``, the field path and the bad value.
    """
    return validate(AlertRules, data, file)


def load_alerts(path: str | os.PathLike, *, encoding: str | None = None) -> AlertRules:
    """Read and validate a coaching-alert rules file.

    Raises:
        SpecError: naming the file, the field path, the bad value and what is allowed.
    """
    data = load_yaml(path, encoding=encoding)
    kind = data.get("kind", "alerts")
    if kind != "alerts":
        raise SpecError(str(path), "kind", f"bad value {kind!r}: an alert rules file has kind: alerts")
    return validate_alerts(data, file=str(path))
