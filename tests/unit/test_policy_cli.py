"""``kpisim score``: KPI files and run directories in, scores joined with payouts out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from kpisim.cli import main
from kpisim.provenance import content_sha256
from kpisim.testing.demo import synthetic_kpi_table
from tests.policyhelpers import POLICIES

S3 = str(POLICIES / "s3_kuaishangtong_presales.yaml")
S1 = str(POLICIES / "s1_xiyu_289.yaml")


def test_score_kpi_csv_with_inputs(tmp_path, capsys):
    df = synthetic_kpi_table(10, 2, seed=2)
    df.drop(columns=["level", "reexam_failed"]).to_csv(tmp_path / "kpi.csv", index=False)
    df[["agent_id", "period", "level", "reexam_failed"]].to_csv(tmp_path / "inputs.csv", index=False)
    out = tmp_path / "scored.parquet"
    assert (
        main(
            [
                "score",
                str(tmp_path / "kpi.csv"),
                "--policy",
                S3,
                "--inputs",
                str(tmp_path / "inputs.csv"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "20 rows scored under s3_kuaishangtong_presales" in capsys.readouterr().out
    got = pd.read_parquet(out)
    assert len(got) == 20 and {"total", "pts_conversion", "pool_silent_cents", "total_cents"} <= set(
        got.columns
    )
    from kpisim.policy import load_policy

    p = load_policy(S3)
    want = p.pay(p.score(df), df)
    assert got["total_cents"].tolist() == want["total_cents"].tolist()
    import hashlib
    import json

    m = json.loads((tmp_path / "scored.parquet.manifest.json").read_text())
    assert m["policy_id"] == "s3_kuaishangtong_presales" and m["rows"] == 20
    files = m["input_files"]
    assert files["source"]["sha256"] == hashlib.sha256((tmp_path / "kpi.csv").read_bytes()).hexdigest()
    assert files["inputs"]["sha256"] == hashlib.sha256((tmp_path / "inputs.csv").read_bytes()).hexdigest()
    assert m["policy_sha256"] == {Path(S3).stem: content_sha256(p)} and m["policy_source_path"] == {
        Path(S3).stem: S3
    }


def test_missing_input_column_is_one_line_and_nothing_written(tmp_path, capsys):
    df = synthetic_kpi_table(4, 1).drop(columns=["level"])
    df.to_csv(tmp_path / "kpi.csv", index=False)
    out = tmp_path / "scored.csv"
    assert main(["score", str(tmp_path / "kpi.csv"), "--policy", S3, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "missing input column(s) 'level'" in err and "\n" not in err
    assert (
        not out.exists()
        and not list(tmp_path.glob(".scored*"))
        and not list(tmp_path.glob("*.manifest.json"))
    )


def test_broken_policy_and_bad_paths_exit_2(tmp_path, capsys):
    bad = tmp_path / "p.yaml"
    bad.write_text("id: x\nname: x\nscorecard: {components: []}\n")
    synthetic_kpi_table(2, 1).to_csv(tmp_path / "k.csv", index=False)
    assert (
        main(["score", str(tmp_path / "k.csv"), "--policy", str(bad), "--out", str(tmp_path / "o.csv")]) == 2
    )
    assert "scorecard.components" in capsys.readouterr().err
    assert main(["score", str(tmp_path / "nope.csv"), "--policy", S1, "--out", str(tmp_path / "o.csv")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert main(["score", str(tmp_path), "--policy", S1, "--out", str(tmp_path / "o.csv")]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_score_a_run_directory(tmp_path, capsys):
    synth = pytest.importorskip("kpisim.testing.synth")
    from kpisim.io.eventlog import save_run

    log = synth.synthetic_log(5000, n_agents=8, n_teams=2, days=31)
    save_run(log, tmp_path / "run")
    out = tmp_path / "scored.csv"
    # the synthetic voice agents' queue is voice_support: S1 has no role for it
    assert main(["score", str(tmp_path / "run"), "--policy", S1, "--out", str(out)]) == 2
    assert "match no role of policy 's1_xiyu_289': A0001" in capsys.readouterr().err
    raw = yaml.safe_load(Path(S1).read_text(encoding="utf-8"))
    raw["roles"][1]["match"]["skill"].append("voice_support")  # a service line: after-sales card
    (tmp_path / "s1.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert (
        main(["score", str(tmp_path / "run"), "--policy", str(tmp_path / "s1.yaml"), "--out", str(out)]) == 0
    )
    got = pd.read_csv(out)
    assert got["agent_id"].nunique() == 8
    assert (got["max"] == 289).all() and got["total"].between(0, 289).all()
    assert (got["total_cents"] >= got["base_cents"]).all()
