"""Command-line interface: a thin layer over the public API.

Every ``KpisimError`` becomes one line on stderr and exit code 2 (no traceback).
Outputs are written atomically (temp file or directory, then rename); an output directory is
replaced whole, and only if it is an earlier kpisim output (``manifest.json``) or empty.
"""

from __future__ import annotations

import argparse
import os
import sys

from kpisim import cli_args as A
from kpisim import cli_help as H
from kpisim.cli_files import (
    _FILL,
    _cmd_kpis,
    _cmd_score,
    _cmd_simulate,
    _cmd_validate,
    write_table_atomic,
)
from kpisim.cli_studies import _cmd_compare, _cmd_staffing
from kpisim.errors import KpisimError

__all__ = ["Parser", "UsageError", "build_parser", "main", "write_table_atomic"]


class UsageError(Exception):
    """A bad command line (argparse's message, naming the option)."""


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (no usage block) and exit code 2, like
    every other error of the CLI; ``main`` prints them. Subcommand parsers share the class."""

    def error(self, message: str):
        raise UsageError(f"{self.prog.split(' ', 1)[-1]}: {message}" if " " in self.prog else message)


def build_parser() -> argparse.ArgumentParser:
    import kpisim

    p = Parser(
        prog="kpisim",
        description="Test a contact-centre scorecard or bonus plan on simulated months before rolling it out.",
        epilog="Run 'kpisim COMMAND --help' for a command's options and examples. Documentation: README.md, docs/.",
        formatter_class=H.Formatter,
    )
    p.add_argument("--version", action="version", version=f"kpisim {kpisim.__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def cmd(name: str, help: str) -> argparse.ArgumentParser:
        return H.subcommand(sub, name, help)

    s = cmd("simulate", "simulate a scenario and write its event log")
    s.add_argument("scenario", help="scenario YAML file (e.g. scenarios/shop_chat.yaml)")
    s.add_argument("--seed", metavar="N", type=A.seed, default=1, help="random seed; same seed, same output")
    s.add_argument(
        "--replications", metavar="R", type=A.positive_int, default=1, help="simulated months (replications)"
    )
    s.add_argument(
        "--population",
        choices=("fixed", "redraw"),
        default="fixed",
        help="fixed (default): the same agents every replication; redraw: new agents each time",
    )
    s.add_argument(
        "--out",
        metavar="DIR",
        help="run directory to write (Parquet + manifest.json); default: print a summary only",
    )
    s.add_argument(
        "--jobs",
        metavar="J",
        type=A.positive_int,
        help="worker processes (default: 1, this process; with --scheduler local: Dask workers, default 2)",
    )
    A.add_scheduler(s)
    _allow_large(s)
    s.set_defaults(func=_cmd_simulate)

    v = cmd("validate", "check a scenario or policy file")
    v.add_argument("file", help="scenario or policy YAML file")
    v.add_argument(
        "--encoding", metavar="NAME", help="the file's text encoding (default: UTF-8, else GB18030)"
    )
    v.set_defaults(func=_cmd_validate)

    k = cmd("kpis", "compute KPI tables from a run directory or an export")
    k.add_argument("source", help="run directory or CSV/Parquet export")
    k.add_argument(
        "--by",
        action="append",
        help="grouping column, repeatable or comma-separated: agent_id, team, shift, "
        "tenure_group, queue, channel, or centre (whole centre); default agent_id",
    )
    k.add_argument("--period", default="month", help="interval, day, week or month")
    k.add_argument(
        "--interval-min",
        metavar="MIN",
        type=A.positive_int,
        default=30,
        help="length of an interval period, minutes",
    )
    k.add_argument(
        "--metric", action="append", help="metric key to compute (repeatable; docs/metrics.md); default all"
    )
    k.add_argument(
        "--definitions",
        metavar="YAML",
        help="YAML: metric -> {parameter: value}, e.g. service_level: {threshold_s: 30}",
    )
    k.add_argument("--mapping", metavar="YAML", help="column-mapping YAML for an export (docs/import.md)")
    k.add_argument(
        "--roster", metavar="FILE", help="agents roster CSV/Parquet for an export (checks unknown agents)"
    )
    k.add_argument("--quarantine", metavar="CSV", help="write bad export rows to this CSV and go on")
    k.add_argument(
        "--encoding", metavar="NAME", help="the export's text encoding (default: UTF-8, else GB18030)"
    )
    k.add_argument("--out", metavar="FILE", required=True, help="table to write, .csv or .parquet")
    k.set_defaults(func=_cmd_kpis)

    sc = cmd("score", "score and pay a run or KPI table under a policy")
    sc.add_argument("source", help="run directory or KPI table (.csv/.parquet)")
    sc.add_argument("--policy", metavar="YAML", required=True, help="policy YAML file (scorecard + pay plan)")
    sc.add_argument("--inputs", metavar="FILE", help="extra per-agent inputs (e.g. manager ratings), CSV")
    sc.add_argument("--out", metavar="FILE", required=True, help="table to write, .csv or .parquet")
    sc.add_argument("--fill-missing", action="store_true", help=_FILL)
    sc.set_defaults(func=_cmd_score)

    c = cmd("compare", "compare policies on the same simulated months")
    c.add_argument("scenario", help="scenario YAML file")
    c.add_argument(
        "--policy",
        metavar="YAML",
        action="append",
        required=True,
        help="a policy YAML file; repeat for each plan (named by file stem on the command line, by its name in the report)",
    )
    c.add_argument(
        "--baseline",
        metavar="STEM",
        help="file stem of the plan to compare against (default: the first --policy)",
    )
    c.add_argument(
        "--replications",
        metavar="R",
        type=A.positive_int,
        default=4,
        help="simulated months; 16 or more to judge luck and rank stability",
    )
    c.add_argument("--seed", metavar="N", type=A.seed, default=1, help="random seed; same seed, same output")
    H.add_money(
        c,
        "budget",
        dest="budget_cents",
        help="monthly payout budget in currency units (e.g. 150000): the report gives the share of months over it",
        cents_type=A.cents,
    )
    H.add_money(
        c,
        "threshold",
        dest="threshold_cents",
        default_cents=5000,
        help="winners/losers: a pay change larger than this, in currency units a month",
        cents_type=A.cents,
    )
    c.add_argument("--jobs", metavar="J", type=A.positive_int, help="worker processes (default: all cores)")
    A.add_scheduler(c)
    c.add_argument(
        "--tables",
        choices=("csv", "parquet"),
        default="csv",
        help="format of the per-row tables (kpis, scores, pay, agents); parquet for large studies",
    )
    c.add_argument(
        "--inputs",
        metavar="FILE",
        help="the policies' declared inputs (manager ratings, levels) per agent_id, CSV or "
        "Parquet; missing ones get a neutral value equal for every agent",
    )
    c.add_argument(
        "--levers",
        action="store_true",
        help="also simulate the behaviour levers (rush, sales push, cherry-pick) and report their pay effect",
    )
    c.add_argument(
        "--behaviour",
        choices=["none", "equilibrium"],
        default="none",
        help="equilibrium: agents choose tactics that raise pay - cost; writes behaviour.csv and "
        "consequences.csv beside the report (docs/behaviour.md)",
    )
    c.add_argument(
        "--behaviour-params", metavar="YAML", help="tactic effects, costs, detection (docs/behaviour.md)"
    )
    c.add_argument(
        "--behaviour-rounds",
        metavar="N",
        type=A.positive_int,
        help="most best-response rounds of the equilibrium search (default 25)",
    )
    c.add_argument(
        "--out", metavar="DIR", required=True, help="output directory (report.html, CSV, PNG, manifest.json)"
    )
    c.add_argument("--fill-missing", action="store_true", help=_FILL)
    H.add_quiet(c)
    _allow_large(c)
    c.set_defaults(func=_cmd_compare)

    st = cmd("staffing", "staffing vs response time: headcount sweep, Erlang requirement per interval")
    st.add_argument("scenario", help="scenario YAML file")
    st.add_argument(
        "--headcounts",
        metavar="N,N,...",
        type=A.headcounts,
        help="total headcounts to simulate, e.g. 30,36,42 (default: six from 80 %% of the smaller "
        "to 125 %% of the larger of today's headcount and the Erlang requirement)",
    )
    st.add_argument(
        "--target-sl",
        metavar="FRACTION",
        type=A.fraction,
        help="service-level target in (0, 1) (default 0.8 unless only --max-abandon is given)",
    )
    st.add_argument(
        "--threshold-s",
        metavar="SECONDS",
        type=A.seconds,
        default=20.0,
        help="service-level threshold, seconds (default 20): answered within it / offered",
    )
    st.add_argument(
        "--max-abandon",
        metavar="FRACTION",
        type=A.fraction,
        help="highest allowed abandonment, in (0, 1) (default: none)",
    )
    st.add_argument(
        "--replications",
        metavar="R",
        type=A.positive_int,
        default=3,
        help="simulated runs per headcount (default 3)",
    )
    st.add_argument("--seed", metavar="N", type=A.seed, default=1, help="random seed; same seed, same output")
    st.add_argument(
        "--days",
        metavar="DAYS",
        type=A.positive_int,
        help="simulate only the first DAYS days of the scenario (quicker; default: all)",
    )
    H.add_money(
        st,
        "hourly-cost",
        dest="hourly_cost_cents",
        help="labour cost per logged-in agent hour, in currency units (default 30)",
        cents_type=A.cents,
    )
    st.add_argument("--jobs", metavar="J", type=A.positive_int, help="worker processes (default: all cores)")
    A.add_scheduler(st)
    st.add_argument(
        "--out",
        metavar="DIR",
        required=True,
        help="output directory (CSV, PNG, staffing.html, manifest.json)",
    )
    st.add_argument(
        "--policy",
        metavar="YAML",
        action="append",
        help="a pay plan (policy YAML file, as for compare); repeat for each: adds pay per agent by headcount",
    )
    st.add_argument(
        "--inputs",
        metavar="FILE",
        help="the policies' declared inputs per agent_id, CSV or Parquet (as for compare)",
    )
    st.add_argument("--fill-missing", action="store_true", help=_FILL)
    H.add_quiet(st)
    _allow_large(st)
    st.set_defaults(func=_cmd_staffing)

    from kpisim import cli_design

    cli_design.add_parser(sub)

    from kpisim import cli_alerts

    cli_alerts.add_parser(sub)
    from kpisim import cli_year

    cli_year.add_parser(sub)

    from kpisim.cli_calibrate import add_calibrate

    add_calibrate(sub)

    sch = cmd("schema", "print the JSON Schema of scenario or policy YAML files (for editor completion)")
    sch.add_argument("kind", choices=("scenario", "policy", "alerts"), help="which file type")
    sch.set_defaults(func=H.cmd_schema)
    return p


def _allow_large(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-large",
        action="store_true",
        help="run even when the estimated size (contacts, memory, agents) is beyond the usual "
        "limits (docs/scenario.md, Run size)",
    )


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every temporary output is removed on the way out."""


def _on_sigterm(signum, frame):  # pragma: no cover - exercised in a subprocess
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kpisim`` command.

    Exit codes: 0 done, 2 a ``KpisimError`` or a bad option (one line on stderr), 130
    interrupted (Ctrl-C), 143 terminated (SIGTERM); output is written whole or not at all,
    either way. A closed stdout (``kpisim simulate ... | head``) ends the command quietly (141).
    """
    import signal
    import threading

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        args = build_parser().parse_args(argv)
        if getattr(args, "allow_large", False):
            from kpisim.sim.size import large_runs_allowed

            with large_runs_allowed():
                return args.func(args)
        return args.func(args)
    except UsageError as exc:
        print(f"kpisim: error: {exc}", file=sys.stderr)
        return 2
    except KpisimError as exc:
        print(f"kpisim: error: {' '.join(str(exc).splitlines())}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (| head): say nothing, and keep Python from complaining at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt as exc:
        what = "terminated" if isinstance(exc, Terminated) else "interrupted"
        print(f"kpisim: {what}; nothing was written", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
