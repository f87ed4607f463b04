"""Alerts and their evaluation on event logs: nominal false-alarm rate with no declines, a
hand-computed evaluation, team-first, and (on a simulated run with one injected off-day and one
injected decline) the S4 rule ignoring the dip while catching the decline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpisim.sim.run as sim_run
from kpisim.analysis.alerts import alerts, evaluate_alerts
from kpisim.policy.alerts_models import load_alerts, validate_alerts
from kpisim.scenario.declines import Declines
from kpisim.scenario.models import load_scenario
from kpisim.sim.declines import Decline
from kpisim.testing.synth import log_from_rows

ROOT = Path(__file__).resolve().parents[2]
DAY0 = pd.Timestamp("2026-11-02")


def daily_log(values: dict[str, list[float]], teams: dict[str, str] | None = None, declines=()):
    """One contact per agent-day with handle time ``values[agent][day]`` seconds (NaN: day off),
    so the agent's daily ``aht_s`` is exactly that value."""
    rows = []
    for agent, days in values.items():
        for d, v in enumerate(days):
            if np.isfinite(v):
                at = DAY0 + pd.Timedelta(days=d, hours=10)
                rows.append(
                    {
                        "agent_id": agent,
                        "arrival_at": at,
                        "answered_at": at,
                        "ended_at": at + pd.Timedelta(seconds=v),
                    }
                )
    agents = [{"agent_id": a, "team": (teams or {}).get(a, "t")} for a in values]
    hidden = [
        {
            "agent_id": a,
            "kind": k,
            "start_at": DAY0 + pd.Timedelta(days=s),
            "end_at": DAY0 + pd.Timedelta(days=e),
            "size": 0.3,
        }
        for a, k, s, e in declines
    ]
    return log_from_rows(contacts=rows, agents=agents, declines=hidden)


def rules(*items):
    return validate_alerts({"id": "t", "rules": list(items)})


def test_no_declines_every_alert_is_false_at_the_nominal_rate():
    """iid exponential daily handle times (mean 300 s) and a threshold at their 95 % quantile
    (300 ln 20 s): 5 % of agent-days alert, so 1.5 false alarms per agent-month (30 days), within
    4 binomial standard deviations over 50 agents x 60 days."""
    rng = np.random.default_rng(1)
    n, days = 50, 60
    log = daily_log({f"a{i:02d}": list(rng.exponential(300.0, days)) for i in range(n)})
    r = rules({"name": "q95", "type": "threshold", "metric": "aht_s", "value": 300 * np.log(20)})
    found = alerts(log, r)
    k, p = n * days, 0.05
    assert abs(len(found) - k * p) < 4 * np.sqrt(k * p * (1 - p))
    ev = evaluate_alerts(log, r).iloc[0]
    assert ev["false_alarms"] == ev["agent_alerts"] == len(found) and ev["declines"] == 0
    assert ev["agent_months"] == pytest.approx(k / 30)
    assert ev["false_alarms_per_agent_month"] == pytest.approx(len(found) / (k / 30))
    assert abs(ev["false_alarms_per_agent_month"] - 1.5) < 4 * np.sqrt(k * p * (1 - p)) / (k / 30)


def test_evaluation_by_hand():
    """Baseline days 0-6 (mean 100, sd 8.165), a spike on day 8 (false alarm), a decline from day
    10 (alert at the end of day 10: delay 1 day); a second agent's decline from day 12 is missed
    (its values never move). Monitored days outside declines: 3 + 5 = 8 -> 8/30 agent-months."""
    base = [100, 110, 90, 100, 110, 90, 100]
    a = base + [100, 150, 100] + [200] * 10
    b = base + [100] * 13
    log = daily_log(
        {"a": a, "b": b},
        declines=[("a", "decline", 10, 20), ("b", "decline", 12, 20), ("b", "off_day", 9, 10)],
    )
    r = rules({"name": "z2", "type": "threshold", "metric": "aht_s", "z": 2.0, "baseline_periods": 7})
    found = alerts(log, r)
    assert found.loc[found["agent_id"] == "a", "period"].min() == DAY0 + pd.Timedelta(days=8)
    assert found["statistic"].iloc[0] == pytest.approx(50 / np.std(base, ddof=1))
    ev = evaluate_alerts(log, r).iloc[0]
    assert ev["false_alarms"] == 1 and ev["agent_alerts"] == 11
    assert ev["agent_months"] == pytest.approx(8 / 30)
    assert ev["declines"] == 2 and ev["detected"] == 1 and ev["missed_share"] == 0.5
    assert ev["mean_delay_days"] == 1.0


