"""The outbound side of a run as event-log tables: ``dials`` (one row per attempt), ``call_list``
(one row per calling-list record) and the connected calls as ``contacts`` rows with
``direction = outbound``.

A connected call's sale has log-odds ``logit(conversion) + ln(sales skill of the agent)``, its
value is lognormal around ``order_value_cents`` x the agent's order-value skill, both from the
record's pre-drawn ``outbound`` uniforms (``kpisim.sim.outbound``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.sim.outbound import Dialler
from kpisim.vocab import DIAL_OUTCOMES, RECORD_STATUSES


def _ts(start: pd.Timestamp, seconds) -> pd.Series:
    return start + pd.to_timedelta(np.asarray(seconds, dtype=float), unit="s")


def dials_table(out: Dialler, roster: pd.DataFrame, start: pd.Timestamp, first_contact: int) -> pd.DataFrame:
    """One row per dial attempt, in the order they were made."""
    d = np.array(out.dials, dtype=float).reshape(-1, 8)
    names = np.array([c.name for c in out.camps] or [""], dtype=object)
    ids = roster["agent_id"].to_numpy(dtype=object)
    call = d[:, 7].astype(np.int64)
    return pd.DataFrame(
        {
            "dial_id": np.arange(len(d), dtype=np.int64),
            "campaign": names[d[:, 0].astype(np.int64)],
            "record_id": d[:, 1].astype(np.int64),
            "attempt": d[:, 2].astype(np.int64),
            "agent_id": ids[d[:, 3].astype(np.int64)] if len(ids) else np.array([], dtype=object),
            "dialled_at": _ts(start, d[:, 4]),
            "outcome_at": _ts(start, d[:, 5]),
            "outcome": np.array(DIAL_OUTCOMES, dtype=object)[d[:, 6].astype(np.int64)],
            "contact_id": pd.arrays.IntegerArray(np.maximum(call, 0) + first_contact, call < 0),
        }
    )


def call_list_table(
    out: Dialler, start: pd.Timestamp, converted: dict[tuple[int, int], bool]
) -> pd.DataFrame:
    """One row per record of every campaign's list (records added within the horizon)."""
    parts = []
    for c in out.camps:
        status = np.asarray(c.status, dtype=np.int64)
        attempts = np.asarray(c.attempts, dtype=np.int64)
        sold = np.array([converted.get((c.idx, r), False) for r in range(c.n)], dtype=bool)
        parts.append(
            pd.DataFrame(
                {
                    "campaign": c.name,
                    "record_id": np.arange(c.n, dtype=np.int64),
                    "added_at": _ts(start, c.added_s),
                    "attempts": attempts,
                    "status": np.array(RECORD_STATUSES, dtype=object)[status],
                    "converted": sold,
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            {"campaign": [], "record_id": [], "added_at": [], "attempts": [], "status": [], "converted": []}
        )
    return pd.concat(parts, ignore_index=True)


def outbound_contacts(
    out: Dialler, roster: pd.DataFrame, start: pd.Timestamp, first_contact: int, first_customer: int
) -> tuple[pd.DataFrame, dict[tuple[int, int], bool]]:
    """The connected calls as ``contacts`` rows (and which (campaign, record) made a sale).

    Contact ids continue after the inbound ones (``first_contact``); customer ids after the
    inbound customers (``first_customer`` + the record's position over all campaigns), so no
    outbound customer is mistaken for an inbound customer's repeat.
    """
    k = out.calls
    n = len(k["record"])
    camp = np.asarray(k["campaign"], dtype=np.int64)
    rec = np.asarray(k["record"], dtype=np.int64)
    agent = np.asarray(k["agent"], dtype=np.int64)
    specs = [c.spec for c in out.camps]
    offset = np.cumsum([0] + [c.n for c in out.camps])[:-1] if out.camps else np.zeros(0, np.int64)
    u = np.array([out.camps[c].u_sale[r] for c, r in zip(camp, rec, strict=True)])
    z = np.array([out.camps[c].z_value[r] for c, r in zip(camp, rec, strict=True)])
    conv0 = np.array([specs[c].conversion for c in camp], dtype=float)
    sales = roster["true_sales"].to_numpy(float)[agent] if n else np.ones(0)
    with np.errstate(divide="ignore"):
        odds = conv0 / (1 - conv0) * sales
    converted = (conv0 > 0) & (u < odds / (1 + odds))
    cv = np.array([specs[c].order_value_cv for c in camp], dtype=float)
    mean = np.array([specs[c].order_value_cents for c in camp], dtype=float)
    mean = mean * (roster["true_order_value"].to_numpy(float)[agent] if n else 1.0)
    s2 = np.log1p(cv**2)
    value = np.where(converted, np.rint(mean * np.exp(np.sqrt(s2) * z - s2 / 2)), 0).astype(np.int64)
    ans, end, wend = (np.asarray(k[f], dtype=float) for f in ("answered_s", "ended_s", "wrap_end_s"))
    no = np.zeros(n, dtype=bool)
    na = pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
    frame = pd.DataFrame(
        {
            "contact_id": first_contact + np.arange(n, dtype=np.int64),
            "channel": "voice",
            "direction": "outbound",
            "queue": np.array([c.name for c in out.camps] or [""], dtype=object)[camp],
            "customer_id": first_customer + offset[camp] + rec if n else np.zeros(0, np.int64),
            "arrival_at": _ts(start, ans),
            "answered_at": _ts(start, ans),
            "ended_at": _ts(start, end),
            "wrap_up_end_at": _ts(start, wend),
            "agent_id": pd.array(roster["agent_id"].to_numpy(dtype=object)[agent], dtype="string"),
            "abandoned": no,
            "blocked": no,
            "queued": no,
            "wait_s": np.zeros(n),
            "handle_s": end - ans,
            "wrap_up_s": wend - end,
            "concurrency": pd.arrays.IntegerArray(np.ones(n, dtype=np.int64), no.copy()),
            "attempt": np.asarray(k["attempt"], dtype=np.int64),
            "transferred": no,
            "transfer_of": na,
            "resolved": no,
            "converted": converted,
            "order_value_cents": value,
            "refunded": no,
            "rescue_opportunity": no,
            "rescued": no,
            "survey_responded": no,
            "csat": na.copy(),
            "nps": na.copy(),
            "complaint": no,
            "praise": no,
            "first_response_s": np.full(n, np.nan),
            "response_time_sum_s": np.zeros(n),
            "response_count": np.zeros(n, dtype=np.int64),
            "customer_msgs": np.zeros(n, dtype=np.int64),
            "agent_msgs": np.zeros(n, dtype=np.int64),
            "system_msgs": np.zeros(n, dtype=np.int64),
            "replied": ~no,
            "invalid": no,
            "customer_wrote": ~no,
        }
    )
    sold = {(int(c), int(r)): bool(v) for c, r, v in zip(camp, rec, converted, strict=True)}
    return frame, sold
