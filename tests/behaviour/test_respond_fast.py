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
