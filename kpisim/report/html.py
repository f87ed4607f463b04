"""Write a :class:`~kpisim.analysis.compare.Comparison` to a directory: CSVs, PNGs, report.html.

The whole directory is built in a temporary sibling and renamed into place
(:func:`kpisim.io.atomic.write_dir`), so a failure never leaves new files beside an old report, and a
rerun into the same directory leaves no file of the earlier run. The HTML report is
self-contained: figures are inlined as base64 PNG, tables are plain HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from kpisim.errors import KpisimError
from kpisim.io import atomic
from kpisim.provenance import MANIFEST, Manifest
from kpisim.report import comparison_page, staffing_page, staffing_pay

#: Tables with one row per agent-month (and policy): Parquet with ``table_format="parquet"``.
PER_ROW_TABLES = ("kpis", "scores", "pay", "agents_hidden_truth")
#: Tables of ``comp.behaviour`` (:class:`kpisim.analysis.behaviour.Response`), written when present.
BEHAVIOUR_TABLES = ("behaviour", "consequences", "convergence", "prediction")


def write_comparison(
    comp,
    path,
    *,
    budget_cents: int | None = None,
    threshold_cents: int = 5000,
    figures: bool = True,
    levers: pd.DataFrame | None = None,
    table_format: str = "csv",
) -> dict[str, str]:
    """Write CSV tables, PNG figures, ``manifest.json`` and a self-contained ``report.html`` for the
    :class:`~kpisim.analysis.compare.Comparison` ``comp`` to the directory ``path``, atomically
    (:func:`kpisim.io.atomic.write_dir`: built whole in a temporary sibling; an earlier kpisim
    output at ``path`` is replaced only once complete, and a directory that is not one is refused).

    ``levers``: a ``comp.lever_effects()`` table to include (simulating it is left to the caller).
    A comparison made with ``behaviour=`` also gets behaviour.csv, consequences.csv,
    convergence.csv, prediction.csv, the ``behaviour.png`` figure and a report section.
    ``table_format``: ``"parquet"`` writes the per-row tables (kpis, scores, pay,
    agents_hidden_truth) as Parquet, several times smaller than CSV for large studies; the
    summaries stay CSV.

    Returns:
        Mapping artefact name -> file path inside ``path``.

    Raises:
        KpisimError: ``path`` is a file or a non-empty directory that is not a kpisim output
            (checked before anything is computed).
    """
    if table_format not in ("csv", "parquet"):
        raise KpisimError(f"table_format must be 'csv' or 'parquet', got {table_format!r}")
    out = Path(path)
    atomic.check_output_dir(out)
    manifest = _manifest(comp).to_json_bytes()
    names: dict[str, str] = {}  # artefact -> file name inside the directory

    def build(d: Path) -> None:
        cost = comp.cost(budget_cents=budget_cents)
        wl = (
            comp.winners_losers(threshold_cents=threshold_cents) if len(comp.policies) > 1 else pd.DataFrame()
        )
        fair = comp.fairness()
        gaps = comp.pay_gaps()
        tables = {
            "kpis": comp.kpis,
            "scores": comp.scores,
            "pay": comp.pay,
            "agents_hidden_truth": comp.agents,
            "monthly_cost": comp.monthly_cost(),
            "cost": cost,
            "winners_losers": wl,
            "fairness": fair,
            "pay_gaps": gaps,
        }
        grad, cliffs, not_computed = _incentives(comp)
        tables["incentive_gradient"] = grad
        tables["tier_cliffs"] = cliffs
        if levers is not None:
            tables["lever_effects"] = levers
        response = getattr(comp, "behaviour", None)
        if response is not None:  # the equilibrium's tables, in the same atomic swap as the report
            for name in BEHAVIOUR_TABLES:
                tables[name] = getattr(response, name)
        for name, df in tables.items():
            if table_format == "parquet" and name in PER_ROW_TABLES:
                plain = df.copy(deep=False)
                plain.attrs = {}  # attrs are not Parquet metadata; the manifest carries provenance
                plain.to_parquet(d / f"{name}.parquet", index=False)
                names[name] = f"{name}.parquet"
                continue
            df.to_csv(d / f"{name}.csv", index=False)
            names[name] = f"{name}.csv"
        (d / MANIFEST).write_bytes(manifest)
        names["manifest"] = MANIFEST
        imgs: dict[str, str] = {}
        if figures:
            from kpisim.plots.labels import policy_colours

            imgs = comparison_page.figures(
                comp, d, tables, budget_cents=budget_cents, colours=policy_colours(comp.policies)
            )
            names.update({f"{k}.png": f"{k}.png" for k in imgs})
        page = comparison_page.page(
            comp, tables, imgs, threshold_cents=threshold_cents, levers=levers, not_computed=not_computed
        )
        (d / "report.html").write_bytes(page.encode("utf-8"))
        names["report"] = "report.html"

    atomic.write_dir(out, build)
    return {k: str(out / v) for k, v in names.items()}


def _incentives(comp) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Incentive gradient and tier cliffs of ``comp``, and why they were not computed ("" if they were).

    The one expected reason to leave them out is a comparison built without the policy objects
    (``meta["policy_objects"]``): there is nothing to re-score, and the report says so. Any
    error while computing them propagates: a report never silently drops a section.
    """
    from kpisim.analysis.incentives import incentive_gradient, tier_cliffs

    if not comp.meta.get("policy_objects"):
        why = "not computed: this comparison holds no policy objects to re-score (meta['policy_objects'])"
        return pd.DataFrame(), pd.DataFrame(), why
    return incentive_gradient(comp), tier_cliffs(comp), ""


