"""The plan designer: search policy parameters for plans that pay for contribution, not luck.

``design(scenario, base, space, budget_cents=...)`` simulates months once, searches with optuna
and checks the chosen plans on held-out months; see :mod:`kpisim.analysis.design.search`.
"""

from kpisim.analysis.design.components import component_spread
from kpisim.analysis.design.evaluate import Months, simulate_months
from kpisim.analysis.design.search import (
    DesignResult,
    choose,
    design,
    evaluate_holdout,
    pareto_front,
    search,
)
from kpisim.analysis.design.space import DesignSpace, Parameter, WeightGroup, apply, load_space

__all__ = [
    "DesignResult",
    "DesignSpace",
    "Months",
    "Parameter",
    "WeightGroup",
    "apply",
    "choose",
    "component_spread",
    "design",
    "evaluate_holdout",
    "load_space",
    "pareto_front",
    "search",
    "simulate_months",
]
