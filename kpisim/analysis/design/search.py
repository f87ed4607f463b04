"""The plan designer: search a design space for plans that pay for contribution, not luck.

Months are simulated once (:func:`~kpisim.analysis.design.evaluate.simulate_months`); each trial
builds a variant of the base policy (:mod:`~kpisim.analysis.design.space`), re-scores the cached
months and returns two objectives — maximise ``validity`` (pay follows true contribution),
minimise ``luck_share`` — under the constraint ``cost_cents <= budget_cents``. Optuna's NSGA-II
sampler (``pip install "kpisim[design]"``) searches; the feasible Pareto front is kept, a few
plans are chosen from it (best validity, least luck, the balanced one) and each is re-evaluated
on fresh months simulated with a different seed (held out), to show it did not overfit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kpisim.analysis.design.evaluate import Months, simulate_months
from kpisim.analysis.design.space import DesignSpace, apply, check_space, locate, policy_data
from kpisim.analysis.executors import Sequential, as_executor
from kpisim.errors import KpisimError, SpecError
from kpisim.policy.models import Policy

OBJECTIVES = ("validity", "luck_share")
#: Offset added to the search seed for the held-out months (a different seed: other months).
HOLDOUT_SEED_OFFSET = 1_000_003


@dataclass
class DesignResult:
    """Outcome of :func:`search` (and :func:`design`).

    Attributes:
        trials: one row per trial: trial, the parameters, validity, luck_share, cost_cents,
            p_over_budget, feasible (valid policy within budget), error (why infeasible).
        front: the feasible Pareto-optimal trials (same columns), by validity descending.
        chosen: label -> chosen policy (``best_validity``, ``least_luck``, ``balanced``).
        holdout: one row per chosen plan and sample (``search`` / ``holdout``) with the
            measures, once :func:`evaluate_holdout` has run.
        months: the search months (``component_spread`` reads them).
    """

    base: Policy
    space: DesignSpace
    budget_cents: int
    seed: int
    trials: pd.DataFrame
    front: pd.DataFrame
    chosen: dict[str, Policy]
    chosen_trials: dict[str, int]
    holdout: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    months: Months | None = field(default=None, repr=False)


def _optuna():
    try:
        import optuna
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise KpisimError("the plan designer needs optuna: pip install 'kpisim[design]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _suggest(trial, space: DesignSpace) -> dict[str, float]:
    out = {}
    for name, (lo, hi, step, integer, log) in space.bounds().items():
        if integer:
            out[name] = float(trial.suggest_int(name, int(math.ceil(lo)), int(math.floor(hi)), log=log))
        else:
            out[name] = trial.suggest_float(name, lo, hi, step=step, log=log)
    return out


def search(
    months: Months,
    base: Policy,
    space: DesignSpace,
    *,
    budget_cents: int,
    trials: int = 100,
    seed: int = 1,
    executor: Any = None,
    jobs: int | None = None,
    batch: int | None = None,
) -> DesignResult:
    """Search ``space`` around ``base`` on the cached ``months`` (see the module docstring).

    Args:
        budget_cents: highest mean monthly payout (integer cents) of a feasible plan.
        trials: plans evaluated (the base policy is always trial 0).
        seed: seed of the sampler (same seed and months => same trials, whatever the executor).
        executor: where trial plans are scored (default this process; see
            :mod:`kpisim.analysis.executors`): batches of ``batch`` trials are asked from the
            sampler, scored in chunks on the workers and told back in order.
        batch: trials per batch (default 1 in this process, 8 per worker otherwise).

    Raises:
        SpecError: a parameter path that does not exist in ``base``.
    """
    optuna = _optuna()
    if trials < 1:
        raise KpisimError(f"trials must be >= 1, got {trials}")
    check_space(base, space)
    data = policy_data(base)
    native = hasattr(optuna.trial.Trial, "set_constraint")  # optuna >= 5
    sampler = (
        optuna.samplers.NSGAIISampler(seed=seed)
        if native
        else optuna.samplers.NSGAIISampler(
            seed=seed, constraints_func=lambda t: t.user_attrs.get("constraint", (1e18,))
        )
    )
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    base_values = _base_values(data, space)
    if base_values is not None:
        study.enqueue_trial(base_values, skip_if_exists=True)
    ex = Sequential() if executor is None else as_executor(executor, jobs=jobs)
    workers = 1 if isinstance(ex, Sequential) else _workers(ex, jobs)
    batch = batch or (1 if workers == 1 else 8 * workers)
    records: list[dict[str, Any]] = []
    while len(records) < trials:
        asked = [study.ask() for _ in range(min(batch, trials - len(records)))]
        items = [(t.number, _suggest(t, space)) for t in asked]
        size = -(-len(items) // workers)
        tasks = [
            (months, data, space, base.id, budget_cents, items[i : i + size])
            for i in range(0, len(items), size)
        ]
        done = [rec for chunk in ex.map(evaluate_chunk, tasks) for rec in chunk]
        for trial, rec in zip(asked, done, strict=True):
            over = rec.pop("_over")
            if native:
                trial.set_constraint("over_budget_cents", over)
            else:  # optuna < 5
                trial.set_user_attr("constraint", (over,))
            ok = not rec["error"]
            study.tell(trial, (rec["validity"], rec["luck_share"]) if ok else (-1.0, 1.0))
            records.append(rec)
    table = pd.DataFrame(records)
    front = pareto_front(table)
    chosen_trials = choose(front)
    chosen = {
        label: apply(data, space, _values(table, t, space), policy_id=f"{base.id}_{label}")
        for label, t in chosen_trials.items()
    }
    return DesignResult(
        base=base,
        space=space,
        budget_cents=int(budget_cents),
        seed=seed,
        trials=table,
        front=front,
        chosen=chosen,
        chosen_trials=chosen_trials,
        meta={"months_seed": months.seed, "replications": months.replications, **months.meta},
        months=months,
    )


def _workers(ex: Any, jobs: int | None) -> int:
    if hasattr(ex, "workers"):
        return int(ex.workers(10**6))
    client = getattr(ex, "client", None)
    if client is not None:
        return max(1, len(client.scheduler_info().get("workers", {})))
    return max(1, jobs or 1)


def evaluate_chunk(task: tuple) -> list[dict[str, Any]]:
    """Worker task: build and evaluate each (trial number, values) of a chunk of trials."""
    months, data, space, base_id, budget_cents, items = task
    out = []
    for number, values in items:
        rec: dict[str, Any] = {"trial": number, **values}
        try:
            pol = apply(data, space, values, policy_id=f"{base_id}_t{number}")
            m = months.evaluate(pol, budget_cents=budget_cents)
            ok = all(math.isfinite(m[k]) for k in OBJECTIVES)
            rec.update(m, error="" if ok else "undefined measure")
        except SpecError as exc:
            rec.update(validity=-1.0, luck_share=1.0, cost_cents=math.inf, error=exc.message)
            ok = False
        over = rec["cost_cents"] - budget_cents if ok else 1e18
        rec["feasible"] = bool(ok and over <= 0)
        rec["_over"] = float(over)
        out.append(rec)
    return out


def _values(table: pd.DataFrame, trial: int, space: DesignSpace) -> dict[str, float]:
    row = table.set_index("trial").loc[trial]
    return {k: float(row[k]) for k in space.bounds()}


def _base_values(data: dict, space: DesignSpace) -> dict[str, float] | None:
    """The base policy's own parameter values when every one is a plain number in range."""
    out: dict[str, float] = {}
    for p in space.parameters:
        if p.edge is not None:
            v: Any = p.edge
        else:
            container, key = locate(data, p.path, "<space>")
            v = container[key]
        if not isinstance(v, int | float) or not p.low <= v <= p.high:
            return None
        out[p.name] = float(v)
    if space.weights is not None:
        by_id = {c["id"]: c for c in data["scorecard"]["components"]}
        for c in space.weights.components:
            w = float(by_id[c]["weight"])
            if not space.weights.low <= w <= space.weights.high:
                return None
            out[f"weight_{c}"] = w
    return out


