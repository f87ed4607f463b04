"""Arrival times: a non-homogeneous Poisson process, piecewise constant per interval.

The expected volume of interval i of day d in queue q is
``daily_volume[q] x weekday_factor[q][weekday(d)] x multiplier(d, q) x profile[q][i] / sum(open profile)``,
where the profile is renormalised over the intervals in which the centre is open. The count in
each interval is Poisson; the times are uniform within the interval (exact for a piecewise
constant rate).
"""

from __future__ import annotations

import numpy as np

from kpisim.scenario.models import WEEKDAYS, Scenario


def interval_rates(scenario: Scenario, queue: str) -> np.ndarray:
    """Expected arrivals per interval (array of shape days x intervals-per-day) for ``queue``."""
    h = scenario.horizon
    per_day = 1440 // h.interval_min
    q = scenario.queues[queue]
    base = np.ones(per_day) if q.profile == "flat" else np.asarray(q.profile, dtype=float)
    out = np.zeros((h.days, per_day))
    starts = np.arange(per_day) * h.interval_min
    for d in range(h.days):
        date = h.start.toordinal() + d
        wd = (h.start.weekday() + d) % 7
        hours = h.open_minutes(wd)
        if hours is None:
            continue
        o, c = hours
        # fraction of each interval inside opening hours
        frac = np.clip(
            (np.minimum(starts + h.interval_min, c) - np.maximum(starts, o)) / h.interval_min, 0, 1
        )
        w = base * frac
        if w.sum() <= 0:
            continue
        mult = 1.0
        for m in scenario.multipliers:
            if m.date.toordinal() == date and (m.queues is None or queue in m.queues):
                mult *= m.factor
        out[d] = q.daily_volume * q.weekday_factor.get(WEEKDAYS[wd], 1.0) * mult * w / w.sum()
    return out


def draw_arrivals(scenario: Scenario, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times (s since horizon start) and queue indices of all first contacts, sorted by time.

    Queues are drawn in the scenario's queue order, so adding staff never changes the arrivals.
    """
    h = scenario.horizon
    width = h.interval_min * 60.0
    times, qidx = [], []
    for qi, name in enumerate(scenario.queues):
        rates = interval_rates(scenario, name).ravel()
        counts = rng.poisson(rates)
        starts = np.repeat(np.arange(rates.size) * width, counts)
        t = starts + rng.random(starts.size) * width
        times.append(t)
        qidx.append(np.full(t.size, qi, dtype=np.int64))
    t = np.concatenate(times)
    q = np.concatenate(qidx)
    order = np.argsort(t, kind="stable")
    return t[order], q[order]
