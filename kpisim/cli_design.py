"""``kpisim design``: search a policy's parameters for plans that pay for contribution, not luck.

Kept out of ``cli.py`` (thin like it: parse, call ``kpisim.analysis.design``, print).
"""

from __future__ import annotations

import argparse

from kpisim import cli_args as A
from kpisim import cli_help as H

#: Months per sample below which the designer's measures are mostly noise (a note is printed).
MIN_MONTHS = 4


def add_parser(sub) -> None:
    """Register the ``design`` subcommand on ``sub`` (the CLI's subparsers)."""
    d = H.subcommand(
        sub,
        "design",
        "search a policy's weights, tier edges, pool shares, deductions for better plans (optuna)",
    )
    d.add_argument("scenario", help="scenario YAML file")
    d.add_argument("--policy", required=True, metavar="BASE.yaml", help="the base policy")
    d.add_argument(
        "--space", required=True, metavar="SPACE.yaml", help="parameters that vary and their ranges"
    )
    d.add_argument(
        "--budget",
        required=True,
        type=float,
        metavar="AMOUNT",
        help="highest mean monthly payout in the policy's currency, major units (150000 = 150,000.00)",
    )
    d.add_argument("--trials", type=A.positive_int, default=100, help="plans evaluated (default 100)")
    d.add_argument("--replications", type=A.positive_int, default=4, help="months simulated once (default 4)")
    d.add_argument(
        "--seed", type=A.seed, default=1, help="seed of the simulated months (held-out months use another)"
    )
    d.add_argument(
        "--holdout-seed", type=A.seed, help="seed of the held-out months (default: seed + 1000003)"
    )
    d.add_argument("--inputs", help="the policy's declared inputs per agent_id, CSV or Parquet")
    d.add_argument("--jobs", type=A.positive_int, help="worker processes (default: all cores)")
    A.add_scheduler(d)
    d.add_argument(
        "--out", required=True, metavar="DIR", help="output directory (Pareto front, chosen plans, hold-out)"
    )
    H.add_quiet(d)
    d.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kpisim.analysis.design import design, load_space
    from kpisim.analysis.design.output import write_design
    from kpisim.analysis.executors import open_executor
    from kpisim.errors import KpisimError
    from kpisim.io.atomic import check_output_dir
    from kpisim.policy import load_policy
    from kpisim.scenario.models import load_scenario

    check_output_dir(args.out)  # before simulating
    if not args.budget > 0:
        raise KpisimError(f"--budget must be > 0, got {args.budget:g}")
    scenario = load_scenario(args.scenario)
    base = load_policy(args.policy)
    space = load_space(args.space)
    inputs = None
    if args.inputs:
        from kpisim.policy.inputs import read_table

        inputs = read_table(args.inputs)
    budget_cents = round(args.budget * 100)
    with open_executor(args.scheduler, jobs=args.jobs) as ex:
        result = design(
            scenario,
            base,
            space,
            budget_cents=budget_cents,
            trials=args.trials,
            replications=args.replications,
            seed=args.seed,
            holdout_seed=args.holdout_seed,
            executor=ex,
            jobs=args.jobs,
            progress=H.progress_mode(args),
            inputs=inputs,
        )
    write_design(result, args.out)
    feasible = int(result.trials["feasible"].sum())
    print(
        f"{len(result.trials)} plans tried, {feasible} within budget, {len(result.front)} on the Pareto front"
    )
    if result.holdout is not None:
        h = result.holdout.set_index(["plan", "sample"])
        for label in ["base", *result.chosen]:
            s, o = h.loc[(label, "search")], h.loc[(label, "holdout")]
            print(
                f"{label}: validity {s['validity']:.3f} -> held out {o['validity']:.3f}; "
                f"luck share {s['luck_share']:.3f} -> {o['luck_share']:.3f}; "
                f"cost {s['cost_cents'] / 100:,.0f} -> {o['cost_cents'] / 100:,.0f} {base.currency}/month"
            )
    flat = _flat_allowances(result)
    if flat:
        print("flat allowances (the same points for every agent: their weight pays for no difference):")
        for plan, items in flat.items():
            print(f"  {plan}: {', '.join(items)}")
    if args.replications < MIN_MONTHS:
        print(
            f"note: validity and luck share rest on {args.replications} month(s) per sample; with fewer "
            f"than {MIN_MONTHS} they are mostly noise (use --replications 8 or more)"
        )
    print(f"wrote {args.out}: pareto.csv, pareto.png, plans/*.yaml, holdout.csv, components.csv")
    return 0


def _flat_allowances(result) -> dict[str, list[str]]:
    """Chosen plan -> ``component (role) N points`` for every scored component worth points that
    pays every agent the same (``component_spread``)."""
    from kpisim.analysis.design import component_spread
    from kpisim.policy.definitions import ALL

    parts = component_spread(result)
    flat = parts[(parts["plan"] != "base") & (parts["worth_points"] > 0) & (parts["spread_points"] == 0)]
    out: dict[str, list[str]] = {}
    for r in flat.itertuples():
        out.setdefault(str(r.plan), []).append(
            f"{r.component}{'' if r.role == ALL else f' ({r.role})'} {r.worth_points:g} points"
        )
    return out
