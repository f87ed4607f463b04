"""respond() on the real simulation model (a 1-day tiny shop, 7 agents): who games, and where it runs.

Volume pay (1 point = 1 CNY per handled contact); the first agents of the roster have no gaming
cost at all, the others a prohibitive one (100,000 CNY a month at intensity 1); effort is dear for
everyone. Known in advance: an agent with zero gaming cost uses every tactic that raises its
predicted pay at full intensity; one with a prohibitive cost uses none (the largest pay a tactic
can add here, a few hundred CNY, is worth an intensity of about 0.001 at that cost).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.executors import LocalProcesses
from kpisim.rng import population_rng
from kpisim.sim.population import draw_traits
from kpisim.vocab import TACTICS
from tests.analysis.standins import volume_policy
from tests.behaviour.conftest import tiny_shop

GAMING = [i for i, t in enumerate(TACTICS) if t != "genuine_effort"]


@pytest.fixture(scope="module")
def shop():
    return tiny_shop(days=1)


@pytest.fixture(scope="module")
def costs(shop):
    ids = draw_traits(shop, population_rng(3))["agent_id"]
    zero = np.arange(len(ids)) < 4
    return pd.DataFrame(
        {"agent_id": ids, "effort_cents": 1e9, "gaming_cents": np.where(zero, 0.0, 1e7)}
    ), zero


def _respond(shop, costs, executor):
    from kpisim.analysis.behaviour import respond

    kw = {"replications": 2, "seed": 3, "explore_draws": 4, "costs": costs}
    return respond(shop, {"volume": volume_policy()}, executor=executor, **kw)


@pytest.fixture(scope="module")
def sequential(shop, costs):
    return _respond(shop, costs[0], "sequential")


def test_agents_with_zero_gaming_cost_game_more_than_agents_with_high_cost(sequential, costs):
    zero = costs[1]
    x = sequential.equilibria["volume"].x[:, GAMING]
    free, dear = x[zero].sum(axis=1), x[~zero].sum(axis=1)
    assert free.min() > dear.max()
    assert dear.max() <= 0.02  # the prohibitive cost stops gaming altogether
    assert free.min() >= 1.0  # at least one tactic at full intensity for every free agent


def test_sequential_equals_local_processes(shop, costs, sequential):
    with LocalProcesses(jobs=2) as ex:
        parallel = _respond(shop, costs[0], ex)
    np.testing.assert_array_equal(parallel.equilibria["volume"].x, sequential.equilibria["volume"].x)
    for name in ("behaviour", "consequences", "convergence", "prediction"):
        pd.testing.assert_frame_equal(getattr(parallel, name), getattr(sequential, name))
