"""Bad values in scenario files: each is one ``SpecError`` naming the file, the user's field path
(no pydantic internals), the bad value and what is allowed, raised before anything simulates."""

from __future__ import annotations

import copy

import pytest
import yaml

from kpisim.cli import main
from kpisim.errors import KpisimError, SpecError
from kpisim.scenario.models import load_scenario
from tests.sim.test_scenario_validation import BASE

NAN, INF = float("nan"), float("inf")
FINITE = "must be a finite number (not .nan or .inf)"


def _put(data: dict, path: str, value) -> dict:
    d = copy.deepcopy(data)
    cur = d
    keys = path.split(".")
    for k in keys[:-1]:
        cur = cur[int(k)] if isinstance(cur, list) else cur.setdefault(k, {})
    cur[keys[-1]] = value
    return d


# (path to change, new value, field the message must name, text it must contain)
NON_FINITE = [
    ("queues.q.daily_volume", NAN, "queues.q.daily_volume", FINITE),
    ("queues.q.daily_volume", INF, "queues.q.daily_volume", FINITE),
    ("queues.q.profile", [1.0] * 47 + [NAN], "queues.q.profile[48]", FINITE),
    ("queues.q.weekday_factor", {"mon": INF}, "queues.q.weekday_factor.mon", FINITE),
    ("queues.q.handle", {"dist": "gamma", "mean_s": INF, "cv": 1}, "queues.q.handle.mean_s", FINITE),
    ("queues.q.handle", {"dist": "gamma", "mean_s": 9, "cv": NAN}, "queues.q.handle.cv", FINITE),
    ("agents.0.traits", {"speed": {"mean": NAN}}, "agents[g].traits.speed.mean", FINITE),
    ("agents.0.conduct", {"rule_breach": INF}, "agents[g].conduct.rule_breach", FINITE),
    ("silent_orders", {"per_day": INF}, "silent_orders.per_day", FINITE),
    ("queues.q.outcomes", {"satisfaction": NAN}, "queues.q.outcomes.satisfaction", FINITE),
    ("agents.0.levers", {"rush_csat_shift": -INF}, "agents[g].levers.rush_csat_shift", FINITE),
    ("queues.q.chat", {"response_s": INF}, "queues.q.chat.response_s", FINITE),
    ("multipliers", [{"date": "2026-11-02", "factor": INF}], "multipliers[1].factor", FINITE),
]

CALENDAR = [
    ("horizon.start", "9999-12-31", "horizon.start", "less than or equal to 2199-12-31"),
    ("horizon.start", "1600-01-01", "horizon.start", "greater than or equal to 1900-01-01"),
    ("horizon.start", 86400, "horizon.start", "expected a date written YYYY-MM-DD"),
    ("agents.0.shifts", {"default": "off"}, "agents[g].shifts", "the group never works"),
    ("horizon.open", {"default": "closed"}, "horizon.open", "closed every day"),
    (
        "agents.0.shifts",
        {"default": "off", "sun": {"start": "08:00", "end": "16:00"}},
        "agents",
        "nobody works on any open day of the horizon",
    ),
    (
        "agents.0.shifts",
        {"default": {"start": "08:00", "end": "16:00", "breaks": [{"start": "17:00", "minutes": 15}]}},
        "agents[g].shifts.default.breaks[1]",
        "does not fit in the shift 08:00-16:00",
    ),
    (
        "agents.0.shifts",
        {"default": {"start": "08:00", "end": "09:00", "breaks": [{"start": "08:30", "minutes": 90}]}},
        "agents[g].shifts.default.breaks[1]",
        "break at 08:30 for 90 min does not fit",
    ),
    (
        "multipliers",
        [{"date": "2030-01-01", "factor": 2, "name": "promo"}],
        "multipliers[promo].date",
        "outside the horizon 2026-11-02 to 2026-11-03",
    ),
    ("agents.0.count", True, "agents[g].count", "expected a whole number, not a boolean"),
    ("agents.0.skills", {"q": True}, "agents[g].skills.q", "not a boolean"),
    ("horizon.days", True, "horizon.days", "not a boolean"),
]

SIZES = [
    ("agents.0.count", 10**12, "agents[g].count", "less than or equal to 10000"),
    ("agents.0.count", 1_000_000, "agents[g].count", "less than or equal to 10000"),
    ("queues.q.daily_volume", 1e12, "queues.q.daily_volume", "less than or equal to 1000000"),
    ("agents.0.max_concurrency", 10**9, "agents[g].max_concurrency", "less than or equal to 50"),
    (
        "queues.q.outcomes",
        {"order_value_cents": 2**63 - 1},
        "queues.q.outcomes.order_value_cents",
        "10000000000",
    ),
    ("silent_orders", {"value_cents": 2**62}, "silent_orders.value_cents", "10000000000"),
    ("multipliers", [{"date": "2026-11-02", "factor": 1e9}], "multipliers[1].factor", "100"),
]

PATHS = [
    # pydantic's union labels (list[float], Shift) never show in the path
    ("queues.q.profile", [1.0] * 47 + ["x"], "queues.q.profile[48]", "bad value 'x'"),
    (
        "agents.0.shifts",
        {"default": {"start": "08:00", "end": "25:00"}},
        "agents[g].shifts.default.end",
        "25:00",
    ),
    ("agents.0.shifts", {"default": {"start": "08:00"}}, "agents[g].shifts.default.end", "required field"),
    ("horizn", {}, "", "unknown key 'horizn', did you mean 'horizon'"),
]


def _check(tmp_path, capsys, data, field, text):
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_scenario(f)
    err = info.value
    assert err.file == str(f) and err.field == field, str(err)
    assert text in err.message, str(err)
    assert "\n" not in str(err)
    assert main(["validate", str(f)]) == 2
    out = capsys.readouterr().err
    assert out.count("\n") == 1 and "Traceback" not in out and text in out


@pytest.mark.parametrize(
    "path,value,field,text", NON_FINITE + CALENDAR + SIZES + PATHS, ids=lambda v: str(v)[:30]
)
def test_bad_value(tmp_path, capsys, path, value, field, text):
    _check(tmp_path, capsys, _put(BASE, path, value), field, text)


def test_run_size_is_checked_before_simulating(tmp_path, capsys):
    """Every queue and count within its range, yet too big a run in all: refused up front,
    allowed with --allow-large (not run here)."""
    from kpisim.sim.run import simulate
    from kpisim.sim.size import large_runs_allowed, run_size

    data = _put(BASE, "queues.q.daily_volume", 1_000_000)
    data = _put(data, "horizon.days", 60)
    f = tmp_path / "big.yaml"
    f.write_text(yaml.safe_dump(data), encoding="utf-8")
    scenario = load_scenario(f)
    assert run_size(scenario)["contacts"] == 60_000_000
    with pytest.raises(KpisimError, match=r"about 60,000,000 contacts over 1 replication\(s\), more than"):
        simulate(scenario)
    assert main(["simulate", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--allow-large" in err
    with large_runs_allowed():
        from kpisim.sim.size import check_run_size

        assert check_run_size(scenario)["contacts"] == 60_000_000
