"""`kpisim staffing --policy`: each pay plan's pay per agent by headcount, in the sweep CSV, the
report (figure + table) and the printout, equal to `staffing_sweep(policies=)` in Python; bad
plans and inputs are refused before anything is simulated."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kpisim.analysis import staffing_sweep as sweep_module
from kpisim.analysis.staffing import shorten, staffing_sweep, with_headcount
from kpisim.cli import main
from kpisim.policy import load_policy
from kpisim.report.format import money
from kpisim.scenario.models import load_scenario
from kpisim.sim.population import agent_ids

ROOT = Path(__file__).resolve().parents[2]
PHONE = str(ROOT / "scenarios/phone_centre.yaml")
S4 = ROOT / "scenarios/policies/s4_callcentre.yaml"
S0 = ROOT / "scenarios/policies/s0_songsong.yaml"
RUN = ["--days", "1", "--headcounts", "30,42", "--replications", "2", "--jobs", "1", "--seed", "3"]


def _ids() -> list[str]:
    sc = load_scenario(PHONE)
    return sorted({a for h in (30, 42) for a in agent_ids(with_headcount(sc, h))})


def _ratings(tmp_path: Path) -> Path:
    """S4's declared inputs for every agent of both headcounts: low ratings, far from the neutral 80."""
    ids = _ids()
    df = pd.DataFrame(
        {
            "agent_id": ids,
            "ticket_audit": [40.0 + i % 7 for i in range(len(ids))],
            "knowledge_exam": 50.0,
            "conduct_rating": 30.0,
            "answer_in_2_rings_rate": 0.5,
        }
    )
    p = tmp_path / "ratings.csv"
    df.to_csv(p, index=False)
    return p


