"""Score breakdown: where each policy's points come from, item by item.

``score_breakdown(comparison)`` turns the ``pts_*`` / ``bonus_*`` / ``ded_*`` / ``cat_*`` columns of
:attr:`Comparison.scores` into one tidy row per policy and scorecard item: mean points per
agent-month with a 95 % CI across months, the item's maximum, and whether the item can measure
anything on this scenario (share of agent-months where its metric is missing; whether its metric
differs between agents at all — a declared input filled with a neutral constant does not).

The rows with ``in_total`` add up to the mean total: categories, items outside categories
(components, bonuses, minus deductions) and, when the total's floor / cap / zeroing gates moved
a total by more than its rounding, a ``limits`` row with the difference (otherwise they add up
to the mean total within half a rounding step). Items inside a category have
``in_total`` False: their points reach the total through the category (clipped to its limits).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kpisim.analysis.stats import ci_frame
from kpisim.errors import KpisimError

KEYS = ["replication", "agent_id", "period"]


def score_items(policy: Any) -> pd.DataFrame:
    """The scorecard items of ``policy`` in scoring order.

    Returns:
        One row per item: kind (component, bonus, deduction, category), item (id), column (in the
        score table), sign (-1 for deductions, which the score table holds as points off),
        label, category, metric, source (``registry`` or ``input``), max_points (NaN when the
        item has no maximum), in_total.
    """
    from kpisim.policy.checks import component_max

    sc = policy.scorecard
    inputs = {i.name for i in getattr(policy, "inputs", ()) or ()}
    rows = []

    def add(kind, item, column, sign, label, category, metric, max_points):
        rows.append(
            {
                "kind": kind,
                "item": item,
                "column": column,
                "sign": sign,
                "label": label or item,
                "category": category or "",
                "metric": metric or "",
                "source": "" if not metric else ("input" if metric in inputs else "registry"),
                "max_points": float(max_points) if max_points is not None else np.nan,
                "in_total": category is None,
            }
        )

    for c in sc.components:
        add("component", c.id, f"pts_{c.id}", 1, c.label, c.category, c.metric, component_max(c))
    for b in sc.bonuses:
        add("bonus", b.id, f"bonus_{b.id}", 1, b.label, b.category, b.metric, b.max_points)
    for d in sc.deductions:
        add("deduction", d.id, f"ded_{d.id}", -1, d.label, d.category, d.metric, d.max_points)
    for cat in sc.categories:
        add("category", cat.id, f"cat_{cat.id}", 1, cat.label, None, None, cat.max_points)
    return pd.DataFrame(rows)


def score_breakdown(
    comp, *, by: Sequence[str] = (), policies: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Mean points per scorecard item and policy, with 95 % CIs across months.

    Args:
        comp: a :class:`~kpisim.analysis.compare.Comparison`.
        by: extra grouping columns of the KPI table (e.g. ``("shift",)`` or ``("agent_id",)``);
            the mean is then taken within each group.
        policies: name -> policy objects (default: those stored on ``comp``).

    Returns:
        One row per policy, role (``all`` without roles; each role's items are those of its own
        card, measured on its own agents), ``by`` group and item (the columns of
        :func:`score_items`, then
        points = signed mean points per agent-month (deductions negative) with ``_lo``/``_hi``
        and ``n`` months, pct_of_max = 100 x points / max_points, missing_share = share of the
        group's agent-months whose metric is missing (NaN), varies = whether the metric takes more
        than one value among the agents of at least one month). Two more kinds of row: ``limits``
        (total minus the sum of the other ``in_total`` rows, only when it exceeds the total's
        rounding somewhere)
        and ``total`` (the mean total, with the scorecard maximum as max_points; ``in_total``
        False).

    Raises:
        KpisimError: the policy objects are unknown or a ``by`` column is not in the KPI table.
    """
    policies = policies or comp.meta.get("policy_objects") or {}
    if not policies:
        raise KpisimError("score_breakdown needs the policy objects (compare stores them in meta)")
    by = list(by)
    kt = comp.kpis
    missing = [c for c in by if c not in kt.columns]
    if missing:
        raise KpisimError(
            f"score_breakdown: by column(s) {missing} not in the KPI table; "
            f"available: {sorted(c for c in kt.columns if not c.startswith(('n_', 'sum_')))}"
        )
    month = ["replication", "period"]
    out = []
    for name, role, pol, s in _by_role(policies, comp.scores):
        items = score_items(pol)
        s = s.drop(columns=[c for c in by if c in s.columns and c not in KEYS])
        if by:
            s = s.merge(kt[KEYS + [c for c in by if c not in KEYS]], on=KEYS, how="left")
        vals = pd.DataFrame(
            {r.column: s[r.column].astype(float) * r.sign for r in items.itertuples()}, index=s.index
        )
        total = s["total"].astype(float)
        parts = items.loc[items["in_total"], "column"].tolist()
        limits = total - vals[parts].sum(axis=1)
        extra = []
        step = 10.0**-pol.scorecard.total.decimals  # rounding alone moves a total by <= step / 2
        if (limits.abs() > step / 2 + 1e-6).any():
            vals["limits"] = limits
            extra.append(
                {
                    "kind": "limits",
                    "item": "limits",
                    "column": "limits",
                    "sign": 1,
                    "label": "total floor / cap / zeroing gates / rounding",
                    "category": "",
                    "metric": "",
                    "source": "",
                    "max_points": np.nan,
                    "in_total": True,
                }
            )
        vals["total"] = total
        extra.append(
            {
                "kind": "total",
                "item": "total",
                "column": "total",
                "sign": 1,
                "label": "total score",
                "category": "",
                "metric": "",
                "source": "",
                "max_points": float(pol.max_points),
                "in_total": False,
            }
        )
        items = pd.concat([items, pd.DataFrame(extra)], ignore_index=True)
        vals[month + by] = s[month + by].to_numpy()
        per = vals.groupby(month + by, sort=True, dropna=False).mean().reset_index()
        long = per.melt(id_vars=month + by, var_name="column", value_name="points")
        ci = ci_frame(long, [*by, "column"], ["points"])
        ci = items.merge(ci, on="column", how="left", sort=False)
        ci["pct_of_max"] = 100 * ci["points"] / ci["max_points"].where(ci["max_points"] > 0)
        mine = kt.merge(s[KEYS].drop_duplicates(), on=KEYS, how="inner") if role is not None else kt
        ci = _measurability(ci, mine, by)
        ci.insert(0, "policy", name)
        ci.insert(1, "role", role or "all")
        out.append(ci)
    res = pd.concat(out, ignore_index=True)
    cols = [
        "policy",
        "role",
        *by,
        "kind",
        "item",
        "label",
        "category",
        "metric",
        "source",
        "in_total",
        "max_points",
        "points",
        "points_lo",
        "points_hi",
        "n",
        "pct_of_max",
        "missing_share",
        "varies",
        "column",
        "sign",
    ]
    return res[cols]


