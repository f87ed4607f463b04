"""``kpisim compare --behaviour equilibrium``: run ``respond`` and write its tables (kept here so
the CLI module only dispatches)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kpisim.analysis.behaviour.respond import respond
from kpisim.scenario.behaviour import Behaviour, load_behaviour


def run_behaviour(scenario, policies: dict[str, Any], args: argparse.Namespace, inputs) -> list[Path]:
    """Equilibrium behaviour for ``compare``'s policies; writes behaviour.csv, consequences.csv,
    convergence.csv and prediction.csv next to the report and prints one line per policy."""
    params = load_behaviour(args.behaviour_params) if args.behaviour_params else Behaviour()
    r = respond(
        scenario,
        policies,
        behaviour=params,
        replications=max(2, args.replications),
        seed=args.seed,
        jobs=args.jobs,
        inputs=inputs,
    )
    files = r.write(args.out)
    for _, row in r.convergence.iterrows():
        b = r.behaviour[r.behaviour["policy"] == row["policy"]]
        used = b[b["share_using"] > 0.5]["tactic"].unique().tolist()
        print(
            f"behaviour {row['policy']}: {row['status']} in {row['rounds']} round(s); "
            f"used by most agents of a role: {', '.join(used) or 'none'}"
        )
    print(f"behaviour: {args.out}/behaviour.csv, {args.out}/consequences.csv")
    return files
