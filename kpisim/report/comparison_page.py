"""The comparison report page: figures (one colour per plan, display names) and the formatted
tables under a plain-language summary. Called by :func:`kpisim.report.html.write_comparison`."""

from __future__ import annotations

import base64
import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from kpisim.plots.labels import policy_colours
from kpisim.report import definitions, tables
from kpisim.report.format import money
from kpisim.report.render import render
from kpisim.report.summary import summarise

#: below this many replications the luck share and month-to-month measures are little more than a guess
FEW_REPLICATIONS = 8


def display_names(comp) -> dict[str, str]:
    """Policy key -> the policy's ``name`` (its key when it has none)."""
    objs = comp.meta.get("policy_objects") or {}
    return {p: str(getattr(objs.get(p), "name", "") or p) for p in comp.policies}


def relabel(df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """``df`` with its ``policy`` column (if any) in display names."""
    if df is None or not len(df):
        return df
    cols = {c: df[c].map(lambda p: names.get(p, p)) for c in ("policy", "baseline") if c in df}
    return df.assign(**cols)


def short_names(names: dict[str, str], width: int = 18) -> dict[str, str]:
    """Display names wrapped for figure labels."""
    return {k: "\n".join(textwrap.wrap(v, width, max_lines=4, placeholder=" …")) for k, v in names.items()}


def figures(comp, d: Path, res: dict, *, budget_cents, colours: dict[str, str]) -> dict[str, dict]:
    """Write the comparison's PNG figures to ``d``; name -> base64 PNG."""
    from kpisim import plots

    labels = short_names(display_names(comp))
    col = {labels[k]: c for k, c in colours.items()}
    t = {k: relabel(v, labels) for k, v in res.items()}
    if len(t["winners_losers"]):  # panel titles: the plan, "vs baseline" (its name is in the page)
        t["winners_losers"] = t["winners_losers"].assign(baseline="baseline")
    cur = comp.currency
    figs: dict[str, Callable] = {
        "cost": lambda: plots.cost_bars(t["cost"], currency=cur, budget_cents=budget_cents, colours=col),
        "fairness": lambda: plots.fairness_bars(t["fairness"], colours=col),
        "pay_gaps": lambda: plots.pay_gap_bars(t["pay_gaps"], currency=cur, colours=col),
    }
    if len(t["winners_losers"]):
        figs["winners_losers"] = lambda: plots.winners_losers_bars(t["winners_losers"], currency=cur)
    if "behaviour" in t:
        figs["behaviour"] = lambda: plots.behaviour_bars(
            t["behaviour"], t["consequences"], currency=cur, colours=col
        )
    if len(t["incentive_gradient"]):
        figs["incentive_gradient"] = lambda: plots.incentive_bars(
            t["incentive_gradient"], currency=cur, colours=col
        )
    out = {}
    for name, make in figs.items():
        p = d / f"{name}.png"
        plots.save(make(), p)
        out[name] = embed(p.read_bytes())
    return out


def embed(png: bytes, dpi: int = 150) -> dict:
    """A PNG for the template: base64 source and its width in CSS pixels (96 per inch, capped
    at the page's width by the stylesheet)."""
    import struct

    width = struct.unpack(">I", png[16:20])[0]
    return {"src": base64.b64encode(png).decode("ascii"), "width": round(width * 96 / dpi)}


def page(comp, res: dict, imgs: dict[str, dict], *, threshold_cents: int, levers, not_computed: str) -> str:
    """The HTML of ``report.html``; ``res``: result tables keyed as in ``write_comparison``."""
    names = display_names(comp)
    colours = policy_colours(comp.policies)
    cur, reps = comp.currency, comp.replications
    summaries = summarise(
        comp,
        cost=res["cost"],
        wl=res["winners_losers"],
        fair=res["fairness"],
        gaps=res["pay_gaps"],
        grad=res["incentive_gradient"],
        cliffs=res["tier_cliffs"],
        names=names,
        colours=colours,
    )
    general = []
    if reps < FEW_REPLICATIONS:
        general.append(
            f"Only {reps} replications: costs and pay changes are well estimated, but the luck share, "
            f"rank stability and the chance the best agent is ranked first need about {FEW_REPLICATIONS * 2} "
            "or more (see the ⚠ marks for each)."
        )
    r = {k: relabel(v, names) for k, v in res.items()}
    tabs = {
        "cost": tables.cost_table(r["cost"], cur),
        "winners": tables.winners_table(r["winners_losers"], cur, reps) if len(r["winners_losers"]) else None,
        "validity": tables.validity_table(r["fairness"], reps),
        "spread": tables.spread_table(r["fairness"], reps),
        "gaps": tables.gaps_table(r["pay_gaps"], cur),
        "incentives": tables.incentive_table(r["incentive_gradient"], cur)
        if len(r["incentive_gradient"])
        else None,
        "cliffs": tables.cliffs_table(r["tier_cliffs"], reps) if len(r["tier_cliffs"]) else None,
        "levers": tables.levers_table(relabel(levers, names), cur)
        if levers is not None and len(levers)
        else None,
    }
    if "behaviour" in r:
        tabs.update(behaviour_section(r, [names.get(p, p) for p in comp.policies], cur))
    return render(
        "report.html.j2",
        title=f"kpisim comparison: {comp.scenario_id}",
        scenario=comp.scenario_id,
        reps=reps,
        seed=comp.seed,
        baseline=names.get(comp.baseline, comp.baseline),
        currency=cur,
        threshold=money(threshold_cents, cur, decimals=0),
        summaries=summaries,
        general_warnings=general,
        winners=bool(len(r["winners_losers"])),
        tables=tabs,
        imgs={
            k: imgs.get(k)
            for k in ("cost", "winners_losers", "fairness", "pay_gaps", "incentive_gradient", "behaviour")
        },
        behaviour="behaviour" in r,
        not_computed=not_computed,
        definitions=definitions.COMPARISON,
        plan_notes=plan_notes(comp.meta, names),
    )


def behaviour_section(r: dict, plans: list[str], cur: str) -> dict:
    """The behaviour section's tables (``r``: result tables, plans in display names)."""
    from kpisim.plots.behaviour import COMPANY, CUSTOMERS, INFLATION
    from kpisim.report import behaviour_tables as B

    cons = r["consequences"]
    return {
        "tactics": B.tactics_table(r["behaviour"]),
        "inflation": B.consequences_table(cons, INFLATION, plans, cur),
        "customers": B.consequences_table(cons, CUSTOMERS, plans, cur),
        "company": B.consequences_table(cons, COMPANY, plans, cur),
        "convergence": B.convergence_table(r["convergence"], r["prediction"], cur),
    }


def plan_notes(meta: dict, names: dict[str, str]) -> list[dict[str, str]]:
    """Per plan: the roles its agents were scored in (agent-months each), the metric definitions it
    asked for, and the metrics filled with neutral values for lack of data (``Comparison.meta``)."""
    roles = meta.get("roles") or {}
    defs = meta.get("policy_definitions") or {}
    filled = meta.get("filled_metrics") or {}
    out = []
    for pol in sorted(set(roles) | set(defs) | set(filled)):
        out.append(
            {
                "plan": names.get(pol, pol),
                "roles": ", ".join(f"{r} ({n:,} agent-months)" for r, n in (roles.get(pol) or {}).items())
                or "-",
                "definitions": "; ".join(str(c) for c in (defs.get(pol) or {})) or "registry defaults",
                "filled": ", ".join(f"{k} = {v:g}" for k, v in (filled.get(pol) or {}).items()),
            }
        )
    return out
