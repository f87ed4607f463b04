"""Properties of the KPI engine on random small logs (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpisim.kpi.compute import kpis, reaggregate
from kpisim.kpi.registry import COLUMNS, METRICS
from kpisim.testing.synth import log_from_rows

T0 = pd.Timestamp("2024-03-28")  # spans a month boundary within a few days
AGENTS = [
    dict(
        agent_id=f"A{i}",
        team=f"T{i % 2}",
        shift="day" if i < 2 else "late",
        tenure_group="new",
        max_concurrency=1 + i,
    )
    for i in range(4)
]
QUEUES = {"presales": "chat", "aftersales": "chat", "phone": "voice"}

settings.register_profile(
    "kpi",
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def contact(draw, cid: int) -> dict:
    queue = draw(st.sampled_from(sorted(QUEUES)))
    arrival = T0 + pd.Timedelta(seconds=draw(st.integers(0, 5 * 86400)))
    outcome = draw(st.sampled_from(["answered", "answered", "abandoned", "blocked"]))
    wait = float(draw(st.integers(0, 300)))
    row = dict(
        contact_id=cid,
        queue=queue,
        channel=QUEUES[queue],
        arrival_at=arrival,
        customer_id=draw(st.integers(0, 6)),
        queued=wait > 0,
    )
    if outcome == "answered":
        ans = arrival + pd.Timedelta(seconds=wait)
        csat = draw(st.one_of(st.none(), st.integers(1, 5)))
        row.update(
            answered_at=ans,
            ended_at=ans + pd.Timedelta(seconds=draw(st.integers(0, 900))),
            wrap_up_s=float(draw(st.integers(0, 120))),
            agent_id=draw(st.sampled_from([a["agent_id"] for a in AGENTS])),
            transferred=draw(st.booleans()),
            converted=draw(st.booleans()),
            order_value_cents=draw(st.integers(0, 50_000)),
            refunded=draw(st.booleans()),
            rescue_opportunity=draw(st.booleans()),
            rescued=draw(st.booleans()),
            survey_responded=csat is not None,
            csat=csat,
            nps=draw(st.one_of(st.none(), st.integers(0, 10))),
            complaint=draw(st.booleans()),
            replied=draw(st.booleans()),
            invalid=draw(st.booleans()),
            first_response_s=float(draw(st.integers(1, 60))),
            response_count=draw(st.integers(0, 5)),
            response_time_sum_s=float(draw(st.integers(0, 200))),
        )
    elif outcome == "abandoned":
        row.update(abandoned=True, ended_at=arrival + pd.Timedelta(seconds=wait))
    else:
        row.update(blocked=True, wait_s=0.0)
    return row


@st.composite
def state(draw) -> dict:
    start = T0 + pd.Timedelta(minutes=draw(st.integers(0, 5 * 1440)))
    return dict(
        agent_id=draw(st.sampled_from([a["agent_id"] for a in AGENTS])),
        state=draw(st.sampled_from(["available", "busy", "wrap_up", "break", "offline"])),
        start_at=start,
        end_at=start + pd.Timedelta(minutes=draw(st.integers(0, 600))),
        sessions=draw(st.integers(0, 4)),
    )


@st.composite
def attendance(draw) -> dict:
    return dict(
        agent_id=draw(st.sampled_from([a["agent_id"] for a in AGENTS])),
        date=T0 + pd.Timedelta(days=draw(st.integers(0, 5))),
        logged_in_s=float(draw(st.integers(0, 9 * 3600))),
        hangup_s=float(draw(st.integers(0, 7200))),
        late_min=float(draw(st.integers(0, 30))),
        early_leave_min=float(draw(st.integers(0, 30))),
        absent=draw(st.booleans()),
    )


@st.composite
def logs(draw):
    n = draw(st.integers(0, 25))
    contacts = [draw(contact(i + 1)) for i in range(n)]
    states = draw(st.lists(state(), max_size=12))
    att = draw(st.lists(attendance(), max_size=8))
    qa = [
        dict(
            agent_id=c["agent_id"],
            contact_id=c["contact_id"],
            reviewed_at=c["ended_at"],
            qa_score=float(draw(st.integers(80, 100))),
        )
        for c in contacts
        if c.get("agent_id")
    ][:5]
    return log_from_rows(
        agents=AGENTS,
        contacts=contacts or None,
        agent_states=states or None,
        attendance=att or None,
        qa=qa or None,
    )


def _plain(s: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in s.astype(object)]


def _close(a: pd.Series, b: pd.Series) -> bool:
    return np.allclose(
        a.to_numpy(float, na_value=np.nan),
        b.to_numpy(float, na_value=np.nan),
        rtol=1e-9,
        atol=1e-9,
        equal_nan=True,
    )


RATES = [k for k, m in METRICS.items() if m.unit == "ratio" and m.kind == "ratio"]


@settings(settings.get_profile("kpi"))
@given(
    log=logs(),
    by=st.sampled_from([("agent_id",), ("team",), ("queue",), ()]),
    period=st.sampled_from(["day", "month"]),
)
def test_rates_are_within_0_and_1(log, by, period):
    k = kpis(log, by=by, period=period)
    for c in RATES:
        v = k[c].dropna()
        assert ((v >= 0) & (v <= 1 + 1e-12)).all(), (c, v.tolist())
    for c in COLUMNS:
        if c != "sum_nps_net":
            assert (k[c].dropna() >= 0).all(), c


@settings(settings.get_profile("kpi"))
@given(log=logs(), seed=st.integers(0, 2**32 - 1), by=st.sampled_from([("agent_id",), ("queue",), ()]))
def test_invariant_to_row_order(log, seed, by):
    rng = np.random.default_rng(seed)
    shuffled = {n: df.iloc[rng.permutation(len(df))].reset_index(drop=True) for n, df in log.tables.items()}
    a, b = kpis(log, by=by, period="day"), kpis(shuffled, by=by, period="day")
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for c in a.columns:
        if c in METRICS or c in COLUMNS:
            assert _close(a[c], b[c]), c
        else:
            assert _plain(a[c]) == _plain(b[c]), c


@settings(settings.get_profile("kpi"))
@given(log=logs(), period=st.sampled_from(["day", "month"]))
def test_agent_columns_sum_to_team_level(log, period):
    agent = kpis(log, by=("agent_id",), period=period)
    team = kpis(log, by=("team",), period=period)
    keys = ["scenario_id", "replication", "seed", "team", "period"]
    cols = [c for c in COLUMNS if c in agent.columns and c != "sum_silent_order_cents"]
    summed = agent.groupby(keys, dropna=False)[cols].sum(min_count=1).reset_index()
    assert len(summed) == len(team)
    for c in cols:
        assert _close(summed[c], team[c]), c
    re = reaggregate(agent, by=("team",))
    for c in [k for k in METRICS if k in team.columns]:
        assert _close(re[c], team[c]), c


@settings(settings.get_profile("kpi"))
@given(log=logs())
def test_days_add_up_to_months(log):
    # states are split at boundaries, so every additive column of the days sums to the month
    day = kpis(log, by=("agent_id",), period="day")
    month = kpis(log, by=("agent_id",), period="month")
    day["month"] = day["period"].dt.to_period("M").dt.start_time
    cols = [c for c in COLUMNS if c != "sum_silent_order_cents"]
    summed = day.groupby(["agent_id", "month"])[cols].sum(min_count=1).reset_index()
    assert len(summed) == len(month)
    for c in cols:
        assert _close(summed[c], month[c]), c
