"""Scoring rules, vectorised over all rows at once (numpy; no Python loop per agent).

Every function maps an array of metric values to an array of points; NaN in gives NaN out
(the caller applies the component's ``missing`` option).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from kpisim.policy.frame import Table, group_mean, snap
from kpisim.policy.rule_models import (
    DirectRule,
    LinearRule,
    RelativeRule,
    TargetRule,
    Tier,
    TiersRule,
)


@lru_cache(maxsize=256)
def compile_tiers(tiers: tuple[Tier, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ascending cut points, whether the lower band owns each cut, and the points per band.

    A validated tier table tiles the number line, so band ``i`` (ascending) is
    ``cut[i-1] <(=) x <(=) cut[i]`` and each cut belongs to exactly one side.
    """
    bands = sorted(tiers, key=lambda t: (t.interval.lo, not t.interval.lo_closed))
    cuts = np.array([b.interval.lo for b in bands[1:]], dtype=float)
    lower_owns = np.array([b.interval.hi_closed for b in bands[:-1]], dtype=bool)
    points = np.array([b.points for b in bands], dtype=float)
    return cuts, lower_owns, points


def tier_index(x: np.ndarray, cuts: np.ndarray, lower_owns: np.ndarray) -> np.ndarray:
    """Index of the ascending band holding each value (NaN -> 0; mask NaN separately)."""
    idx = np.searchsorted(cuts, x, side="right")  # number of cuts <= x
    if len(cuts):
        prev = np.clip(idx - 1, 0, len(cuts) - 1)
        on_cut = (idx > 0) & (cuts[prev] == x) & lower_owns[prev]
        idx = idx - on_cut
    return idx


def tiers(x: np.ndarray, table: tuple[Tier, ...]) -> np.ndarray:
    """Points of the band each value falls in."""
    cuts, lower_owns, points = compile_tiers(table)
    out = points[tier_index(x, cuts, lower_owns)]
    return np.where(np.isnan(x), np.nan, out)


def linear(x: np.ndarray, pairs: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Linear interpolation between ``[x, points]`` pairs, clipped to the end points."""
    xs = np.array([p[0] for p in pairs], dtype=float)
    ps = np.array([p[1] for p in pairs], dtype=float)
    out = np.interp(x, xs, ps)
    return np.where(np.isnan(x), np.nan, out)


def relative_share(x: np.ndarray, table: Table, group_by: tuple[str, ...], needed_by: str) -> np.ndarray:
    """Each value divided by the mean of its group (1.0 = the group average), snapped to 9 decimals."""
    gid, g = table.groups(group_by, needed_by)
    mean = group_mean(x, gid, g)[gid]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = x / mean
    return np.where(mean > 0, snap(share), np.nan)


def percent_of_target(x: np.ndarray, rule: TargetRule, *, direction: str, scale: float) -> np.ndarray:
    """``scale x min(attainment, cap) / 100``; 0 below the floor. Attainment in percent."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if direction == "lower":
            att = np.where(x > 0, 100.0 * rule.target / x, np.inf)
            att = np.where(np.isnan(x), np.nan, att)
        else:
            att = 100.0 * x / rule.target
        att = snap(att)
    pts = scale * np.minimum(att, rule.cap_pct) / 100.0
    pts = np.where(att < rule.floor_pct, 0.0, np.maximum(pts, 0.0))
    return np.where(np.isnan(x), np.nan, pts)


def evaluate(
    rule, x: np.ndarray, *, table: Table, direction: str, scale: float | None, needed_by: str
) -> np.ndarray:
    """Points for every row under ``rule``.

    Args:
        rule: a validated rule spec.
        x: metric values (float64, NaN = missing).
        table: for group means of relative rules.
        direction: the metric's direction (for percent_of_target).
        scale: top of the component scale (100 or max_points); ``None`` for bonus rules.
        needed_by: field path, for messages.
    """
    if isinstance(rule, TiersRule):
        return tiers(x, rule.tiers)
    if isinstance(rule, LinearRule):
        return linear(x, rule.points)
    if isinstance(rule, RelativeRule):
        share = relative_share(x, table, rule.group_by, needed_by)
        if rule.tiers is not None:
            return tiers(share, rule.tiers)
        assert rule.linear is not None  # the model requires exactly one of tiers / linear
        return linear(share, rule.linear)
    assert scale is not None, f"{needed_by}: a {type(rule).__name__} needs the component's max points"
    if isinstance(rule, TargetRule):
        return percent_of_target(x, rule, direction=direction, scale=float(scale))
    if isinstance(rule, DirectRule):
        return np.clip(x, 0.0, float(scale))
    raise TypeError(f"unknown rule {type(rule).__name__}")  # pragma: no cover
