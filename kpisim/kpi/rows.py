"""Per-row contributions to the additive KPI columns (see ``registry.COLUMNS``), vectorised.

Each builder takes one event-log table and returns ``column name -> numpy array`` (one value
per row) for the requested columns only; ``compute`` then sums them per group. Missing values
contribute 0 to sums (a NaN handle time of an answered contact adds nothing to ``sum_handle_s``
but the contact still counts in ``n_handled``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from kpisim.kpi.group import factorize
from kpisim.kpi.rows_outbound import outbound_contact_values, outbound_mask
from kpisim.vocab import CONDUCT_EVENTS

Defs = dict[str, dict[str, Any]]


def _bool(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype=bool, na_value=False)


def _float(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _ns(s: pd.Series) -> np.ndarray:
    """datetime64 column as int64 ns (NaT -> int64 min)."""
    return s.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _z(x: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(x), 0.0, x)


def isin(values: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    """Boolean mask of ``values`` in ``wanted``; hashes the distinct values only."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    hit = np.array([u in wanted for u in uniques], dtype=bool)
    return hit[codes] if len(hit) else np.zeros(len(values), dtype=bool)


class _Contacts:
    """Lazily converted columns of a contacts table."""

    def __init__(self, df: pd.DataFrame, run: np.ndarray, defs: Defs):
        self.df, self.run, self.defs = df, run, defs

    def p(self, metric: str, name: str) -> Any:
        return self.defs[metric][name]

    @cached_property
    def answered(self) -> np.ndarray:
        return self.df["answered_at"].notna().to_numpy()

    @cached_property
    def abandoned(self) -> np.ndarray:
        return _bool(self.df["abandoned"])

    @cached_property
    def blocked(self) -> np.ndarray:
        return _bool(self.df["blocked"])

    @cached_property
    def wait(self) -> np.ndarray:
        return _z(_float(self.df["wait_s"]))

    @cached_property
    def handle(self) -> np.ndarray:
        return np.where(self.answered, _z(_float(self.df["handle_s"])), 0.0)

    @cached_property
    def wrap(self) -> np.ndarray:
        return np.where(self.answered, _z(_float(self.df["wrap_up_s"])), 0.0)

    @cached_property
    def is_chat(self) -> np.ndarray:
        return (self.df["channel"] == "chat").to_numpy(dtype=bool, na_value=False)

    @cached_property
    def chat_handled(self) -> np.ndarray:
        return self.answered & self.is_chat

    @cached_property
    def first_response(self) -> np.ndarray:
        return np.where(self.is_chat, _float(self.df["first_response_s"]), np.nan)

    @cached_property
    def converted(self) -> np.ndarray:
        return _bool(self.df["converted"])

    @cached_property
    def value(self) -> np.ndarray:
        return np.where(
            self.converted, self.df["order_value_cents"].to_numpy(dtype=np.float64, na_value=0.0), 0.0
        )

    @cached_property
    def csat(self) -> np.ndarray:
        return _float(self.df["csat"])

    @cached_property
    def nps(self) -> np.ndarray:
        return _float(self.df["nps"])

    @cached_property
    def rescue_opp(self) -> np.ndarray:
        return self.answered & _bool(self.df["rescue_opportunity"])

    @cached_property
    def short_abandon_sl(self) -> np.ndarray:
        return self.abandoned & (self.wait < self.p("service_level", "short_abandon_s"))

    @cached_property
    def short_abandon_ar(self) -> np.ndarray:
        return self.abandoned & (self.wait < self.p("abandon_rate", "short_abandon_s"))

    @cached_property
    def conversion_scope(self) -> np.ndarray:
        queues = self.p("conversion_rate", "queues")
        return self.answered & (isin(self.df["queue"], queues) if queues else True)

    def fcr(self) -> np.ndarray:
        """Answered, not transferred, and no contact of the same customer arrives strictly later
        within ``window_h`` hours (within the same scenario and replication)."""
        n = len(self.df)
        if n == 0:
            return np.zeros(0, dtype=bool)
        window = int(round(self.p("fcr_rate", "window_h") * 3600e9))
        arr = _ns(self.df["arrival_at"])
        cust, _ = factorize(self.df["customer_id"].to_numpy())
        ncust = int(cust.max()) + 1
        nrun = int(self.run.max()) + 1
        if nrun * ncust * n < 2**62:
            # one int64 sort key: (run, customer, rank of arrival)
            if n > 1 and bool(np.all(arr[1:] >= arr[:-1])):
                by_time = np.arange(n)
            else:
                by_time = np.argsort(arr, kind="stable")
            rank = np.empty(n, dtype=np.int64)
            rank[by_time] = np.arange(n)
            key = np.sort((self.run * ncust + cust) * n + rank)
            order = by_time[key % n]
            who = key // n
        else:  # pragma: no cover - astronomically many customers
            order = np.lexsort((arr, cust, self.run))
            who = (self.run * ncust + cust)[order]
        a = arr[order]
        # runs of equal (customer, arrival); the next run's first arrival is the next strictly later one
        new = np.ones(n, dtype=bool)
        new[1:] = (who[1:] != who[:-1]) | (a[1:] != a[:-1])
        firsts = np.flatnonzero(new)
        run_id = np.cumsum(new) - 1
        nxt = np.append(firsts[1:], n)[run_id]
        has = nxt < n
        nxt_c = np.minimum(nxt, n - 1)
        repeat_sorted = has & (who[nxt_c] == who) & (a[nxt_c] - a <= window)
        repeat = np.empty(n, dtype=bool)
        repeat[order] = repeat_sorted
        return self.answered & ~_bool(self.df["transferred"]) & ~repeat