def _manifest(comp) -> Manifest:
    """Provenance of a comparison: scenario, seed, replications, policies and their content
    hashes and files, the simulated population and the policy inputs (``comp.meta``, less the
    live objects; ``meta["input_files"]``: role -> :class:`kpisim.provenance.InputFile`)."""
    meta = comp.meta
    recorded = ("policy_objects", "scenario", "scenario_sha256", "policy_sha256", "input_files")
    kw = {
        "command": "compare",
        "seed": comp.seed,
        "replications": comp.replications,
        "policy_sha256": meta.get("policy_sha256") or {},
        "input_files": meta.get("input_files") or {},
        "details": {
            "policies": comp.policies,
            "baseline": comp.baseline,
            "currency": comp.currency,
            **{k: v for k, v in meta.items() if k not in recorded},
        },
    }
    scenario = meta.get("scenario")
    if scenario is not None:
        m = Manifest.for_scenario(scenario, **kw)
    else:
        m = Manifest(scenario_id=comp.scenario_id, scenario_sha256=meta.get("scenario_sha256"), **kw)
    pols = meta.get("policy_objects") or {}
    return m.with_policies({n: p for n, p in pols.items() if hasattr(p, "model_dump")})


def write_staffing(
    sweep: pd.DataFrame,
    path,
    *,
    required: pd.DataFrame | None = None,
    check: pd.DataFrame | None = None,
    figures: bool = True,
    manifest: Manifest | Mapping[str, Any] | None = None,
    currency: str = "CNY",
    plans: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Write a staffing sweep (and optionally ``required_staff`` results) to the directory
    ``path``, atomically (:func:`kpisim.io.atomic.write_dir`): CSVs, the ``staffing.png`` figure, a
    self-contained ``staffing.html`` and ``manifest.json`` (``manifest``, a
    :class:`kpisim.provenance.Manifest` or its flat dict form; command ``staffing`` and the swept
    headcounts unless it says otherwise). A sweep with pay columns (``staffing_sweep(policies=)``)
    adds the section "Pay per agent by headcount" and ``staffing_pay.png``; ``plans`` names each
    plan (column suffix -> the policy's name, ``StaffingStudy.plan_names``).

    Returns:
        Mapping artefact name -> file path inside ``path``.

    Raises:
        KpisimError: ``path`` is a file or a non-empty directory that is not a kpisim output.
    """
    out = Path(path)
    names: dict[str, str] = {}
    m = manifest if isinstance(manifest, Manifest) else Manifest.from_dict(manifest or {})
    if m.command is None:
        m = m.model_copy(update={"command": "staffing"})
    if "headcounts" not in m.details:
        m = m.with_details(headcounts=sorted(int(h) for h in sweep["agents"].unique()))
    body = m.to_json_bytes()

    def build(d: Path) -> None:
        for name, df in (("staffing_sweep", sweep), ("required_agents", required), ("required_check", check)):
            if df is not None:
                df.to_csv(d / f"{name}.csv", index=False)
                names[name] = f"{name}.csv"
        imgs: dict[str, dict] = {}
        details = m.details
        if figures:
            imgs = staffing_page.figures(
                sweep,
                required,
                d,
                days=float(details.get("days") or 1.0),
                currency=currency,
                threshold_s=float(details.get("threshold_s") or 20.0),
            )
            pay_img = staffing_pay.figure(sweep, d, currency=currency, plans=plans or {})
            if pay_img is not None:
                imgs["pay"] = pay_img
            names.update({f"{k}.png": f"staffing_{k}.png" for k in imgs if k != "curves"})
            if "curves" in imgs:
                names["staffing.png"] = "staffing.png"
        html = staffing_page.page(
            sweep,
            required,
            check,
            imgs,
            details=details,
            scenario=m.scenario_id or "",
            reps=int(m.replications or sweep.get("n", pd.Series([1])).max()),
            currency=currency,
            plans=plans or {},
        )
        (d / "staffing.html").write_bytes(html.encode("utf-8"))
        names["report"] = "staffing.html"
        (d / MANIFEST).write_bytes(body)
        names["manifest"] = MANIFEST

    atomic.write_dir(out, build)
    return {k: str(out / v) for k, v in names.items()}
