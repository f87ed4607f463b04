"""Output directories and provenance: `compare`/`to_dir`, `staffing`/`write_staffing` and
`simulate`/`save_run` rebuild their directory whole (no stale file of an earlier run, an earlier
output intact after a failure, a user's directory refused and untouched); manifests record the
inputs and population; `kpis`/`score` sidecars are written together with their table."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from kpisim.analysis.compare import compare
from kpisim.cli import main, write_table_atomic
from kpisim.errors import KpisimError
from kpisim.report import write_comparison
from tests.analysis.standins import volume_policy

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "kpisim" / "data"


def _names(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


def _snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in d.iterdir()}


@pytest.fixture(scope="module")
def comp(shop3):
    return compare(
        shop3,
        {"v": volume_policy(), "w": volume_policy("w")},
        replications=1,
        seed=5,
        jobs=1,
        progress=False,
        inputs={"rating": 90.0},
    )


LEVERS = pd.DataFrame({"lever": ["rush"], "policy": ["v"], "delta_pay_cents": [100.0]})


# --- compare / Comparison.to_dir ----------------------------------------------------------------
def test_to_dir_rerun_leaves_no_stale_file(comp, tmp_path):
    out = tmp_path / "r"
    write_comparison(comp, out, figures=False, levers=LEVERS)
    assert "lever_effects.csv" in _names(out)
    files = write_comparison(comp, out, figures=False)
    assert "lever_effects.csv" not in _names(out)  # the earlier run's table is gone
    assert set(_names(out)) == {Path(f).name for f in files.values()}  # exactly this run's files
    assert all(Path(f).parent == out for f in files.values())  # paths into out, not the temp dir
    assert _names(tmp_path) == ["r"]


def test_to_dir_failing_figure_keeps_the_earlier_report(comp, tmp_path, monkeypatch):
    from kpisim import plots

    out = tmp_path / "r"
    write_comparison(comp, out, figures=False)
    before = _snapshot(out)

    def broken(*a, **k):
        raise RuntimeError("figure failed")

    monkeypatch.setattr(plots, "fairness_bars", broken)  # after the CSVs and the cost figure
    with pytest.raises(RuntimeError, match="figure failed"):
        write_comparison(comp, out, levers=LEVERS)
    assert _snapshot(out) == before
    assert _names(tmp_path) == ["r"]  # no temporary directory left


def test_to_dir_refuses_a_directory_that_is_not_kpisim_output(comp, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(KpisimError, match="mine: exists and is not a kpisim output directory"):
        write_comparison(comp, mine, figures=False)
    assert _snapshot(mine) == {"notes.txt": b"keep me"}
    assert _names(tmp_path) == ["mine"]


def test_to_dir_into_an_empty_directory(comp, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    write_comparison(comp, out, figures=False)
    assert "report.html" in _names(out) and _names(tmp_path) == ["empty"]


def test_compare_manifest_records_population_and_inputs(shop3, comp, tmp_path):
    write_comparison(comp, tmp_path / "r", figures=False)
    m = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert m["population"] == "fixed" and m["inputs"] == {"rating": 90.0}

    df = pd.DataFrame({"agent_id": sorted(comp.kpis["agent_id"].unique()), "rating": 70.0})
    c2 = compare(shop3, {"v": volume_policy()}, replications=1, seed=5, jobs=1, progress=False, inputs=df)
    digest = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
    assert c2.meta["inputs"] == f"DataFrame ({len(df)} rows, sha256 of its CSV {digest})"
    c3 = compare(shop3, {"v": volume_policy()}, replications=1, seed=5, jobs=1, progress=False)
    assert c3.meta["inputs"] is None and c3.meta["population"] == "fixed"


def _short_yaml(tmp_path: Path) -> Path:
    text = (ROOT / "scenarios/shop_chat.yaml").read_text(encoding="utf-8")
    # one day: the Singles' Day multiplier (11-11) would fall outside the horizon, an error
    text = re.sub(
        r"(?m)^multipliers:\n  - \{date: 2026-11-11.*\n", "", text.replace("days: 30", "days: 1", 1)
    )
    p = tmp_path / "shop1.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_cli_compare_manifest_names_the_inputs_file(tmp_path, capsys):
    sc = _short_yaml(tmp_path)
    pol = ROOT / "scenarios/policies/s3_kuaishangtong_presales.yaml"
    base = ["compare", str(sc), "--policy", str(pol), "--replications", "1", "--jobs", "1"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 0
    m = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert m["inputs"] is None and m["input_files"] == {} and m["population"] == "fixed"
    agents = sorted(pd.read_csv(tmp_path / "a" / "kpis.csv")["agent_id"].unique())
    inputs = tmp_path / "in.csv"
    pd.DataFrame({"agent_id": agents, "reexam_failed": 1, "level": "senior"}).to_csv(inputs, index=False)
    rc = main([*base, "--inputs", str(inputs), "--out", str(tmp_path / "b")])
    assert rc == 0, capsys.readouterr().err
    m = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert m["input_files"]["inputs"] == {
        "path": str(inputs),
        "sha256": hashlib.sha256(inputs.read_bytes()).hexdigest(),
    }
    assert m["inputs"].startswith(f"DataFrame ({len(agents)} rows, sha256 of its CSV ")


@pytest.mark.parametrize("command", ["compare", "staffing", "simulate"])
def test_cli_refuses_a_user_directory_before_simulating(tmp_path, capsys, monkeypatch, command):
    from kpisim.analysis import runner
    from kpisim.sim import run

    def no_sim(*a, **k):
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr(runner, "run_replications", no_sim)
    monkeypatch.setattr(run, "simulate", no_sim)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "data.xlsx").write_text("precious")
    args = {
        "compare": [
            "compare",
            str(ROOT / "scenarios/shop_chat.yaml"),
            "--policy",
            str(ROOT / "scenarios/policies/s1_xiyu_289.yaml"),
        ],
        "staffing": ["staffing", str(ROOT / "scenarios/phone_centre.yaml")],
        "simulate": ["simulate", str(ROOT / "scenarios/shop_chat.yaml")],
    }[command]
    rc = main([*args, "--out", str(mine)])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert (
        f"{mine}: exists and is not a kpisim output directory (no manifest.json); "
        "choose a new or empty directory" in err
    )
    assert _snapshot(mine) == {"data.xlsx": b"precious"} and _names(tmp_path) == ["mine"]


# --- staffing / write_staffing ------------------------------------------------------------------
def test_write_staffing_rerun_leaves_no_stale_requirement(tmp_path):
    from kpisim.report.html import write_staffing

    sweep = pd.DataFrame({"agents": [10, 12], "service_level": [0.7, 0.9]})
    req = pd.DataFrame({"interval": [0], "required_agents": [11]})
    out = tmp_path / "s"
    write_staffing(sweep, out, required=req, check=req, figures=False, manifest={"run": 1})
    assert {"required_agents.csv", "required_check.csv", "manifest.json"} <= set(_names(out))
    files = write_staffing(sweep, out, figures=False, manifest={"run": 2})
    assert _names(out) == ["manifest.json", "staffing.html", "staffing_sweep.csv"]
    m = json.loads((out / "manifest.json").read_text())
    assert m["run"] == 2 and m["headcounts"] == [10, 12] and m["kpisim_version"]
    assert files["report"] == str(out / "staffing.html") and _names(tmp_path) == ["s"]


# --- simulate / save_run ------------------------------------------------------------------------
def test_save_run_replaces_an_earlier_run_and_refuses_other_directories(tmp_path):
    from kpisim.io.eventlog import load_run, save_run
    from kpisim.testing.synth import synthetic_log

    log = synthetic_log(50, n_agents=2, n_teams=1, days=2, seed=1)
    run = save_run(log, tmp_path / "run")
    (run / "extra.parquet").write_bytes(b"stale")  # e.g. a table an older version wrote
    save_run(log, run)
    assert "extra.parquet" not in _names(run) and len(load_run(run).contacts) == len(log.contacts)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "a.txt").write_text("x")
    with pytest.raises(KpisimError, match="not a kpisim output directory"):
        save_run(log, mine)
    assert _names(mine) == ["a.txt"] and _names(tmp_path) == ["mine", "run"]


# --- kpis / score sidecars ----------------------------------------------------------------------
def test_kpis_sidecar_records_roster_metrics_and_interval(tmp_path, capsys):
    out = tmp_path / "k.csv"
    rc = main(
        [
            "kpis",
            str(DATA / "sample_export.csv"),
            "--mapping",
            str(DATA / "sample_mapping.yaml"),
            "--roster",
            str(DATA / "sample_roster.csv"),
            "--quarantine",
            str(tmp_path / "q.csv"),
            "--by",
            "centre",
            "--period",
            "interval",
            "--interval-min",
            "15",
            "--metric",
            "aht_s",
            "--metric",
            "service_level",
            "--out",
            str(out),
        ]
    )
    assert rc == 0, capsys.readouterr().err
    m = json.loads((tmp_path / "k.csv.manifest.json").read_text())
    files = m["input_files"]
    assert files["roster"]["path"] == str(DATA / "sample_roster.csv")
    assert files["roster"]["sha256"] == hashlib.sha256((DATA / "sample_roster.csv").read_bytes()).hexdigest()
    assert (
        files["mapping"]["sha256"] == hashlib.sha256((DATA / "sample_mapping.yaml").read_bytes()).hexdigest()
    )
    assert (
        m["metrics"] == ["aht_s", "service_level"] and m["interval_min"] == 15 and m["period"] == "interval"
    )


def test_sidecar_with_mixed_keys_is_written(tmp_path):
    out = tmp_path / "t.csv"
    write_table_atomic(
        pd.DataFrame({"a": [1]}), out, {"definitions": {1: "x", "b": {2: 3}}, "path": tmp_path}
    )
    m = json.loads((tmp_path / "t.csv.manifest.json").read_text())
    assert m["definitions"] == {"1": "x", "b": {"2": 3}} and m["path"] == str(tmp_path) and m["rows"] == 1


class _Unprintable:
    def __str__(self):
        raise RuntimeError("cannot serialise")


def test_sidecar_failure_leaves_table_and_sidecar_as_they_were(tmp_path, monkeypatch):
    out = tmp_path / "t.csv"
    write_table_atomic(pd.DataFrame({"a": [1]}), out, {"run": 1})
    before = _snapshot(tmp_path)
    with pytest.raises(RuntimeError, match="cannot serialise"):  # the manifest fails to serialise
        write_table_atomic(pd.DataFrame({"a": [2]}), out, {"run": 2, "odd": _Unprintable()})
    assert _snapshot(tmp_path) == before

    def broken(self, *a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)  # the table fails to write
    with pytest.raises(OSError, match="disk full"):
        write_table_atomic(pd.DataFrame({"a": [2]}), out, {"run": 2})
    assert _snapshot(tmp_path) == before  # no new sidecar beside the old table, no temp files