def _sl_base(r: _Contacts) -> np.ndarray:
    if not r.p("service_level", "abandons_count"):
        return r.answered
    return r.answered | r.blocked | (r.abandoned & ~r.short_abandon_sl)


def _nps_net(r: _Contacts) -> np.ndarray:
    x = r.nps
    pro = x >= r.p("nps", "promoter_min")
    det = x <= r.p("nps", "detractor_max")
    return pro.astype(np.int8) - det.astype(np.int8)


_CONTACT_RULES: dict[str, Callable[[_Contacts], np.ndarray]] = {
    "n_offered": lambda r: np.ones(len(r.df), dtype=bool),
    "n_handled": lambda r: r.answered,
    "n_abandoned": lambda r: r.abandoned,
    "n_blocked": lambda r: r.blocked,
    "n_queued": lambda r: _bool(r.df["queued"]),
    "n_sl_within": lambda r: r.answered & (r.wait <= r.p("service_level", "threshold_s")),
    "n_sl_base": _sl_base,
    "n_abandoned_counted": lambda r: r.abandoned & ~r.short_abandon_ar,
    "n_offered_counted": lambda r: ~r.short_abandon_ar,
    "sum_wait_answered_s": lambda r: np.where(r.answered, r.wait, 0.0),
    "sum_wait_abandoned_s": lambda r: np.where(r.abandoned, r.wait, 0.0),
    "sum_handle_s": lambda r: r.handle,
    "sum_wrap_up_s": lambda r: r.wrap,
    "sum_handle_wrap_s": lambda r: r.handle + r.wrap,
    "n_transferred": lambda r: r.answered & _bool(r.df["transferred"]),
    "n_fcr": lambda r: r.fcr(),
    "sum_first_response_s": lambda r: _z(r.first_response),
    "n_first_response": lambda r: ~np.isnan(r.first_response),
    "sum_response_time_s": lambda r: np.where(r.answered, _z(_float(r.df["response_time_sum_s"])), 0.0),
    "n_responses": lambda r: np.where(r.answered, _z(_float(r.df["response_count"])), 0.0),
    "n_chat_handled": lambda r: r.chat_handled,
    "n_chat_wrote": lambda r: r.chat_handled & _bool(r.df["customer_wrote"]),
    "n_chat_replied": lambda r: r.chat_handled & _bool(r.df["customer_wrote"]) & _bool(r.df["replied"]),
    "n_chat_invalid": lambda r: r.chat_handled & _bool(r.df["invalid"]),
    "n_conversion_base": lambda r: r.conversion_scope,
    "n_conversion_converted": lambda r: r.conversion_scope & r.converted,
    "n_orders": lambda r: r.converted,
    "sum_order_value_cents": lambda r: r.value,
    "sum_sales_cents": lambda r: (
        np.where(_bool(r.df["refunded"]), 0.0, r.value) if r.p("sales_cents", "net") else r.value
    ),
    "n_refunded": lambda r: r.converted & _bool(r.df["refunded"]),
    "n_rescue_opportunities": lambda r: r.rescue_opp,
    "n_rescued": lambda r: r.rescue_opp & _bool(r.df["rescued"]),
    "n_survey_responded": lambda r: r.answered & _bool(r.df["survey_responded"]),
    "n_csat_rated": lambda r: ~np.isnan(r.csat),
    "sum_csat": lambda r: _z(r.csat),
    "n_csat_positive": lambda r: r.csat >= r.p("csat_positive_rate", "positive_min"),
    "n_nps_rated": lambda r: ~np.isnan(r.nps),
    "sum_nps_net": _nps_net,
    "n_complaints": lambda r: _bool(r.df["complaint"]),
    "n_complaint_base": lambda r: r.answered if r.p("complaint_rate", "base") == "handled" else r.converted,
    "n_praise": lambda r: _bool(r.df["praise"]),
}


def contact_values(df: pd.DataFrame, run: np.ndarray, need: list[str], defs: Defs) -> dict[str, np.ndarray]:
    """Per-row values of the requested contact columns.

    Args:
        df: contacts table (schema columns).
        run: int64 run code per row (scenario_id, replication, seed); FCR repeats are looked
            for within the same run only.
        need: column names (those not from contacts are ignored). Outbound contacts
            (``direction == outbound``) add only to the outbound columns.
        defs: resolved definitions (metric -> params).
    """
    r = _Contacts(df, run, defs)
    vals = {c: _CONTACT_RULES[c](r) for c in need if c in _CONTACT_RULES}
    out = outbound_mask(df)
    if out.any():  # the contact columns count inbound contacts only
        vals = {c: np.where(out, 0, v) for c, v in vals.items()}
    return {**vals, **outbound_contact_values(df, need)}


