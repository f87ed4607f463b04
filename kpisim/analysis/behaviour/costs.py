"""Agents' hidden costs of effort and gaming (drawn per agent from the seed alone) and roles."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.rng import behaviour_rng
from kpisim.scenario.behaviour import Behaviour
from kpisim.vocab import TACTICS

#: Stands for an infinite cost (agents who never game): large, finite, so 0 x cost stays 0.
NEVER = 1e15


def role_of(agents: pd.DataFrame) -> pd.Series:
    """An agent's role: the queue it serves at the highest priority (``queues`` column)."""
    return agents["queues"].astype(str).str.split(";").str[0].str.split(":").str[0]


def draw_costs(roster: pd.DataFrame, behaviour: Behaviour, seed: int) -> pd.DataFrame:
    """Per agent: ``effort_cents`` and ``gaming_cents`` (cost of intensity 1, cents a month).

    Lognormal around the ``Costs`` means (mean-preserving); a share ``never_game`` of agents get
    an infinite gaming cost. Drawn from ``kpisim.rng.behaviour_rng(seed)`` in roster order.
    """
    c = behaviour.costs
    rng = behaviour_rng(seed)
    n = len(roster)
    z = rng.standard_normal((2, n))
    u = rng.random(n)
    effort = c.effort_cents * np.exp(c.effort_sd * z[0] - c.effort_sd**2 / 2)
    gaming = c.gaming_cents * np.exp(c.gaming_sd * z[1] - c.gaming_sd**2 / 2)
    gaming = np.where(u < c.never_game, NEVER, gaming)
    return pd.DataFrame(
        {"agent_id": roster["agent_id"].to_numpy(), "effort_cents": effort, "gaming_cents": gaming}
    )


def unit_costs(costs: pd.DataFrame, behaviour: Behaviour) -> np.ndarray:
    """Agents x tactics: cost (cents) of intensity 1; a tactic at x costs ``unit x x^2``."""
    w = np.array([behaviour.costs.weights.get(t, 1.0) for t in TACTICS])
    effort = np.array([t == "genuine_effort" for t in TACTICS])
    base = np.where(
        effort[None, :], costs["effort_cents"].to_numpy()[:, None], costs["gaming_cents"].to_numpy()[:, None]
    )
    return base * w[None, :]
