"""Hidden sustained declines carried across the months of a year run: a decline that starts late
in one month runs on into the next until ``duration_days`` ends it, a leaver takes it along (the
hire starts healthy), and a scenario without declines simulates its year exactly as before.

Fast: the tiny shop (7 agents) with 5-day months; the decline draws are forced (every uniform 1
except the chosen start), so exactly one decline exists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.alerts import evaluate_alerts
from kpisim.analysis.year import run as year_run
from kpisim.analysis.year import simulate_year
from kpisim.errors import KpisimError
from kpisim.policy.alerts_models import load_alerts
from kpisim.scenario.declines import Declines
from kpisim.sim import run as sim_run
from tests.year.conftest import s3_with
from tests.year.test_year_run import with_turnover


class _Uniforms:
    """Stands in for the ``declines`` stream: returns fixed uniforms."""

    def __init__(self, u: np.ndarray):
        self.u = u

    def random(self, shape):
        assert shape == self.u.shape
        return self.u


@pytest.fixture
def forced(monkeypatch):
    """Force one decline start: ``starts[(month, agent index, day)]``; records every call's
    keywords and drawn ``Decline``, and every month's event log."""
    real_draw, real_sim = sim_run.draw_declines, year_run.simulate_one
    calls: list[dict] = []
    logs: list = []
    starts: set[tuple[int, int, int]] = set()

    def draw(spec, n_agents, days, attendance, rng, **kw):
        u = np.ones((n_agents, days, 2))
        for m, a, d in starts:
            if m == len(calls):
                u[a, d, 0] = 0.0
        dec = real_draw(spec, n_agents, days, attendance, _Uniforms(u), **kw)
        calls.append({**kw, "dec": dec})
        return dec

    def sim(*args, **kw):
        log = real_sim(*args, **kw)
        logs.append(log)
        return log

    monkeypatch.setattr(sim_run, "draw_declines", draw)
    monkeypatch.setattr(year_run, "simulate_one", sim)
    return starts, calls, logs


def _declining(sc, **kw):
    return sc.model_copy(update={"declines": Declines(rate_per_agent_month=1.0, off_day_prob=0.0, **kw)})


def test_a_decline_late_in_one_month_runs_on_into_the_next_until_its_duration_ends(tiny, s3, forced):
    starts, calls, logs = forced
    starts.add((0, 0, 3))  # agent 0, days 3-4 of month 0 ...
    sc = with_turnover(tiny, enabled=False)
    y = simulate_year(_declining(sc, size=0.5, duration_days=4), s3, months=3, seed=5, month_days=5)
    a0 = logs[0].agents["agent_id"].iloc[0]
    # ... and days 0-1 of month 1 (4 days in all), then healthy again
    assert calls[1]["carried"].tolist() == [2.0] + [0.0] * (len(calls[1]["carried"]) - 1)
    assert not calls[2]["carried"].any()
    assert calls[0]["dec"].slow[0].tolist() == [1, 1, 1, 1.5, 1.5]
    assert calls[1]["dec"].slow[0].tolist() == [1.5, 1.5, 1, 1, 1]
    assert (calls[1]["dec"].slow[1:] == 1).all() and (calls[2]["dec"].slow == 1).all()
    # the year's hidden table joins the two months' pieces into one decline
    d = y.declines
    first = [pd.Timestamp(b[0]) for b in y.bounds()]
    assert d[["agent_id", "kind", "month"]].values.tolist() == [[a0, "decline", 0]]
    assert d["start_at"].iat[0] == first[0] + pd.Timedelta(days=3)
    assert d["end_at"].iat[0] == first[1] + pd.Timedelta(days=2)
    assert d["size"].iat[0] == 0.5 and (d["replication"] == 0).all() and (d["seed"] == 5).all()
    # common random numbers: the same contacts handled by agent 0 at the same concurrency take
    # 1.5 x as long on the decline's days of month 1, and exactly as long after it
    logs_with = list(logs)
    logs.clear()
    simulate_year(sc, s3, months=3, seed=5, month_days=5)
    c1, c0 = logs_with[1].contacts, logs[1].contacts
    both = c1.merge(c0, on="contact_id", suffixes=("", "_off"))
    same = both[
        (both["agent_id"] == a0)
        & (both["agent_id_off"] == a0)
        & (both["concurrency"] == both["concurrency_off"])
    ]
    day = (same["answered_at"] - first[1]) // pd.Timedelta(days=1)
    ratio = same["handle_s"] / same["handle_s_off"]
    assert (day < 2).sum() >= 3 and (day >= 2).sum() >= 3
    assert np.allclose(ratio[day < 2], 1.5) and np.allclose(ratio[day >= 2], 1.0)


