"""`kpisim compare` on the bundled shop scenario (cut to 3 days) with two bundled policies."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kpisim.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _short_yaml(tmp_path: Path) -> Path:
    text = (ROOT / "scenarios/shop_chat.yaml").read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^(\s+days:\s*)30\b", r"\g<1>3", text, count=1)
    assert n == 1
    # the Singles' Day multiplier (11-11) is outside three days: an error, so it goes too
    text, n = re.subn(r"(?m)^multipliers:\n  - \{date: 2026-11-11.*\n", "", text, count=1)
    assert n == 1
    p = tmp_path / "shop3.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_cli_compare_writes_report(tmp_path, capsys):
    sc = _short_yaml(tmp_path)
    pol = ROOT / "scenarios/policies"
    out = tmp_path / "out"
    rc = main(
        [
            "compare",
            str(sc),
            "--policy",
            str(pol / "s1_xiyu_289.yaml"),
            "--policy",
            str(pol / "s3_kuaishangtong_presales.yaml"),
            "--baseline",
            "s1_xiyu_289",
            "--replications",
            "2",
            "--jobs",
            "2",
            "--budget-cents",
            "1000000",
            "--out",
            str(out),
        ]
    )
    assert rc == 0, capsys.readouterr().err
    assert "report:" in capsys.readouterr().out
    cost = pd.read_csv(out / "cost.csv")
    assert list(cost["policy"]) == ["s1_xiyu_289", "s3_kuaishangtong_presales"]
    assert cost.loc[0, "diff_cents"] == 0
    assert (out / "report.html").read_text().count("<table") >= 3


def test_cli_compare_unknown_baseline_is_one_line_exit_2(tmp_path, capsys):
    sc = _short_yaml(tmp_path)
    rc = main(
        [
            "compare",
            str(sc),
            "--policy",
            str(ROOT / "scenarios/policies/s1_xiyu_289.yaml"),
            "--baseline",
            "nope",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and "nope" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_cli_compare_inputs_file_reaches_the_policy(tmp_path, capsys):
    sc = _short_yaml(tmp_path)
    pol = ROOT / "scenarios/policies/s3_kuaishangtong_presales.yaml"
    base = ["compare", str(sc), "--policy", str(pol), "--replications", "1", "--jobs", "1"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 0
    printed = capsys.readouterr().out
    assert (
        "note: policy inputs not supplied (--inputs) and set equal for every agent: level, reexam_failed"
        in printed
    )
    a = pd.read_csv(tmp_path / "a" / "kpis.csv")
    assert (a["reexam_failed"] == 0).all()
    # every agent failed the re-exam 3 times (-2 points each) and is a senior
    agents = sorted(a["agent_id"].unique())
    pd.DataFrame({"agent_id": agents, "reexam_failed": 3, "level": "senior"}).to_csv(
        tmp_path / "in.csv", index=False
    )
    assert main([*base, "--inputs", str(tmp_path / "in.csv"), "--out", str(tmp_path / "b")]) == 0
    assert "note:" not in capsys.readouterr().out
    b = pd.read_csv(tmp_path / "b" / "kpis.csv")
    assert (b["reexam_failed"] == 3).all() and (b["level"] == "senior").all()
    sa = pd.read_csv(tmp_path / "a" / "scores.csv").set_index("agent_id")["total"]
    sb = pd.read_csv(tmp_path / "b" / "scores.csv").set_index("agent_id")["total"]
    assert (sb < sa).all()  # the same months, minus the re-exam deductions


def test_cli_compare_missing_inputs_file_is_one_line_exit_2(tmp_path, capsys):
    sc = _short_yaml(tmp_path)
    pol = ROOT / "scenarios/policies/s1_xiyu_289.yaml"
    rc = main(
        [
            "compare",
            str(sc),
            "--policy",
            str(pol),
            "--inputs",
            str(tmp_path / "nope.csv"),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and "nope.csv: file not found" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
