"""What behaviour a policy pays for: incentive gradient, tier cliffs, lever effects.

* ``incentive_gradient``: pay change of the median agent for one realistic step better on each
  scored metric, everything else held fixed (the row is perturbed and the whole month re-scored,
  so relative rules see the new team average).
* ``pay_by_rank``: mean pay at each score rank and the gain from moving up one rank (the shape of
  a ranked pool: how much the middle of the distribution can gain).
* ``tier_cliffs``: for tier rules, the share of agents within one step below a tier boundary.
* ``lever_effects``: simulate a scenario variant in which one agent group pulls a behaviour lever
  (e.g. rushing), same seed as the baseline (common random numbers), and report the change in
  that group's pay and KPIs.

The gradient itself is computed in :mod:`kpisim.analysis.gradient` (one batched call per policy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kpisim.analysis.gradient import (  # re-exported: the incentive measures live together here
    DEFAULT_METRICS,
    STEP_SD,
    UNBOUNDED,
    incentive_gradient,
    metric_steps,
    scored_metrics,
)
from kpisim.analysis.policy_meta import needed_variants
from kpisim.analysis.runner import run_replications, summarise_for_compare
from kpisim.analysis.stats import ci_frame
from kpisim.errors import KpisimError
from kpisim.policy.scoring import directions
from kpisim.scenario.models import Levers, Scenario, pull_levers

__all__ = [
    "DEFAULT_LEVERS",
    "DEFAULT_METRICS",
    "LEVER_KPIS",
    "STEP_SD",
    "UNBOUNDED",
    "incentive_gradient",
    "lever_effects",
    "lever_variant",
    "metric_steps",
    "pay_by_rank",
    "scored_metrics",
    "tier_cliffs",
]

#: Lever settings tried by ``Comparison.lever_effects`` when none are given (moderate gaming).
DEFAULT_LEVERS: dict[str, dict[str, float]] = {
    "rush": {"rush_handle_factor": 0.8, "rush_resolution_odds": 0.7, "rush_csat_shift": -0.2},
    "sales_push": {
        "sales_push_odds": 1.3,
        "sales_push_complaint_factor": 1.5,
        "sales_push_refund_factor": 1.3,
    },
    "cherry_pick": {"cherry_pick_share": 0.2, "cherry_pick_delay_s": 60.0, "cherry_pick_transfer": 0.3},
}
#: KPIs reported by ``lever_effects``.
LEVER_KPIS = ("handled", "aht_s", "fcr_rate", "csat_mean", "conversion_rate", "sales_cents", "complaints")


def pay_by_rank(comp, *, column: str | Sequence[str] = "total_cents") -> pd.DataFrame:
    """Mean pay of the agent at each score rank, and what moving up one rank is worth.

    Within each policy and month (replication x period) the agents are ranked by that policy's
    score total (1 = best; equal totals by higher pay, then agent_id; agents without a score come
    last). Per policy and rank, over months: ``pay_cents`` (mean pay of the agent holding the
    rank, 95 % CI) and ``step_up_cents`` (pay at rank r - 1 minus pay at rank r in the same
    month: the gain from passing the next agent up; NaN at rank 1). ``median_rank`` is the middle
    rank of the month's scored agents (lower middle for an even count; median over months).

    Args:
        comp: a ``Comparison``.
        column: pay column of ``comp.pay`` (default the payout ``total_cents``), or several
            summed, e.g. ``["pool_silent_cents", "team_bonus_cents"]`` for the bonus alone (a
            column a policy does not have counts 0 for it).

    Returns:
        Columns policy, rank, pay_cents (+_lo/_hi), step_up_cents (+_lo/_hi), n, median_rank.
    """
    keys = ["policy", "replication", "period", "agent_id"]
    cols = [column] if isinstance(column, str) else list(column)
    missing = [c for c in cols if c not in comp.pay]
    if missing or not cols:
        raise KpisimError(
            f"pay_by_rank: no pay column {', '.join(map(repr, missing)) or '(none given)'}; pay "
            f"columns are {', '.join(c for c in comp.pay.columns if c.endswith('_cents'))}"
        )
    d = comp.pay[keys + cols].merge(comp.scores[[*keys, "total"]], on=keys, how="left")
    d["pay"] = sum(pd.to_numeric(d[c]).astype(float).fillna(0.0) for c in cols)
    d["_score"] = pd.to_numeric(d["total"], errors="coerce").astype(float).fillna(-np.inf)
    d = d.sort_values(
        ["policy", "replication", "period", "_score", "pay", "agent_id"],
        ascending=[True, True, True, False, False, True],
        kind="stable",
    )
    month = ["policy", "replication", "period"]
    d["rank"] = d.groupby(month, sort=False).cumcount() + 1
    d["step_up_cents"] = d.groupby(month, sort=False)["pay"].shift(1) - d["pay"]
    scored = d[np.isfinite(d["_score"])].groupby(month, sort=False)["rank"].max()
    med = ((scored + 1) // 2).groupby(level="policy").median()
    out = ci_frame(d.rename(columns={"pay": "pay_cents"}), ["policy", "rank"], ["pay_cents", "step_up_cents"])
    n = d.groupby(["policy", "rank"], sort=False).size()
    out["n"] = n.reindex(pd.MultiIndex.from_frame(out[["policy", "rank"]])).to_numpy()
    out["median_rank"] = out["policy"].map(med)
    order = {p: i for i, p in enumerate(dict.fromkeys(comp.pay["policy"]))}
    return out.sort_values(
        ["policy", "rank"], key=lambda c: c.map(order) if c.name == "policy" else c, kind="stable"
    ).reset_index(drop=True)


def tier_cliffs(comp, *, policies: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Where tier boundaries sit relative to the agents: share within one step below each.

    Only components with a ``tiers`` rule (absolute, or ``relative`` on the share of the group
    average) are examined; the step is that of :func:`metric_steps` (for relative rules divided by
    the group average). "Below" means on the worse side of the boundary. A policy with roles is
    examined card by card, each on its own role's agents (``role``; ``all`` without roles).

    Returns:
        One row per policy, role, component and boundary: metric, boundary, share_within_step (CI).
    """
    from kpisim.policy.definitions import ALL
    from kpisim.policy.roles import assign, role_policy

    policies = policies or comp.meta.get("policy_objects") or {}
    kt = comp.kpis
    rows: list[dict] = []
    for name, pol in policies.items():
        if not hasattr(pol, "roles"):  # not a kpisim policy: nothing to examine
            continue
        if not pol.roles:
            rows += _cliffs(name, ALL, pol, kt)
            continue
        who = assign(pol, kt)
        for role in pol.roles:
            if not role.unscored:
                rows += _cliffs(name, role.id, role_policy(pol, role), kt[who == role.id])
    if not rows:
        return pd.DataFrame(
            columns=["policy", "role", "component", "metric", "boundary", "share_within_step"]
        )
    return ci_frame(
        pd.DataFrame(rows),
        ["policy", "role", "component", "metric", "relative", "boundary"],
        ["share_within_step"],
        bounds={"share_within_step": (0.0, 1.0)},
    )