def test_a_leavers_decline_goes_with_the_leaver_and_the_hire_starts_healthy(tiny, tmp_path, forced):
    starts, calls, logs = forced
    starts.add((1, 0, 1))  # agent 0 declines for good from day 1 of month 1
    starts.add((3, 0, 0))  # a draw for month 3's first hire on a day before it joins (day 2)
    pol = s3_with(tmp_path, eliminate_when="x < 1000")  # everyone out after month 2
    sc = with_turnover(tiny, enabled=False, notice_days=0, hiring_delay_days=2)
    y = simulate_year(_declining(sc, size=0.3), pol, months=4, seed=4, month_days=5)
    a0 = logs[0].agents["agent_id"].iloc[0]
    assert np.isinf(calls[2]["carried"][0]) and not calls[2]["carried"][1:].any()
    assert not calls[3]["carried"].any()  # month 3: only hires, none declining
    assert (calls[3]["dec"].slow == 1).all()  # a decline starts only on an employed day
    hire = y.events.loc[y.events["detail"] == f"replaces {a0}", "agent_id"].iat[0]
    assert hire in set(logs[3].agents["agent_id"])
    first = [pd.Timestamp(b[0]) for b in y.bounds()]
    d = y.declines
    assert d[["agent_id", "kind", "month"]].values.tolist() == [[a0, "decline", 1]]
    assert d["start_at"].iat[0] == first[1] + pd.Timedelta(days=1)
    assert d["end_at"].iat[0] == first[2] + pd.Timedelta(days=5)  # the leaver's last day
    assert hire not in set(d["agent_id"])


def test_new_declines_start_each_month_only_for_agents_not_declining(tiny, s3):
    sc = _declining(with_turnover(tiny, enabled=False), size=0.3, duration_days=6)
    sc = sc.model_copy(update={"declines": sc.declines.model_copy(update={"rate_per_agent_month": 4.0})})
    y = simulate_year(sc, s3, months=4, seed=2, month_days=5)
    d = y.declines
    assert (d["kind"] == "decline").all() and d["month"].nunique() >= 3
    first = [pd.Timestamp(b[0]) for b in y.bounds()]
    run_day = {f + pd.Timedelta(days=k): 5 * m + k for m, f in enumerate(first) for k in range(6)}
    s, e = d["start_at"].map(run_day), d["end_at"].map(run_day)
    assert ((e - s) <= 6).all() and ((e - s) == 6).any()  # a duration spans months
    assert (d["end_at"].dt.month > d["start_at"].dt.month).any()
    for _, g in d.assign(s=s, e=e).sort_values("s").groupby("agent_id"):  # one at a time
        assert (g["s"].to_numpy()[1:] >= g["e"].to_numpy()[:-1]).all()


def test_without_declines_the_year_is_simulated_exactly_as_before(tiny, s3, monkeypatch):
    """No ``declines:`` -> every month is the plain ``simulate_one`` call of before the carry
    (no carried declines passed) and the year's hidden declines table is empty."""
    sc = with_turnover(tiny, annual_attrition=3.0, notice_days=0, hiring_delay_days=1)
    y = simulate_year(sc, s3, months=3, seed=9, month_days=3)
    real = year_run.simulate_one

    def before(*args, carried_declines=None, **kw):
        assert carried_declines is None
        return real(*args, **kw)

    monkeypatch.setattr(year_run, "simulate_one", before)
    z = simulate_year(sc, s3, months=3, seed=9, month_days=3)
    for name in ("kpis", "pay", "roster", "events", "team", "agents"):
        pd.testing.assert_frame_equal(getattr(y, name), getattr(z, name))
    assert y.declines.empty and list(y.declines.columns)[:4] == ["agent_id", "kind", "start_at", "end_at"]


S4_RULES = "scenarios/alerts/s4_coaching.yaml"


def test_alert_rules_judged_over_a_one_month_year_as_on_its_event_log(tiny, s3, forced):
    """One month: the year's evaluation is exactly ``evaluate_alerts`` on that month's log."""
    _, _, logs = forced
    rules = load_alerts(S4_RULES)
    sc = _declining(with_turnover(tiny, enabled=False), size=0.5)
    starts = forced[0]
    starts.add((0, 1, 13))  # agent 1 declines from day 13 of 20 (after the 10-day baseline)
    y = simulate_year(sc, s3, months=1, seed=3, month_days=20, alert_rules=rules)
    want = evaluate_alerts(logs[0], rules)
    pd.testing.assert_frame_equal(y.evaluate_alerts(), want)
    assert want["declines"].tolist() == [1] * len(rules.rules)


def test_a_decline_carried_across_months_is_judged_once_over_the_year(tiny, s3, forced):
    starts, _, _ = forced
    starts.add((1, 2, 3))  # agent 2 declines from day 3 of month 1 on, for good
    rules = load_alerts(S4_RULES)
    sc = _declining(with_turnover(tiny, enabled=False), size=0.5)
    y = simulate_year(sc, s3, months=3, seed=3, month_days=8, alert_rules=rules)
    assert len(y.declines) == 1 and y.declines["end_at"].iat[0] == pd.Timestamp(
        y.bounds()[2][0]
    ) + pd.Timedelta(days=8)
    ev = y.evaluate_alerts()
    assert ev["declines"].tolist() == [1] * len(rules.rules)  # one decline, not one per month
    days = y.alert_series[y.alert_series["watch"] == "day"]
    assert sorted(days["month"].unique()) == [0, 1, 2] and days["period"].nunique() == 24
    with pytest.raises(KpisimError, match="no alert rules"):
        simulate_year(sc, s3, months=1, seed=3, month_days=2).evaluate_alerts()
