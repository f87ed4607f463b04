"""Opening-hours clock: delays that run only while the centre is open."""

from __future__ import annotations

import math

from kpisim.scenario.models import Horizon


def after_open_time(horizon: Horizon, t: float, delay: float) -> float:
    """The time ``delay`` seconds of *opening hours* after ``t`` (s since the horizon start).

    A customer's wait before coming back pauses while the centre is closed, so contacts due
    overnight spread over the next day instead of all arriving at the opening minute. With
    ``delay`` 0 this is ``t`` if the centre is open then, else the next opening. Returns inf if
    the centre does not open again within the horizon.
    """
    h = horizon
    for d in range(int(t // 86400), h.days):
        hours = h.open_minutes((h.start.weekday() + d) % 7)
        if hours is None:
            continue
        o, c = d * 86400.0 + hours[0] * 60.0, d * 86400.0 + hours[1] * 60.0
        if t >= c:
            continue
        t = max(t, o)
        if t + delay < c:
            return t + delay
        delay -= c - t
        t = c
    return math.inf
