"""Write a plan-design result to a directory: front, trials, figure, chosen plans, hold-out.

Files (all written to a temporary directory, then swapped in: nothing half-written):
``pareto.csv`` (feasible Pareto front), ``trials.csv`` (every trial), ``pareto.png``,
``plans/<label>.yaml`` (each chosen plan as a policy YAML that loads and validates),
``holdout.csv`` (each chosen plan and the base on the search months and on held-out months),
``components.csv`` (per plan and component: points it is worth, earned on average, spread between
agents; ``component_spread``), ``manifest.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from kpisim.analysis.design.components import component_spread
from kpisim.analysis.design.search import DesignResult
from kpisim.analysis.design.space import policy_data
from kpisim.errors import KpisimError
from kpisim.io.atomic import write_dir
from kpisim.policy.loading import load_policy
from kpisim.provenance import Manifest


def write_design(result: DesignResult, out: str | os.PathLike, *, argv: list[str] | None = None) -> Path:
    """Write ``result`` to ``out`` (see the module docstring); returns ``out``."""
    from kpisim import plots

    def write(tmp: Path) -> None:
        result.front.to_csv(tmp / "pareto.csv", index=False)
        result.trials.to_csv(tmp / "trials.csv", index=False)
        if result.holdout is not None:
            result.holdout.to_csv(tmp / "holdout.csv", index=False)
        if result.months is not None:
            component_spread(result).to_csv(tmp / "components.csv", index=False)
        plots.save(
            plots.pareto_front(result.trials, result.front, chosen=result.chosen_trials), tmp / "pareto.png"
        )
        (tmp / "plans").mkdir()
        for label, pol in result.chosen.items():
            path = tmp / "plans" / f"{label}.yaml"
            header = (
                f"# chosen by kpisim design ({label}, trial {result.chosen_trials[label]}) from base "
                f"{result.base.id}; budget {result.budget_cents} cents/month\n"
            )
            path.write_text(header + yaml.safe_dump(policy_data(pol), sort_keys=False, allow_unicode=True))
            if load_policy(path).model_dump() != pol.model_dump():  # must round-trip to the same plan
                raise KpisimError(f"{path.name}: the written plan does not load back as the chosen plan")
        scenario = result.meta.get("scenario")
        details = {
            "budget_cents": result.budget_cents,
            "trials": len(result.trials),
            "search_seed": result.seed,
            "months_seed": result.meta.get("months_seed"),
            "holdout_seed": result.meta.get("holdout_seed"),
            "space": json.loads(result.space.model_dump_json()),
            "chosen_trials": result.chosen_trials,
        }
        kw = {
            "command": "design",
            "seed": result.meta.get("months_seed") or result.seed,
            "replications": result.meta.get("replications"),
            "details": details,
        }
        man = Manifest.for_scenario(scenario, **kw) if scenario is not None else Manifest(**kw)
        man = man.with_policies({"base": result.base, **result.chosen})
        (tmp / "manifest.json").write_text(json.dumps(man.to_dict(), indent=2, default=str))

    return write_dir(out, write)