def state_values(
    labels: pd.Index, per_state: np.ndarray, busy_weighted: np.ndarray | None, need: list[str], defs: Defs
) -> dict[str, np.ndarray]:
    """Agent-state columns per group, from seconds per (group, state).

    Args:
        labels: state names; column ``i`` of ``per_state`` is ``labels[i]``, the last column
            holds intervals without a state (counted nowhere but in logged-in time).
        per_state: seconds per group and state, shape (groups, len(labels) + 1).
        busy_weighted: seconds in ``busy`` weighted by sessions / max_concurrency per group
            (only for occupancy's ``partial_chat``); None if not needed.
    """
    index = {u: i for i, u in enumerate(labels)}

    def secs(states) -> np.ndarray:
        cols = [index[x] for x in states if x in index]
        return per_state[:, cols].sum(axis=1) if cols else np.zeros(per_state.shape[0])

    def occ_work() -> np.ndarray:
        if occ["partial_chat"] and busy_weighted is not None and "busy" in occ["work_states"]:
            return secs([x for x in occ["work_states"] if x != "busy"]) + busy_weighted
        return secs(occ["work_states"])

    occ, util = defs["occupancy"], defs["utilisation"]
    rules: dict[str, Callable[[], np.ndarray]] = {
        "sum_logged_in_s": lambda: per_state.sum(axis=1) - secs(("offline",)),
        "sum_break_s": lambda: secs(("break",)),
        "sum_occ_work_s": occ_work,
        "sum_occ_base_s": lambda: secs(tuple(occ["work_states"]) + tuple(occ["idle_states"])),
        "sum_util_work_s": lambda: secs(util["work_states"]),
        "sum_util_logged_s": lambda: secs(util["logged_states"]),
        "sum_online_s": lambda: secs(defs["actual_work_rate"]["online_states"]),
    }
    return {c: rules[c]() for c in need if c in rules}


def attendance_values(df: pd.DataFrame, need: list[str], defs: Defs) -> dict[str, np.ndarray]:
    """Per-day values of attendance columns."""
    late = _z(_float(df["late_min"]))
    early = _z(_float(df["early_leave_min"]))
    logged = _z(_float(df["logged_in_s"]))
    hang = _z(_float(df["hangup_s"]))
    worked = logged > 0

    def lateness(metric: str, long: bool) -> np.ndarray:
        p = defs[metric]
        lim = p["long_min"]
        if long:
            return (late >= lim) | (early >= lim)
        top = np.inf if p["include_long"] else lim
        a, b = (late > 0) & (late < top), (early > 0) & (early < top)
        return a.astype(np.int64) + b if p["count"] == "events" else a | b

    short = defs["short_online_days"]
    rules: dict[str, Callable[[], np.ndarray]] = {
        "n_late_short": lambda: lateness("late_count", False),
        "n_late_long": lambda: lateness("long_late_count", True),
        "n_absent": lambda: _bool(df["absent"]),
        "n_leave": lambda: _bool(df["leave"]),
        "n_days_worked": lambda: worked,
        "sum_att_logged_in_s": lambda: logged,
        "n_short_online_days": lambda: (
            worked & ((logged < short["min_online_h"] * 3600) | (hang > short["max_hangup_h"] * 3600))
        ),
    }
    return {c: rules[c]() for c in need if c in rules}


def conduct_values(df: pd.DataFrame, need: list[str]) -> dict[str, np.ndarray]:
    """Per-event values of conduct columns (one indicator per event kind)."""
    if not any(c[2:] in CONDUCT_EVENTS for c in need if c.startswith("n_")):
        return {}
    codes, uniques = pd.factorize(df["event"], use_na_sentinel=False)
    out = {}
    for c in need:
        kind = c[2:]
        if c.startswith("n_") and kind in CONDUCT_EVENTS:
            hit = [i for i, u in enumerate(uniques) if u == kind]
            out[c] = (codes == hit[0]) if hit else np.zeros(len(df), dtype=bool)
    return out


def qa_values(df: pd.DataFrame, need: list[str], defs: Defs) -> dict[str, np.ndarray]:
    """Per-review values of QA columns (reviews without a score are ignored)."""
    score = _float(df["qa_score"])
    has = ~np.isnan(score)
    rules: dict[str, Callable[[], np.ndarray]] = {
        "n_qa_reviews": lambda: has,
        "sum_qa_score": lambda: _z(score),
        "n_qa_pass": lambda: has & (score >= defs["qa_pass_rate"]["pass_mark"]),
    }
    return {c: rules[c]() for c in need if c in rules}


def silent_values(df: pd.DataFrame, need: list[str]) -> dict[str, np.ndarray]:
    """Per-order values of silent-order columns."""
    if "sum_silent_order_cents" not in need:
        return {}
    return {"sum_silent_order_cents": df["value_cents"].to_numpy(dtype=np.float64, na_value=0.0)}


def ns(s: pd.Series) -> np.ndarray:
    """Public alias of the datetime -> int64 ns conversion (NaT -> int64 min)."""
    return _ns(s)
