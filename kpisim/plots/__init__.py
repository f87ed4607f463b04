"""Figures for the analyses (matplotlib/seaborn). One function per figure; each returns a Figure.

The Agg backend is chosen inside the functions (never at ``import kpisim``), so the core library
never imports matplotlib. Money is shown in major units (yuan for CNY) with the currency in the
axis label; error bars are 95 % confidence intervals across replications.

Layout: ``_base`` (lazy pyplot, CI error bars, ``save``), ``compare`` (cost, winners/losers,
fairness, pay gaps and spread), ``behaviour`` (tactics at equilibrium and their price),
``incentives`` (what a scorecard rewards), ``staffing`` (headcount, response time, cost),
``alerts`` (false alarms against detection delay). Use the names re-exported here:
``plots.cost_bars(...)``.
"""

from __future__ import annotations

from kpisim.plots._base import save
from kpisim.plots.alerts import alert_tradeoff
from kpisim.plots.behaviour import behaviour_bars
from kpisim.plots.compare import (
    agent_month_pay,
    concentration_bars,
    cost_bars,
    fairness_bars,
    pay_gap_bars,
    pay_scatter,
    winners_losers_bars,
)
from kpisim.plots.design import pareto_front
from kpisim.plots.incentives import (
    incentive_bars,
    incentive_compare_bars,
    lever_effect_bars,
    rank_pay_curves,
    score_breakdown_bars,
    tier_cliff_bars,
)
from kpisim.plots.outbound import blend_tradeoff
from kpisim.plots.staffing import required_staff_profile, staffing_cost_curve, staffing_curves, staffing_pay
from kpisim.plots.year import year_team, year_trajectory

__all__ = [
    "agent_month_pay",
    "alert_tradeoff",
    "behaviour_bars",
    "blend_tradeoff",
    "concentration_bars",
    "cost_bars",
    "fairness_bars",
    "incentive_bars",
    "incentive_compare_bars",
    "lever_effect_bars",
    "pareto_front",
    "pay_gap_bars",
    "pay_scatter",
    "rank_pay_curves",
    "required_staff_profile",
    "save",
    "score_breakdown_bars",
    "staffing_cost_curve",
    "staffing_curves",
    "staffing_pay",
    "tier_cliff_bars",
    "winners_losers_bars",
    "year_team",
    "year_trajectory",
]
