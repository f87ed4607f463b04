"""The knobs of a policy a what-if panel turns: component weights, tier edges and pool split
shares, each read from a policy and written back into a validated copy of it.

A knob is a (kind, address) pair; :func:`knobs` lists a policy's knobs with their current values
and :func:`apply` returns the policy with new values (validated again, so an edit that breaks a
rule, e.g. tier edges out of order, raises :class:`kpisim.errors.SpecError`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Knob:
    """One adjustable number of a policy.

    Attributes:
        key: unique id, e.g. ``weight:sales`` or ``edge:sales:1.15`` or ``pool:silent:rank1``.
        label: words for the slider.
        value: current value.
        lo, hi, step: the slider's range.
    """

    key: str
    label: str
    value: float
    lo: float
    hi: float
    step: float


def _edges(tiers) -> list[float]:
    from kpisim.policy.rule_models import parse_interval

    return sorted(
        {b for t in tiers for b in (parse_interval(t.when).lo, parse_interval(t.when).hi) if math.isfinite(b)}
    )


def knobs(policy) -> list[Knob]:
    """The policy's weights, finite tier edges and (rank-split) pool percentages."""
    from kpisim.plots.labels import metric_label

    out: list[Knob] = []
    for c in policy.scorecard.components:
        name = metric_label(c.metric, unit=False)
        if (
            c.category is None or c.max_points is not None
        ):  # a categorised percent weight is fixed by its category
            out.append(
                Knob(
                    f"weight:{c.id}",
                    f"weight of {name}",
                    float(c.weight),
                    0.0,
                    max(2 * c.weight, 1.0),
                    0.5 if c.weight >= 5 else 0.05,
                )
            )
        tiers = getattr(c.rule, "tiers", None)
        for e in _edges(tiers or ()):
            span = abs(e) if e else 1.0
            out.append(
                Knob(f"edge:{c.id}:{e!r}", f"{name}: tier edge {e:g}", e, e - span, e + span, span / 50)
            )
    for p in policy.pay_plan.pools:
        if p.split != "rank":
            continue
        for s in p.shares:
            out.append(
                Knob(
                    f"pool:{p.id}:{s.rank}",
                    f"pool {p.id}: rank {s.rank} share (%)",
                    float(s.pct),
                    0.0,
                    100.0,
                    1.0,
                )
            )
        out.append(
            Knob(f"pool:{p.id}:rest", f"pool {p.id}: rest shared (%)", float(p.rest_pct), 0.0, 100.0, 1.0)
        )
    return out


def _fmt(v: float) -> str:
    return repr(float(v)) if not float(v).is_integer() else str(int(v))


def _when(iv, old: float, new: float) -> str:
    lo = new if iv.lo == old else iv.lo
    hi = new if iv.hi == old else iv.hi
    if math.isfinite(lo) and math.isfinite(hi):
        return f"{_fmt(lo)} {'<=' if iv.lo_closed else '<'} x {'<=' if iv.hi_closed else '<'} {_fmt(hi)}"
    if math.isfinite(lo):
        return f"x {'>=' if iv.lo_closed else '>'} {_fmt(lo)}"
    return f"x {'<=' if iv.hi_closed else '<'} {_fmt(hi)}"


def apply(policy, values: dict[str, float]):
    """``policy`` with the knobs in ``values`` (key -> new value) set; validated as a new policy.

    Raises:
        SpecError: the edited policy breaks a rule of the policy language.
    """
    from kpisim.policy.loading import validate_policy
    from kpisim.policy.rule_models import parse_interval

    data: dict[str, Any] = policy.model_dump(mode="json", by_alias=True, exclude_none=True)
    comps = {c["id"]: c for c in data["scorecard"]["components"]}
    pools = {p["id"]: p for p in data.get("pay", {}).get("pools", [])}
    for key, v in values.items():
        kind, _, rest = key.partition(":")
        if kind == "weight":
            comps[rest]["weight"] = float(v)
        elif kind == "edge":
            cid, _, old = rest.partition(":")
            rule = comps[cid]["rule"]
            for t in rule["tiers"]:
                t["when"] = _when(parse_interval(t["when"]), float(old), float(v))
        elif kind == "pool":
            pid, _, which = rest.partition(":")
            if which == "rest":
                pools[pid]["rest_pct"] = str(v)
            else:
                for s in pools[pid]["shares"]:
                    if str(s["rank"]) == which:
                        s["pct"] = str(v)
    sc = data["scorecard"]
    if sc.get("max_points") is not None and any(k.startswith("weight:") for k in values):
        # the points form declares its full score (S1: 289); it follows the new weights
        comps = sc["components"]
        if comps and comps[0].get("max_points") is not None:
            sc["max_points"] = sum(c["max_points"] for c in sc.get("categories", [])) + sum(
                c["max_points"] * c["weight"] for c in comps if c.get("category") is None
            )
    return validate_policy(data, file=f"<what-if of {policy.id}>")


def to_yaml(policy) -> str:
    """The policy as YAML text (loads back to an equal policy)."""
    import yaml

    data = policy.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    head = "# yaml-language-server: $schema=../../docs/schema/policy.json\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