def test_team_first_alerts_the_team_not_its_agents():
    """Day 9: four of five agents of team x are slow together -> one team alert, no agent alert;
    team y's lone slow agent on day 11 gets its own alert."""
    rng = np.random.default_rng(2)
    vals = {f"x{i}": list(300 + 10 * rng.standard_normal(14)) for i in range(5)}
    vals |= {f"y{i}": list(300 + 10 * rng.standard_normal(14)) for i in range(5)}
    for i in range(4):
        vals[f"x{i}"][9] = 400
    vals["y0"][11] = 400
    teams = {a: a[0] for a in vals}
    tf = {"share": 0.5, "min_agents": 3, "z": 2.0}
    r = rules({"name": "z3", "type": "threshold", "metric": "aht_s", "z": 3.0, "team_first": tf})
    found = alerts(daily_log(vals, teams), r)
    team = found[found["level"] == "team"]
    assert team[["team", "period"]].values.tolist() == [["x", DAY0 + pd.Timedelta(days=9)]]
    assert team["statistic"].iloc[0] == pytest.approx(0.8)
    agents = found[found["level"] == "agent"]
    assert agents[["agent_id", "period"]].values.tolist() == [["y0", DAY0 + pd.Timedelta(days=11)]]
    assert agents["agent_id"].isna().sum() == 0 and team["agent_id"].isna().all()


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """The phone centre (30 days) with an off-day (50 % slower, worse FCR) for early-01 on
    Monday 16 Nov and a 30 % decline for early-02 from the same day on."""
    sc = load_scenario(ROOT / "scenarios" / "phone_centre.yaml")
    sc = sc.model_copy(update={"declines": Declines(rate_per_agent_month=0.01)})
    day = 15

    def inject(spec, n_agents, days, attendance, rng):
        slow, odds = np.ones((n_agents, days)), np.ones((n_agents, days))
        slow[0, day], odds[0, day] = 1.5, 0.5
        slow[1, day:], odds[1, day:] = 1.3, 0.7
        return Decline(slow, odds, [(0, "off_day", day, day + 1, 0.5), (1, "decline", day, days, 0.3)])

    mp = pytest.MonkeyPatch()
    mp.setattr(sim_run, "draw_declines", inject)
    try:
        log = sim_run.simulate(sc, seed=1)
    finally:
        mp.undo()
    return log, pd.Timestamp("2026-11-16")


def test_one_day_dip_does_not_alert_the_s4_rule_but_a_sustained_decline_does(injected):
    log, dip = injected
    assert log.declines["agent_id"].tolist() == ["early-01", "early-02"]
    s4 = alerts(log, load_alerts(ROOT / "scenarios" / "alerts" / "s4_coaching.yaml"))
    week = (s4["period"] >= dip) & (s4["period"] < dip + pd.Timedelta(days=7))
    assert not (week & (s4["agent_id"] == "early-01")).any()
    caught = s4[(s4["agent_id"] == "early-02") & (s4["period"] >= dip)]
    assert len(caught) and caught["period"].min() <= dip + pd.Timedelta(days=4)
    # the naive rule reacts to the dip on its day
    naive = alerts(log, load_alerts(ROOT / "scenarios" / "alerts" / "daily_threshold.yaml"))
    assert ((naive["agent_id"] == "early-01") & (naive["period"] == dip)).any()


def test_weekly_rule_on_values_and_explicit_side():
    """Weeks start on Monday (2 Nov 2026 is one): an agent 50 s slower from the third week alerts
    in weeks 3 and 4 on 'above 320 s'; 'below 320 s' alerts the other weeks instead."""
    a = [300.0] * 14 + [350.0] * 14
    log = daily_log({"a": a})
    weeks = [DAY0 + pd.Timedelta(weeks=w) for w in range(4)]
    for when, expect in (("above", weeks[2:]), ("below", weeks[:2])):
        r = rules(
            {
                "name": "wk",
                "type": "threshold",
                "metric": "aht_s",
                "period": "week",
                "value": 320,
                "when": when,
            }
        )
        found = alerts(log, r)
        assert found["period"].tolist() == expect and (found["level"] == "agent").all()
    ev = evaluate_alerts(
        daily_log({"a": a}, declines=[("a", "decline", 16, 28)]),
        rules({"name": "wk", "type": "threshold", "metric": "aht_s", "period": "week", "value": 320}),
    ).iloc[0]
    # the alert for the week from day 14 overlaps the decline (from day 16): true; delay to the
    # end of that week (day 21) is 5 days; no week is outside the decline but weeks 1-2 (14 days)
    assert ev["false_alarms"] == 0 and ev["detected"] == 1 and ev["mean_delay_days"] == 5.0
    assert ev["agent_months"] == pytest.approx(14 / 30)
