"""Run replications of a scenario, in parallel or not, with identical results either way.

Replication r always uses ``SeedSequence([seed, r])`` (see ``kpisim.rng``), so a worker that runs
replication r alone produces exactly what a sequential loop would. Each worker reduces its event
log to small tables with ``summarise`` so only those cross the process boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from kpisim.analysis.executors import as_executor
from kpisim.errors import KpisimError
from kpisim.kpi.compute import kpis
from kpisim.kpi.variants import add_variants
from kpisim.progress import counter
from kpisim.scenario.models import Scenario
from kpisim.sim.run import simulate_one
from kpisim.sim.size import check_run_size


def _one(task: tuple[Scenario, int, int, Callable[..., Any], dict]) -> Any:
    scenario, seed, rep, summarise, options = task
    return summarise(simulate_one(scenario, seed=seed, replication=rep), **options)


def run_replications(
    scenarios: Sequence[Scenario] | Scenario,
    summarise: Callable[..., Any],
    *,
    seed: int,
    replications: int,
    jobs: int | None = None,
    progress: bool | str = True,
    options: dict | None = None,
    desc: str = "simulating",
    executor: Any = None,
) -> list[Any]:
    """Simulate every scenario x replication and summarise each log.

    Args:
        scenarios: one scenario or several (variants); tasks run scenario-major.
        summarise: top-level (picklable) function ``f(log, **options)``.
        seed: base seed; replication r of every scenario uses ``SeedSequence([seed, r])``.
        replications: replications per scenario (>= 1).
        jobs: worker processes; ``None`` = ``os.cpu_count()``; 1 = in this process.
        progress: True: a tqdm bar; "auto": a bar in a terminal, plain timestamped lines
            otherwise (:mod:`kpisim.progress`); False: nothing.
        options: keyword arguments for ``summarise``.
        executor: where the tasks run (see :func:`kpisim.analysis.executors.as_executor`):
            ``None`` = local processes (``jobs``), ``"sequential"``, a ``distributed.Client``, a
            ``LocalProcesses``; ``jobs`` only sizes the default pool.

    Returns:
        Results in task order (scenario-major, then replication), whatever the executor.
    """
    if replications < 1:
        raise KpisimError(f"replications must be >= 1, got {replications}")
    if jobs is not None and jobs < 1:
        raise KpisimError(f"jobs must be >= 1 or None, got {jobs}")
    if isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    for s in scenarios:  # before any worker starts; each worker holds one replication's log
        check_run_size(s, replications=replications, in_memory=1)
    tasks = [
        (s, int(seed), r, summarise, dict(options or {})) for s in scenarios for r in range(replications)
    ]
    ex = as_executor(executor, jobs=jobs)
    bar = counter(progress, len(tasks), desc)
    try:
        out = []
        for res in ex.map(_one, tasks):  # every executor yields in task order
            out.append(res)
            if bar:
                bar.update(1)
        return out
    finally:
        if bar:
            bar.close()


def summarise_for_compare(
    log, *, kpi_by: tuple[str, ...], period: str, variants: dict | None = None
) -> dict[str, pd.DataFrame]:
    """Worker reduction: the KPI table (with the metric variants the policies define, see
    ``kpisim.kpi.variants``) and the agents table (with hidden truth) of one log, and how its
    population was drawn (``fixed`` or ``redraw``, for the manifest)."""
    kt = kpis(log, by=kpi_by, period=period)
    return {
        "kpis": add_variants(log, kt, variants, by=kpi_by, period=period),
        "agents": log.tables["agents"].copy(),
        "population": log.manifest.get("population"),
    }
