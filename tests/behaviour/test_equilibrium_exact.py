"""The equilibrium solver against answers known in advance (synthetic response models)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.behaviour.equilibrium import Game, solve
from kpisim.analysis.behaviour.response import ResponseModel
from kpisim.vocab import TACTICS
from tests.analysis.standins import StandIn, volume_policy

T = {t: i for i, t in enumerate(TACTICS)}


def _rows(agents, reps=2, handled=100):
    return pd.DataFrame(
        [
            {
                "scenario_id": "s",
                "replication": r,
                "seed": 1,
                "agent_id": a,
                "period": "2026-11",
                "handled": handled,
            }
            for r in range(reps)
            for a in agents
        ]
    ).astype({"handled": "Int64"})


def _model(**linear):
    coef = np.zeros((1 + 2 * len(TACTICS), 1))
    for t, b in linear.items():
        coef[1 + T[t], 0] = b
    return ResponseModel(["handled"], {"*": coef})


def _cost(n, **per_tactic):
    c = np.full((n, len(TACTICS)), 1e9)
    for t, v in per_tactic.items():
        c[:, T[t]] = v
    return c


def test_one_agent_linear_pay_quadratic_cost_matches_the_closed_form():
    # pay 100 cents per handled contact; effort adds 200 handled at x=1; cost 40,000 x^2
    # => maximise 100 * 200 x - 40000 x^2 => x* = 20000 / 80000 = 0.25
    game = Game(
        volume_policy(),
        _rows(["a1"]),
        ["a1"],
        np.array(["r"]),
        _model(genuine_effort=200),
        _cost(1, genuine_effort=40_000),
    )
    eq = solve(game)
    assert eq.status == "converged"
    assert eq.x[0, T["genuine_effort"]] == pytest.approx(0.25, abs=0.02)
    assert np.delete(eq.x[0], T["genuine_effort"]).max() == 0


@pytest.mark.parametrize("cost", [0.0, 10_000.0])
def test_flat_pay_buys_no_tactic(cost):
    flat = StandIn("flat", lambda k: np.full(len(k), 50.0))
    ids = [f"a{i}" for i in range(4)]
    model = _model(rush=300, genuine_effort=200, early_release=400)
    game = Game(flat, _rows(ids), ids, np.array(["r"] * 4), model, np.full((4, len(TACTICS)), cost))
    eq = solve(game)
    assert eq.status == "converged" and eq.x.max() == 0


def test_agents_with_zero_gaming_cost_game_more():
    ids = [f"a{i}" for i in range(4)]
    cost = _cost(4, rush=1_000.0)
    cost[2:, T["rush"]] = 1e6
    game = Game(volume_policy(), _rows(ids), ids, np.array(["r"] * 4), _model(rush=100), cost)
    eq = solve(game)
    rush = eq.x[:, T["rush"]]
    assert rush[:2].min() == 1.0 and rush[2:].max() <= 0.02


def test_ranked_pay_is_a_game_and_reports_its_convergence():
    # winner-takes-all on handled: the solver must stop and say how (no exception)
    def top(k):
        h = pd.to_numeric(k["handled"]).to_numpy(float)
        best = pd.Series(h).groupby(k["replication"].to_numpy()).transform("max").to_numpy()
        return np.where(h >= best, 100.0, 0.0)

    ids = [f"a{i}" for i in range(3)]
    game = Game(
        StandIn("top", top), _rows(ids), ids, np.array(["r"] * 3), _model(rush=50), _cost(3, rush=3_000.0)
    )
    eq = solve(game, max_rounds=6)
    assert eq.status in {"converged", "approximate", "cycling", "not converged"}
    assert eq.rounds == len(eq.history) >= 1


def test_agents_of_a_type_choose_together_as_their_representative_would():
    ids = [f"a{i}" for i in range(4)]
    cost = _cost(4, rush=1_000.0)
    cost[2:, T["rush"]] = 1e6
    game = Game(
        volume_policy(),
        _rows(ids),
        ids,
        np.array(["r"] * 4),
        _model(rush=100),
        cost,
        types=np.array([0, 0, 1, 1]),
        representatives=np.array([0, 2]),
    )
    eq = solve(game)
    assert eq.x.shape == (4, len(TACTICS))
    assert list(eq.x[:, T["rush"]]) == [1.0, 1.0, 0.0, 0.0]
