"""Hidden off-days and sustained declines of agents (S4: "agents have off days; act only on a
sustained decline"). Off by default: a scenario without ``declines:`` simulates exactly as before.

A decline of size ``s`` makes the agent's work slower and worse from its start date on: handle
time x (1 + s) and the odds of resolving an issue x (1 - s). An off-day of size ``s`` does the
same for one working day. Both are hidden truth (event-log table ``declines``); the KPI engine
never reads them.
"""

from __future__ import annotations

from pydantic import Field

from kpisim.scenario.base import _Spec

#: calendar days of the "month" in ``rate_per_agent_month``
DAYS_PER_MONTH = 30.0


class Declines(_Spec):
    """Rates and sizes of the agents' hidden off-days and sustained declines.

    rate_per_agent_month: expected number of sustained declines starting per agent per 30
        calendar days (a daily hazard of rate / 30; at most one decline at a time).
    size: a decline's loss as a fraction of skill: handle time x (1 + size), resolution odds
        x (1 - size).
    duration_days: how long a decline lasts (calendar days); None = until the end of the run.
    off_day_prob: probability that a worked day is an off-day.
    off_day_size: an off-day's loss, as ``size``.
    """

    rate_per_agent_month: float = Field(default=0.0, ge=0, le=30)
    size: float = Field(default=0.3, ge=0, lt=1)
    duration_days: int | None = Field(default=None, ge=1, le=3660)
    off_day_prob: float = Field(default=0.0, ge=0, le=1)
    off_day_size: float = Field(default=0.3, ge=0, lt=1)

    @property
    def active(self) -> bool:
        """True if the scenario has any decline or off-day (else nothing is drawn)."""
        return (self.rate_per_agent_month > 0 and self.size > 0) or (
            self.off_day_prob > 0 and self.off_day_size > 0
        )


#: moderate values for studies of coaching alerts (not estimates from data): one decline per
#: agent every ~10 months, a 30 % loss; one worked day in 20 an off-day with a 40 % loss
STUDY_DECLINES = Declines(rate_per_agent_month=0.1, size=0.3, off_day_prob=0.05, off_day_size=0.4)
