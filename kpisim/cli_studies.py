"""The study commands of ``kpisim``: compare and staffing (call the analysis, write the report,
print a summary). Registered on the parser in ``kpisim/cli.py``."""

from __future__ import annotations

import argparse
from pathlib import Path

from kpisim import cli_help as H
from kpisim.errors import KpisimError
from kpisim.provenance import InputFile, Manifest


def load_plans(paths) -> dict:
    """``--policy`` files (policies or timelines) by file stem, as ``compare`` and ``staffing``
    name them; two files with one stem are refused."""
    from kpisim.policy.timeline import load_plan

    policies = {}
    for path in paths:
        name = Path(path).stem
        if name in policies:
            raise KpisimError(f"two policies named {name!r} (file stems must differ): {path}")
        policies[name] = load_plan(path)
    return policies


# --- compare (analysis) -----------------------------------------------------------------------
def _cmd_compare(args: argparse.Namespace) -> int:
    from kpisim.analysis.compare import compare
    from kpisim.io.atomic import check_output_dir
    from kpisim.report import write_comparison
    from kpisim.scenario.models import load_scenario

    check_output_dir(args.out)  # before simulating
    scenario = load_scenario(args.scenario)
    policies = load_plans(args.policy)
    if args.baseline is not None and args.baseline not in policies:
        raise KpisimError(f"--baseline {args.baseline!r} is not one of the policies {list(policies)}")
    inputs = None
    if args.inputs:
        from kpisim.policy.inputs import read_table

        inputs = read_table(args.inputs)
    from kpisim.analysis.executors import open_executor
    from kpisim.cli_behaviour import behaviour_option, behaviour_options, print_behaviour

    behaviour = behaviour_option(args)  # parameters checked before simulating
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
            behaviour=behaviour,
            behaviour_options=behaviour_options(args),
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
    if comp.behaviour is not None:
        print_behaviour(comp.behaviour, files)
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
    policies, inputs = _staffing_plans(args, scenario, headcounts)  # checked before simulating
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
            policies=policies,
            inputs=inputs,
            fill_missing=args.fill_missing,
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
            **_plan_details(study),
        },
        input_files={"inputs": InputFile.of(args.inputs)} if args.inputs else {},
    ).with_policies({n: p for n, p in policies.items() if hasattr(p, "model_dump")})
    if not args.quiet:
        from kpisim.progress import line

        line("writing the report (tables, figures, staffing.html)")
    report.write_staffing(
        sweep,
        out,
        required=required,
        check=check,
        manifest=manifest,
        currency=_currency(policies),
        plans=study.plan_names,
    )

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
    for text in H.staffing_pay_lines(study, currency=_currency(policies)):
        print(text)
    filled = _plan_details(study).get("filled_inputs") or []
    if filled:
        print(
            f"note: policy inputs not supplied (--inputs) and set equal for every agent: {', '.join(filled)}"
        )
    print(f"report: {out / 'staffing.html'}")
    return 0


def _staffing_plans(args: argparse.Namespace, scenario, headcounts) -> tuple[dict, object]:
    """The ``--policy`` plans and ``--inputs`` table of ``kpisim staffing``, loaded as ``compare``
    loads them and checked against the swept agents before anything is simulated."""
    from kpisim.analysis.staffing import check_pay_inputs

    if not args.policy:
        for flag, given in (("--inputs", args.inputs), ("--fill-missing", args.fill_missing)):
            if given:
                raise KpisimError(f"{flag} needs at least one --policy (it feeds the pay plans)")
        return {}, None
    policies = load_plans(args.policy)
    inputs = None
    if args.inputs:
        from kpisim.policy.inputs import read_table

        inputs = read_table(args.inputs)
        check_pay_inputs(scenario, policies, inputs, headcounts=headcounts, file=str(args.inputs))
    return policies, inputs


def _currency(policies: dict) -> str:
    """The plans' currency (the first plan's; CNY without plans)."""
    return str(getattr(next(iter(policies.values()), None), "currency", None) or "CNY")


def _plan_details(study) -> dict:
    """What the staffing manifest records about the pay plans (nothing without plans)."""
    if not study.policies:
        return {}
    from kpisim.analysis.policy_meta import describe_inputs
    from kpisim.policy.inputs import neutral_inputs
    from kpisim.policy.timeline import flat_policies

    given = set(study.inputs.columns if hasattr(study.inputs, "columns") else (study.inputs or {}))
    return {
        "policies": study.plan_names,
        "inputs": describe_inputs(study.inputs),
        "filled_inputs": sorted(k for k in neutral_inputs(flat_policies(study.policies)) if k not in given),
        "fill_missing": study.fill_missing,
    }
