"""Hidden sustained declines carried from month to month of a year run (READS HIDDEN TRUTH).

Each month is simulated on its own (``kpisim.sim.run.simulate_one``); this book keeps the
declines that are still running at a month's end and hands the days they have left to the next
month (``carried_declines``), so a decline lasts its ``duration_days`` (or for good) whatever
month it starts in. A leaver takes its decline along; a hire starts healthy. Off-days stay per
day. The year's table has one row per decline (its pieces of every month joined) and per
off-day: ``agent_id``, ``kind``, ``start_at``, ``end_at`` (exclusive; cut at the agent's last
working day or the end of the run), ``size`` and ``month`` (0-based, the month it started).
Run days are the days simulated (with ``month_days`` the rest of each month is skipped, and so
is it for a decline's duration).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from kpisim.vocab import DECLINE_KINDS

DECLINE = DECLINE_KINDS[0]
COLUMNS = ["agent_id", "kind", "start_at", "end_at", "size", "month"]
_DAY = pd.Timedelta(days=1)


class DeclineBook:
    """The declines of one replication so far, and those still running (by agent)."""

    def __init__(self, duration_days: int | None):
        self.duration = math.inf if duration_days is None else float(duration_days)
        self.rows: list[dict] = []
        #: agent -> (row of its running decline, run day it ends, exclusive; inf: for good)
        self.running: dict[str, tuple[int, float]] = {}

    def carried(self, agents: Iterable[str], d0: int) -> np.ndarray:
        """Days left on run day ``d0`` of each agent's running decline (0: none)."""
        return np.array(
            [max(0.0, self.running[a][1] - d0) if a in self.running else 0.0 for a in agents], dtype=float
        )

    def record(
        self, month: int, first: dt.date, d0: int, n: int, hidden: pd.DataFrame, roster: pd.DataFrame
    ) -> None:
        """Add the month's hidden ``declines`` table; ``roster`` has ``agent_id`` and
        ``active_to_day`` (the month's day the agent leaves after, ``n`` if it stays)."""
        start = pd.Timestamp(first)
        hi = dict(zip(roster["agent_id"], roster["active_to_day"].astype(int), strict=True))
        carried = set(self.running)
        for r in hidden.sort_values(["agent_id", "start_at", "kind"]).itertuples(index=False):
            a = str(r.agent_id)
            s = int((r.start_at - start) // _DAY)
            e = min(int((r.end_at - start) // _DAY), hi.get(a, 0))
            if s >= e:  # after the agent left
                continue
            if r.kind == DECLINE and s == 0 and a in carried:  # the rest of a running decline
                carried.discard(a)
                self.rows[self.running[a][0]]["end_at"] = start + e * _DAY
                continue
            self.rows.append(
                dict(
                    agent_id=a,
                    kind=r.kind,
                    start_at=r.start_at,
                    end_at=start + e * _DAY,
                    size=r.size,
                    month=month,
                )
            )
            if r.kind == DECLINE:
                self.running[a] = (len(self.rows) - 1, d0 + s + self.duration)
        for a in list(self.running):  # over by the month's end, or the agent leaves within it
            if self.running[a][1] <= d0 + n or hi.get(a, 0) < n:
                del self.running[a]

    def table(self) -> pd.DataFrame:
        """One row per decline and off-day (``COLUMNS``)."""
        df = pd.DataFrame(self.rows, columns=COLUMNS)
        df["agent_id"] = df["agent_id"].astype(object)
        for c in ("start_at", "end_at"):
            df[c] = pd.to_datetime(df[c])
        return df.astype({"size": float, "month": np.int64})
