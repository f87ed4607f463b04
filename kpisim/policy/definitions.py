"""Metric definitions written into a policy: which KPI column each use of a metric reads.

A policy's ``definitions`` (metric -> {parameter: value}) apply to every use of the metric in
the policy (components, deductions, gates, pools, team targets, ...); a component's own
``definition`` applies on top, to that component only. A use whose definition differs from the
registry default reads the variant column (``kpisim.kpi.variants``), e.g. ``fcr_rate@window_h=12``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kpisim.kpi.registry import METRICS
from kpisim.kpi.variants import Variant, changed, variant_column

if TYPE_CHECKING:
    from kpisim.policy.models import Policy, Scorecard
    from kpisim.policy.pay_models import PayPlan


def card_metrics(sc: Scorecard) -> Iterator[str]:
    """Every metric or input name a scorecard reads."""
    for c in sc.components:
        yield c.metric
    yield from (d.metric for d in sc.deductions)
    yield from (b.metric for b in sc.bonuses)
    yield from (g.metric for g in sc.gates)
    if sc.grades is not None:
        yield from sc.grades.tie_break


def plan_metrics(plan: PayPlan) -> Iterator[str]:
    """Every metric or input name a pay plan reads."""
    for c in plan.commissions:
        yield c.metric
        if c.scale_by is not None:
            yield c.scale_by.metric
    for p in plan.pools:
        yield p.base_metric
        if p.rank_by != "total":
            yield p.rank_by
        yield from p.tie_break
    for b in plan.team_bonuses:
        for t in b.targets:
            yield t.metric
            if t.weighted_by:
                yield t.weighted_by
    yield from (p.metric for p in plan.prizes)
    yield from (f.metric for f in plan.fines)


#: The role of every agent of a policy without roles.
ALL = "all"


def role_cards(policy: Policy) -> list[tuple[str, Scorecard, PayPlan]]:
    """(role id, scorecard, pay plan) of every scored role (``ALL`` and the policy's own without
    roles)."""
    if not policy.roles:
        return [(ALL, policy.scorecard, policy.pay_plan)]
    return [
        (r.id, r.scorecard or policy.scorecard, r.pay_plan or policy.pay_plan)
        for r in policy.roles
        if not r.unscored
    ]


def cards(policy: Policy) -> list[tuple[Scorecard, PayPlan]]:
    """The (scorecard, pay plan) of every scored role (just the policy's without roles)."""
    return [(sc, plan) for _id, sc, plan in role_cards(policy)]


def component_params(policy: Policy, metric: str, own: dict[str, Any] | None) -> dict[str, Any]:
    """The parameters a component's metric is read with: the policy's, then its own."""
    return {**policy.definitions.get(metric, {}), **(own or {})}


def kpi_variants(policy: Policy) -> dict[str, Variant]:
    """Variant columns the policy reads: column name -> (metric, parameters differing from the
    registry defaults). Empty when the policy uses the registry definitions throughout."""
    out: dict[str, Variant] = {}
    used: set[str] = set()
    for sc, plan in cards(policy):
        used.update(card_metrics(sc))
        used.update(plan_metrics(plan))
        for c in sc.components:
            if c.definition is not None and c.metric in METRICS:
                params = component_params(policy, c.metric, c.definition)
                col = variant_column(c.metric, params)
                if col != c.metric:
                    out[col] = (c.metric, changed(c.metric, params))
    for metric, params in policy.definitions.items():
        col = variant_column(metric, params)
        if metric in used and col != metric:
            out[col] = (metric, changed(metric, params))
    return dict(sorted(out.items()))


def definitions_used(policy: Policy) -> dict[str, dict[str, Any]]:
    """For manifests and reports: variant column -> {metric, definition}; plain metric columns
    (registry defaults or the KPI table's own definition) are not listed."""
    return {
        col: {"metric": m, "definition": {k: list(v) if isinstance(v, tuple) else v for k, v in p.items()}}
        for col, (m, p) in kpi_variants(policy).items()
    }


def needed_variants(policies: Any) -> dict[str, Variant]:
    """Union of :func:`kpi_variants` over a mapping of policies (objects without it: none)."""
    out: dict[str, Variant] = {}
    for pol in getattr(policies, "values", lambda: policies)():
        if hasattr(pol, "definitions") and hasattr(pol, "roles"):
            out.update(kpi_variants(pol))
    return out


def kpis_for(log: Any, policies: Any, *, by=("agent_id",), period: str = "month", kpis: Any = None):
    """The KPI table of ``log`` with every variant column the policies read (one policy or a
    mapping / list of them): ``kpisim.kpis`` (or the given ``kpis`` function) plus
    ``kpisim.kpi.variants.add_variants``.

    Example:
        ``kt = kpisim.kpis_for(log, policy); policy.score(kt)``
    """
    from kpisim.kpi.compute import kpis as _kpis
    from kpisim.kpi.variants import add_variants

    pols = [policies] if hasattr(policies, "scorecard") else policies
    table = (kpis or _kpis)(log, by=tuple(by), period=period)
    return add_variants(log, table, needed_variants(pols), by=tuple(by), period=period)
