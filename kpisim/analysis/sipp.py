"""Erlang per interval (SIPP): theory for a centre whose traffic and staffing change during the day.

The "stationary independent period-by-period" approach treats every interval (``horizon.
interval_min``) as its own stationary Erlang A queue (Erlang C without patience):

* arrival rate = the contacts offered in the interval (all queues, including repeat contacts and
  transfers, counted in the simulated log; mean over replications) / interval length — or, with no
  simulation at hand, the expected first contacts (``interval_rates``);
* mean session time = the queues' mean handle + wrap-up weighted by their volume in that interval
  (chat: stretched as if the agent held ``c`` sessions, see ``staffing.slots_per_agent``);
* patience = the queues' mean patience weighted by their volume over the horizon (unweighted
  when no contact is offered); Erlang C when any queue has no patience;
* servers = staffed agents in that interval (available, busy or wrapping up; from the simulated
  agent states, or a plan) x servers per agent; a fractional number of servers is interpolated
  linearly between the two neighbouring integers; no servers = nobody is answered (service level
  0, ASA undefined; abandonment 1 under Erlang A, 0 under Erlang C, which has no abandonment).

Per-interval results are combined weighted by expected volume (service level, abandonment), by
answered volume (ASA) and by servers (occupancy).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from kpisim.analysis import theory
from kpisim.scenario.models import Scenario
from kpisim.sim.arrivals import interval_rates
from kpisim.vocab import STAFFED_STATES

#: agent states that count as staffed (able to take or working on contacts)
MEASURES = ("service_level", "asa_s", "abandon_rate", "occupancy")


def staffed_profile(states, horizon) -> np.ndarray:
    """Mean number of staffed agents in each interval (days x intervals-per-day).

    Args:
        states: the ``agent_states`` table of one replication (``state``, ``start_at``, ``end_at``).
        horizon: the scenario's ``horizon``.
    """
    h = horizon
    width = h.interval_min * 60.0
    per_day = 1440 // h.interval_min
    edges = np.arange(h.days * per_day + 1) * width
    st = states[states["state"].isin(STAFFED_STATES)]
    t0 = np.datetime64(h.start, "ns")
    s = np.sort((st["start_at"].to_numpy("datetime64[ns]") - t0) / np.timedelta64(1, "s"))
    e = np.sort((st["end_at"].to_numpy("datetime64[ns]") - t0) / np.timedelta64(1, "s"))
    # integral of the staffed count up to each edge: sum over intervals of (b - s)+ - (b - e)+
    area = _ramp_sum(s, edges) - _ramp_sum(e, edges)
    return (np.diff(area) / width).reshape(h.days, per_day)


def offered_profile(contacts, horizon, queues) -> dict[str, np.ndarray]:
    """Contacts offered per interval (days x intervals-per-day) per queue, by arrival time."""
    h = horizon
    per_day = 1440 // h.interval_min
    n = h.days * per_day
    t = (contacts["arrival_at"].to_numpy("datetime64[ns]") - np.datetime64(h.start, "ns")) / np.timedelta64(
        1, "s"
    )
    idx = np.clip((t // (h.interval_min * 60.0)).astype(np.int64), 0, n - 1)
    q = contacts["queue"].astype(str).to_numpy()
    return {
        name: np.bincount(idx[q == name], minlength=n).reshape(h.days, per_day).astype(float)
        for name in queues
    }


def _ramp_sum(x_sorted: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``sum_k max(b - x_k, 0)`` for each ``b`` (``x_sorted`` ascending)."""
    k = np.searchsorted(x_sorted, b, side="right")
    csum = np.r_[0.0, np.cumsum(x_sorted)]
    return k * b - csum[k]


