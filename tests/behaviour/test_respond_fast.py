"""A fast pass through respond() (CI): shapes, flat pay, no-response rows equal across worlds."""

from __future__ import annotations

import numpy as np
import pytest

from kpisim.errors import KpisimError
from kpisim.vocab import TACTICS
from tests.behaviour.conftest import flat


def test_respond_runs_end_to_end_and_flat_pay_changes_nothing(tiny, cheap_gaming, tmp_path):
    from kpisim.analysis.behaviour import respond

    r = respond(tiny, {"flat": flat()}, replications=2, seed=3, costs=cheap_gaming, explore_draws=2)
    assert r.equilibria["flat"].x.max() == 0
    assert r.convergence.iloc[0]["status"] == "converged"
    assert len(r.behaviour) == r.behaviour["role"].nunique() * len(TACTICS)
    assert np.allclose(r.consequences["difference"].fillna(0), 0)
    names = sorted(p.name for p in r.write(tmp_path))
    assert names == ["behaviour.csv", "consequences.csv", "convergence.csv", "prediction.csv"]


def test_respond_refuses_one_replication(tiny):
    from kpisim.analysis.behaviour import respond

    with pytest.raises(KpisimError, match="replications >= 2"):
        respond(tiny, {"flat": flat()}, replications=1)


def test_agent_types_group_by_role_and_bands(tiny, cheap_gaming):
    from kpisim.analysis.behaviour.costs import role_of
    from kpisim.analysis.behaviour.respond import agent_types
    from kpisim.rng import population_rng
    from kpisim.sim.population import draw_traits

    roster = draw_traits(tiny, population_rng(3))
    roles = role_of(roster).to_numpy()
    codes, reps = agent_types(roster, cheap_gaming, roles, "band")
    assert len(reps) == codes.max() + 1 <= len(roster)
    for k, r in enumerate(reps):
        assert codes[r] == k and len(set(roles[codes == k])) == 1
    with pytest.raises(KpisimError, match="types"):
        agent_types(roster, cheap_gaming, roles, "tribe")
