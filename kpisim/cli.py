"""Command-line interface: a thin layer over the public API.

Every ``KpisimError`` becomes one line on stderr and exit code 2 (no traceback).
Outputs are written atomically (temp file or directory, then rename); an output directory is
replaced whole, and only if it is an earlier kpisim output (``manifest.json``) or empty.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from kpisim import cli_args as A
from kpisim import cli_help as H
from kpisim.errors import KpisimError
from kpisim.provenance import SIDECAR_SUFFIX, InputFile, Manifest


def write_table_atomic(df, out: str | os.PathLike, manifest: Manifest | Mapping | None = None) -> Path:
    """Write a DataFrame to ``--out`` (.csv or .parquet by extension), atomically, and its
    provenance (a :class:`kpisim.provenance.Manifest`, or its flat dict form, plus the row
    count) to ``<out>.manifest.json``.

    The manifest is serialised before anything is written, and the two files replace their
    targets together: a failure leaves both the earlier table and its sidecar as they were."""
    from kpisim.io.atomic import TABLE_SUFFIXES, write_table

    if Path(out).suffix.lower() not in TABLE_SUFFIXES:
        raise KpisimError(
            f"--out {out}: unsupported extension {Path(out).suffix.lower()!r}; use .csv or .parquet"
        )
    alongside = {}
    if manifest is not None:
        m = manifest if isinstance(manifest, Manifest) else Manifest.from_dict(manifest)
        alongside[Path(f"{out}{SIDECAR_SUFFIX}")] = m.with_details(rows=len(df)).to_json_bytes()
    write_table(df, out, alongside=alongside)
    return Path(out)


def _check_table_out(out: str) -> None:
    """A table ``--out`` is checked before anything is computed: extension and writability."""
    from kpisim.io.atomic import check_writable

    check_writable(out)
    if Path(out).suffix.lower() not in (".csv", ".parquet"):
        raise KpisimError(f"--out {out!r}: unsupported extension {Path(out).suffix!r}; use .csv or .parquet")
    check_writable(f"{out}.manifest.json")


def _from_run(manifest: Mapping) -> dict:
    """The scenario, seed and replications a run's (or import's) manifest records, to carry on."""
    keep = ("scenario_id", "scenario_sha256", "source_path", "derived_from", "seed", "replications")
    return {k: manifest.get(k) for k in keep}


# --- simulate ---------------------------------------------------------------------------------
def _cmd_simulate(args: argparse.Namespace) -> int:
    from kpisim.io.atomic import check_output_dir
    from kpisim.io.eventlog import save_run
    from kpisim.scenario.models import load_scenario
    from kpisim.sim.run import simulate, summary

    if args.out is not None:
        check_output_dir(args.out)  # before simulating
    scenario = load_scenario(args.scenario)
    log = simulate(
        scenario,
        seed=args.seed,
        replications=args.replications,
        population=args.population,
        allow_large=args.allow_large,
    )
    if args.out is not None:
        save_run(log, args.out)
        print(f"wrote {args.out} ({len(log.contacts)} contacts, {args.replications} replication(s))")
    print(summary(log).to_string())
    return 0


# --- validate ---------------------------------------------------------------------------------
def _cmd_validate(args: argparse.Namespace) -> int:
    from kpisim.errors import SpecError
    from kpisim.io.load import load_yaml, spec_kind

    data = load_yaml(args.file, encoding=args.encoding)
    kind = spec_kind(data)
    explicit = "scorecard" in data or "kind" in data
    try:
        if kind == "policy":
            from kpisim.policy import load_policy

            load_policy(args.file, encoding=args.encoding)
        else:
            from kpisim.scenario.models import load_scenario

            load_scenario(args.file, encoding=args.encoding)
    except SpecError as exc:
        if kind is None or explicit or exc.message.startswith("looks like"):
            raise
        raise SpecError(exc.file, exc.field, f"looks like a {kind}: {exc.message}") from None
    print(f"{args.file}: valid {kind or 'scenario'}")
    return 0


# --- kpis (KPI engine) ------------------------------------------------------------------------
def _cmd_kpis(args: argparse.Namespace) -> int:
    from kpisim.io.eventlog import load_run
    from kpisim.io.importer import import_log
    from kpisim.io.load import load_yaml
    from kpisim.kpi.compute import kpis
    from kpisim.provenance import MANIFEST

    _check_table_out(args.out)
    src = Path(args.source)
    if src.is_dir():
        if not (src / MANIFEST).is_file():
            raise KpisimError(
                f"{src}: a directory without {MANIFEST}, so not a run directory; "
                "give a run directory or a CSV/Parquet export"
            )
        given = [o for o in ("mapping", "roster", "quarantine", "encoding") if getattr(args, o)]
        if given:
            raise KpisimError(f"--{given[0]} applies to exports, not to the run directory {src}")
        log = load_run(src)
    else:
        log = import_log(
            src, mapping=args.mapping, agents=args.roster, quarantine=args.quarantine, encoding=args.encoding
        )
    by = tuple(b for spec in (args.by or ["agent_id"]) for b in spec.split(",") if b)
    by = () if by in (("centre",), ("none",)) else by
    definitions = None
    if args.definitions:
        data = load_yaml(args.definitions)
        definitions = data.get("definitions", data)
    table = kpis(
        log,
        by=by,
        period=args.period,
        definitions=definitions,
        metrics=args.metric,
        interval_min=args.interval_min,
    )
    files = {"source": src, "definitions": args.definitions, "mapping": args.mapping, "roster": args.roster}
    manifest = Manifest(
        command="kpis",
        **_from_run(log.manifest),
        definitions=definitions or {},
        input_files={role: InputFile.of(path) for role, path in files.items() if path},
        details={
            "source_manifest": log.manifest,
            "by": list(by),
            "period": args.period,
            "interval_min": args.interval_min,
            "metrics": args.metric,
        },
    )
    write_table_atomic(table, args.out, manifest)
    print(f"wrote {args.out}: {len(table)} row(s), by {', '.join(by) or 'centre'}, period {args.period}")
    q = log.manifest.get("rows_quarantined")
    if q:
        print(f"quarantined {q} bad row(s) of {log.manifest['rows_in']} to {log.manifest['quarantine']}")
    return 0


# --- score (policies) -------------------------------------------------------------------------
_FILL = "fill metrics without data (e.g. no attendance table) with the policy's declared neutral values, listed in every output"


def _cmd_score(args: argparse.Namespace) -> int:
    import pandas as pd

    from kpisim.policy import load_policy
    from kpisim.policy.definitions import definitions_used, kpis_for
    from kpisim.policy.inputs import attach_inputs, read_table
    from kpisim.provenance import MANIFEST

    _check_table_out(args.out)
    policy = load_policy(args.policy)
    src = Path(args.source)
    if src.is_dir():
        if not (src / MANIFEST).is_file():
            raise KpisimError(f"{src}: not a run directory (no {MANIFEST}); pass a run or a KPI table")
        from kpisim.io.eventlog import load_run

        try:
            from kpisim.kpi.compute import kpis
        except ImportError:  # pragma: no cover - the KPI engine is part of kpisim
            raise KpisimError(
                "computing KPIs from a run needs kpisim.kpi.compute; pass a KPI table"
            ) from None
        log = load_run(src)
        run = _from_run(log.manifest)
        table = kpis_for(log, policy, kpis=kpis)  # with the policy's metric definitions
    else:
        run = {}
        table = read_table(src)
    if args.inputs:
        table = attach_inputs(table, read_table(args.inputs), file=args.inputs)
    scores = policy.score(table, fill_missing=args.fill_missing)
    payouts = policy.pay(scores, table)
    out = pd.concat(
        [scores, payouts.drop(columns=[c for c in payouts.columns if c in scores.columns])], axis=1
    )
    files = {"source": src, "inputs": args.inputs}
    manifest = Manifest(
        command="score",
        **run,
        input_files={role: InputFile.of(path) for role, path in files.items() if path},
        details={
            "policy_id": policy.id,
            "policy_version": policy.version,
            "policy_definitions": definitions_used(policy),
            "filled_metrics": scores.attrs.get("kpisim", {}).get("filled", {}),
        },
    ).with_policies({Path(args.policy).stem: policy})  # named as compare names it
    write_table_atomic(out, args.out, manifest)
    paid = int(out["total_cents"].sum())
    print(
        f"wrote {args.out}: {len(out)} rows scored under {policy.id} v{policy.version}; "
        f"mean total {out['total'].mean():.2f} of {policy.max_points:g}; "
        f"total pay {paid / 100:,.2f} {policy.currency}"
    )
    return 0


# --- compare (analysis) -----------------------------------------------------------------------
def _cmd_compare(args: argparse.Namespace) -> int:
    from kpisim.analysis.compare import compare
    from kpisim.io.atomic import check_output_dir
    from kpisim.policy import load_policy
    from kpisim.report import write_comparison
    from kpisim.scenario.models import load_scenario

    check_output_dir(args.out)  # before simulating
    scenario = load_scenario(args.scenario)
    policies = {}
    for path in args.policy:
        name = Path(path).stem
        if name in policies:
            raise KpisimError(f"two policies named {name!r} (file stems must differ): {path}")
        policies[name] = load_policy(path)
    if args.baseline is not None and args.baseline not in policies:
        raise KpisimError(f"--baseline {args.baseline!r} is not one of the policies {list(policies)}")
    inputs = None
    if args.inputs:
        from kpisim.policy.inputs import read_table

        inputs = read_table(args.inputs)
    from kpisim.analysis.executors import open_executor

    with open_executor(args.scheduler, jobs=args.jobs) as ex:
        comp = compare(
            scenario,
            policies,
            baseline=args.baseline,
            replications=args.replications,
            seed=args.seed,
            jobs=args.jobs,
            executor=ex,
            progress=H.progress_mode(args),
            inputs=inputs,
            fill_missing=args.fill_missing,
        )
        if args.inputs:
            comp.meta["input_files"] = {"inputs": InputFile.of(args.inputs)}
        levers = comp.lever_effects(executor=ex, progress=H.progress_mode(args)) if args.levers else None
    if not args.quiet:
        from kpisim.progress import line

        line("writing the report (tables, figures, report.html)")
    files = write_comparison(
        comp,
        args.out,
        budget_cents=args.budget_cents,
        threshold_cents=args.threshold_cents,
        levers=levers,
        table_format=args.tables,
    )
    print(H.compare_summary(comp, threshold_cents=args.threshold_cents))
    filled = comp.meta.get("filled_inputs") or {}
    if filled:
        print(
            f"note: policy inputs not supplied (--inputs) and set equal for every agent: {', '.join(sorted(filled))}"
        )
    print(f"report: {files['report']}")
    return 0


# --- staffing (analysis) ----------------------------------------------------------------------


def _cmd_staffing(args: argparse.Namespace) -> int:
    from kpisim.analysis.staffing import (
        DEFAULT_HOURLY_COST_CENTS,
        check_headcounts,
        shorten,
        study_staffing,
    )
    from kpisim.io.atomic import check_output_dir
    from kpisim.report import html as report
    from kpisim.scenario.models import load_scenario

    # every number is range-checked by its argparse type (kpisim.cli_args) before this runs
    check_output_dir(args.out)  # as given: Path("") would be "."
    out = Path(args.out)
    scenario = load_scenario(args.scenario)
    if args.days is not None:
        try:
            scenario = shorten(scenario, args.days)
        except KpisimError as exc:
            raise KpisimError(f"--days {args.days}: {exc}") from None
    headcounts = args.headcounts
    if headcounts is not None:
        try:
            headcounts = check_headcounts(scenario, headcounts)
        except KpisimError as exc:
            raise KpisimError(f"--headcounts: {exc}") from None
    hourly = DEFAULT_HOURLY_COST_CENTS if args.hourly_cost_cents is None else args.hourly_cost_cents
    from kpisim.analysis.executors import open_executor

    with open_executor(args.scheduler, jobs=args.jobs) as ex:
        study = study_staffing(
            scenario,
            headcounts=headcounts,
            target_sl=args.target_sl,
            max_abandon=args.max_abandon,
            threshold_s=args.threshold_s,
            replications=args.replications,
            seed=args.seed,
            jobs=args.jobs,
            executor=ex,
            progress=H.progress_mode(args),
            hourly_cost_cents=hourly,
        )
    target_sl, max_abandon, threshold_s = study.target_sl, study.max_abandon, study.threshold_s
    sweep, required, check = study.sweep, study.required, study.check

    manifest = Manifest.for_scenario(
        scenario,
        command="staffing",
        seed=args.seed,
        replications=args.replications,
        details={
            "days": scenario.horizon.days,
            "headcounts": study.headcounts,
            "target_sl": target_sl,
            "threshold_s": threshold_s,
            "max_abandon": max_abandon,
            "hourly_cost_cents": hourly,
            "erlang": f"not computed: {study.no_erlang}"
            if required is None
            else "per interval (Erlang A with patience, C without)",
        },
    )
    if not args.quiet:
        from kpisim.progress import line

        line("writing the report (tables, figures, staffing.html)")
    report.write_staffing(sweep, out, required=required, check=check, manifest=manifest)

    want = " and ".join(
        ([f"service level >= {target_sl:g} at {threshold_s:g} s"] if target_sl is not None else [])
        + ([f"abandonment <= {max_abandon:g}"] if max_abandon is not None else [])
    )
    print(H.staffing_summary(study))
    best = study.recommended
    if best is None:
        print(
            f"recommended headcount: none of {study.headcounts} meets the target ({want}); simulate larger ones"
        )
    else:
        r = sweep[sweep["agents"] == best].iloc[0]
        print(
            f"recommended headcount: {best} (the smallest swept headcount whose simulated mean meets the "
            f"target: {want}; service level {r['service_level']:.1%} "
            f"[{r['service_level_lo']:.1%}, {min(1.0, r['service_level_hi']):.1%}])"
        )
    if check is not None:
        c = check.iloc[0]
        erlang_headcount = study.erlang_headcount
        print(
            f"for reference, Erlang (theory, not the recommendation): {study.peak_required} agents "
            "must be logged in during the busiest interval"
            + (
                f"; a headcount of {erlang_headcount} meets the target under the scenario's shifts"
                if erlang_headcount
                else ""
            )
        )
        print(
            f"check: simulated at a headcount of {int(c['agents'])} ({c['staffed_agents']:.1f} logged in on average): "
            f"service level {c['service_level']:.3f} [{c['service_level_lo']:.3f}, {c['service_level_hi']:.3f}], "
            f"abandoned {c['abandon_rate']:.3f} [{c['abandon_rate_lo']:.3f}, {c['abandon_rate_hi']:.3f}]; "
            f"mean meets the target: {'yes' if bool(c['meets_target']) else 'no'}; "
            f"not significantly worse (95 % CI): {'yes' if bool(c['not_significantly_worse']) else 'no'}"
        )
        print(H.narrow_hint(study))
    else:
        print(f"Erlang requirement not computed: {study.no_erlang}")
    print(f"report: {out / 'staffing.html'}")
    return 0


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
    H.add_quiet(st)
    _allow_large(st)
    st.set_defaults(func=_cmd_staffing)

    from kpisim import cli_design

    cli_design.add_parser(sub)

    from kpisim.cli_calibrate import add_calibrate

    add_calibrate(sub)

    sch = cmd("schema", "print the JSON Schema of scenario or policy YAML files (for editor completion)")
    sch.add_argument("kind", choices=("scenario", "policy"), help="which file type")
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
