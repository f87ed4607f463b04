"""A team over time: tenure learning curves and turnover (attrition, notice, hiring).

Used only by runs longer than one month (``kpisim.analysis.year``); a one-month ``simulate``
reads neither. Every default is documented with its source in ``docs/time.md``.
"""

from __future__ import annotations

import math

from pydantic import Field

from kpisim.scenario.base import MAX_CENTS, _Spec

#: days of an average month (365.25 / 12): tenure in months = days / this
DAYS_PER_MONTH = 30.4375


class Tenure(_Spec):
    """Learning curve (S3 #8: new agents are slower): a brand-new agent's handle time is
    ``new_speed`` x and the odds of resolving and of selling ``new_skill`` x the agent's trained
    potential; the gap closes as ``exp(-months / learn_months)``.

    ``initial_months`` gives the tenure at the start of the run per ``tenure_group`` (others:
    ``other_initial_months``); an agent's drawn traits describe the agent at that tenure.
    """

    new_speed: float = Field(default=1.3, gt=0, le=10)
    new_skill: float = Field(default=0.7, gt=0, le=10)
    learn_months: float = Field(default=3.0, gt=0, le=120)
    initial_months: dict[str, float] = Field(default_factory=lambda: {"new": 2.0, "experienced": 24.0})
    other_initial_months: float = Field(default=12.0, ge=0, le=600)

    def speed_factor(self, months: float) -> float:
        """Handle-time multiplier at ``months`` of tenure (1 when fully trained)."""
        return 1.0 + (self.new_speed - 1.0) * math.exp(-max(months, 0.0) / self.learn_months)

    def skill_factor(self, months: float) -> float:
        """Multiplier on the odds of resolving and of selling at ``months`` of tenure."""
        return 1.0 + (self.new_skill - 1.0) * math.exp(-max(months, 0.0) / self.learn_months)

    def start_months(self, tenure_group: str) -> float:
        """Tenure (months) at the start of the run of an agent of ``tenure_group``."""
        return float(self.initial_months.get(tenure_group, self.other_initial_months))


class Turnover(_Spec):
    """Voluntary attrition as a monthly hazard, notice and replacement hiring.

    annual_attrition: leavers per year / headcount (S3 benchmark #1: industry 25 %, target 15 %);
        the team's monthly hazard is a twelfth of it.
    pay_elasticity: an agent's hazard is proportional to (own pay / team median pay) ** -elasticity
        (lower-paid agents leave more); 0 = pay does not matter.
    new_agent_factor, new_agent_months: hazard multiplier in the first months of tenure.
    The multipliers are normalised over the team each month, so the team keeps the annual rate.
    notice_days: days worked between a resignation or elimination and leaving.
    hiring_delay_days: days a post stays empty before the replacement starts.
    hiring_cost_cents: cost of one hire (recruiting, training), in minor units.
    """

    enabled: bool = True
    annual_attrition: float = Field(default=0.25, ge=0, le=6)
    pay_elasticity: float = Field(default=1.0, ge=0, le=20)
    new_agent_factor: float = Field(default=1.5, gt=0, le=100)
    new_agent_months: float = Field(default=6.0, ge=0, le=120)
    notice_days: int = Field(default=30, ge=0, le=365)
    hiring_delay_days: int = Field(default=30, ge=0, le=365)
    hiring_cost_cents: int = Field(default=300_000, ge=0, le=MAX_CENTS)

    @property
    def monthly_hazard(self) -> float:
        """The team's mean monthly probability of a voluntary leave (0 when disabled)."""
        return self.annual_attrition / 12.0 if self.enabled else 0.0
