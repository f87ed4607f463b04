"""Shared preparation of an event log for calibration: which contacts are first contacts,
repeats or transfers; the centre's opening hours; time measured in opening hours.

- A **transfer** is a contact with ``transfer_of`` set, or (when the export has no such column)
  the next contact of the same customer after a contact flagged ``transferred``.
- A **repeat** is any later contact of a customer that is not a transfer (the customer came back).
- Everything else is a **first contact**: the arrivals a scenario's ``daily_volume`` describes.
  Repeats and transfers are not arrivals of the scenario: the simulator creates them itself from
  the resolution and transfer rates.

Contacts without a customer id (the importer gives each its own id) are all first contacts, so
repeat-based estimates (resolution, return delay) are then not identified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Hours:
    """Opening hours (minutes after midnight, the same every day) and the export's first day."""

    open_min: int
    close_min: int
    start: pd.Timestamp
    days: int

    def open_seconds(self, t: pd.Series | np.ndarray) -> np.ndarray:
        """Seconds of opening hours between the horizon start and each time ``t``."""
        s = (pd.to_datetime(pd.Series(t)) - self.start).dt.total_seconds().to_numpy()
        day = np.floor(s / 86400.0)
        tod = s - day * 86400.0
        span = (self.close_min - self.open_min) * 60.0
        return day * span + np.clip(tod - self.open_min * 60.0, 0.0, span)


def classify(contacts: pd.DataFrame) -> pd.DataFrame:
    """``contacts`` (one replication) sorted by arrival with a ``kind`` column:
    ``first``, ``repeat`` or ``transfer``, and ``prev_transferred`` / ``seq`` helpers."""
    c = contacts.sort_values(["arrival_at", "contact_id"], kind="stable").reset_index(drop=True)
    cust = c["customer_id"].to_numpy()
    seq = c.groupby("customer_id", sort=False).cumcount().to_numpy()
    prev_tr = c.groupby("customer_id", sort=False)["transferred"].shift(1).fillna(False).to_numpy(dtype=bool)
    has_tr_of = c["transfer_of"].notna().to_numpy()
    transfer = has_tr_of | ((seq > 0) & prev_tr)
    kind = np.where(transfer, "transfer", np.where(seq > 0, "repeat", "first"))
    c["kind"] = kind
    c["seq"] = seq
    del cust
    return c


def hours_from(contacts: pd.DataFrame, states: pd.DataFrame | None, interval_min: int) -> Hours:
    """Opening hours: from the first to the last interval with an arrival, widened to cover the
    agents' logged-in time when agent states are given; first day and number of days."""
    arr = (
        contacts.loc[contacts["kind"] == "first", "arrival_at"]
        if "kind" in contacts
        else contacts["arrival_at"]
    )
    start = arr.min().normalize()
    days = int((arr.max().normalize() - start).days) + 1
    tod = (arr - arr.dt.normalize()).dt.total_seconds() / 60.0
    lo = int(np.floor(tod.min() / interval_min) * interval_min)
    hi = int(min(1440, np.ceil((tod.max() + 1e-9) / interval_min) * interval_min))
    if states is not None and len(states):
        on = states[states["state"] != "offline"]
        if len(on):
            s_tod = (on["start_at"] - on["start_at"].dt.normalize()).dt.total_seconds() / 60.0
            lo = min(lo, int(np.floor(np.quantile(s_tod, 0.01) / interval_min) * interval_min))
    return Hours(lo, max(hi, lo + interval_min), start, days)


def sessions_at_answer(ans: pd.DataFrame) -> np.ndarray:
    """Sessions each agent held when it answered each contact (this one included), counted from
    the overlap of [answered_at, wrap_up_end_at) intervals; for exports without that column."""
    out = np.ones(len(ans), dtype=float)
    end = ans["wrap_up_end_at"].fillna(ans["ended_at"])
    pos = {i: k for k, i in enumerate(ans.index)}
    for _a, g in ans.groupby("agent_id", sort=False):
        s = g["answered_at"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
        e = end.loc[g.index].to_numpy(dtype="datetime64[ns]").astype(np.int64)
        order = np.argsort(s, kind="stable")
        s_sorted, e_sorted = s[order], np.sort(e)
        started = np.searchsorted(s_sorted, s, side="right")  # sessions answered at or before
        ended = np.searchsorted(e_sorted, s, side="right")  # ... and already over by then
        for idx, k in zip(g.index, started - ended, strict=True):
            out[pos[idx]] = max(k, 1)
    return out
