"""Exact queueing formulas for validating the simulator and for staffing (the searches for the
fewest agents meeting a target, built on these formulas, are in :mod:`kpisim.analysis.erlang_staffing`).

Two models of a single queue served first come, first served by ``n`` identical agents with
Poisson arrivals and exponential handle times:

* **Erlang C** (M/M/n): customers wait as long as it takes.
* **Erlang A** (M/M/n+M): each waiting customer abandons after an exponential patience.

Units everywhere: ``arrival_rate`` in contacts per **second**, every time (``mean_handle_s``,
``patience_mean_s``, ``threshold_s``, results ending in ``_s``) in **seconds**, ``agents`` a
count. The offered load ``A = arrival_rate * mean_handle_s`` is in Erlang. ``docs/theory.md``
states the formulas and which service-level definition is which.

Numerics: Erlang B comes from its stable recursion (no factorials, no overflow for thousands
of agents); Erlang A sums its birth-death chain above ``n`` in log space until the neglected
tail is below 1e-17 of the total, and takes waiting-time probabilities from regularized
incomplete beta functions (exact, see ``docs/theory.md``). Results are exact to about 1e-12
relative, not Monte-Carlo estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from kpisim.errors import KpisimError

__all__ = [
    "SL_DEFINITIONS",
    "ErlangAResult",
    "TheoryInputError",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_asa_s",
    "erlang_c_service_level",
    "offered_load",
]

#: Service-level definitions accepted by the staffing functions of
#: :mod:`kpisim.analysis.erlang_staffing` (fields of ``ErlangAResult``).
SL_DEFINITIONS: tuple[str, ...] = ("sl_answered_within", "sl_of_answered", "p_wait_le_t")

# Erlang A: the neglected tail of the chain must be below exp(-_TAIL_LOG_TOL) of the kept mass.
_TAIL_LOG_TOL = 40.0
# Erlang A: refuse chains longer than this (only reached with patience enormous compared with
# the handle time on an overloaded queue; the answer would then be Erlang C's "unstable").
_MAX_STATES = 2_000_000


class TheoryInputError(KpisimError, ValueError):
    """An argument of a queueing formula is out of range (the bad value is in the message)."""


# --------------------------------------------------------------------------------------------
# argument checks


def _as_float_array(name: str, value, *, positive: bool = False) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr) | ((arr <= 0) if positive else (arr < 0))
    if bad.any():
        first = arr[bad].flat[0] if arr.ndim else float(arr)
        allowed = "finite and > 0" if positive else "finite and >= 0"
        raise TheoryInputError(f"{name}={first!r} is not allowed; it must be {allowed}")
    return arr


def _as_agents(value) -> np.ndarray:
    arr = np.asarray(value)
    as_float = arr.astype(float)
    bad = ~np.isfinite(as_float) | (as_float < 0) | (as_float != np.round(as_float))
    if bad.any():
        first = as_float[bad].flat[0] if as_float.ndim else float(as_float)
        raise TheoryInputError(f"agents={first!r} is not allowed; it must be an integer >= 0")
    return as_float.astype(np.int64)


def _threshold(threshold_s) -> np.ndarray:
    arr = np.asarray(threshold_s, dtype=float)
    if np.isnan(arr).any() or (arr < 0).any():
        raise TheoryInputError(f"threshold_s={threshold_s!r} is not allowed; it must be >= 0")
    return arr


def _result(arr: np.ndarray, scalar: bool):
    return float(arr) if scalar else arr


# --------------------------------------------------------------------------------------------
# Erlang B / C


def offered_load(arrival_rate, mean_handle_s):
    """Offered load in Erlang: ``arrival_rate * mean_handle_s``.

    Args:
        arrival_rate: contacts per second (scalar or array).
        mean_handle_s: mean handle time in seconds (scalar or array).

    Returns:
        Offered load (float, or an array when any input is an array).
    """
    lam = _as_float_array("arrival_rate", arrival_rate)
    h = _as_float_array("mean_handle_s", mean_handle_s, positive=True)
    return _result(lam * h, lam.ndim == 0 and h.ndim == 0)


def _erlang_b_array(load: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """Erlang B by the recursion B(k) = A B(k-1) / (k + A B(k-1)); arrays already broadcast."""
    out = np.ones(load.shape)  # B(0) = 1
    b = np.ones(load.shape)
    nmax = int(agents.max()) if agents.size else 0
    for k in range(1, nmax + 1):
        ab = load * b
        b = ab / (k + ab)  # never overflows; underflows gracefully to 0 when A << k
        hit = agents == k
        if hit.any():
            out[hit] = b[hit]
    return out


def erlang_b(offered_load, agents):
    """Erlang B blocking probability of M/M/n/n (loss system).

    Args:
        offered_load: offered load ``A`` in Erlang (scalar or array).
        agents: number of servers ``n`` (integer, scalar or array; broadcast with the load).

    Returns:
        P(all n servers busy) for an M/M/n/n system, by the stable recursion.
    """
    load = _as_float_array("offered_load", offered_load)
    n = _as_agents(agents)
    load_b, n_b = np.broadcast_arrays(load, n)
    return _result(_erlang_b_array(load_b, n_b), load_b.ndim == 0)


def _erlang_c_parts(arrival_rate, mean_handle_s, agents):
    lam = _as_float_array("arrival_rate", arrival_rate)
    h = _as_float_array("mean_handle_s", mean_handle_s, positive=True)
    n = _as_agents(agents)
    lam, h, n = np.broadcast_arrays(lam, h, n)
    load = lam * h
    stable = load < n
    b = _erlang_b_array(load, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(stable, n * b / (n - load * (1.0 - b)), 1.0)
    gap = n / h - lam  # n*mu - lambda, per second; > 0 exactly when stable
    return c, gap, stable, lam.ndim == 0


def erlang_c(arrival_rate, mean_handle_s, agents):
    """Erlang C: probability that an arriving customer has to wait, M/M/n.

    Computed as ``C = n B / (n - A (1 - B))`` from Erlang B ``B`` (stable for any ``n``).

    Args:
        arrival_rate: Poisson arrival rate, contacts per second (scalar or array).
        mean_handle_s: mean of the exponential handle time, seconds (scalar or array).
        agents: number of agents ``n`` (integer, scalar or array). Inputs broadcast.

    Returns:
        P(wait > 0) (float, or array when any input is an array). When the load is unstable
        (``arrival_rate >= agents / mean_handle_s``) the queue grows without bound and the
        result is 1.
    """
    c, _gap, _stable, scalar = _erlang_c_parts(arrival_rate, mean_handle_s, agents)
    return _result(c, scalar)


def erlang_c_asa_s(arrival_rate, mean_handle_s, agents):
    """Erlang C average speed of answer: mean wait of all customers, seconds, M/M/n.

    ``ASA = C / (n mu - lambda)`` with ``mu = 1 / mean_handle_s``. Every customer is served,
    so the mean over answered customers equals the mean over all customers.

    Args:
        arrival_rate: contacts per second (scalar or array).
        mean_handle_s: mean handle time, seconds (scalar or array).
        agents: number of agents (integer, scalar or array).

    Returns:
        Mean wait in seconds; ``inf`` when unstable (``arrival_rate >= agents / mean_handle_s``).
    """
    c, gap, stable, scalar = _erlang_c_parts(arrival_rate, mean_handle_s, agents)
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = np.where(stable, c / gap, np.inf)
    return _result(asa, scalar)


def erlang_c_service_level(arrival_rate, mean_handle_s, agents, threshold_s):
    """Erlang C service level: P(wait <= threshold_s), M/M/n.

    ``SL = 1 - C exp(-(n mu - lambda) t)``. Without abandonment all service-level
    definitions of ``ErlangAResult`` coincide with this one.

    Args:
        arrival_rate: contacts per second (scalar or array).
        mean_handle_s: mean handle time, seconds (scalar or array).
        agents: number of agents (integer, scalar or array).
        threshold_s: answer-time threshold ``t`` in seconds (>= 0, may be ``inf``).

    Returns:
        Fraction of customers answered within ``threshold_s``; 0 when unstable.
    """
    t = _threshold(threshold_s)
    c, gap, stable, scalar = _erlang_c_parts(arrival_rate, mean_handle_s, agents)
    with np.errstate(invalid="ignore", over="ignore"):
        sl = np.where(stable, 1.0 - c * np.exp(-gap * t), 0.0)
    return _result(sl, scalar and t.ndim == 0)


# --------------------------------------------------------------------------------------------
# Erlang A


@dataclass(frozen=True)
class ErlangAResult:
    """Stationary performance of M/M/n+M (Erlang A); customer measures are per arrival (PASTA).

    ``W`` is a customer's time in queue: until answered, or until abandoning.

    Attributes:
        arrival_rate: contacts per second (input).
        mean_handle_s: mean handle time, seconds (input).
        patience_mean_s: mean patience, seconds (input; ``inf`` means no abandonment).
        agents: number of agents ``n`` (input).
        threshold_s: service-level threshold ``t``, seconds (input).
        offered_load: ``arrival_rate * mean_handle_s``, Erlang.
        p_wait: P(W > 0) = P(all agents busy on arrival).
        p_abandon: P(customer abandons) = abandon rate / arrival rate.
        mean_wait_s: E[W] over all customers, served and abandoning.
        asa_s: E[W | served], average speed of answer (zero waits included).
        mean_wait_abandoned_s: E[W | abandoned], average time to abandon (``nan`` without
            abandonment).
        sl_answered_within: P(served and W <= t): answered within t / offered. This is the
            KPI ``service_level`` with its defaults (``short_abandon_s=0``).
        sl_of_answered: P(W <= t | served): answered within t / answered.
        p_wait_le_t: P(W <= t): customers who stopped waiting (answered or abandoned) within t
            / offered.
        mean_queue: E[number of customers waiting].
        occupancy: E[number of busy agents] / n = throughput * mean_handle_s / n.
        throughput: answered contacts per second = arrival_rate * (1 - p_abandon).
    """

    arrival_rate: float
    mean_handle_s: float
    patience_mean_s: float
    agents: int
    threshold_s: float
    offered_load: float
    p_wait: float
    p_abandon: float
    mean_wait_s: float
    asa_s: float
    mean_wait_abandoned_s: float
    sl_answered_within: float
    sl_of_answered: float
    p_wait_le_t: float
    mean_queue: float
    occupancy: float
    throughput: float


def _erlang_a_no_patience(lam, h, n, t) -> ErlangAResult:
    c = erlang_c(lam, h, n)
    asa = erlang_c_asa_s(lam, h, n)
    sl = erlang_c_service_level(lam, h, n, t)
    stable = lam * h < n
    throughput = lam if stable else n / h
    return ErlangAResult(
        arrival_rate=lam,
        mean_handle_s=h,
        patience_mean_s=math.inf,
        agents=n,
        threshold_s=t,
        offered_load=lam * h,
        p_wait=c,
        p_abandon=0.0,
        mean_wait_s=asa,
        asa_s=asa,
        mean_wait_abandoned_s=math.nan,
        sl_answered_within=sl,
        sl_of_answered=sl,
        p_wait_le_t=sl,
        mean_queue=lam * asa if stable else math.inf,
        occupancy=throughput * h / n,
        throughput=throughput,
    )


def _log_tail_terms(lam: float, c: float, gamma: float) -> np.ndarray:
    """log of pi_{n+j} / pi_n for j = 0..J, with J large enough that the rest is negligible."""
    peak = max(0.0, (lam - c) / gamma)  # terms grow until j ~ peak, then fall ever faster
    size = int(min(_MAX_STATES, max(256, 2 * peak + 256)))
    while True:
        i = np.arange(1, size + 1, dtype=float)
        with np.errstate(divide="ignore"):
            log_ratio = math.log(lam) - np.log(c + i * gamma) if lam > 0 else np.full(size, -np.inf)
        logs = np.concatenate(([0.0], np.cumsum(log_ratio)))
        last_ratio = lam / (c + (size + 1) * gamma)
        if last_ratio < 1.0:
            # beyond J every ratio is <= r, so sum_{j>J} (j+1) t_j <= t_J ((J+1) r/(1-r) + r/(1-r)^2)
            r = last_ratio
            bound = (size + 1) * r / (1 - r) + r / (1 - r) ** 2
            if bound == 0 or logs[-1] + math.log(bound) < np.logaddexp.reduce(logs) - _TAIL_LOG_TOL:
                return logs
        if size >= _MAX_STATES:
            raise TheoryInputError(
                f"Erlang A chain needs more than {_MAX_STATES} states (arrival_rate={lam!r}/s, "
                f"capacity {c!r}/s, abandonment rate {gamma!r}/s): patience is too long for "
                "this overload; use Erlang C (patience_mean_s=inf), which reports it unstable"
            )
        size = min(_MAX_STATES, 2 * size)


def erlang_a(arrival_rate, mean_handle_s, agents, patience_mean_s, *, threshold_s=20.0) -> ErlangAResult:
    """Exact stationary performance of the Erlang A queue M/M/n+M.

    The number in system is a birth-death chain with birth rate ``lambda`` and death rate
    ``min(k, n) mu + max(k - n, 0) gamma`` (``mu = 1/mean_handle_s``,
    ``gamma = 1/patience_mean_s``); it is stable for any load when ``gamma > 0``. With
    ``patience_mean_s = inf`` the result is Erlang C's (unstable load: ``p_wait = 1``,
    waits ``inf``, service levels 0, throughput ``n mu``, no stationary regime).

    Args:
        arrival_rate: Poisson arrival rate, contacts per second (scalar).
        mean_handle_s: mean of the exponential handle time, seconds (> 0).
        agents: number of agents ``n`` (integer >= 1).
        patience_mean_s: mean of the exponential patience, seconds (> 0, may be ``inf``).
        threshold_s: service-level threshold ``t``, seconds (>= 0, may be ``inf``).

    Returns:
        ErlangAResult with probabilities, waits (seconds), occupancy and throughput (per s).
    """
    lam = float(_as_float_array("arrival_rate", arrival_rate))
    h = float(_as_float_array("mean_handle_s", mean_handle_s, positive=True))
    n = int(_as_agents(agents))
    if n < 1:
        raise TheoryInputError(f"agents={n!r} is not allowed; Erlang A needs at least 1 agent")
    theta = float(patience_mean_s)
    if not theta > 0:  # also rejects nan
        raise TheoryInputError(f"patience_mean_s={patience_mean_s!r} is not allowed; it must be > 0")
    t = float(_threshold(threshold_s))
    if math.isinf(theta):
        return _erlang_a_no_patience(lam, h, n, t)

    mu = 1.0 / h
    gamma = 1.0 / theta
    c = n * mu
    a = c / gamma
    load = lam * h

    # P(wait) = S B / ((1 - B) + S B), S = sum_j pi_{n+j}/pi_n, B = Erlang B(n, A): the states
    # below n carry mass (1/B - 1) pi_n. Done in logs so that B -> 0 or S -> huge stay finite.
    logs = _log_tail_terms(lam, c, gamma)
    log_s = float(np.logaddexp.reduce(logs))
    b = float(_erlang_b_array(np.asarray(load), np.asarray(n)))
    with np.errstate(divide="ignore", over="ignore"):
        odds_no_wait = math.exp(min(700.0, math.log1p(-b) - math.log(b) - log_s)) if b > 0 else math.inf
    q = 1.0 / (1.0 + odds_no_wait)

    # Conditional on finding j customers waiting (weights p_j): the tagged customer passes
    # stages i = j..0 (i = number ahead), leaving stage i at rate c + i gamma (ahead served or
    # abandoned) and abandoning itself at rate gamma.
    p = np.exp(logs - log_s)
    p = p[: int(np.flatnonzero(p > 1e-18)[-1]) + 1]  # drop the negligible tail (speed: fewer betainc calls)
    j = np.arange(p.size, dtype=float)
    d = c + (j + 1.0) * gamma  # total exit rate of the last stage seen, per s
    served = c / d  # P(served | j), telescoped product
    wait = (j + 1.0) / d  # E[W | j]
    wait_served = served * np.cumsum(1.0 / d)  # E[W 1{served} | j]
    # U = exp(-gamma V_j) ~ Beta(a, j+1) for the offered wait V_j (time to reach an agent if
    # infinitely patient); served iff patience > V_j. z = 1 - exp(-gamma t), computed exactly.
    z = -math.expm1(-gamma * t)
    p_v_gt_t = special.betaincc(j + 1.0, a, z)  # P(V_j > t)
    served_within = served * special.betainc(j + 1.0, a + 1.0, z)  # P(served, W <= t | j)
    wait_le_t = 1.0 - p_v_gt_t * math.exp(-gamma * t)  # P(W <= t | j)

    abandon_w = float(p @ ((j + 1.0) * gamma / d))
    wait_w = float(p @ wait)
    wait_served_w = float(p @ wait_served)

    p_abandon = q * abandon_w
    p_served = 1.0 - p_abandon
    sl_answered = (1.0 - q) + q * float(p @ served_within)
    mean_wait = q * wait_w
    throughput = lam * p_served
    return ErlangAResult(
        arrival_rate=lam,
        mean_handle_s=h,
        patience_mean_s=theta,
        agents=n,
        threshold_s=t,
        offered_load=load,
        p_wait=q,
        p_abandon=p_abandon,
        mean_wait_s=mean_wait,
        asa_s=q * wait_served_w / p_served,
        mean_wait_abandoned_s=(wait_w - wait_served_w) / abandon_w,
        sl_answered_within=sl_answered,
        sl_of_answered=sl_answered / p_served,
        p_wait_le_t=(1.0 - q) + q * float(p @ wait_le_t),
        mean_queue=lam * mean_wait,
        occupancy=throughput / c,
        throughput=throughput,
    )