def traffic_profile(
    scenario: Scenario, session_s: Callable[[str], float], volumes: dict[str, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray, float | None]:
    """(contacts per interval, volume-weighted mean session s per interval, volume-weighted mean
    patience s over the horizon or None when a queue has none).

    Args:
        volumes: queue -> contacts per interval (e.g. :func:`offered_profile`); default the
            expected first contacts of the scenario.
    """
    vols = volumes if volumes is not None else {q: interval_rates(scenario, q) for q in scenario.queues}
    total = sum(vols.values())
    work = sum(v * session_s(q) for q, v in vols.items())
    h = np.divide(work, total, out=np.full(total.shape, np.nan), where=total > 0)
    patience = None
    if vols and all(scenario.queues[q].patience for q in vols):
        pats = np.array([scenario.queues[q].patience.mean_s for q in vols], dtype=float)
        weights = np.array([float(np.sum(v)) for v in vols.values()])
        patience = float(np.average(pats, weights=weights) if weights.sum() > 0 else np.mean(pats))
    return total, h, patience


class ErlangCache:
    """Erlang A (C when ``patience`` is None) with a cache: (rate, session, servers) repeat a lot."""

    def __init__(self, patience: float | None, threshold_s: float):
        self.theta = patience if patience else math.inf
        self.t = threshold_s
        self.cache: dict[tuple, tuple[float, float, float, float]] = {}

    def at(self, lam: float, h: float, n: int) -> tuple[float, float, float, float]:
        """(SL answered within t, ASA s, P(abandon), occupancy) with ``n`` integer servers."""
        key = (round(lam, 12), round(h, 9), n)
        if key not in self.cache:
            if n < 1:
                # nobody answered: with patience everyone abandons; Erlang C has no abandonment
                self.cache[key] = (0.0, math.nan, 1.0 if math.isfinite(self.theta) else 0.0, math.nan)
            else:
                r = theory.erlang_a(lam, h, n, self.theta, threshold_s=self.t)
                self.cache[key] = (r.sl_answered_within, r.asa_s, r.p_abandon, r.occupancy)
        return self.cache[key]

    def frac(self, lam: float, h: float, n: float) -> np.ndarray:
        lo = math.floor(n)
        w = n - lo
        a = np.asarray(self.at(lam, h, lo))
        if w < 1e-9:
            return a
        b = np.asarray(self.at(lam, h, lo + 1))
        if lo < 1:  # between no server and one: interpolate what is defined at both ends
            return np.where(np.isnan(a), b, (1 - w) * a + w * b)
        return (1 - w) * a + w * b


def sipp(
    volume: np.ndarray,
    session_s: np.ndarray,
    servers: np.ndarray,
    *,
    interval_s: float,
    patience_s: float | None,
    threshold_s: float = 20.0,
    erlang: ErlangCache | None = None,
) -> dict[str, float]:
    """Combined Erlang prediction over intervals (see module docstring).

    Args:
        volume: expected contacts per interval; session_s: mean session time per interval (s);
        servers: servers per interval (float); all the same shape.
        interval_s: interval length, seconds.
        patience_s: mean patience (Erlang A) or None (Erlang C: no abandonment).

    Returns:
        ``service_level``, ``asa_s``, ``abandon_rate``, ``occupancy`` (NaN when undefined, e.g.
        an overloaded interval under Erlang C).
    """
    erl = erlang or ErlangCache(patience_s, threshold_s)
    v, hs, n = (np.asarray(a, dtype=float).ravel() for a in (volume, session_s, servers))
    num = dict.fromkeys(MEASURES, 0.0)
    den = dict.fromkeys(MEASURES, 0.0)
    for vi, hi, ni in zip(v, hs, n, strict=False):
        if vi <= 0 or not np.isfinite(hi):
            if ni > 0:
                den["occupancy"] += ni  # staffed and idle
            continue
        sl, asa, ab, occ = erl.frac(vi / interval_s, hi, max(ni, 0.0))
        for m, val, w in (
            ("service_level", sl, vi),
            ("abandon_rate", ab, vi),
            ("asa_s", asa, vi * (1 - ab) if np.isfinite(ab) else vi),
            ("occupancy", occ, ni),
        ):
            if w <= 0:
                continue
            if not np.isfinite(val):
                num[m] = math.nan
            num[m] += val * w
            den[m] += w
    return {m: (num[m] / den[m] if den[m] > 0 else math.nan) for m in MEASURES}