def _by_role(policies: Mapping[str, Any], scores: pd.DataFrame):
    """(policy name, role or None, the role's single-card policy, its score rows) per policy and
    role with rows: each role's items are those of its own card."""
    for name, pol in policies.items():
        s = scores[scores["policy"] == name]
        if not getattr(pol, "roles", ()) or "role" not in s.columns:
            yield name, None, pol, s
            continue
        from kpisim.policy.roles import role_policy

        for r in pol.roles:
            rows = s[s["role"] == r.id]
            if len(rows) and not r.unscored:
                yield name, r.id, role_policy(pol, r), rows


def _measurability(ci: pd.DataFrame, kt: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Add missing_share (within the ``by`` group) and varies (across the agents of a month)."""
    ci["missing_share"] = np.nan
    ci["varies"] = pd.Series(pd.NA, index=ci.index, dtype="boolean")
    for metric in ci["metric"].unique():
        if not metric or metric not in kt.columns:
            continue
        x = pd.to_numeric(kt[metric], errors="coerce") if kt[metric].dtype != object else kt[metric]
        rows = ci["metric"] == metric
        varies = bool((x.groupby([kt["replication"], kt["period"]]).nunique() > 1).any())
        ci.loc[rows, "varies"] = varies
        if by:
            share = x.isna().groupby([kt[c] for c in by]).mean()
            key = pd.MultiIndex.from_frame(ci.loc[rows, by]) if len(by) > 1 else ci.loc[rows, by[0]]
            ci.loc[rows, "missing_share"] = share.reindex(key).to_numpy()
        else:
            ci.loc[rows, "missing_share"] = float(x.isna().mean())
    return ci
