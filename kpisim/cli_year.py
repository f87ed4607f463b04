"""``kpisim year``: one team carried month to month under a plan (or a plan timeline).

Kept out of ``cli.py`` (thin like it: parse, call ``kpisim.analysis.year``, write, print).
"""

from __future__ import annotations

import argparse

from kpisim import cli_args as A
from kpisim import cli_help as H


def add_parser(sub) -> None:
    """Register the ``year`` subcommand on ``sub`` (the CLI's subparsers)."""
    y = H.subcommand(
        sub, "year", "a year under the plan: consequences, attrition, hiring, learning (docs/time.md)"
    )
    y.add_argument("scenario", help="scenario YAML file (its tenure: and turnover: settings apply)")
    y.add_argument(
        "--policy",
        required=True,
        metavar="P.yaml",
        help="a policy, or a timeline file of policy versions with the months they pay from",
    )
    y.add_argument("--months", type=A.positive_int, default=12, help="months per simulated year (default 12)")
    y.add_argument(
        "--replications",
        type=A.positive_int,
        default=1,
        help="independent years of the same starting team (default 1)",
    )
    y.add_argument("--seed", type=A.seed, default=1, help="random seed; same seed, same output")
    y.add_argument("--jobs", type=A.positive_int, default=1, help="worker processes across years (default 1)")
    y.add_argument(
        "--alerts",
        metavar="RULES.yaml",
        help="coaching alert rules (e.g. scenarios/alerts/s4_coaching.yaml) judged over the whole run "
        "against the hidden declines (alert_evaluation.csv, a section of year.html)",
    )
    y.add_argument("--out", required=True, metavar="DIR", help="output directory (CSVs, figures, year.html)")
    H.add_quiet(y)
    y.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kpisim.analysis.year import simulate_year
    from kpisim.analysis.year.run import MAX_MONTHS
    from kpisim.errors import KpisimError
    from kpisim.io.atomic import check_output_dir
    from kpisim.policy.alerts_models import load_alerts
    from kpisim.policy.timeline import load_plan
    from kpisim.report.year_page import write_year
    from kpisim.scenario.models import load_scenario

    check_output_dir(args.out)  # before simulating
    if args.months > MAX_MONTHS:  # before loading and simulating
        raise KpisimError(f"--months must be within 1-{MAX_MONTHS}, got {args.months}")
    scenario = load_scenario(args.scenario)
    plan = load_plan(args.policy)
    rules = load_alerts(args.alerts) if args.alerts else None  # checked before simulating
    year = simulate_year(
        scenario,
        plan,
        months=args.months,
        seed=args.seed,
        replications=args.replications,
        jobs=args.jobs,
        progress=H.progress_mode(args),
        alert_rules=rules,
    )
    out = write_year(year, args.out)
    t = year.turnover_cost().drop(columns="replication").mean()
    q = year.rule_quality().set_index("rule")
    cur = year.currency
    print(
        f"{year.months} months x {year.replications} year(s): eliminated {t['eliminated']:.1f}, resigned "
        f"{t['resigned']:.1f}, hires {t['hires']:.1f} per year-run; attrition {100 * t['attrition_rate']:.0f} %/year"
    )
    wrong = q.loc["eliminated", "wrong_share"]
    if q.loc["eliminated", "decisions"]:
        print(f"false eliminations (true contribution above the median): {100 * wrong:.0f} %")
    print(f"cost of turnover: {t['turnover_cost_cents'] / 100:,.0f} {cur} per year-run")
    if rules is not None:
        ev = year.evaluate_alerts()
        print(
            f"coaching alerts ({rules.id}): "
            + "; ".join(
                f"{r.rule} {r.false_alarms_per_agent_month:.2f} false alarms per agent-month, "
                f"{r.detected} of {r.declines} declines caught"
                for r in ev.itertuples()
            )
        )
    print(f"report: {out}/year.html")
    return 0