def test_two_plans_write_the_pay_section_columns_and_printout(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(
        ["staffing", PHONE, *RUN, "--policy", str(S4), "--policy", str(S0), "--quiet", "--out", str(out)]
    )
    std = capsys.readouterr()
    assert rc == 0, std.err
    sweep = pd.read_csv(out / "staffing_sweep.csv")
    for key in ("s4_callcentre", "s0_songsong"):
        for suffix in ("", "_lo", "_hi"):
            assert f"pay_per_agent_cents_{key}{suffix}" in sweep
        assert (sweep[f"pay_per_agent_cents_{key}"] > 0).all()
    html = (out / "staffing.html").read_text(encoding="utf-8")
    assert "Pay per agent by headcount" in html and html.count("<table") == 3
    s4_name, s0_name = load_policy(S4).name, load_policy(S0).name
    assert (
        f"{s4_name}: pay per agent a month, CNY" in html and f"{s0_name}: pay per agent a month, CNY" in html
    )
    # the table shows the sweep's mean in currency units (whole yuan), one row per headcount
    for v in sweep["pay_per_agent_cents_s0_songsong"]:
        assert money(v, unit=False, decimals=0) in html
    assert (out / "staffing_pay.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    man = json.loads((out / "manifest.json").read_text())
    assert man["policies"] == {"s4_callcentre": s4_name, "s0_songsong": s0_name}
    assert set(man["policy_sha256"]) == {"s4_callcentre", "s0_songsong"}
    assert man["policy_source_path"]["s4_callcentre"].endswith("s4_callcentre.yaml")
    assert "ticket_audit" in man["filled_inputs"] and man["fill_missing"] is False
    # one printed line per plan, at the recommended headcount or at both ends of the sweep
    lines = [x for x in std.out.splitlines() if x.startswith("pay per agent a month under")]
    assert len(lines) == 2 and s4_name in lines[0] and s0_name in lines[1]
    met = sweep.loc[sweep["mean_meets_target"], "agents"]
    rows = sweep[sweep["agents"] == met.min()] if len(met) else sweep.iloc[[0, -1]]
    for _, r in rows.iterrows():
        assert f"{money(r['pay_per_agent_cents_s4_callcentre'])} [" in lines[0]
        assert f"at {int(r['agents'])} agents" in lines[0]


def test_cli_pay_equals_staffing_sweep_in_python_with_the_inputs(tmp_path, capsys):
    path = _ratings(tmp_path)
    out = tmp_path / "out"
    rc = main(
        ["staffing", PHONE, *RUN, "--policy", str(S4), "--inputs", str(path), "--quiet", "--out", str(out)]
    )
    std = capsys.readouterr()
    assert rc == 0, std.err
    assert "note:" not in std.out  # every declared input supplied
    cli = pd.read_csv(out / "staffing_sweep.csv")

    def sweep(**inputs):
        return staffing_sweep(
            shorten(load_scenario(PHONE), 1),
            headcounts=[30, 42],
            replications=2,
            seed=3,
            jobs=1,
            progress=False,
            policies={"s4_callcentre": load_policy(S4)},
            **inputs,
        )

    py = sweep(inputs=pd.read_csv(path))
    cols = [c for c in py.columns if c.startswith("pay_per_agent_cents_")]
    assert len(cols) == 3
    pd.testing.assert_frame_equal(cli[cols], py[cols], check_exact=True)
    # the ratings reach the plan: neutral inputs (80 points, rate 1.0) pay more than these low ones
    neutral = sweep()
    assert (neutral["pay_per_agent_cents_s4_callcentre"] > cli["pay_per_agent_cents_s4_callcentre"]).all()
    man = json.loads((out / "manifest.json").read_text())
    assert man["input_files"]["inputs"]["path"].endswith("ratings.csv") and man["filled_inputs"] == []


def test_without_policy_the_report_has_no_pay_section(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(["staffing", PHONE, "--days", "1", "--headcounts", "30", "--replications", "1", "--jobs", "1",
               "--quiet", "--out", str(out)])  # fmt: skip
    std = capsys.readouterr()
    assert rc == 0, std.err
    assert "Pay per agent" not in (out / "staffing.html").read_text(encoding="utf-8")
    assert not (out / "staffing_pay.png").exists() and "pay per agent" not in std.out
    sweep = pd.read_csv(out / "staffing_sweep.csv")
    assert not [c for c in sweep.columns if c.startswith("pay_")]
    man = json.loads((out / "manifest.json").read_text())
    assert "policies" not in man and man["policy_sha256"] == {}


def _no_simulation(monkeypatch):
    def refuse(*a, **kw):
        raise AssertionError("simulated before refusing the input")

    monkeypatch.setattr(sweep_module, "run_replications", refuse)


def _write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


@pytest.mark.parametrize(
    "case, expected",
    [
        ("scenario_as_policy", "looks like a scenario file"),
        ("same_stem", "two policies named 's4_callcentre'"),
        ("unknown_column", "column 'bonus_level' is not an input any policy declares"),
        ("no_agent_id", "needs an 'agent_id' column"),
        ("agent_missing", "no row for 12 agent(s) the simulation will have"),
        ("duplicate_agent", "repeats the keys"),
        ("missing_file", "nope.csv: file not found"),
        ("inputs_without_policy", "--inputs needs at least one --policy"),
        ("fill_without_policy", "--fill-missing needs at least one --policy"),
    ],
)
def test_bad_plan_or_inputs_refused_before_simulating(tmp_path, capsys, monkeypatch, case, expected):
    _no_simulation(monkeypatch)
    ids = _ids()
    ok = pd.DataFrame({"agent_id": ids, "ticket_audit": 90.0})
    extra: list[str]
    if case == "scenario_as_policy":
        extra = ["--policy", PHONE]
    elif case == "same_stem":
        (tmp_path / "b").mkdir()
        extra = [
            "--policy",
            str(S4),
            "--policy",
            _write(tmp_path / "b", "s4_callcentre.yaml", S4.read_text()),
        ]
    elif case == "missing_file":
        extra = ["--policy", str(S4), "--inputs", str(tmp_path / "nope.csv")]
    elif case == "inputs_without_policy":
        ok.to_csv(tmp_path / "in.csv", index=False)
        extra = ["--inputs", str(tmp_path / "in.csv")]
    elif case == "fill_without_policy":
        extra = ["--fill-missing"]
    else:
        bad = {
            "unknown_column": ok.assign(bonus_level=1),
            "no_agent_id": ok.rename(columns={"agent_id": "agent"}),
            "agent_missing": ok[ok["agent_id"].isin(ids[:30])] if len(ids) == 42 else None,
            "duplicate_agent": pd.concat([ok, ok.iloc[:1]]),
        }[case]
        assert bad is not None, len(ids)
        bad.to_csv(tmp_path / "in.csv", index=False)
        extra = ["--policy", str(S4), "--inputs", str(tmp_path / "in.csv")]
    out = tmp_path / "o"
    rc = main(["staffing", PHONE, *RUN, *extra, "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and expected in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_timeline_plan_pays_like_its_single_policy(monkeypatch):
    from kpisim.policy.timeline import Timeline

    s4 = load_policy(S4)
    sc = shorten(load_scenario(PHONE), 1)
    kw = {"headcounts": [30], "replications": 1, "seed": 2, "jobs": 1, "progress": False}
    plain = staffing_sweep(sc, policies={"s4": s4}, **kw)
    timed = staffing_sweep(sc, policies={"s4": Timeline("t", (("2026-01", s4),))}, **kw)
    assert timed["pay_per_agent_cents_s4"].iloc[0] == plain["pay_per_agent_cents_s4"].iloc[0] > 0


def test_default_headcounts_check_the_inputs_before_the_sweep(monkeypatch):
    # without headcounts they are chosen after the Erlang stage; an inputs table covering only
    # today's roster (no row for the added agents) is refused then, before the sweep simulates
    from kpisim.analysis import staffing
    from kpisim.errors import DataError

    sc = shorten(load_scenario(PHONE), 1)
    today = pd.DataFrame({"agent_id": agent_ids(sc), "ticket_audit": 90.0})

    def no_sweep(*a, **kw):
        raise AssertionError("the sweep ran before the inputs were checked")

    monkeypatch.setattr(staffing, "staffing_sweep", no_sweep)
    with pytest.raises(DataError, match=r"inputs: no row for \d+ agent\(s\) the simulation will have"):
        staffing.study_staffing(
            sc, replications=1, seed=1, jobs=1, progress=False, policies={"s4": load_policy(S4)}, inputs=today
        )
