"""Run replications of a scenario, in parallel or not, with identical results either way.

Replication r always uses ``SeedSequence([seed, r])`` (see ``kpisim.rng``), so a worker that runs
replication r alone produces exactly what a sequential loop would. Each worker reduces its event
log to small tables with ``summarise`` so only those cross the process boundary.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pandas as pd

from kpisim.errors import KpisimError
from kpisim.kpi.compute import kpis
from kpisim.kpi.variants import add_variants
from kpisim.scenario.models import Scenario
from kpisim.sim.run import simulate_one


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
    progress: bool = True,
    options: dict | None = None,
    desc: str = "simulating",
) -> list[Any]:
    """Simulate every scenario x replication and summarise each log.

    Args:
        scenarios: one scenario or several (variants); tasks run scenario-major.
        summarise: top-level (picklable) function ``f(log, **options)``.
        seed: base seed; replication r of every scenario uses ``SeedSequence([seed, r])``.
        replications: replications per scenario (>= 1).
        jobs: worker processes; ``None`` = ``os.cpu_count()``; 1 = in this process.
        progress: show a tqdm progress bar.
        options: keyword arguments for ``summarise``.

    Returns:
        Results in task order (scenario-major, then replication), whatever ``jobs`` is.
    """
    if replications < 1:
        raise KpisimError(f"replications must be >= 1, got {replications}")
    if jobs is not None and jobs < 1:
        raise KpisimError(f"jobs must be >= 1 or None, got {jobs}")
    if isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    tasks = [
        (s, int(seed), r, summarise, dict(options or {})) for s in scenarios for r in range(replications)
    ]
    jobs = min(jobs or os.cpu_count() or 1, len(tasks))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), desc=desc, unit="run")
    try:
        if jobs == 1:
            out = []
            for t in tasks:
                out.append(_one(t))
                if bar:
                    bar.update(1)
            return out
        with ProcessPoolExecutor(max_workers=jobs) as ex:
            out = []
            for res in ex.map(_one, tasks):  # map keeps task order
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