def pareto_front(table: pd.DataFrame) -> pd.DataFrame:
    """Feasible trials no other feasible trial beats on both objectives (validity up, luck down)."""
    f = table[table["feasible"]].drop_duplicates(list(OBJECTIVES))
    keep = []
    v, lk = f["validity"].to_numpy(), f["luck_share"].to_numpy()
    for i in range(len(f)):
        dominated = ((v >= v[i]) & (lk <= lk[i]) & ((v > v[i]) | (lk < lk[i]))).any()
        keep.append(not dominated)
    return f[keep].sort_values("validity", ascending=False, kind="stable").reset_index(drop=True)


def choose(front: pd.DataFrame) -> dict[str, int]:
    """Trials picked from the front: best validity, least luck, and the balanced one (largest
    validity − luck share after scaling both to [0, 1] over the front)."""
    if front.empty:
        return {}
    v, lk = front["validity"], front["luck_share"]
    span = lambda s: (s - s.min()) / (s.max() - s.min()) if s.max() > s.min() else s * 0.0  # noqa: E731
    balance = span(v) - span(lk)
    picks = {
        "best_validity": int(front.loc[v.idxmax(), "trial"]),
        "least_luck": int(front.loc[lk.idxmin(), "trial"]),
        "balanced": int(front.loc[balance.idxmax(), "trial"]),
    }
    return picks


