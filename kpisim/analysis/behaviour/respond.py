"""``respond``: the agents' equilibrium behaviour under each policy and what it costs.

1. simulate ``replications`` months with no tactics and the same months (same seeds) with random
   tactic intensities per agent (exploration); 2. fit the response model (``response.py``);
3. per policy, iterate best responses on predicted KPI rows (``equilibrium.py``); 4. simulate the
   equilibrium profile on the same seeds and report its real consequences against the same
   policy with no response, and whether the model predicted the simulated KPIs.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _st

from kpisim.analysis.behaviour import consequences as C
from kpisim.analysis.behaviour.costs import NEVER, draw_costs, role_of, unit_costs
from kpisim.analysis.behaviour.equilibrium import Equilibrium, Game, solve
from kpisim.analysis.behaviour.response import ResponseModel, design, fit
from kpisim.analysis.behaviour.runs import run_profiles
from kpisim.analysis.executors import Sequential, as_executor
from kpisim.analysis.stats import t_ci
from kpisim.errors import KpisimError
from kpisim.io.atomic import write_table
from kpisim.policy.definitions import needed_variants
from kpisim.policy.inputs import attach_policy_inputs
from kpisim.rng import population_rng
from kpisim.scenario.behaviour import Behaviour
from kpisim.scenario.models import Scenario
from kpisim.sim.population import draw_traits
from kpisim.vocab import TACTICS

#: Third SeedSequence word of the exploration design (not a simulation stream).
EXPLORE_KEY = 80_813
#: Largest centre in which every agent is its own type by default.
AGENT_TYPES_UP_TO = 15
#: KPIs whose prediction is checked against the direct simulation of the equilibrium.
#: Agent-months the exploration should give the response model (~9 per coefficient of the linear model).
MIN_ROWS = 150
CHECKED = ("handled", "fcr_rate", "csat_mean", "aht_s", "conversion_rate", "sales_cents")


@dataclass
class Response:
    """Everything ``respond`` found (tables documented in ``docs/behaviour.md``)."""

    behaviour: pd.DataFrame
    consequences: pd.DataFrame
    convergence: pd.DataFrame
    prediction: pd.DataFrame
    equilibria: dict[str, Equilibrium]
    model: ResponseModel
    costs: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def write(self, out: str | Path) -> list[Path]:
        """Write behaviour.csv, consequences.csv, convergence.csv, prediction.csv into ``out``."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        names = ("behaviour", "consequences", "convergence", "prediction")
        return [write_table(getattr(self, n), out / f"{n}.csv") for n in names]


def explore_profiles(n_agents: int, seed: int, replications: int, draw: int = 0) -> list[np.ndarray]:
    """Random intensities: each agent uses each tactic with P 1/2, at a uniform intensity."""
    out = []
    for r in range(replications):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), r, EXPLORE_KEY, draw]))
        on = rng.random((n_agents, len(TACTICS))) < 0.5
        out.append(np.where(on, rng.random((n_agents, len(TACTICS))), 0.0))
    return out


def _stack(results: list[dict], x: list[np.ndarray] | None = None) -> pd.DataFrame:
    return pd.concat([r["kpis"] for r in results], ignore_index=True)


#: Keywords of :func:`respond` a caller may pass on (``compare(behaviour_options=)``).
OPTIONS = ("costs", "max_rounds", "tol", "explore_draws", "types")


def respond_options(options: Mapping[str, Any] | None, behaviour: Behaviour | None) -> dict[str, Any]:
    """``options`` checked before anything is simulated: only :data:`OPTIONS`, and only with a
    behaviour to solve for (``behaviour``: the caller's ``behaviour_params``)."""
    out = dict(options or {})
    unknown = sorted(set(out) - set(OPTIONS))
    if unknown:
        raise KpisimError(
            f"behaviour_options: unknown option(s) {', '.join(unknown)}; allowed: {', '.join(OPTIONS)}"
        )
    if out and behaviour is None:
        raise KpisimError("behaviour_options need behaviour='equilibrium' (or a Behaviour)")
    return out


