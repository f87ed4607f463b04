"""Scenario files: a contact centre's horizon, queues, traffic, agents and behaviour.

Frozen, validated pydantic models. ``docs/scenario.md`` documents every field. Load a file with
``load_scenario(path)``; every mistake raises ``SpecError`` naming the file, the field path, the
bad value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from kpisim.io.load import load_yaml, not_a, spec_kind, validate
from kpisim.provenance import mark_loaded
from kpisim.scenario.agents import (
    LEVER_NAMES,
    AgentGroup,
    Attendance,
    Break,
    Conduct,
    Levers,
    Shift,
    TraitDist,
    Traits,
    pull_levers,
)
from kpisim.scenario.base import (
    FIRST_DATE,
    LAST_DATE,
    MAX_AGENTS_PER_GROUP,
    MAX_CENTS,
    MAX_CONCURRENCY,
    MAX_DAILY_VOLUME,
    MAX_DURATION_S,
    MAX_FACTOR,
    WEEKDAYS,
    Distribution,
    _iso_date,
    _Spec,
    parse_clock,
)
from kpisim.scenario.declines import Declines
from kpisim.scenario.outbound import MAX_ATTEMPT_DRAWS, MAX_RECORDS, Campaign
from kpisim.scenario.traffic import (
    ChatDetail,
    Multiplier,
    Outcomes,
    Queue,
)
from kpisim.scenario.turnover import Tenure, Turnover

__all__ = [
    "LEVER_NAMES",
    "MAX_AGENTS_PER_GROUP",
    "MAX_CENTS",
    "MAX_CONCURRENCY",
    "MAX_DAILY_VOLUME",
    "MAX_DURATION_S",
    "MAX_FACTOR",
    "WEEKDAYS",
    "AgentGroup",
    "Attendance",
    "Break",
    "Campaign",
    "ChatDetail",
    "Conduct",
    "Declines",
    "Distribution",
    "Horizon",
    "Levers",
    "Multiplier",
    "Outcomes",
    "Queue",
    "Scenario",
    "Shift",
    "SilentOrders",
    "Tenure",
    "TraitDist",
    "Traits",
    "Turnover",
    "_Spec",
    "_always_open",
    "_fmt",
    "_group",
    "_iso_date",
    "load_scenario",
    "parse_clock",
    "pull_levers",
]


def _always_open() -> dict[str, list[str] | Literal["closed"]]:
    return {"default": ["00:00", "24:00"]}


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
    declines: Declines = Field(
        default_factory=Declines,
        description="Hidden off-days and sustained declines of agents (off by default; docs/alerts.md).",
    )
    campaigns: dict[str, Campaign] = Field(
        default_factory=dict, description="Outbound campaigns by name (kpisim.scenario.outbound)."
    )
    # runs of several months only (kpisim.analysis.year; docs/time.md)
    tenure: Tenure = Tenure()
    turnover: Turnover = Turnover()
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
        self._check_campaigns()
        return self

    def _check_campaigns(self) -> None:
        """Campaign names differ from queue names; groups exist and dial for one campaign only."""
        groups = {g.name for g in self.agents}
        dialling: dict[str, str] = {}
        for name, c in self.campaigns.items():
            if name in self.queues:
                raise ValueError(
                    f"campaigns.{name}: a queue has the same name; a campaign's calls are recorded "
                    "with the campaign name as their queue, so give it another name"
                )
            for g in c.groups:
                if g not in groups:
                    raise ValueError(
                        f"campaigns.{name}.groups: unknown group {g!r}; groups are {sorted(groups)}"
                    )
                if g in dialling:
                    raise ValueError(
                        f"campaigns.{name}.groups: group {g!r} already dials for campaign {dialling[g]!r}; "
                        "a group dials for one campaign"
                    )
                dialling[g] = name
            n = c.records(self.horizon.days)
            if n > MAX_RECORDS or n * c.retry.max_attempts > MAX_ATTEMPT_DRAWS:
                raise ValueError(
                    f"campaigns.{name}: {n} records over the horizon (list_size + refresh_per_day x "
                    f"{self.horizon.days - 1} days) with {c.retry.max_attempts} attempts each; at most "
                    f"{MAX_RECORDS} records and {MAX_ATTEMPT_DRAWS} records x attempts allowed"
                )

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
