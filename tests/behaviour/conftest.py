"""Tiny scenarios and plans for the behaviour tests (2 days, 7 agents)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.analysis.conftest import short
from tests.analysis.standins import StandIn, volume_policy


def tiny_shop(days: int = 2, k: int = 4):
    """The bundled shop with a k-th of its agents (at least 1 per group) and of its traffic."""
    sc = short("scenarios/shop_chat.yaml", days)
    agents = [g.model_copy(update={"count": max(1, g.count // k)}) for g in sc.agents]
    queues = {n: q.model_copy(update={"daily_volume": q.daily_volume / k}) for n, q in sc.queues.items()}
    return sc.model_copy(update={"agents": agents, "queues": queues})


def _num(k, col):
    return pd.to_numeric(k[col], errors="coerce").fillna(0).to_numpy(float)


def gated_volume():
    """Volume pay, but only for agents whose FCR is at least 0.8 (an FCR gate)."""
    return StandIn("gated", lambda k: np.where(_num(k, "fcr_rate") >= 0.8, _num(k, "handled"), 0.0))


def volume_with_qa_deductions():
    """Volume pay minus 60 points per rule breach (caught gaming becomes a breach)."""
    return StandIn("qa", lambda k: _num(k, "handled") - 60 * _num(k, "rule_breach"))


def flat():
    return StandIn("flat", lambda k: np.full(len(k), 300.0))


@pytest.fixture(scope="session")
def tiny():
    return tiny_shop()


@pytest.fixture(scope="session")
def cheap_gaming(tiny):
    """Every agent games cheaply (2,000 cents at intensity 1); effort is dear."""
    from kpisim.rng import population_rng
    from kpisim.sim.population import draw_traits

    ids = draw_traits(tiny, population_rng(3))["agent_id"]
    return pd.DataFrame({"agent_id": ids, "effort_cents": 1e7, "gaming_cents": 2_000.0})


@pytest.fixture(scope="session")
def response(tiny, cheap_gaming):
    from kpisim.analysis.behaviour import respond

    pols = {
        "volume": volume_policy(),
        "gated": gated_volume(),
        "qa": volume_with_qa_deductions(),
        "flat": flat(),
    }
    return respond(tiny, pols, replications=3, seed=3, jobs=1, costs=cheap_gaming)
