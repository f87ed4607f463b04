"""``kpisim year``: a run from the command line, and bad input refused before anything runs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from kpisim.cli import main
from kpisim.policy.timeline import load_timeline
from tests.year.conftest import S3


def tiny_file(tiny, tmp_path):
    """The tiny shop as a file (one month's horizon so its multiplier is inside it)."""
    d = tiny.model_dump(mode="json")
    d["horizon"]["days"] = 30
    p = tmp_path / "tiny.yaml"
    p.write_text(yaml.safe_dump(d), encoding="utf-8")
    return p


def test_year_cli_writes_the_report_and_the_timeline_months(tiny, tmp_path, capsys):
    sc = tiny_file(tiny, tmp_path)
    out = tmp_path / "out"
    tl = tmp_path / "tl.yaml"
    s1, s3 = Path("scenarios/policies/s1_xiyu_289.yaml").resolve(), Path(S3).resolve()
    tl.write_text(f"timeline:\n  - {{from: 2026-11, policy: {s1}}}\n  - {{from: 2026-12, policy: {s3}}}\n")
    rc = main(
        [
            "year",
            str(sc),
            "--policy",
            str(tl),
            "--months",
            "2",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    printed = capsys.readouterr().out
    assert "report:" in printed and "cost of turnover" in printed
    m = json.loads((out / "manifest.json").read_text())
    assert m["policy_by_month"] == {
        "2026-11": "s1_xiyu_289@2022.2",
        "2026-12": "s3_kuaishangtong_presales@2020.2",
    }
    html = (out / "year.html").read_text()
    assert "Were the consequences deserved?" in html and "What turnover costs" in html
    assert (out / "year_team.png").stat().st_size > 0


def test_the_bundled_timeline_loads():
    tl = load_timeline("scenarios/timelines/s1_then_s3.yaml")
    assert [v for v, _ in tl.versions] == ["2026-11", "2027-02"]
    assert (
        tl.label_for("2027-01") == "s1_xiyu_289@2022.2"
        and tl.policy_for("2027-02").id == "s3_kuaishangtong_presales"
    )


def test_year_cli_refuses_a_bad_timeline_before_simulating(tiny, tmp_path, capsys):
    sc = tiny_file(tiny, tmp_path)
    bad = tmp_path / "tl.yaml"
    bad.write_text("timeline:\n  - {from: 2027-02, policy: a.yaml}\n  - {from: 2027-01, policy: a.yaml}\n")
    (tmp_path / "a.yaml").write_text(Path("scenarios/policies/s1_xiyu_289.yaml").read_text())
    out = tmp_path / "out"
    assert main(["year", str(sc), "--policy", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "timeline[2].from" in err and "months must increase" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_validate_checks_a_timeline(capsys):
    assert main(["validate", "scenarios/timelines/s1_then_s3.yaml"]) == 0
    assert "valid timeline (2 versions)" in capsys.readouterr().out


def test_year_cli_judges_coaching_alerts_over_the_run(tiny, tmp_path, capsys):
    d = yaml.safe_load(tiny_file(tiny, tmp_path).read_text())
    d["declines"] = {"rate_per_agent_month": 1.0, "size": 0.5, "off_day_prob": 0.1, "off_day_size": 0.5}
    sc = tmp_path / "declining.yaml"
    sc.write_text(yaml.safe_dump(d), encoding="utf-8")
    out = tmp_path / "out"
    rules = "scenarios/alerts/daily_threshold.yaml"
    args = [
        "year",
        str(sc),
        "--policy",
        str(S3),
        "--months",
        "2",
        "--quiet",
        "--alerts",
        rules,
        "--out",
        str(out),
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "coaching alerts (daily_threshold): handle_time_day" in printed
    ev = pd.read_csv(out / "alert_evaluation.csv")
    assert list(ev["rule"]) == ["handle_time_day", "fcr_day"]
    hidden = pd.read_csv(out / "declines_hidden_truth.csv")
    # judged against the year's declines that start once the rules' first-week baseline is over
    watched_from = pd.Timestamp(d["horizon"]["start"]) + pd.Timedelta(days=7)
    started = pd.to_datetime(hidden["start_at"])
    declines = int(((hidden["kind"] == "decline") & (started >= watched_from)).sum())
    assert declines > 0 and (ev["declines"] == declines).all()
    assert ((ev["detected"] >= 0) & (ev["detected"] <= ev["declines"])).all()
    html = (out / "year.html").read_text()
    assert "Coaching alerts" in html and "False alarms per agent-month" in html


def test_year_cli_refuses_bad_alert_rules_before_simulating(tiny, tmp_path, capsys):
    sc = tiny_file(tiny, tmp_path)
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "kind: alerts\nid: x\nrules:\n  - {name: r, type: threshold, metric: no_such_metric, z: 2}\n"
    )
    out = tmp_path / "out"
    assert main(["year", str(sc), "--policy", str(S3), "--alerts", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "rules.yaml" in err and "no_such_metric" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
