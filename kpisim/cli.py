"""Command-line interface: a thin layer over the public API.

Every ``KpisimError`` becomes one line on stderr and exit code 2 (no traceback).
Outputs are written atomically (temp file or directory, then rename); an output directory is
replaced whole, and only if it is an earlier kpisim output (``manifest.json``) or empty.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kpisim.errors import KpisimError


def write_table_atomic(df, out: str | os.PathLike, manifest: dict | None = None) -> Path:
    """Write a DataFrame to ``--out`` (.csv or .parquet by extension), atomically, and its
    provenance to ``<out>.manifest.json`` (inputs' hashes, kpisim version).

    The manifest is serialised before anything is written, and the two files replace their
    targets together: a failure leaves both the earlier table and its sidecar as they were."""
    import kpisim
    from kpisim.atomic import TABLE_SUFFIXES, json_bytes, write_table

    if Path(out).suffix.lower() not in TABLE_SUFFIXES:
        raise KpisimError(
            f"--out {out}: unsupported extension {Path(out).suffix.lower()!r}; use .csv or .parquet"
        )
    alongside = {}
    if manifest is not None:
        body = {**manifest, "rows": len(df), "kpisim_version": kpisim.__version__}
        alongside[Path(f"{out}.manifest.json")] = json_bytes(body)
    write_table(df, out, alongside=alongside)
    return Path(out)


def _check_table_out(out: str) -> None:
    """A table ``--out`` is checked before anything is computed: extension and writability."""
    from kpisim.atomic import check_writable

    check_writable(out)
    if Path(out).suffix.lower() not in (".csv", ".parquet"):
        raise KpisimError(f"--out {out!r}: unsupported extension {Path(out).suffix!r}; use .csv or .parquet")
    check_writable(f"{out}.manifest.json")


def _source_hash(path: str | os.PathLike) -> str:
    """sha256 of a file, or of a run directory's manifest.json (which holds the scenario hash and seed)."""
    from kpisim.spec.load import file_sha256

    p = Path(path)
    return file_sha256(p / "manifest.json" if p.is_dir() else p)


# --- simulate ---------------------------------------------------------------------------------
def _cmd_simulate(args: argparse.Namespace) -> int:
    from kpisim.atomic import check_output_dir
    from kpisim.eventlog import save_run
    from kpisim.sim.run import simulate, summary
    from kpisim.spec.scenario import load_scenario

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
    from kpisim.spec.load import load_yaml, spec_kind

    data = load_yaml(args.file, encoding=args.encoding)
    kind = spec_kind(data)
    explicit = "scorecard" in data or "kind" in data
    try:
        if kind == "policy":
            from kpisim.policy import load_policy

            load_policy(args.file, encoding=args.encoding)
        else:
            from kpisim.spec.scenario import load_scenario

            load_scenario(args.file, encoding=args.encoding)
    except SpecError as exc:
        if kind is None or explicit or exc.message.startswith("looks like"):
            raise
        raise SpecError(exc.file, exc.field, f"looks like a {kind}: {exc.message}") from None
    print(f"{args.file}: valid {kind or 'scenario'}")
    return 0


# --- kpis (KPI engine) ------------------------------------------------------------------------
def _cmd_kpis(args: argparse.Namespace) -> int:
    from kpisim.eventlog import MANIFEST, load_run
    from kpisim.importer import import_log
    from kpisim.kpi.compute import kpis
    from kpisim.spec.load import load_yaml

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
    manifest = {
        "command": "kpis",
        "source": str(src),
        "source_sha256": _source_hash(src),
        "source_manifest": log.manifest,
        "by": list(by),
        "period": args.period,
        "interval_min": args.interval_min,
        "metrics": args.metric,
        "definitions": definitions or {},
        "definitions_file": args.definitions,
        "definitions_sha256": _source_hash(args.definitions) if args.definitions else None,
        "mapping": args.mapping,
        "mapping_sha256": _source_hash(args.mapping) if args.mapping else None,
        "roster": args.roster,
        "roster_sha256": _source_hash(args.roster) if args.roster else None,
    }
    write_table_atomic(table, args.out, manifest)
    print(f"wrote {args.out}: {len(table)} row(s), by {', '.join(by) or 'centre'}, period {args.period}")
    q = log.manifest.get("rows_quarantined")
    if q:
        print(f"quarantined {q} bad row(s) of {log.manifest['rows_in']} to {log.manifest['quarantine']}")
    return 0


# --- score (policies) -------------------------------------------------------------------------
def _cmd_score(args: argparse.Namespace) -> int:
    import pandas as pd

    from kpisim.policy import load_policy
    from kpisim.policy.inputs import attach_inputs, read_table

    _check_table_out(args.out)
    policy = load_policy(args.policy)
    src = Path(args.source)
    if src.is_dir():
        if not (src / "manifest.json").is_file():
            raise KpisimError(f"{src}: not a run directory (no manifest.json); pass a run or a KPI table")
        from kpisim.eventlog import load_run

        try:
            from kpisim.kpi.compute import kpis
        except ImportError:  # pragma: no cover - the KPI engine is part of kpisim
            raise KpisimError(
                "computing KPIs from a run needs kpisim.kpi.compute; pass a KPI table"
            ) from None
        table = kpis(load_run(src), by=("agent_id",), period="month")
    else:
        table = read_table(src)
    if args.inputs:
        table = attach_inputs(table, read_table(args.inputs), file=args.inputs)
    scores = policy.score(table)
    payouts = policy.pay(scores, table)
    out = pd.concat(
        [scores, payouts.drop(columns=[c for c in payouts.columns if c in scores.columns])], axis=1
    )
    manifest = {
        "command": "score",
        "policy": args.policy,
        "policy_id": policy.id,
        "policy_version": policy.version,
        "policy_sha256": _source_hash(args.policy),
        "source": str(src),
        "source_sha256": _source_hash(src),
        "inputs": args.inputs,
        "inputs_sha256": _source_hash(args.inputs) if args.inputs else None,
    }
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
    from kpisim.atomic import check_output_dir
    from kpisim.policy import load_policy
    from kpisim.spec.scenario import load_scenario

    check_output_dir(args.out)  # before simulating
    for option, value in (("--threshold-cents", args.threshold_cents), ("--budget-cents", args.budget_cents)):
        if value is not None and value < 0:
            raise KpisimError(f"{option} {value}: not allowed; give an amount in cents >= 0")
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
    )
    if args.inputs:
        comp.meta["inputs_file"] = str(args.inputs)
        comp.meta["inputs_sha256"] = _source_hash(args.inputs)
    levers = comp.lever_effects(jobs=args.jobs, progress=sys.stderr.isatty()) if args.levers else None
    files = comp.to_dir(
        args.out, budget_cents=args.budget_cents, threshold_cents=args.threshold_cents, levers=levers
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
    return 0


# --- staffing (analysis) ----------------------------------------------------------------------


def _fraction(option: str, text: str | None, example: str) -> float | None:
    """A fraction strictly between 0 and 1 given on the command line, or None."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:  # also rejects nan
        raise KpisimError(f"{option} {text}: not allowed; give a fraction in (0, 1), e.g. {example}")
    return value


def _whole(option: str, text: str, *, low: int, high: int | None = None, why: str = "") -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        allowed = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
        raise KpisimError(f"{option} {text}: not allowed; give {allowed}{why}")
    return value


def _default_headcounts(today: int, erlang: int | None, floor: int, points: int = 6) -> list[int]:
    """``points`` headcounts from 80 % of the smaller to 125 % of the larger of today's headcount
    and the Erlang requirement (60-140 % of today's without one)."""
    import numpy as np

    lo = 0.8 * min(erlang, today) if erlang else 0.6 * today
    hi = 1.25 * max(erlang, today) if erlang else 1.4 * today
    return sorted({max(floor, int(round(x))) for x in np.linspace(lo, hi, points)})


def _voice_only(scenario) -> bool:
    return all(q.channel == "voice" for q in scenario.queues.values()) and all(
        g.max_concurrency == 1 for g in scenario.agents
    )


def _cmd_staffing(args: argparse.Namespace) -> int:
    import pandas as pd

    from kpisim.analysis import report
    from kpisim.analysis.staffing import DEFAULT_HOURLY_COST_CENTS, required_staff, staffing_sweep
    from kpisim.atomic import check_output_dir
    from kpisim.spec.scenario import load_scenario

    # every option is checked before anything is simulated or written
    target_sl = _fraction("--target-sl", args.target_sl, "0.8 for 80 %")
    max_abandon = _fraction("--max-abandon", args.max_abandon, "0.05 for 5 %")
    if target_sl is None and max_abandon is None:
        target_sl = 0.8
    try:
        threshold_s = float(args.threshold_s)
    except ValueError:
        threshold_s = float("nan")
    if not (threshold_s > 0 and threshold_s < float("inf")):
        raise KpisimError(f"--threshold-s {args.threshold_s}: not allowed; a number of seconds > 0, e.g. 20")
    replications = _whole("--replications", args.replications, low=1)
    seed = _whole("--seed", args.seed, low=0)
    jobs = None if args.jobs is None else _whole("--jobs", args.jobs, low=1)
    hourly = (
        DEFAULT_HOURLY_COST_CENTS
        if args.hourly_cost_cents is None
        else _whole("--hourly-cost-cents", args.hourly_cost_cents, low=0)
    )
    check_output_dir(args.out)  # as given: Path("") would be "."
    out = Path(args.out)

    scenario = load_scenario(args.scenario)
    if args.days is not None:
        days = _whole(
            "--days",
            args.days,
            low=1,
            high=scenario.horizon.days,
            why=f" (scenario {scenario.id!r} has {scenario.horizon.days} days; --days shortens it)",
        )
        scenario = scenario.model_copy(update={"horizon": scenario.horizon.model_copy(update={"days": days})})
    groups = len(scenario.agents)
    headcounts = None
    if args.headcounts is not None:
        items = [h.strip() for h in args.headcounts.split(",") if h.strip()]
        if not items:
            raise KpisimError(
                f"--headcounts {args.headcounts!r}: not allowed; give comma-separated integers, e.g. 20,25,30"
            )
        headcounts = [
            _whole(
                "--headcounts",
                h,
                low=groups,
                why=f" (scenario {scenario.id!r} has {groups} agent "
                "groups and every group keeps at least one agent)",
            )
            for h in items
        ]

    progress = sys.stderr.isatty()
    required = check = None
    no_erlang = ""
    try:
        required, check = required_staff(
            scenario,
            target_sl=target_sl,
            threshold_s=threshold_s,
            max_abandon=max_abandon,
            replications=replications,
            seed=seed,
            jobs=jobs,
            progress=progress,
        )
    except KpisimError as exc:
        if _voice_only(scenario):  # a voice centre always has an Erlang answer: a real error
            raise
        no_erlang = str(exc)  # chat: the library may not cover it; the sweep still runs
    peak = int(required["required_agents"].max()) if required is not None else None
    erlang_headcount = required.attrs.get("headcount") if required is not None else None
    if headcounts is None:
        headcounts = _default_headcounts(scenario.n_agents, erlang_headcount or peak, groups)
    sweep = staffing_sweep(
        scenario,
        headcounts=headcounts,
        replications=replications,
        seed=seed,
        jobs=jobs,
        progress=progress,
        threshold_s=threshold_s,
        hourly_cost_cents=hourly,
    )
    ok = True
    if target_sl is not None:
        ok = ok & (sweep["service_level"] >= target_sl)
    if max_abandon is not None:
        ok = ok & (sweep["abandon_rate"] <= max_abandon)
    sweep = sweep.assign(target_sl=target_sl, max_abandon=max_abandon, mean_meets_target=ok)

    manifest = {
        "command": "staffing",
        "scenario_id": scenario.id,
        "scenario_file": str(args.scenario),
        "scenario_sha256": scenario.sha256,
        "days": scenario.horizon.days,
        "seed": seed,
        "replications": replications,
        "headcounts": sorted(set(headcounts)),
        "target_sl": target_sl,
        "threshold_s": threshold_s,
        "max_abandon": max_abandon,
        "hourly_cost_cents": hourly,
        "erlang": f"not computed: {no_erlang}"
        if required is None
        else "per interval (Erlang A with patience, C without)",
    }
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
    met = sweep.loc[sweep["mean_meets_target"], "agents"]
    print(
        f"target: {want}; smallest swept headcount whose simulated mean meets it: "
        + (str(int(met.iloc[0])) if len(met) else "none")
    )
    if check is not None:
        c = check.iloc[0]
        print(
            f"Erlang: {peak} agents must be logged in during the busiest interval"
            + (
                f"; a headcount of {int(erlang_headcount)} meets the target under the scenario's shifts"
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
        print(f"Erlang requirement not computed: {no_erlang}")
    print(f"report: {out / 'staffing.html'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kpisim", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("simulate", help="simulate a scenario and write its event log")
    s.add_argument("scenario", help="scenario YAML file")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--replications", type=int, default=1)
    s.add_argument(
        "--population",
        choices=("fixed", "redraw"),
        default="fixed",
        help="fixed (default): the same agents every replication; redraw: new agents each time",
    )
    s.add_argument("--out", help="run directory to write (Parquet + manifest.json)")
    _allow_large(s)
    s.set_defaults(func=_cmd_simulate)

    v = sub.add_parser("validate", help="check a scenario or policy file")
    v.add_argument("file")
    v.add_argument("--encoding", help="the file's text encoding (default: UTF-8, else GB18030)")
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
    k.add_argument("--interval-min", type=int, default=30, help="length of an interval period, minutes")
    k.add_argument("--metric", action="append", help="metric key to compute (repeatable); default all")
    k.add_argument(
        "--definitions", help="YAML: metric -> {parameter: value}, e.g. service_level: {threshold_s: 30}"
    )
    k.add_argument("--mapping", help="column-mapping YAML for an export (docs/import.md)")
    k.add_argument("--roster", help="agents roster CSV/Parquet for an export (checks unknown agents)")
    k.add_argument("--quarantine", help="write bad export rows to this CSV and go on")
    k.add_argument("--encoding", help="the export's text encoding (default: UTF-8, else GB18030)")
    k.add_argument("--out", required=True, help=".csv or .parquet")
    k.set_defaults(func=_cmd_kpis)

    sc = sub.add_parser("score", help="score and pay a run or KPI table under a policy")
    sc.add_argument("source", help="run directory or KPI table (.csv/.parquet)")
    sc.add_argument("--policy", required=True)
    sc.add_argument("--inputs", help="extra per-agent inputs (e.g. manager ratings), CSV")
    sc.add_argument("--out", required=True, help=".csv or .parquet")
    sc.set_defaults(func=_cmd_score)

    c = sub.add_parser("compare", help="compare policies on the same simulated months")
    c.add_argument("scenario")
    c.add_argument("--policy", action="append", required=True)
    c.add_argument("--baseline")
    c.add_argument("--replications", type=int, default=4)
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--budget-cents", type=int, help="monthly budget, cents: report P(total > budget)")
    c.add_argument("--threshold-cents", type=int, default=5000, help="winners/losers threshold, cents")
    c.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
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
    c.add_argument("--out", required=True)
    _allow_large(c)
    c.set_defaults(func=_cmd_compare)

    st = sub.add_parser(
        "staffing", help="staffing vs response time: headcount sweep, Erlang requirement per interval"
    )
    st.add_argument("scenario", help="scenario YAML file")
    st.add_argument(
        "--headcounts",
        metavar="N,N,...",
        help="total headcounts to simulate, e.g. 30,36,42 (default: six from 80 %% of the smaller "
        "to 125 %% of the larger of today's headcount and the Erlang requirement)",
    )
    st.add_argument(
        "--target-sl",
        metavar="FRACTION",
        help="service-level target in (0, 1) (default 0.8 unless only --max-abandon is given)",
    )
    st.add_argument(
        "--threshold-s",
        metavar="SECONDS",
        default="20",
        help="service-level threshold, seconds (default 20): answered within it / offered",
    )
    st.add_argument("--max-abandon", metavar="FRACTION", help="highest allowed abandonment, in (0, 1)")
    st.add_argument(
        "--replications", metavar="R", default="3", help="simulated runs per headcount (default 3)"
    )
    st.add_argument("--seed", metavar="N", default="1")
    st.add_argument(
        "--days", metavar="DAYS", help="simulate only the first DAYS days of the scenario (quicker)"
    )
    st.add_argument(
        "--hourly-cost-cents", metavar="CENTS", help="labour cost per logged-in hour (default 3000)"
    )
    st.add_argument("--jobs", metavar="J", help="worker processes (default: all cores)")
    st.add_argument(
        "--out",
        metavar="DIR",
        required=True,
        help="output directory (CSV, PNG, staffing.html, manifest.json)",
    )
    _allow_large(st)
    st.set_defaults(func=_cmd_staffing)
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

    Exit codes: 0 done, 2 a ``KpisimError`` (one line on stderr), 130 interrupted (Ctrl-C),
    143 terminated (SIGTERM); output is written whole or not at all, either way. A closed
    stdout (``kpisim simulate ... | head``) ends the command quietly.
    """
    import signal
    import threading

    args = build_parser().parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        if getattr(args, "allow_large", False):
            from kpisim.sim.size import large_runs_allowed

            with large_runs_allowed():
                return args.func(args)
        return args.func(args)
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