def _cliffs(name: str, role: str, pol, kt: pd.DataFrame) -> list[dict]:
    """``tier_cliffs``'s rows of one card (``pol``: a single-card policy) on its agents ``kt``."""
    from kpisim.policy.rule_models import parse_interval

    rows: list[dict] = []
    dirs = directions(pol)
    for comp_spec in pol.scorecard.components:
        rule = comp_spec.rule
        tiers = getattr(rule, "tiers", None)
        if not tiers or comp_spec.metric not in kt or not len(kt):
            continue
        relative = getattr(rule, "type", "") == "relative"
        step = abs(metric_steps(kt, [comp_spec.metric], policy=pol).get(comp_spec.metric, np.nan))
        higher = (comp_spec.direction or dirs.get(comp_spec.metric, "higher")) != "lower"
        cuts = sorted(
            {
                b
                for t in tiers
                for b in (parse_interval(t.when).lo, parse_interval(t.when).hi)
                if np.isfinite(b)
            }
        )
        for (rep, per), month in kt.groupby(["replication", "period"], sort=True):
            x = pd.to_numeric(month[comp_spec.metric], errors="coerce").astype(float)
            st = step
            if relative:
                gb = list(getattr(rule, "group_by", ()) or ())
                avg = x.groupby([month[c] for c in gb]).transform("mean") if gb else x.mean()
                x, st = x / avg, step / avg
            for cut in cuts:
                gap = (cut - x) if higher else (x - cut)
                within = ((gap > 0) & (gap <= st)).mean()
                rows.append(
                    {
                        "policy": name,
                        "role": role,
                        "component": comp_spec.id,
                        "metric": comp_spec.metric,
                        "relative": relative,
                        "boundary": cut,
                        "replication": rep,
                        "period": per,
                        "share_within_step": float(within),
                    }
                )
    return rows


