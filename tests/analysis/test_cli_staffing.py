"""`kpisim staffing` on the bundled phone centre cut to a day or two: sweep, Erlang requirement
per interval checked by simulation, figure, report, manifest; bad options and failed writes leave
no output behind."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kpisim.analysis import erlang_staffing
from kpisim.cli import main
from kpisim.errors import KpisimError

ROOT = Path(__file__).resolve().parents[2]
PHONE = str(ROOT / "scenarios/phone_centre.yaml")


def test_cli_staffing_writes_sweep_requirement_check_and_report(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(
        [
            "staffing",
            PHONE,
            "--days",
            "2",
            "--headcounts",
            "42,30",
            "--replications",
            "2",
            "--jobs",
            "2",
            "--target-sl",
            "0.8",
            "--threshold-s",
            "20",
            "--out",
            str(out),
        ]
    )
    std = capsys.readouterr()
    assert rc == 0, std.err
    assert "smallest swept headcount" in std.out and f"report: {out / 'staffing.html'}" in std.out

    sweep = pd.read_csv(out / "staffing_sweep.csv")
    assert list(sweep["agents"]) == [30, 42]
    assert sweep["service_level"].iloc[1] > sweep["service_level"].iloc[0]  # more agents, better service
    assert sweep["erlang_a_service_level"].notna().all()  # voice centre: Erlang beside the simulation
    assert (sweep["mean_meets_target"] == (sweep["service_level"] >= 0.8)).all()

    req = pd.read_csv(out / "required_agents.csv")
    assert len(req) == 2 * 48  # two days of half-hours
    assert (req.loc[req["volume"] == 0, "required_agents"] == 0).all()
    # the per-interval requirement is Erlang A for this interval's rate, handle + wrap-up and patience
    peak = req.loc[req["required_agents"].idxmax()]
    assert peak["required_agents"] == erlang_staffing.required_agents(
        peak["volume"] / 1800, 240 + 30, target_sl=0.8, threshold_s=20, patience_mean_s=120
    )

    chk = pd.read_csv(out / "required_check.csv")  # the Erlang answer, simulated
    assert len(chk) == 1 and chk["meets_target"].dtype == bool
    assert bool(chk["meets_target"].iloc[0]) == bool(chk["service_level"].iloc[0] >= 0.8)
    assert (
        chk["not_significantly_worse"].iloc[0] >= chk["meets_target"].iloc[0]
    )  # the CI test is the weaker one
    assert f"check: simulated at a headcount of {chk['agents'].iloc[0]} " in std.out

    assert (out / "staffing.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (out / "staffing.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and html.count("<table") == 2
    man = json.loads((out / "manifest.json").read_text())
    assert man["scenario_id"] == "phone_centre" and len(man["scenario_sha256"]) == 64
    assert (man["days"], man["replications"], man["headcounts"], man["target_sl"], man["max_abandon"]) == (
        2,
        2,
        [30, 42],
        0.8,
        None,
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary directory left


def test_cli_staffing_abandonment_target_alone(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(
        [
            "staffing",
            PHONE,
            "--days",
            "1",
            "--headcounts",
            "30",
            "--replications",
            "1",
            "--jobs",
            "1",
            "--max-abandon",
            "0.05",
            "--out",
            str(out),
        ]
    )
    assert rc == 0, capsys.readouterr().err
    man = json.loads((out / "manifest.json").read_text())
    assert (man["target_sl"], man["max_abandon"]) == (None, 0.05)
    req = pd.read_csv(out / "required_agents.csv")
    peak = req.loc[req["required_agents"].idxmax()]
    assert peak["required_agents"] == erlang_staffing.required_agents(
        peak["volume"] / 1800, 270, target_sl=None, max_abandon=0.05, patience_mean_s=120
    )
    sweep = pd.read_csv(out / "staffing_sweep.csv")
    assert (sweep["mean_meets_target"] == (sweep["abandon_rate"] <= 0.05)).all()


@pytest.mark.parametrize(
    "option, value, allowed",
    [
        ("--target-sl", "1.5", "(0, 1)"),
        ("--target-sl", "80", "(0, 1)"),
        ("--target-sl", "eighty", "(0, 1)"),
        ("--max-abandon", "0", "(0, 1)"),
        ("--threshold-s", "0", "a number of seconds > 0"),
        ("--threshold-s", "abc", "a number of seconds > 0"),
        ("--days", "0", ">= 1"),
        ("--days", "31", "from 1 to 30"),
        ("--replications", "0", ">= 1"),
        ("--headcounts", "30,2", ">= 3"),
    ],
)
def test_cli_staffing_bad_option_is_one_line_exit_2(tmp_path, capsys, option, value, allowed):
    out = tmp_path / "o"
    rc = main(["staffing", PHONE, option, value, "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert option in err and value.split(",")[-1] in err and allowed in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cli_staffing_failed_write_leaves_nothing_half_written(tmp_path, capsys, monkeypatch):
    from kpisim import plots

    def broken(sweep, **kw):  # the CSVs are written by now; the figure fails
        raise KpisimError("disk full")

    args = ["staffing", PHONE, "--days", "1", "--headcounts", "30", "--replications", "1", "--jobs", "1"]
    old = tmp_path / "old"
    assert main([*args, "--out", str(old)]) == 0  # an earlier output, then a failing rerun into it
    before = {p.name: p.read_bytes() for p in old.iterdir()}
    monkeypatch.setattr(plots, "staffing_curves", broken)
    rc = main([*args, "--threshold-s", "30", "--out", str(old)])
    assert rc == 2 and "disk full" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in old.iterdir()} == before  # the earlier output is intact
    assert [p.name for p in tmp_path.iterdir()] == ["old"]  # no temporary directory left

    rc = main([*args, "--out", str(tmp_path / "new")])
    assert rc == 2 and "disk full" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["old"]  # neither the directory nor its temporary sibling
