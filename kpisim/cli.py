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

    if args.out:
        check_output_dir(args.out)  # before simulating
    scenario = load_scenario(args.scenario)
    log = simulate(scenario, seed=args.seed, replications=args.replications, population=args.population)
    if args.out:
        save_run(log, args.out)
        print(f"wrote {args.out} ({len(log.contacts)} contacts, {args.replications} replication(s))")
    print(summary(log).to_string())
    return 0


# --- validate ---------------------------------------------------------------------------------
def _cmd_validate(args: argparse.Namespace) -> int:
    from kpisim.io.load import load_yaml

    data = load_yaml(args.file)
    if "scorecard" in data or data.get("kind") == "policy":
        from kpisim.policy import load_policy

        load_policy(args.file)
        print(f"{args.file}: valid policy")
    else:
        from kpisim.scenario.models import load_scenario

        load_scenario(args.file)
        print(f"{args.file}: valid scenario")
    return 0


# --- kpis (KPI engine) ------------------------------------------------------------------------
def _cmd_kpis(args: argparse.Namespace) -> int:
    from kpisim.io.eventlog import load_run
    from kpisim.io.importer import import_log
    from kpisim.io.load import load_yaml
    from kpisim.kpi.compute import kpis
    from kpisim.provenance import MANIFEST

    if Path(args.out).suffix.lower() not in (".csv", ".parquet"):
        raise KpisimError(
            f"--out {args.out}: unsupported extension {Path(args.out).suffix!r}; use .csv or .parquet"
        )
    src = Path(args.source)
    if src.is_dir():
        if not (src / MANIFEST).is_file():
            raise KpisimError(
                f"{src}: a directory without {MANIFEST}, so not a run directory; "
                "give a run directory or a CSV/Parquet export"
            )
        given = [o for o in ("mapping", "roster", "quarantine") if getattr(args, o)]
        if given:
            raise KpisimError(f"--{given[0]} applies to exports, not to the run directory {src}")
        log = load_run(src)
    else:
        log = import_log(src, mapping=args.mapping, agents=args.roster, quarantine=args.quarantine)
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
_BEHAVIOUR = (
    "equilibrium: agents choose tactics that raise pay - cost; writes behaviour.csv, consequences.csv"
)


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
    comp = compare(
        scenario,
        policies,
        baseline=args.baseline,
        replications=args.replications,
        seed=args.seed,
        jobs=args.jobs,
        progress=sys.stderr.isatty(),
        inputs=inputs,
        fill_missing=args.fill_missing,
    )
    if args.inputs:
        comp.meta["input_files"] = {"inputs": InputFile.of(args.inputs)}
    levers = comp.lever_effects(jobs=args.jobs, progress=sys.stderr.isatty()) if args.levers else None
    files = write_comparison(
        comp, args.out, budget_cents=args.budget_cents, threshold_cents=args.threshold_cents, levers=levers
    )
    cost = comp.cost()
    for _, r in cost.iterrows():
        print(
            f"{r['policy']}: {r['total_cents'] / 100:,.2f} {comp.currency}/month "
            f"[{r['total_cents_lo'] / 100:,.2f}, {r['total_cents_hi'] / 100:,.2f}]"
        )
    filled = comp.meta.get("filled_inputs") or {}
    if filled:
        print(
            f"note: policy inputs not supplied (--inputs) and set equal for every agent: {', '.join(sorted(filled))}"
        )
    print(f"report: {files['report']}")
    if args.behaviour == "equilibrium":
        from kpisim.analysis.behaviour.cli import run_behaviour

        run_behaviour(scenario, policies, args, inputs)
    return 0


# --- staffing (analysis) ----------------------------------------------------------------------