def lever_variant(
    scenario: Scenario, levers: Mapping[str, float], *, groups: Sequence[str] | None = None
) -> Scenario:
    """A copy of ``scenario`` in which ``groups`` (default: all) pull ``levers``.

    Args:
        levers: lever name (a field of ``Levers``, see ``LEVER_NAMES``) -> setting.

    Raises:
        SpecError: an unknown lever name (with "did you mean" and the allowed names) or a bad
            lever value.
        KpisimError: an unknown agent group.
    """
    names = [g.name for g in scenario.agents]
    for g in groups or ():
        if g not in names:
            raise KpisimError(f"unknown agent group {g!r}; groups are {names}")
    pull_levers(Levers(), levers)  # check the names even if no group pulls them
    agents = [
        g.model_copy(update={"levers": pull_levers(g.levers, levers, where=f"agents.{g.name}.levers")})
        if groups is None or g.name in groups
        else g
        for g in scenario.agents
    ]
    return scenario.model_copy(update={"agents": agents})


def lever_effects(
    scenario: Scenario,
    policies: Mapping[str, Any],
    levers: Mapping[str, Mapping[str, float]],
    *,
    groups: Sequence[str] | None = None,
    replications: int = 4,
    seed: int = 1,
    jobs: int | None = None,
    executor: Any = None,
    progress: bool | str = True,
    period: str = "month",
    base_kpis: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pay and KPI effect of each lever set, estimated by simulation with common random numbers.

    Args:
        scenario: the baseline centre.
        policies: name -> policy.
        levers: label -> lever updates, e.g. ``{"rush": {"rush_handle_factor": 0.8,
            "rush_resolution_odds": 0.7}}``; names must be in ``LEVER_NAMES`` (``SpecError``
            otherwise, before anything is simulated).
        groups: agent groups that pull the lever (default: all).
        base_kpis: the baseline's KPI table for the same seed and replications if already
            simulated (e.g. ``Comparison.kpis``); its extra columns (policy inputs) are copied to
            the variants. Saves simulating the baseline again.

    Returns:
        One row per lever and policy: delta_pay_cents (mean per pulling agent per month, CI) and
        delta_<kpi> for ``LEVER_KPIS`` (pulling agents' mean, CI); paired by replication.
    """

    labels = list(levers)
    for k in labels:  # fail on a misspelt lever before simulating anything
        pull_levers(Levers(), levers[k], where=f"levers.{k}")
    variants = [lever_variant(scenario, levers[k], groups=groups) for k in labels]
    if base_kpis is None:
        variants = [scenario, *variants]
    res = run_replications(
        variants,
        summarise_for_compare,
        seed=seed,
        replications=replications,
        jobs=jobs,
        executor=executor,
        progress=progress,
        options={"kpi_by": ("agent_id",), "period": period, "variants": needed_variants(policies)},
        desc="levers",
    )
    tables = [
        pd.concat([r["kpis"] for r in res[i * replications : (i + 1) * replications]], ignore_index=True)
        for i in range(len(variants))
    ]
    keys = ["replication", "agent_id", "period"]
    if base_kpis is not None:
        extra = [c for c in base_kpis.columns if c not in tables[0].columns]
        tables = [base_kpis] + [
            t.merge(base_kpis[keys + extra], on=keys, how="left") if extra else t for t in tables
        ]
    rows = []
    base = tables[0]
    pulled = base["group"].isin(groups) if groups is not None else pd.Series(True, index=base.index)
    for name, pol in policies.items():
        bpay = pol.pay(pol.score(base), base)[[*keys, "total_cents"]]
        for label, vt in zip(labels, tables[1:], strict=False):
            vpay = pol.pay(pol.score(vt), vt)[[*keys, "total_cents"]]
            m = bpay.merge(vpay, on=keys, suffixes=("_base", "_lever"))
            kb = base[keys + [c for c in LEVER_KPIS if c in base]]
            kv = vt[keys + [c for c in LEVER_KPIS if c in vt]]
            m = m.merge(kb, on=keys).merge(kv, on=keys, suffixes=("_base", "_lever"))
            m = m[m["agent_id"].isin(base.loc[pulled, "agent_id"])]
            m["delta_pay_cents"] = m["total_cents_lever"] - m["total_cents_base"]
            cols = ["delta_pay_cents"]
            for k in LEVER_KPIS:
                if f"{k}_base" in m:
                    m[f"delta_{k}"] = pd.to_numeric(m[f"{k}_lever"], errors="coerce").astype(
                        float
                    ) - pd.to_numeric(m[f"{k}_base"], errors="coerce").astype(float)
                    cols.append(f"delta_{k}")
            per = m.groupby(["replication", "period"])[cols].mean().reset_index()
            out = ci_frame(per, [], cols)
            out.insert(0, "policy", name)
            out.insert(0, "lever", label)
            rows.append(out)
    return pd.concat(rows, ignore_index=True)