def respond(
    scenario: Scenario,
    policies: Mapping[str, Any],
    *,
    behaviour: Behaviour | None = None,
    replications: int = 4,
    seed: int = 1,
    jobs: int | None = 1,
    executor: Any = None,
    costs: pd.DataFrame | None = None,
    inputs: pd.DataFrame | Mapping[str, float] | None = None,
    max_rounds: int = 25,
    tol: float = 0.02,
    explore_draws: int | None = None,
    types: str | None = None,
) -> Response:
    """Equilibrium behaviour of the agents under each policy and its consequences.

    Args:
        scenario: the centre (population fixed across replications).
        policies: name -> policy (``.score`` and ``.pay``).
        behaviour: tactic effects, costs, detection (default ``Behaviour()``).
        replications: months per world (no response, exploration, each equilibrium), >= 2.
        seed: base seed; month r of every world uses ``SeedSequence([seed, r])``.
        jobs: worker processes for the simulations and the policies' solves (results identical
            for any value).
        executor: where the simulated months and the solves run, as in ``compare`` (None: local
            processes, ``jobs`` of them; ``"sequential"``, a ``LocalProcesses``, a
            ``distributed.Client``; see :mod:`kpisim.analysis.executors`). Results are identical
            whichever runs them.
        costs: override the agents' hidden costs (columns agent_id, effort_cents, gaming_cents).
        inputs: the policies' declared extra inputs (as in ``compare``).
        max_rounds, tol: best-response iteration limits (see ``equilibrium.solve``).
        explore_draws: exploration profiles per month (default: enough for ``MIN_ROWS``
            agent-months in the response model's fit).
        types: ``"agent"`` (every agent chooses for itself) or ``"band"`` (agents of one role x
            gaming-cost band x effort-cost band x skill band choose together; their median-cost
            member's deviations are scored); default ``agent`` up to ``AGENT_TYPES_UP_TO``
            agents, else ``band`` (fast).
    """
    if not policies:
        raise KpisimError("respond needs at least one policy")
    if replications < 2:
        raise KpisimError(f"respond needs replications >= 2 for confidence intervals, got {replications}")
    behaviour = behaviour or Behaviour()
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    roster = draw_traits(scenario, population_rng(seed))
    ids = roster["agent_id"].tolist()
    roles = role_of(roster).to_numpy()
    if costs is None:
        costs = draw_costs(roster, behaviour, seed)
    costs = costs.set_index("agent_id").reindex(ids).reset_index()
    if costs[["effort_cents", "gaming_cents"]].isna().any().any():
        raise KpisimError("costs: every agent of the scenario needs effort_cents and gaming_cents")
    unit = unit_costs(costs, behaviour)
    type_of, representatives = agent_types(roster, costs, roles, types)
    n = len(ids)
    zero = np.zeros((n, len(TACTICS)))
    # enough exploration months for the response model (>= MIN_ROWS agent-months), same seeds
    draws = explore_draws or max(1, -(-MIN_ROWS // (n * replications)))
    explore = [explore_profiles(n, seed, replications, j) for j in range(draws)]
    reps = list(range(replications))
    profiles = [zero] * replications + [x for e in explore for x in e]
    variants = needed_variants(policies)
    sims = run_profiles(
        scenario,
        profiles,
        reps=reps * (1 + draws),
        seed=seed,
        behaviour=behaviour,
        jobs=jobs,
        executor=executor,
        variants=variants,
    )
    base_res = sims[:replications]
    keys = ["replication", "agent_id", "period"]
    kb = _stack(base_res).sort_values(keys, kind="stable").reset_index(drop=True)
    pos = {a: i for i, a in enumerate(ids)}
    ri, ai = kb["replication"].to_numpy(), kb["agent_id"].map(pos).to_numpy()
    kes, xes = [], []
    for j in range(draws):
        part = sims[replications * (1 + j) : replications * (2 + j)]
        kes.append(kb[keys].merge(_stack(part), on=keys, how="left"))
        xes.append(np.vstack([explore[j][r][a] for r, a in zip(ri, ai, strict=True)]))
    timings["simulate_explore_s"] = time.perf_counter() - clock
    model = fit(
        pd.concat([kb] * draws, ignore_index=True),
        pd.concat(kes, ignore_index=True),
        np.vstack(xes),
        np.tile(roles[ai], draws),
    )
    kb_in, _filled = attach_policy_inputs(kb, policies, inputs)
    out: dict[str, list] = {"behaviour": [], "consequences": [], "convergence": [], "prediction": []}
    # the policies' games are independent: solved side by side on the executor
    t0 = time.perf_counter()
    game = (kb_in, ids, roles, model, unit, type_of, representatives, max_rounds, tol)
    where = as_executor(executor, jobs=jobs) if _picklable(policies) else Sequential()
    solved = list(where.map(solve_one, [(pol, *game) for pol in policies.values()]))
    equilibria = {name: eq for name, (eq, _s) in zip(policies, solved, strict=True)}
    timings.update({f"solve_{name}_s": s for name, (_eq, s) in zip(policies, solved, strict=True)})
    timings["solve_wall_s"] = time.perf_counter() - t0
    # every distinct equilibrium profile simulated once, all in one call (nobody gaming = the
    # no-tactics months themselves: all-zero intensities give exactly the same tables)
    t0 = time.perf_counter()
    distinct: dict[bytes, np.ndarray] = {}
    for eq in equilibria.values():
        if eq.x.any():
            distinct.setdefault(eq.x.tobytes(), eq.x)
    eq_sims = run_profiles(
        scenario,
        [x for x in distinct.values() for _ in reps],
        reps=reps * len(distinct),
        seed=seed,
        behaviour=behaviour,
        jobs=jobs,
        executor=executor,
        variants=variants,
    )
    by_profile = {k: eq_sims[i * replications : (i + 1) * replications] for i, k in enumerate(distinct)}
    timings["simulate_equilibria_s"] = time.perf_counter() - t0
    for name, pol in policies.items():
        eq = equilibria[name]
        eq_res = by_profile.get(eq.x.tobytes(), base_res) if eq.x.any() else base_res
        kq = _stack(eq_res).sort_values(keys, kind="stable").reset_index(drop=True)
        kq_in, _ = attach_policy_inputs(kb[keys].merge(kq, on=keys, how="left"), policies, inputs)
        pay_w = _payouts(pol, kb_in, replications)
        pay_e = _payouts(pol, kq_in, replications)
        w = C.with_money([r["measures"] for r in base_res], pay_w)
        e = C.with_money([r["measures"] for r in eq_res], pay_e)
        out["consequences"].append(C.consequences(name, w, e))
        out["behaviour"].append(C.behaviour_table(name, eq.x, roles))
        out["convergence"].append(
            pd.DataFrame(
                {
                    "policy": [name],
                    "status": [eq.status],
                    "rounds": [eq.rounds],
                    "largest_change": [eq.history[-1] if eq.history else 0.0],
                    "largest_gain_cents": [eq.gains[-1] if eq.gains else 0.0],
                }
            )
        )
        out["prediction"].append(_prediction(name, model, kb, kq, eq.x, ai, roles))
    return Response(
        **{k: pd.concat(v, ignore_index=True) for k, v in out.items()},
        equilibria=equilibria,
        model=model,
        costs=costs,
        meta={
            "scenario_id": scenario.id,
            "seed": seed,
            "replications": replications,
            "timings_s": {k: round(v, 1) for k, v in timings.items()},
            "total_s": round(time.perf_counter() - clock, 1),
        },
    )


def behaviour_params(behaviour: Any) -> Behaviour | None:
    """What ``compare(..., behaviour=...)`` asks for: None (no response), ``"equilibrium"``
    (default parameters) or a :class:`~kpisim.scenario.behaviour.Behaviour`.

    Raises:
        KpisimError: anything else, naming the bad value and what is allowed.
    """
    if behaviour is None or isinstance(behaviour, Behaviour):
        return behaviour
    if behaviour == "equilibrium":
        return Behaviour()
    raise KpisimError(f"behaviour must be None, 'equilibrium' or a kpisim.Behaviour, got {behaviour!r}")


def _picklable(policies: Mapping[str, Any]) -> bool:
    """Whether the policies can go to worker processes (a duck-typed policy holding a lambda
    cannot: its games are then solved in this process)."""
    try:
        pickle.dumps(dict(policies))
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def solve_one(task: tuple) -> tuple[Equilibrium, float]:
    """Worker: one policy's equilibrium (``solve`` on its ``Game``) and the seconds it took."""
    pol, kb_in, ids, roles, model, unit, type_of, reps, max_rounds, tol = task
    t0 = time.perf_counter()
    game = Game(pol, kb_in, ids, roles, model, unit, types=type_of, representatives=reps)
    return solve(game, max_rounds=max_rounds, tol=tol), time.perf_counter() - t0


def agent_types(roster, costs, roles, types: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Agent -> type code and each type's representative (see ``respond``'s ``types``)."""
    n = len(roster)
    kind = types or ("agent" if n <= AGENT_TYPES_UP_TO else "band")
    if kind == "agent":
        return np.arange(n), np.arange(n)
    if kind != "band":
        raise KpisimError(f"types must be 'agent' or 'band', got {types!r}")
    g = costs["gaming_cents"].to_numpy()
    e = costs["effort_cents"].to_numpy()
    finite = g < NEVER
    gband = np.where(~finite, 2, (g > np.median(g[finite]) if finite.any() else False).astype(int))
    eband = (e > np.median(e)).astype(int)
    skill = roster["true_resolution"].to_numpy() * roster["true_sales"].to_numpy()
    sband = (skill > np.median(skill)).astype(int)
    key = pd.Series(list(zip(roles, gband, eband, sband, strict=True)))
    codes, _ = pd.factorize(key)
    reps = []
    for k in range(codes.max() + 1):
        members = np.flatnonzero(codes == k)
        reps.append(members[np.argsort(e[members] + np.minimum(g[members], 1e12))[len(members) // 2]])
    return codes, np.array(reps)


def _payouts(policy: Any, kt: pd.DataFrame, replications: int) -> list[float]:
    pay = policy.pay(policy.score(kt), kt)
    tot = pay.groupby(kt["replication"].to_numpy())["total_cents"].sum()
    return [float(tot.get(r, 0.0)) for r in range(replications)]


def _prediction(name, model: ResponseModel, kb, kq, x, ai, roles) -> pd.DataFrame:
    """Predicted vs simulated mean of the checked KPIs at the equilibrium. The 95 % interval of
    simulated - predicted combines the months' t interval and the model's coefficient standard
    errors (covariances ignored) for the mean predicted change."""
    spill = model.spill(x)
    pred = model.predict(kb, x[ai], roles[ai], spill)
    dmean = design(x[ai]).mean(axis=0)
    dmean[0] = spill
    z = float(_st.norm.ppf(0.975))
    rows = []
    for m in CHECKED:
        if m not in model.metrics:
            continue
        j = model.metrics.index(m)
        sim = kq[m].to_numpy(dtype=float, na_value=np.nan)
        d = pd.Series(sim - pred[:, j]).groupby(kb["replication"].to_numpy()).mean()
        diff, lo, hi, _n = t_ci(d.to_numpy())
        se = model.se.get("*", np.zeros((len(dmean), len(model.metrics))))[:, j]
        model_half = z * float(np.sqrt(np.nansum((dmean * se) ** 2)))
        half = float(np.hypot(hi - diff, model_half)) if np.isfinite(hi) else np.nan
        lo, hi = diff - half, diff + half
        rows.append(
            {
                "policy": name,
                "metric": m,
                "predicted": float(np.nanmean(pred[:, j])),
                "simulated": float(np.nanmean(sim)),
                "difference": diff,
                "difference_lo": lo,
                "difference_hi": hi,
                "within_ci": bool(lo <= 0 <= hi) if np.isfinite(lo) else False,
            }
        )
    return pd.DataFrame(rows)
