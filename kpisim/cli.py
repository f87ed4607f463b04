"""Command-line interface: a thin layer over the public API.

Every ``KpisimError`` becomes one line on stderr and exit code 2 (no traceback).
Outputs are written atomically (temp file, then rename).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from kpisim.errors import KpisimError


def write_table_atomic(df, out: str | os.PathLike) -> Path:
    """Write a DataFrame to ``out`` (.csv or .parquet by extension) via a temp file + rename."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise KpisimError(f"--out {out}: unsupported extension {suffix!r}; use .csv or .parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


# --- simulate ---------------------------------------------------------------------------------
def _cmd_simulate(args: argparse.Namespace) -> int:
    from kpisim.eventlog import save_run
    from kpisim.sim.run import simulate, summary
    from kpisim.spec.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    log = simulate(scenario, seed=args.seed, replications=args.replications)
    if args.out:
        save_run(log, args.out)
        print(f"wrote {args.out} ({len(log.contacts)} contacts, {args.replications} replication(s))")
    print(summary(log).to_string())
    return 0


# --- validate ---------------------------------------------------------------------------------
def _cmd_validate(args: argparse.Namespace) -> int:
    from kpisim.spec.load import load_yaml

    data = load_yaml(args.file)
    if "scorecard" in data or data.get("kind") == "policy":
        from kpisim.policy import load_policy

        load_policy(args.file)
        print(f"{args.file}: valid policy")
    else:
        from kpisim.spec.scenario import load_scenario

        load_scenario(args.file)
        print(f"{args.file}: valid scenario")
    return 0


# --- kpis (KPI engine) ------------------------------------------------------------------------
def _cmd_kpis(args: argparse.Namespace) -> int:
    from kpisim.eventlog import MANIFEST, load_run
    from kpisim.importer import import_log
    from kpisim.kpi.compute import kpis
    from kpisim.spec.load import load_yaml

    if Path(args.out).suffix.lower() not in (".csv", ".parquet"):
        raise KpisimError(f"--out {args.out}: unsupported extension {Path(args.out).suffix!r}; use .csv or .parquet")
    src = Path(args.source)
    if src.is_dir():
        if not (src / MANIFEST).is_file():
            raise KpisimError(f"{src}: a directory without {MANIFEST}, so not a run directory; "
                              "give a run directory or a CSV/Parquet export")
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
    table = kpis(log, by=by, period=args.period, definitions=definitions, metrics=args.metric,
                 interval_min=args.interval_min)
    write_table_atomic(table, args.out)
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

    policy = load_policy(args.policy)
    src = Path(args.source)
    if src.is_dir():
        if not (src / "manifest.json").is_file():
            raise KpisimError(f"{src}: not a run directory (no manifest.json); pass a run or a KPI table")
        from kpisim.eventlog import load_run

        try:
            from kpisim.kpi.compute import kpis
        except ImportError:  # pragma: no cover - the KPI engine is part of kpisim
            raise KpisimError("computing KPIs from a run needs kpisim.kpi.compute; pass a KPI table") from None
        table = kpis(load_run(src), by=("agent_id",), period="month")
    else:
        table = read_table(src)
    if args.inputs:
        table = attach_inputs(table, read_table(args.inputs), file=args.inputs)
    scores = policy.score(table)
    payouts = policy.pay(scores, table)
    out = pd.concat([scores, payouts.drop(columns=[c for c in payouts.columns if c in scores.columns])], axis=1)
    write_table_atomic(out, args.out)
    paid = int(out["total_cents"].sum())
    print(f"wrote {args.out}: {len(out)} rows scored under {policy.id} v{policy.version}; "
          f"mean total {out['total'].mean():.2f} of {policy.max_points:g}; "
          f"total pay {paid / 100:,.2f} {policy.currency}")
    return 0


# --- compare (analysis) -----------------------------------------------------------------------
def _cmd_compare(args: argparse.Namespace) -> int:
    from kpisim.analysis.compare import compare
    from kpisim.policy import load_policy
    from kpisim.spec.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    policies = {}
    for path in args.policy:
        name = Path(path).stem
        if name in policies:
            raise KpisimError(f"two policies named {name!r} (file stems must differ): {path}")
        policies[name] = load_policy(path)
    if args.baseline is not None and args.baseline not in policies:
        raise KpisimError(f"--baseline {args.baseline!r} is not one of the policies {list(policies)}")
    comp = compare(scenario, policies, baseline=args.baseline, replications=args.replications,
                   seed=args.seed, jobs=args.jobs, progress=sys.stderr.isatty())
    levers = comp.lever_effects(jobs=args.jobs, progress=sys.stderr.isatty()) if args.levers else None
    files = comp.to_dir(args.out, budget_cents=args.budget_cents, threshold_cents=args.threshold_cents,
                        levers=levers)
    cost = comp.cost()
    for _, r in cost.iterrows():
        print(f"{r['policy']}: {r['total_cents'] / 100:,.2f} {comp.currency}/month "
              f"[{r['total_cents_lo'] / 100:,.2f}, {r['total_cents_hi'] / 100:,.2f}]")
    print(f"report: {files['report']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kpisim", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("simulate", help="simulate a scenario and write its event log")
    s.add_argument("scenario", help="scenario YAML file")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--replications", type=int, default=1)
    s.add_argument("--out", help="run directory to write (Parquet + manifest.json)")
    s.set_defaults(func=_cmd_simulate)

    v = sub.add_parser("validate", help="check a scenario or policy file")
    v.add_argument("file")
    v.set_defaults(func=_cmd_validate)

    k = sub.add_parser("kpis", help="compute KPI tables from a run directory or an export")
    k.add_argument("source", help="run directory or CSV/Parquet export")
    k.add_argument("--by", action="append",
                   help="grouping column, repeatable or comma-separated: agent_id, team, shift, "
                        "tenure_group, queue, channel, or centre (whole centre); default agent_id")
    k.add_argument("--period", default="month", help="interval, day, week or month")
    k.add_argument("--interval-min", type=int, default=30, help="length of an interval period, minutes")
    k.add_argument("--metric", action="append", help="metric key to compute (repeatable); default all")
    k.add_argument("--definitions", help="YAML: metric -> {parameter: value}, e.g. service_level: {threshold_s: 30}")
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
    c.add_argument("--levers", action="store_true",
                   help="also simulate the behaviour levers (rush, sales push, cherry-pick) and report their pay effect")
    c.add_argument("--out", required=True)
    c.set_defaults(func=_cmd_compare)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kpisim`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KpisimError as exc:
        print(f"kpisim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kpisim: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
