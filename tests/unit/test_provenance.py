"""One manifest type, one content hash: the same policy has the same hash in `score` and
`compare`; a scenario changed in Python records its new content hash and no source path (the file
it derives from instead); manifests round-trip through their JSON form."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

import kpisim
from kpisim.cli import main
from kpisim.io.eventlog import save_run
from kpisim.io.load import load_yaml
from kpisim.policy import load_policy
from kpisim.policy.loading import validate_policy, variant
from kpisim.provenance import (
    MANIFEST,
    InputFile,
    Manifest,
    content_sha256,
    file_sha256,
    loaded_from,
    source_path,
)
from kpisim.scenario.models import load_scenario
from kpisim.sim.run import simulate
from kpisim.testing.demo import synthetic_kpi_table
from tests.policyhelpers import POLICIES

ROOT = Path(__file__).resolve().parents[2]
S3 = str(POLICIES / "s3_kuaishangtong_presales.yaml")
SHOP = ROOT / "scenarios/shop_chat.yaml"


def _one_day(tmp_path: Path) -> Path:
    p = tmp_path / "shop1.yaml"
    text = SHOP.read_text(encoding="utf-8").replace("days: 30", "days: 1", 1)
    # the Singles' Day multiplier (11-11) would fall outside one day: an error, so it goes too
    text = re.sub(r"(?m)^multipliers:\n  - \{date: 2026-11-11.*\n", "", text)
    p.write_text(text, encoding="utf-8")
    return p


def test_content_hash_is_of_the_model_not_the_file(tmp_path):
    p = load_policy(S3)
    same = validate_policy(load_yaml(S3))  # built in Python from the same content
    assert content_sha256(p) == content_sha256(same) and len(content_sha256(p)) == 64
    assert (source_path(p), source_path(same)) == (S3, None)
    reformatted = tmp_path / "s3.yaml"  # other bytes, same policy
    reformatted.write_text("# a comment\n" + Path(S3).read_text(encoding="utf-8"), encoding="utf-8")
    q = load_policy(reformatted)
    assert file_sha256(reformatted) != file_sha256(S3) and content_sha256(q) == content_sha256(p)
    changed = p.model_copy(update={"version": "99"})
    assert content_sha256(changed) != content_sha256(p)
    assert source_path(changed) is None and loaded_from(changed) == S3
    assert source_path(variant(p, {"id": "other"})) is None


def test_score_and_compare_record_the_same_policy_hash(tmp_path, capsys):
    df = synthetic_kpi_table(6, 1)
    df.to_csv(tmp_path / "kpi.csv", index=False)
    assert main(["score", str(tmp_path / "kpi.csv"), "--policy", S3, "--out", str(tmp_path / "s.csv")]) == 0
    scored = json.loads((tmp_path / "s.csv.manifest.json").read_text())
    sc = _one_day(tmp_path)
    argv = [
        "compare",
        str(sc),
        "--policy",
        S3,
        "--replications",
        "1",
        "--jobs",
        "1",
        "--out",
        str(tmp_path / "c"),
    ]
    assert main(argv) == 0, capsys.readouterr().err
    compared = json.loads((tmp_path / "c" / MANIFEST).read_text())
    name = Path(S3).stem
    want = content_sha256(load_policy(S3))
    assert scored["policy_sha256"] == {name: want} == compared["policy_sha256"]
    assert scored["policy_source_path"] == {name: S3} == compared["policy_source_path"]
    assert scored["command"] == "score" and compared["command"] == "compare"
    assert compared["source_path"] == str(sc) and compared["derived_from"] is None
    assert compared["scenario_sha256"] == content_sha256(load_scenario(sc))


def test_a_scenario_changed_in_python_records_its_own_hash_and_no_source_path(tmp_path):
    path = _one_day(tmp_path)
    loaded = load_scenario(path)
    log = simulate(loaded, seed=3)
    assert log.manifest["source_path"] == str(path) and log.manifest["derived_from"] is None
    assert log.manifest["scenario_sha256"] == content_sha256(loaded)

    changed = loaded.model_copy(update={"qa_samples_per_month": loaded.qa_samples_per_month + 1})
    m = simulate(changed, seed=3).manifest
    assert m["scenario_sha256"] == content_sha256(changed) != content_sha256(loaded)
    assert m["source_path"] is None and m["derived_from"] == str(path)
    assert m["command"] == "simulate" and m["seed"] == 3 and m["replications"] == [0]
    assert m["kpisim_version"] == kpisim.__version__

    unchanged = loaded.model_copy()  # a copy without changes is still the file's scenario
    assert source_path(unchanged) == str(path)


def test_manifest_round_trips(tmp_path):
    (tmp_path / "in.csv").write_text("agent_id,rating\na,1\n")
    m = Manifest(
        command="score",
        scenario_id="shop",
        scenario_sha256="0" * 64,
        derived_from="scenarios/shop_chat.yaml",
        policy_sha256={"s3": "1" * 64},
        policy_source_path={"s3": None},
        seed=7,
        replications=[0, 1],
        definitions={"service_level": {"threshold_s": 30}},
        input_files={"inputs": InputFile.of(tmp_path / "in.csv")},
        details={"rows": 3, "by": ["agent_id"]},
    )
    flat = m.to_dict()
    assert (
        flat["rows"] == 3
        and "details" not in flat
        and flat["input_files"]["inputs"]["path"].endswith("in.csv")
    )
    assert Manifest.from_dict(flat) == m
    assert Manifest.from_dict(json.loads(m.to_json_bytes())) == m
    (tmp_path / "m.json").write_bytes(m.to_json_bytes())
    assert Manifest.read(tmp_path / "m.json") == m


def test_a_saved_run_manifest_reads_back(tmp_path):
    log = simulate(load_scenario(_one_day(tmp_path)), seed=2)
    run = save_run(log, tmp_path / "run")
    back = Manifest.read(run)
    assert back.to_dict() == log.manifest and back.details == {"population": "fixed"}


def test_details_may_not_repeat_a_field():
    with pytest.raises(ValidationError, match=r"details repeat manifest field\(s\) \['seed'\]"):
        Manifest(details={"seed": 1})
    with pytest.raises(ValidationError, match="seed"):
        Manifest(seed=1).with_details(seed=2)
