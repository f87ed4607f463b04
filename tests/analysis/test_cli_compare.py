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
    p = tmp_path / "shop3.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_cli_compare_writes_report(tmp_path, capsys):
    sc = _short_yaml(tmp_path)
    pol = ROOT / "scenarios/policies"
    out = tmp_path / "out"
    rc = main(["compare", str(sc), "--policy", str(pol / "s1_xiyu_289.yaml"), "--policy",
               str(pol / "s3_kuaishangtong_presales.yaml"), "--baseline", "s1_xiyu_289",
               "--replications", "2", "--jobs", "2", "--budget-cents", "1000000", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    assert "report:" in capsys.readouterr().out
    cost = pd.read_csv(out / "cost.csv")
    assert list(cost["policy"]) == ["s1_xiyu_289", "s3_kuaishangtong_presales"]
    assert cost.loc[0, "diff_cents"] == 0
    assert (out / "report.html").read_text().count("<table") >= 3


def test_cli_compare_unknown_baseline_is_one_line_exit_2(tmp_path, capsys):
    sc = _short_yaml(tmp_path)
    rc = main(["compare", str(sc), "--policy", str(ROOT / "scenarios/policies/s1_xiyu_289.yaml"),
               "--baseline", "nope", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and "nope" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