def evaluate_holdout(
    result: DesignResult, months: Months, holdout: Months, *, plans: Mapping[str, Policy] | None = None
) -> pd.DataFrame:
    """Each chosen plan (and the base) measured on the search months and on held-out months.

    Returns:
        Columns plan, sample (``search`` / ``holdout``), seed, validity, luck_share, cost_cents,
        p_over_budget, within_budget.
    """
    if holdout.seed is not None and holdout.seed == months.seed:
        raise KpisimError(f"held-out months must use another seed than the search ({months.seed})")
    plans = dict(plans or {"base": result.base, **result.chosen})
    rows = []
    for label, pol in plans.items():
        for sample, mo in (("search", months), ("holdout", holdout)):
            m = mo.evaluate(pol, budget_cents=result.budget_cents)
            rows.append({"plan": label, "policy_id": pol.id, "sample": sample, "seed": mo.seed, **m})
    out = pd.DataFrame(rows)
    out["within_budget"] = out["cost_cents"] <= result.budget_cents
    result.holdout = out
    return out


def design(
    scenario,
    base: Policy,
    space: DesignSpace,
    *,
    budget_cents: int,
    trials: int = 100,
    replications: int = 4,
    seed: int = 1,
    holdout_seed: int | None = None,
    holdout_replications: int | None = None,
    jobs: int | None = None,
    executor: Any = None,
    progress: bool = True,
    inputs=None,
) -> DesignResult:
    """Simulate months once, search the space, and check the chosen plans on held-out months.

    Args:
        holdout_seed: seed of the held-out months (default ``seed + HOLDOUT_SEED_OFFSET``; must
            differ from ``seed``).
        executor: where the replications run (see :mod:`kpisim.analysis.executors`).
    """
    holdout_seed = seed + HOLDOUT_SEED_OFFSET if holdout_seed is None else holdout_seed
    if holdout_seed == seed:
        raise KpisimError(f"holdout_seed must differ from seed ({seed}): held-out months are other months")
    check_space(base, space)
    common = {"jobs": jobs, "executor": executor, "progress": progress, "inputs": inputs}
    months = simulate_months(
        scenario,
        {"base": base},
        replications=replications,
        seed=seed,
        desc="simulating the search months",
        **common,
    )
    result = search(
        months, base, space, budget_cents=budget_cents, trials=trials, seed=seed, executor=executor, jobs=jobs
    )
    held = simulate_months(
        scenario,
        {"base": base},
        replications=holdout_replications or replications,
        seed=holdout_seed,
        desc="simulating the held-out months",
        **common,
    )
    evaluate_holdout(result, months, held)
    result.meta.update(scenario=scenario, holdout_seed=holdout_seed)
    return result
