"""Every kind of scenario mistake gives one SpecError naming file, field path and bad value;
`kpisim validate` prints it on one line and exits 2."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from kpisim.cli import main
from kpisim.errors import SpecError
from kpisim.scenario.models import load_scenario

ROOT = Path(__file__).resolve().parents[2]

BASE = {
    "id": "t",
    "horizon": {"start": "2026-11-02", "days": 2, "open": {"default": ["08:00", "20:00"]}},
    "queues": {
        "q": {"channel": "voice", "daily_volume": 100, "handle": {"dist": "exponential", "mean_s": 200}}
    },
    "agents": [
        {
            "name": "g",
            "count": 2,
            "skills": {"q": 1},
            "shifts": {"default": {"start": "08:00", "end": "16:00"}},
        }
    ],
}


def _set(d, path, value):
    keys = path.split(".")
    for k in keys[:-1]:
        d = d[int(k)] if isinstance(d, list) else d[k]
    last = keys[-1]
    if isinstance(d, list):
        d[int(last)] = value
    else:
        d[last] = value


CASES = [
    # (path to change, new value, expected field in message, expected text)
    ("queues.q.handel", 5, "queues.q", "unknown key 'handel'"),
    ("queues.q.daily_volume", "many", "queues.q.daily_volume", "'many'"),
    ("queues.q.daily_volume", -3, "queues.q.daily_volume", "greater than or equal to 0"),
    ("queues.q.handle", {"dist": "lognormal", "mean_s": 200, "cv": 0}, "queues.q.handle", "cv must be > 0"),
    ("queues.q.handle", {"dist": "gamma", "mean_s": 200}, "queues.q.handle", "needs cv"),
    ("queues.q.handle", {"dist": "weibull", "mean_s": 200}, "queues.q.handle.dist", "'weibull'"),
    (
        "agents.0.shifts",
        {"default": {"start": "07:00", "end": "16:00"}},
        "agents[g].shifts.default",
        "outside opening hours 08:00-20:00",
    ),
    ("agents.0.skills", {"r": 1}, "agents[g].skills", "unknown queue 'r'"),
    ("agents.0.shifts", {"funday": "off"}, "agents[g].shifts", "unknown weekday 'funday'"),
    (
        "horizon.open",
        {"default": ["20:00", "08:00"]},
        "horizon.open.default",
        "closing time 08:00 must be after opening 20:00",
    ),
    ("queues.q.profile", [1, 2, 3], "queues.q.profile", "needs 48 weights"),
    (
        "agents.0.max_concurrency",
        4,
        "agents[g].max_concurrency",
        "4 for group 'g', which serves only voice queues; a voice call takes the whole agent, "
        "so only 1 is allowed",
    ),
]


@pytest.mark.parametrize("path,value,field,text", CASES, ids=[c[0] + ":" + str(c[1])[:20] for c in CASES])
def test_each_mistake_names_file_field_and_value(tmp_path, path, value, field, text, capsys):
    data = copy.deepcopy(BASE)
    _set(data, path, value)
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(data))
    with pytest.raises(SpecError) as exc:
        load_scenario(f)
    msg = str(exc.value)
    assert msg.startswith(f"{f}: {field}:"), msg
    assert text in msg, msg
    assert "\n" not in msg
    # the CLI: one line, exit 2, no traceback
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and text in err


def test_queue_nobody_serves(tmp_path):
    data = copy.deepcopy(BASE)
    data["queues"]["orphan"] = copy.deepcopy(data["queues"]["q"])
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(data))
    with pytest.raises(SpecError, match=r"queues\.orphan: no agent group serves queue 'orphan'"):
        load_scenario(f)


def test_duplicate_key_is_rejected(tmp_path):
    f = tmp_path / "dup.yaml"
    f.write_text("id: a\nid: b\n")
    with pytest.raises(SpecError, match=r"line 2: invalid YAML: duplicate key 'id'"):
        load_scenario(f)


def test_missing_file():
    with pytest.raises(SpecError, match="file not found"):
        load_scenario("no/such/file.yaml")


@pytest.mark.parametrize("name", ["benchmark_mmn_abandon", "shop_chat", "phone_centre"])
def test_bundled_scenarios_validate(name, capsys):
    assert main(["validate", str(ROOT / "scenarios" / f"{name}.yaml")]) == 0
    assert "valid scenario" in capsys.readouterr().out
