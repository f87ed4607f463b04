"""``kpisim alerts``: the coaching alerts a rules file raises on a saved run.

Kept out of ``cli.py`` (thin like it: parse, call ``kpisim.analysis.alerts``, print).
"""

from __future__ import annotations

import argparse

from kpisim.vocab import ALERT_LEVELS

AGENT = ALERT_LEVELS[0]
#: alerts printed on the terminal; all of them go to --out
SHOWN = 40


def add_parser(sub) -> None:
    """Register the ``alerts`` subcommand on ``sub`` (the CLI's subparsers)."""
    from kpisim.cli_help import subcommand

    a = subcommand(sub, "alerts", "list the coaching alerts a rules file raises on a saved run")
    a.add_argument("run", help="run directory written by kpisim simulate --out")
    a.add_argument(
        "--rules",
        required=True,
        metavar="RULES.yaml",
        help="alert rules (e.g. scenarios/alerts/s4_coaching.yaml)",
    )
    a.add_argument(
        "--out",
        metavar="DIR",
        help="directory to write alerts.csv (and, when the run has hidden declines, evaluation.csv "
        "and alert_tradeoff.png); default: print only",
    )
    a.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kpisim.analysis.alerts import alerts, evaluate_alerts
    from kpisim.io.atomic import check_output_dir
    from kpisim.io.eventlog import load_run
    from kpisim.policy.alerts_models import load_alerts

    if args.out is not None:
        check_output_dir(args.out)  # before any work
    rules = load_alerts(args.rules)
    log = load_run(args.run)
    table = alerts(log, rules)
    evaluation = evaluate_alerts(log, rules) if len(log.declines) else None
    agents = int((table["level"] == AGENT).sum())
    print(
        f"{len(table)} alert(s) from {len(rules.rules)} rule(s) of {rules.id} on {args.run}: "
        f"{agents} on agents, {len(table) - agents} on teams"
    )
    if len(table):
        print(_format(table.head(SHOWN)).to_string(index=False))
        if len(table) > SHOWN:
            print(
                f"... and {len(table) - SHOWN} more"
                + (f" (all in {args.out}/alerts.csv)" if args.out else " (--out DIR writes them all)")
            )
    if evaluation is not None:
        print("\nAgainst the run's hidden declines (simulation truth):")
        print(_format_eval(evaluation).to_string(index=False))
    if args.out is not None:
        from kpisim.report.alerts_output import write_alerts

        manifest = {
            k: log.manifest.get(k)
            for k in ("scenario_id", "scenario_sha256", "source_path", "seed", "replications")
        }
        written = write_alerts(
            table, args.out, evaluation=evaluation, manifest={**manifest, "rules": rules.id}
        )
        print(f"wrote {args.out}: {', '.join(sorted(p.rsplit('/', 1)[-1] for p in written.values()))}")
    return 0


def _format(table):
    """Words for headers, dates as dates, values rounded."""
    import pandas as pd

    who = table["agent_id"].astype(object).where(table["level"] == AGENT, "team " + table["team"].astype(str))
    return pd.DataFrame(
        {
            "replication": table["replication"],
            "date": pd.to_datetime(table["period"]).dt.strftime("%Y-%m-%d"),
            "who": who,
            "rule": table["rule"],
            "metric": table["metric"],
            "value": table["value"].map(lambda v: f"{v:.3g}"),
            "statistic": table["statistic"].map(lambda v: f"{v:.2f}"),
            "limit": table["limit"].map(lambda v: f"{v:.2f}"),
        }
    )


def _format_eval(ev):
    import pandas as pd

    return pd.DataFrame(
        {
            "rule": ev["rule"],
            "false alarms per agent-month": ev["false_alarms_per_agent_month"].map(lambda v: f"{v:.2f}"),
            "declines": ev["declines"],
            "missed": ev["missed_share"].map(lambda v: "-" if pd.isna(v) else f"{v:.0%}"),
            "mean delay (days)": ev["mean_delay_days"].map(lambda v: "-" if pd.isna(v) else f"{v:.1f}"),
        }
    )