def _cmd_staffing(args: argparse.Namespace) -> int:
    import pandas as pd

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
    out = Path(args.out)
    check_output_dir(out)
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
    study = study_staffing(
        scenario,
        headcounts=headcounts,
        target_sl=args.target_sl,
        max_abandon=args.max_abandon,
        threshold_s=args.threshold_s,
        replications=args.replications,
        seed=args.seed,
        jobs=args.jobs,
        progress=sys.stderr.isatty(),
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
    report.write_staffing(sweep, out, required=required, check=check, manifest=manifest)

    want = " and ".join(
        ([f"service level >= {target_sl:g} at {threshold_s:g} s"] if target_sl is not None else [])
        + ([f"abandonment <= {max_abandon:g}"] if max_abandon is not None else [])
    )
    for _, r in sweep.iterrows():
        print(
            f"{int(r['agents'])} agents: service level {r['service_level']:.3f} "
            f"[{r['service_level_lo']:.3f}, {r['service_level_hi']:.3f}], ASA {r['asa_s']:.1f} s, "
            f"abandoned {r['abandon_rate']:.3f}, occupancy {r['occupancy']:.3f}"
            + (
                ""
                if pd.isna(r["erlang_a_service_level"])
                else f"; Erlang A service level {r['erlang_a_service_level']:.3f}"
            )
        )
    best = study.recommended
    print(
        f"target: {want}; smallest swept headcount whose simulated mean meets it: "
        + (str(best) if best is not None else "none")
    )
    if check is not None:
        c = check.iloc[0]
        erlang_headcount = study.erlang_headcount
        print(
            f"Erlang: {study.peak_required} agents must be logged in during the busiest interval"
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
    p = Parser(prog="kpisim", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("simulate", help="simulate a scenario and write its event log")
    s.add_argument("scenario", help="scenario YAML file")
    s.add_argument("--seed", type=A.seed, default=1)
    s.add_argument("--replications", type=A.positive_int, default=1)
    s.add_argument(
        "--population",
        choices=("fixed", "redraw"),
        default="fixed",
        help="fixed (default): the same agents every replication; redraw: new agents each time",
    )
    s.add_argument("--out", help="run directory to write (Parquet + manifest.json)")
    s.set_defaults(func=_cmd_simulate)

    v = sub.add_parser("validate", help="check a scenario or policy file")
    v.add_argument("file")
    v.set_defaults(func=_cmd_validate)

    k = sub.add_parser("kpis", help="compute KPI tables from a run directory or an export")
    k.add_argument("source", help="run directory or CSV/Parquet export")
    k.add_argument(
        "--by",
        action="append",
        help="grouping column, repeatable or comma-separated: agent_id, team, shift, "
        "tenure_group, queue, channel, or centre (whole centre); default agent_id",
    )
    k.add_argument("--period", default="month", help="interval, day, week or month")
    k.add_argument(
        "--interval-min", type=A.positive_int, default=30, help="length of an interval period, minutes"
    )
    k.add_argument("--metric", action="append", help="metric key to compute (repeatable); default all")
    k.add_argument(
        "--definitions", help="YAML: metric -> {parameter: value}, e.g. service_level: {threshold_s: 30}"
    )
    k.add_argument("--mapping", help="column-mapping YAML for an export (docs/import.md)")
    k.add_argument("--roster", help="agents roster CSV/Parquet for an export (checks unknown agents)")
    k.add_argument("--quarantine", help="write bad export rows to this CSV and go on")
    k.add_argument("--out", required=True, help=".csv or .parquet")
    k.set_defaults(func=_cmd_kpis)

    sc = sub.add_parser("score", help="score and pay a run or KPI table under a policy")
    sc.add_argument("source", help="run directory or KPI table (.csv/.parquet)")
    sc.add_argument("--policy", required=True)
    sc.add_argument("--inputs", help="extra per-agent inputs (e.g. manager ratings), CSV")
    sc.add_argument("--out", required=True, help=".csv or .parquet")
    sc.add_argument("--fill-missing", action="store_true", help=_FILL)
    sc.set_defaults(func=_cmd_score)

    c = sub.add_parser("compare", help="compare policies on the same simulated months")
    c.add_argument("scenario")
    c.add_argument("--policy", action="append", required=True)
    c.add_argument("--baseline")
    c.add_argument("--replications", type=A.positive_int, default=4)
    c.add_argument("--seed", type=A.seed, default=1)
    c.add_argument("--budget-cents", type=A.cents, help="monthly budget, cents: report P(total > budget)")
    c.add_argument("--threshold-cents", type=A.cents, default=5000, help="winners/losers threshold, cents")
    c.add_argument("--jobs", type=A.positive_int, help="worker processes (default: all cores)")
    c.add_argument(
        "--inputs",
        help="the policies' declared inputs (manager ratings, levels) per agent_id, CSV or "
        "Parquet; missing ones get a neutral value equal for every agent",
    )
    c.add_argument(
        "--levers",
        action="store_true",
        help="also simulate the behaviour levers (rush, sales push, cherry-pick) and report their pay effect",
    )
    c.add_argument("--behaviour", choices=["none", "equilibrium"], default="none", help=_BEHAVIOUR)
    c.add_argument("--behaviour-params", help="tactic effects, costs, detection (YAML, docs/behaviour.md)")
    c.add_argument("--out", required=True)
    c.add_argument("--fill-missing", action="store_true", help=_FILL)
    c.set_defaults(func=_cmd_compare)

    st = sub.add_parser(
        "staffing", help="staffing vs response time: headcount sweep, Erlang requirement per interval"
    )
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
        "--max-abandon", metavar="FRACTION", type=A.fraction, help="highest allowed abandonment, in (0, 1)"
    )
    st.add_argument(
        "--replications",
        metavar="R",
        type=A.positive_int,
        default=3,
        help="simulated runs per headcount (default 3)",
    )
    st.add_argument("--seed", metavar="N", type=A.seed, default=1)
    st.add_argument(
        "--days",
        metavar="DAYS",
        type=A.positive_int,
        help="simulate only the first DAYS days of the scenario (quicker)",
    )
    st.add_argument(
        "--hourly-cost-cents",
        metavar="CENTS",
        type=A.cents,
        help="labour cost per logged-in hour (default 3000)",
    )
    st.add_argument("--jobs", metavar="J", type=A.positive_int, help="worker processes (default: all cores)")
    st.add_argument(
        "--out",
        metavar="DIR",
        required=True,
        help="output directory (CSV, PNG, staffing.html, manifest.json)",
    )
    st.set_defaults(func=_cmd_staffing)

    from kpisim.cli_calibrate import add_calibrate

    add_calibrate(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kpisim`` command."""
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except UsageError as exc:
        print(f"kpisim: error: {exc}", file=sys.stderr)
        return 2
    except KpisimError as exc:
        print(f"kpisim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kpisim: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
