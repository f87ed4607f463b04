"""``kpisim calibrate``: an export (or run directory) -> a calibrated scenario + calibration.html."""

from __future__ import annotations

import argparse
from pathlib import Path


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from kpisim.analysis.calibrate import fit
    from kpisim.analysis.calibrate.check import reproduce
    from kpisim.errors import KpisimError
    from kpisim.io.eventlog import load_run
    from kpisim.io.tables import import_export
    from kpisim.report.calibration import write_calibration

    out = Path(args.out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise KpisimError(f"--out {out}: the calibrated scenario is written as YAML; use a .yaml file name")
    src = Path(args.export)
    if src.is_dir() and (src / "manifest.json").is_file() and not args.mapping:
        log = load_run(src)
    else:
        log = import_export(src, mapping=args.mapping, agents=args.roster, quarantine=args.quarantine)
    cal = fit(
        log, interval_min=args.interval_min, scenario_id=args.scenario_id, customer_share=args.customer_share
    )
    check = None
    if args.check_replications > 0:
        check = reproduce(cal.scenario, log, seed=args.seed, replications=args.check_replications)
    files = write_calibration(cal, out, check=check, figures=not args.no_figures)
    print(
        f"wrote {out} ({len(cal.scenario.queues)} queue(s), {cal.scenario.n_agents} agents) and "
        f"{len(files) - 1} report file(s) beside it, e.g. {out.parent / 'calibration.html'}"
    )
    if check is not None:
        print(
            check[["queue", "metric", "observed", "simulated", "difference"]].round(2).to_string(index=False)
        )
    return 0


def add_calibrate(sub) -> None:
    """Register ``kpisim calibrate`` on the CLI's sub-parsers."""
    c = sub.add_parser("calibrate", help="calibrate a scenario from an export (docs/calibrate.md)")
    c.add_argument("export", help="contacts file, export directory (with --mapping), or a run directory")
    c.add_argument(
        "--mapping", help="column-mapping YAML (docs/import.md), with a tables: section for the other tables"
    )
    c.add_argument("--roster", help="agents roster CSV/Parquet")
    c.add_argument("--quarantine", help="write bad rows to this CSV (other tables beside it) and go on")
    c.add_argument(
        "--out", required=True, help="scenario YAML to write; calibration.html and CSVs go beside it"
    )
    c.add_argument("--scenario-id", help="id of the calibrated scenario (default: <export id>_calibrated)")
    c.add_argument(
        "--interval-min", type=int, choices=(15, 30, 60), default=30, help="traffic interval, minutes"
    )
    c.add_argument(
        "--check-replications",
        type=int,
        default=1,
        help="simulate the calibrated scenario this many times and compare its KPIs with the export (0: skip)",
    )
    c.add_argument(
        "--customer-share",
        type=float,
        default=1.0,
        help="share of the centre's customers in the export, if it is a sample (e.g. 0.025); volumes are scaled up",
    )
    c.add_argument("--seed", type=int, default=1, help="seed of the check simulation")
    c.add_argument("--no-figures", action="store_true", help="leave the figures out of calibration.html")
    c.set_defaults(func=_cmd_calibrate)
