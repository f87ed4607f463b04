"""Bad values in scenario files: each is one ``SpecError`` naming the file, the user's field path
(no pydantic internals), the bad value and what is allowed, raised before anything simulates."""

from __future__ import annotations

import copy

import pytest
import yaml

from kpisim.cli import main
from kpisim.errors import SpecError
from kpisim.spec.scenario import load_scenario
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


@pytest.mark.parametrize("path,value,field,text", NON_FINITE + PATHS, ids=lambda v: str(v)[:30])
def test_bad_value(tmp_path, capsys, path, value, field, text):
    _check(tmp_path, capsys, _put(BASE, path, value), field, text)
