"""Best responses and the equilibrium profile, by re-scoring predicted KPI rows.

Each agent is its own type (its own hidden costs). Its payoff is expected pay minus cost:

    u_a(x_a, x_-a) = mean over months r of pay_a(predicted KPI rows of everyone, month r)
                     - sum_t unit_cost[a, t] x_{a,t}^2

where the predicted rows come from the response model, and pay is the policy's own ``score`` +
``pay`` on the whole month (so relative scoring and ranked pools see the others' behaviour).

Algorithm (damped iterated best response, Jacobi over agents and over the tactics of one batch):
in a round, for each batch of tactics every agent's best intensity is found on a grid (0, 0.1, ..., 1, then
steps of 0.02 around the best) holding everyone's current profile, all agents at once: one
"world" per deviating agent and candidate value, stacked into one KPI table (one replication
number per world and month) and scored in one vectorised call. Then all agents move to their
best responses. Rounds stop when the largest change is at most ``tol`` (converged), when a
profile repeats (cycling) or after ``max_rounds`` (not converged): all are results, not errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kpisim.analysis.behaviour.response import KEYS, ResponseModel, finish
from kpisim.errors import KpisimError
from kpisim.vocab import TACTICS

COARSE = np.round(np.linspace(0, 1, 11), 10)
FINE = np.array([-0.08, -0.06, -0.04, -0.02, 0.02, 0.04, 0.06, 0.08])


@dataclass
class Equilibrium:
    """The solver's answer.

    Attributes:
        x: agents x tactics intensities (agent order of ``agent_ids``).
        status: ``converged``, ``cycling`` or ``not converged``.
        rounds: rounds run; history: per round, the largest distance between an agent's best
            response and its intensity; gains: per round, the largest payoff gain (cents) an
            agent could make by moving to its best response on one tactic.
    """

    agent_ids: list[str]
    x: np.ndarray
    status: str
    rounds: int
    history: list[float] = field(default_factory=list)
    gains: list[float] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.x, columns=list(TACTICS), index=pd.Index(self.agent_ids, name="agent_id"))


class Game:
    """Payoffs of one policy on predicted KPI rows.

    Args:
        policy: anything with ``.score(kpi_table)`` and ``.pay(scores, kpi_table)``.
        base: no-tactics KPI rows (agents x months), sorted by replication then agent order.
        agent_ids: the agents in the order of the intensity matrix.
        roles: role per agent; model: the response model; unit_cost: agents x tactics (cents).
        types: agent -> type code 0..K-1 (agents of a type play the same intensities; the
            type's first agent in ``representatives`` is the one whose deviations are scored);
            None: every agent is its own type.
        representatives: per type, the agent index that stands for it.
    """

    def __init__(
        self,
        policy: Any,
        base: pd.DataFrame,
        agent_ids,
        roles,
        model: ResponseModel,
        unit_cost,
        *,
        types: np.ndarray | None = None,
        representatives: np.ndarray | None = None,
    ):
        self.policy = policy
        self.ids = list(agent_ids)
        n = len(self.ids)
        self.type_of = np.arange(n) if types is None else np.asarray(types)
        self.reps = np.arange(n) if representatives is None else np.asarray(representatives)
        self.n_units = len(self.reps)
        pos = {a: i for i, a in enumerate(self.ids)}
        self.row_agent = base["agent_id"].map(pos).to_numpy()
        if np.isnan(self.row_agent.astype(float)).any():
            raise ValueError("base KPI rows name agents outside agent_ids")
        self.base = _slim(policy, base.reset_index(drop=True), model.metrics)
        self.roles = np.asarray(roles)
        model = model.restricted([m for m in model.metrics if m in self.base.columns])
        self.model = model
        self.cost = np.asarray(unit_cost, dtype=float)
        self.dtypes = [str(self.base[c].dtype) for c in model.metrics]
        self.rep_codes = pd.factorize(self.base["replication"])[0] if "replication" in self.base else None
        self.n_reps = int(self.rep_codes.max()) + 1 if self.rep_codes is not None else 1
        self.bvals = self.base[model.metrics].to_numpy(dtype=float, na_value=np.nan)

    def _rows(self, x: np.ndarray) -> np.ndarray:
        """Predicted KPI values of the base rows when agents play ``x`` (agents x T)."""
        a = self.row_agent
        v = self.bvals + self.model.delta(x[a], self.roles[a], self.model.spill(x))
        return finish(v, self.model.metrics, self.dtypes)

    def pay_of(self, x: np.ndarray) -> np.ndarray:
        """Expected pay (cents, mean over months) per agent when everyone plays ``x``."""
        return self._world_pay(self._rows(x), 1)[0]

    def _world_pay(self, values: np.ndarray, k: int) -> np.ndarray:
        """Expected pay per agent (k worlds x agents) of ``k`` stacked worlds of base rows."""
        n_rows = len(self.base)
        kt = self.base.iloc[np.tile(np.arange(n_rows), k)].reset_index(drop=True)
        cols = {}
        for j, m in enumerate(self.model.metrics):
            col = values[:, j]
            if self.dtypes[j].startswith("Int"):
                nan = np.isnan(col)
                cols[m] = pd.arrays.IntegerArray(np.where(nan, 0, col).astype(np.int64), nan)
            elif self.dtypes[j].startswith("int"):
                cols[m] = np.nan_to_num(col).astype(np.int64)
            else:
                cols[m] = col
        rep = self.rep_codes if self.rep_codes is not None else np.zeros(n_rows, dtype=np.int64)
        cols["replication"] = (np.repeat(np.arange(k), n_rows) * self.n_reps + np.tile(rep, k)).astype(
            np.int64
        )
        kt = kt.assign(**cols)
        pay = self.policy.pay(self.policy.score(kt), kt)["total_cents"].to_numpy(float).reshape(k, n_rows)
        n_ag = len(self.ids)
        out = np.zeros((k, n_ag))
        for a in range(n_ag):
            out[:, a] = pay[:, self.row_agent == a].sum(axis=1)
        return out / self.n_reps

    def best_values(self, x: np.ndarray, ts: list[int], candidates: np.ndarray):
        """Each agent's payoff-maximising intensity of each tactic in ``ts`` among ``candidates``
        (len(ts) x agents x C, column 0 = the current intensity), holding everything else at
        ``x``, and its gain over the current intensity (cents); ties go to the lowest intensity.

        World (t, c, a): everyone plays ``x`` except agent ``a``, who plays ``candidates[t, a, c]``
        on tactic ``t``; all worlds are scored in one call. Returns (best, gain), agents x len(ts).
        """
        n_t, n_u, n_c = candidates.shape  # n_u: types (units that choose)
        n_rows = len(self.base)
        rows0 = self._rows(x)
        is_rep = np.isin(self.row_agent, self.reps)
        r_rows = np.flatnonzero(is_rep)  # rows of the representatives
        a = self.row_agent[r_rows]
        u = self.type_of[a]
        slot = u * n_rows + r_rows  # world u: its representative's rows deviate
        spill = self.model.spill(x)
        blocks = []
        for i, t in enumerate(ts):
            for c in range(n_c):
                xd = x[a].copy()
                xd[:, t] = candidates[i, u, c]
                dev = self.bvals[r_rows] + self.model.delta(xd, self.roles[a], spill)
                worlds = np.tile(rows0, (n_u, 1))
                worlds[slot] = finish(dev, self.model.metrics, self.dtypes)
                blocks.append(worlds)
        pays = self._world_pay(np.vstack(blocks), n_t * n_c * n_u).reshape(n_t, n_c, n_u, len(self.ids))
        own = pays[:, :, np.arange(n_u), self.reps].transpose(0, 2, 1)  # tactics x types x C
        util = own - self.cost[self.reps][:, ts].T[:, :, None] * candidates**2
        top = util >= util.max(axis=2, keepdims=True) - 1e-6
        best = np.where(top, candidates, np.inf).min(axis=2)
        gain = util.max(axis=2) - util[:, :, 0]
        return best.T, gain.T


def _read_by(policy: Any) -> set[str] | None:
    """Metric names the policy's scorecards and pay plans read, or None if it does not say."""
    try:
        from kpisim.policy.definitions import card_metrics, cards, plan_metrics

        out: set[str] = set()
        for sc, plan in cards(policy):
            out |= set(card_metrics(sc)) | (set(plan_metrics(plan)) if plan is not None else set())
        return out
    except (AttributeError, TypeError):  # a duck-typed policy: keep every column
        return None


def _slim(policy: Any, base: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """A lighter ``base`` that pays exactly the same cents (checked), else ``base`` unchanged.

    Every world copies every column, so, in order of preference: the numeric columns the policy
    never reads dropped and no ``attrs`` (pandas deep-copies them on every operation); the same
    with its ``attrs``; only the modelled columns it never reads dropped. Keys and text columns (what roles match on) always stay."""
    read = _read_by(policy)
    if read is None:
        return base

    def unread(cols) -> list[str]:
        return [c for c in cols if not any(c == r or c.startswith((f"{r}_", f"{r}@")) for r in read)]

    numeric = [
        c for c in base.columns if c not in KEYS and c != "role" and pd.api.types.is_numeric_dtype(base[c])
    ]
    try:
        full = policy.pay(policy.score(base), base)["total_cents"].to_numpy()
    except KpisimError:
        return base
    lean = base.drop(columns=unread(numeric))
    leanest = lean.copy()
    leanest.attrs = {}  # pandas deep-copies attrs on every operation of every world
    for slim in (leanest, lean, base.drop(columns=unread(metrics))):
        if slim.shape == base.shape and slim is not leanest:
            continue
        try:
            same = np.array_equal(policy.pay(policy.score(slim), slim)["total_cents"].to_numpy(), full)
        except KpisimError:
            continue
        if same:
            return slim
    return base


def solve(
    game: Game,
    *,
    x0: np.ndarray | None = None,
    max_rounds: int = 25,
    tol: float = 0.02,
    gain_tol_cents: float = 100.0,
    max_rows: int = 300_000,
    min_step: float = 0.1,
) -> Equilibrium:
    """Damped iterated best response from ``x0`` (default: nobody uses any tactic).

    Round k moves every agent a step ``1 / (k + 1)`` (at least 0.1) of the way to its best
    response, tactic after tactic (the first round moves all the way). Status ``converged``: no
    agent can gain more than ``gain_tol_cents`` by changing one tactic (an epsilon-equilibrium on
    the grid); ``approximate``: every best response is within ``tol`` of the current intensity
    but a jump in pay just beside it (a tier cliff, a rank) is still worth more than
    ``gain_tol_cents``; ``cycling``: an undamped round repeated a profile; ``not converged``.
    Tactics are searched together (Jacobi) in batches of at most ``max_rows`` KPI rows a call.
    """
    n_ag, n_t = game.n_units, len(TACTICS)
    x = np.zeros((n_ag, n_t)) if x0 is None else np.array(x0, dtype=float)[game.reps]
    seen = {x.round(3).tobytes()}
    history: list[float] = []
    gains: list[float] = []
    status = "not converged"
    for k in range(max_rounds):
        step = max(min_step, 1.0 / (k + 1))
        gap, gain = 0.0, 0.0
        per_tactic = n_ag * len(game.base) * (1 + len(COARSE))
        size = max(1, min(n_t, max_rows // max(1, per_tactic)))
        for lo in range(0, n_t, size):
            ts = list(range(lo, min(n_t, lo + size)))
            cur = x[:, ts].T.copy()  # tactics x agents
            coarse = np.concatenate([cur[:, :, None], np.broadcast_to(COARSE, (*cur.shape, len(COARSE)))], 2)
            b, _ = game.best_values(x[game.type_of], ts, coarse)
            b = b.T
            fine = np.concatenate([cur[:, :, None], b[:, :, None], np.clip(b[:, :, None] + FINE, 0, 1)], 2)
            b, g = game.best_values(x[game.type_of], ts, fine)
            b = b.T
            gap = max(gap, float(np.abs(b - cur).max()))
            gain = max(gain, float(g.max()))
            x[:, ts] = np.round(cur + step * (b - cur), 4).T
        history.append(gap)
        gains.append(gain)
        if gain <= gain_tol_cents:
            status = "converged"
            break
        if gap <= tol:
            status = "approximate"
            break
        key = x.round(3).tobytes()
        if key in seen and step == 1.0:
            status = "cycling"
            break
        seen.add(key)
    return Equilibrium(game.ids, x[game.type_of], status, len(history), history, gains)
