"""Building blocks of the policy checks: failing with a field path, formatting numbers, tier and
linear-table checks, uniqueness, and the known metric names (registry + declared inputs)."""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Iterable, Sequence

from kpisim.errors import SpecError
from kpisim.policy.rule_models import Interval, Tier

_TOL = 1e-9
LEVEL_CONDITIONS = ("below_level", "reaches_next_level")


def _fail(path: str, message: str) -> None:
    raise SpecError("<object>", path, message)


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}"


# --- tiers and linear points --------------------------------------------------------------------
def _key(iv: Interval) -> tuple:
    return (iv.lo, not iv.lo_closed, iv.hi, iv.hi_closed)


def check_tiers(
    tiers: Sequence[Tier], path: str, *, direction: str, scale: float | None, what: str = "points"
) -> None:
    """Tiers must be sorted, tile the whole number line, stay on the scale and follow the direction.

    Args:
        tiers: the bands as written.
        path: field path of the tier list.
        direction: ``higher``, ``lower`` or ``neutral`` (no monotonicity check).
        scale: largest points allowed (``None``: no upper limit).
        what: name of the thing tiers award, for messages.
    """
    ivs = [t.interval for t in tiers]
    keys = [_key(iv) for iv in ivs]
    n = len(ivs)
    ascending = all(keys[i] <= keys[i + 1] for i in range(n - 1))
    descending = all(keys[i] >= keys[i + 1] for i in range(n - 1))
    if not (ascending or descending):
        bad = next((i for i in range(1, n - 1) if (keys[i - 1] <= keys[i]) != (keys[i] <= keys[i + 1])), 1)
        _fail(
            f"{path}[{bad + 2}]",
            f"tiers are not sorted: {ivs[bad + 1].text!r} follows {ivs[bad].text!r}; list tiers "
            "from the lowest values to the highest, or from the highest to the lowest",
        )
    order = list(range(n)) if ascending else list(range(n - 1, -1, -1))
    for a, b in itertools.pairwise(order):
        A, B = ivs[a], ivs[b]
        # name both tiers in file order; blame the later one (the earlier one is read first)
        first_i, later_i = min(a, b), max(a, b)
        pair = f"tier {first_i + 1} {ivs[first_i].text!r} and tier {later_i + 1} {ivs[later_i].text!r}"
        if A.hi > B.lo or (A.hi == B.lo and A.hi_closed and B.lo_closed):
            where = (
                f"at {_fmt(B.lo)}" if A.hi == B.lo else f"between {_fmt(B.lo)} and {_fmt(min(A.hi, B.hi))}"
            )
            _fail(
                f"{path}[{later_i + 1}]",
                f"tiers overlap {where}: {pair} both include it; each value must fall in "
                "exactly one tier (use < on one side and <= on the other)",
            )
        if A.hi < B.lo or (A.hi == B.lo and not A.hi_closed and not B.lo_closed):
            gap = (
                f"the value {_fmt(A.hi)} falls"
                if A.hi == B.lo
                else f"values between {_fmt(A.hi)} and {_fmt(B.lo)} fall"
            )
            _fail(
                f"{path}[{later_i + 1}]",
                f"gap between tiers: {gap} in no tier ({pair}); tiers must cover every value exactly once",
            )
    first, last = ivs[order[0]], ivs[order[-1]]
    if first.lo != -math.inf:
        _fail(
            f"{path}[{order[0] + 1}]",
            f"values below {_fmt(first.lo)} fall in no tier; the lowest tier must have no lower "
            f"bound (e.g. 'x < {_fmt(first.lo)}')",
        )
    if last.hi != math.inf:
        _fail(
            f"{path}[{order[-1] + 1}]",
            f"values above {_fmt(last.hi)} fall in no tier; the highest tier must have no upper "
            f"bound (e.g. 'x > {_fmt(last.hi)}')",
        )
    pts = [tiers[i].points for i in order]
    _check_points_range(pts, [f"{path}[{i + 1}]" for i in order], scale, what)
    _check_monotone(
        pts, [f"{ivs[i].text!r}" for i in order], [f"{path}[{i + 1}]" for i in order], direction, what
    )


def check_linear(
    points: Sequence[tuple[float, float]], path: str, *, direction: str, scale: float | None
) -> None:
    """``[x, points]`` pairs: x strictly increasing, points on the scale and along the direction."""
    xs = [p[0] for p in points]
    for i in range(1, len(xs)):
        if not xs[i] > xs[i - 1]:
            _fail(
                f"{path}[{i + 1}]",
                f"x values must increase strictly; {_fmt(xs[i])} follows {_fmt(xs[i - 1])}",
            )
    for i, x in enumerate(xs):
        if not math.isfinite(x) or not math.isfinite(points[i][1]):
            _fail(f"{path}[{i + 1}]", "points must be finite numbers")
    ps = [p[1] for p in points]
    paths = [f"{path}[{i + 1}]" for i in range(len(ps))]
    _check_points_range(ps, paths, scale, "points")
    _check_monotone(ps, [f"x = {_fmt(x)}" for x in xs], paths, direction, "points")


def _check_points_range(pts: list[float], paths: list[str], scale: float | None, what: str) -> None:
    for p, where in zip(pts, paths, strict=False):
        if p < 0:
            _fail(where, f"{what} {_fmt(p)} below 0; use deductions for points off")
        if scale is not None and p > scale + _TOL:
            _fail(
                where,
                f"{what} {_fmt(p)} exceed the scale {_fmt(scale)} (percent weights score "
                "0-100; the points form scores 0-max_points)",
            )


def _check_monotone(pts: list[float], labels: list[str], paths: list[str], direction: str, what: str) -> None:
    if direction == "neutral":
        return
    for i in range(1, len(pts)):
        worse = pts[i] < pts[i - 1] if direction == "higher" else pts[i] > pts[i - 1]
        if worse:
            _fail(
                paths[i],
                f"{what} go the wrong way for a {direction}-is-better metric: "
                f"{labels[i - 1]} earns {_fmt(pts[i - 1])} but {labels[i]} earns {_fmt(pts[i])}; "
                "fix the order of the points or set direction: neutral",
            )


# --- helpers ----------------------------------------------------------------------------------
def _unique(items: Iterable, path: str, attr: str = "id") -> None:
    seen: set = set()
    for item in items:
        v = getattr(item, attr)
        if v in seen:
            _fail(f"{path}[{v}]", f"duplicate {attr} {v!r}; each {attr} may appear once in the list")
        seen.add(v)


class _Metrics:
    """Known metric names with their directions: the registry plus declared inputs."""

    def __init__(self, policy):
        from kpisim.policy.metrics import known_metrics

        self.registry = known_metrics()
        self.directions = dict(self.registry)
        for inp in policy.inputs:
            self.directions[inp.name] = inp.direction

    def check(self, name: str, path: str) -> str:
        if name not in self.directions:
            close = difflib.get_close_matches(name, list(self.directions), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            _fail(
                path,
                f"unknown metric {name!r}{hint}; use a key of the metric registry "
                "(kpisim.kpi.registry) or declare it under inputs",
            )
        return self.directions[name]
