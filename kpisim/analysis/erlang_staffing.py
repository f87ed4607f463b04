"""Staffing from the exact queueing formulas: the fewest agents meeting service-level and
abandonment targets, for one stationary load or per interval (each interval its own queue).

Erlang C (M/M/n) when no patience is given, Erlang A (M/M/n+M) otherwise; the formulas live in
:mod:`kpisim.analysis.theory`. Units as there: ``arrival_rate`` in contacts per **second**, every
time in **seconds**. ``docs/theory.md`` ("Staffing") states the rules.
"""

from __future__ import annotations

import math

import numpy as np

from kpisim.analysis.theory import (
    SL_DEFINITIONS,
    ErlangAResult,
    TheoryInputError,
    _as_float_array,
    _threshold,
    erlang_a,
)

__all__ = ["required_agents", "required_agents_per_interval"]


def _check_targets(target_sl, max_abandon, patience_mean_s, sl_definition) -> float:
    if target_sl is None and max_abandon is None:
        raise TheoryInputError("target_sl=None and max_abandon=None: give at least one target")
    if target_sl is not None and not 0 < target_sl < 1:
        raise TheoryInputError(f"target_sl={target_sl!r} is not allowed; it must be in (0, 1)")
    theta = math.inf if patience_mean_s is None else float(patience_mean_s)
    if not theta > 0:
        raise TheoryInputError(f"patience_mean_s={patience_mean_s!r} is not allowed; it must be > 0")
    if max_abandon is not None:
        if not 0 < max_abandon < 1:
            raise TheoryInputError(f"max_abandon={max_abandon!r} is not allowed; it must be in (0, 1)")
        if math.isinf(theta):
            raise TheoryInputError(
                f"max_abandon={max_abandon!r} needs patience_mean_s (Erlang C has no abandonment)"
            )
    if sl_definition not in SL_DEFINITIONS:
        raise TheoryInputError(
            f"sl_definition={sl_definition!r} is not allowed; use one of {', '.join(SL_DEFINITIONS)}"
        )
    return theta


def _staff_erlang_c(
    lam: np.ndarray, h: np.ndarray, target_sl: float, t: float, max_agents: int
) -> np.ndarray:
    """Smallest n with Erlang C SL >= target, for all intervals at once (one B recursion)."""
    load = lam * h
    need = np.where(lam > 0, -1, 0).astype(np.int64)
    b = np.ones(lam.shape)
    for k in range(1, max_agents + 1):
        if (need >= 0).all():
            break
        ab = load * b
        b = ab / (k + ab)
        open_ = (need < 0) & (load < k)
        if open_.any():
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                c = k * b / (k - load * (1.0 - b))
                sl = 1.0 - c * np.exp(-(k / h - lam) * t)
            need[open_ & (sl >= target_sl)] = k
    return need


def _meets(res: ErlangAResult, target_sl, max_abandon, sl_definition) -> bool:
    ok = True
    if target_sl is not None:
        ok &= getattr(res, sl_definition) >= target_sl
    if max_abandon is not None:
        ok &= res.p_abandon <= max_abandon
    return bool(ok)


