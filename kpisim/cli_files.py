"""The file commands of ``kpisim``: simulate, validate, kpis and score (parse results, call the API,
write atomically, print). Registered on the parser in ``kpisim/cli.py``."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
    from kpisim.executors import open_executor
    from kpisim.io.atomic import check_output_dir
    from kpisim.io.eventlog import save_run
    from kpisim.scenario.models import load_scenario
    from kpisim.sim.run import simulate, summary

    if args.out is not None:
        check_output_dir(args.out)  # before simulating
    scenario = load_scenario(args.scenario)
    # this process unless asked otherwise: the whole log comes back to it either way
    jobs = args.jobs if args.jobs is not None or args.scheduler else 1
    with open_executor(args.scheduler, jobs=jobs) as ex:
        log = simulate(
            scenario,
            seed=args.seed,
            replications=args.replications,
            population=args.population,
            allow_large=args.allow_large,
            executor=ex,
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
    if data.get("kind") == "timeline" or "timeline" in data:  # policy versions with months
        from kpisim.policy.timeline import load_timeline

        tl = load_timeline(args.file, encoding=args.encoding)
        print(f"{args.file}: valid timeline ({len(tl.versions)} versions)")
        return 0
    kind = spec_kind(data)
    explicit = "scorecard" in data or "kind" in data
    if data.get("kind") == "alerts":
        from kpisim.policy.alerts_models import load_alerts

        load_alerts(args.file, encoding=args.encoding)
        print(f"{args.file}: valid alert rules")
        return 0
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


def _score_source(args: argparse.Namespace, policies) -> tuple[Path, dict, Any]:
    """The KPI table ``score`` reads (a run's, with the definitions of ``policies``, or a table
    file), the run's manifest keys, and the source path; the ``--inputs`` joined."""
    from kpisim.policy.definitions import kpis_for
    from kpisim.policy.inputs import attach_inputs, read_table
    from kpisim.provenance import MANIFEST

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
        table = kpis_for(log, policies, kpis=kpis)  # with the policies' metric definitions
    else:
        run = {}
        table = read_table(src)
    if args.inputs:
        table = attach_inputs(table, read_table(args.inputs), file=args.inputs)
    return src, run, table


def _score_timeline(args: argparse.Namespace, timeline) -> int:
    """``score`` under a timeline: each period scored and paid by the version of its month."""
    import pandas as pd

    from kpisim.policy.definitions import definitions_used

    src, run, table = _score_source(args, timeline.policies)
    scores = timeline.score(table, fill_missing=args.fill_missing)
    payouts = timeline.pay(scores, table)
    out = pd.concat(
        [scores, payouts.drop(columns=[c for c in payouts.columns if c in scores.columns])], axis=1
    )
    files = {"source": src, "inputs": args.inputs}
    labels = {f"{p.id}@{p.version}": p for p in timeline.policies}
    months = sorted({pd.Timestamp(p).strftime("%Y-%m") for p in table["period"]}) if "period" in table else []
    manifest = Manifest(
        command="score",
        **run,
        input_files={role: InputFile.of(path) for role, path in files.items() if path},
        details={
            "policy_id": timeline.id,
            "timeline_versions": [[s, f"{p.id}@{p.version}"] for s, p in timeline.versions],
            "policy_by_month": {m: timeline.label_for(m) for m in months},
            "policy_definitions": {k: definitions_used(p) for k, p in labels.items()},
        },
    ).with_policies(labels)
    write_table_atomic(out, args.out, manifest)
    print(
        f"wrote {args.out}: {len(out)} rows scored under timeline {timeline.id} "
        f"({', '.join(f'{k} from {s}' for s, k in manifest.details['timeline_versions'])}); "
        f"total pay {int(out['total_cents'].sum()) / 100:,.2f} {timeline.currency}"
    )
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    import pandas as pd

    from kpisim.policy import load_policy
    from kpisim.policy.definitions import definitions_used

    _check_table_out(args.out)
    from kpisim.policy.timeline import is_timeline_file, load_timeline

    if is_timeline_file(args.policy):  # versions with effective months: each month by its own
        return _score_timeline(args, load_timeline(args.policy))
    policy = load_policy(args.policy)
    src, run, table = _score_source(args, policy)
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
