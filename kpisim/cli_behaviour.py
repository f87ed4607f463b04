"""``kpisim compare --behaviour equilibrium``: the behaviour parameters of the command line and
its console lines (kept here so the CLI module only dispatches). ``compare`` finds the
equilibrium (``behaviour=``) and ``write_comparison`` writes its tables with the report."""

from __future__ import annotations

import argparse

from kpisim.analysis.behaviour.respond import Response
from kpisim.errors import KpisimError
from kpisim.scenario.behaviour import Behaviour, load_behaviour


def behaviour_option(args: argparse.Namespace) -> Behaviour | None:
    """``compare``'s ``behaviour=`` for ``--behaviour`` and ``--behaviour-params`` (loaded and
    checked here, before anything is simulated)."""
    if args.behaviour != "equilibrium":
        for flag, given in (("params", args.behaviour_params), ("rounds", args.behaviour_rounds)):
            if given:
                raise KpisimError(f"--behaviour-{flag} needs --behaviour equilibrium")
        return None
    if args.replications < 2:
        raise KpisimError(f"--behaviour equilibrium needs --replications >= 2, got {args.replications}")
    return load_behaviour(args.behaviour_params) if args.behaviour_params else Behaviour()


def behaviour_options(args: argparse.Namespace) -> dict:
    """``compare``'s ``behaviour_options=`` from the command line."""
    return {"max_rounds": args.behaviour_rounds} if args.behaviour_rounds else {}


def print_behaviour(r: Response, files: dict[str, str]) -> None:
    """One line per policy: how the solver ended and the tactics most agents of a role use."""
    for _, row in r.convergence.iterrows():
        b = r.behaviour[r.behaviour["policy"] == row["policy"]]
        used = b[b["share_using"] > 0.5]["tactic"].unique().tolist()
        print(
            f"behaviour {row['policy']}: {row['status']} in {row['rounds']} round(s); "
            f"used by most agents of a role: {', '.join(used) or 'none'}"
        )
    print(f"behaviour: {files['behaviour']}, {files['consequences']}")