def _staff_erlang_a(lam, h, theta, target_sl, t, max_abandon, sl_definition, max_agents) -> int:
    """Smallest n meeting the targets under Erlang A; bisection (the measures are monotone in n)."""
    if lam == 0:
        return 0

    def ok(n: int) -> bool:
        return _meets(erlang_a(lam, h, n, theta, threshold_s=t), target_sl, max_abandon, sl_definition)

    lo, hi = 0, max(1, min(max_agents, math.ceil(lam * h)))  # ok(lo) is False by convention
    while not ok(hi):
        if hi >= max_agents:
            return -1
        lo, hi = hi, min(max_agents, 2 * hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def required_agents_per_interval(
    volumes,
    interval_s: float,
    mean_handle_s,
    *,
    target_sl: float | None = 0.8,
    threshold_s: float = 20.0,
    max_abandon: float | None = None,
    patience_mean_s: float | None = None,
    sl_definition: str = "sl_answered_within",
    max_agents: int = 10_000,
) -> np.ndarray:
    """Smallest agents per interval meeting the targets, treating each interval as stationary.

    Args:
        volumes: contacts offered per interval (array-like, >= 0).
        interval_s: interval length in seconds (e.g. 1800 for half-hours).
        mean_handle_s: mean handle time in seconds (scalar or one per interval).
        target_sl: required service level (fraction in (0, 1)) or None for no SL target.
        threshold_s: service-level threshold in seconds.
        max_abandon: highest allowed P(abandon) (needs ``patience_mean_s``) or None.
        patience_mean_s: mean patience in seconds for Erlang A; None (or inf) for Erlang C.
        sl_definition: which ``ErlangAResult`` service level the target applies to; without
            patience they all coincide with Erlang C's.
        max_agents: search limit.

    Returns:
        int64 array of agents, one per interval (0 where the volume is 0), shaped like the
        broadcast of ``volumes`` and ``mean_handle_s`` (at least 1-D); ``interval`` in an
        error message is the index into the flattened array.

    Raises:
        TheoryInputError: bad argument, or a target not met with ``max_agents`` agents (the
            message names the interval).
    """
    interval = float(_as_float_array("interval_s", interval_s, positive=True))
    vol = _as_float_array("volumes", volumes)
    handle = _as_float_array("mean_handle_s", mean_handle_s, positive=True)
    lam, h = np.broadcast_arrays(np.atleast_1d(vol / interval), np.atleast_1d(handle))
    shape = lam.shape
    lam, h = lam.ravel().astype(float), h.ravel().astype(float)
    theta = _check_targets(target_sl, max_abandon, patience_mean_s, sl_definition)
    t = float(_threshold(threshold_s))
    if isinstance(max_agents, bool) or not isinstance(max_agents, (int, np.integer)) or max_agents < 1:
        raise TheoryInputError(f"max_agents={max_agents!r} is not allowed; it must be an integer >= 1")
    if math.isinf(theta):
        need = _staff_erlang_c(lam, h, target_sl, t, int(max_agents))
    else:
        need = np.array(
            [
                _staff_erlang_a(
                    float(l_), float(h_), theta, target_sl, t, max_abandon, sl_definition, int(max_agents)
                )
                for l_, h_ in zip(lam, h, strict=False)
            ],
            dtype=np.int64,
        )
    if (need < 0).any():
        i = int(np.flatnonzero(need < 0)[0])
        raise TheoryInputError(
            f"interval {i} (arrival_rate={lam[i]!r}/s, mean_handle_s={h[i]!r}): targets "
            f"target_sl={target_sl!r}, max_abandon={max_abandon!r} not met with max_agents={max_agents}"
        )
    return need.reshape(shape)


def required_agents(
    arrival_rate: float,
    mean_handle_s: float,
    *,
    target_sl: float | None = 0.8,
    threshold_s: float = 20.0,
    max_abandon: float | None = None,
    patience_mean_s: float | None = None,
    sl_definition: str = "sl_answered_within",
    max_agents: int = 10_000,
) -> int:
    """Smallest number of agents meeting the service-level and abandonment targets.

    Erlang C when ``patience_mean_s`` is None (then ``max_abandon`` is not allowed), Erlang A
    otherwise.

    Args:
        arrival_rate: contacts per second.
        mean_handle_s: mean handle time, seconds.
        target_sl: required service level, fraction in (0, 1), or None.
        threshold_s: service-level threshold, seconds.
        max_abandon: highest allowed P(abandon), or None.
        patience_mean_s: mean patience, seconds (Erlang A), or None (Erlang C).
        sl_definition: ``"sl_answered_within"`` (answered within t / offered, default),
            ``"sl_of_answered"`` or ``"p_wait_le_t"``; see ``ErlangAResult``.
        max_agents: search limit.

    Returns:
        The number of agents (0 when ``arrival_rate`` is 0).

    Raises:
        TheoryInputError: bad argument or targets not met with ``max_agents``.
    """
    need = required_agents_per_interval(
        [arrival_rate],
        1.0,
        mean_handle_s,
        target_sl=target_sl,
        threshold_s=threshold_s,
        max_abandon=max_abandon,
        patience_mean_s=patience_mean_s,
        sl_definition=sl_definition,
        max_agents=max_agents,
    )
    return int(need[0])
