"""JSON Schemas of scenario and policy files: generated from the models, committed, current, used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpisim.cli import main
from kpisim.io.load import load_yaml
from kpisim.policy.jsonschema import KINDS, schema_json

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kind", KINDS)
def test_committed_schema_is_current(kind):
    committed = (ROOT / "docs" / "schema" / f"{kind}.json").read_text(encoding="utf-8")
    assert committed == schema_json(kind), "stale: run python -m kpisim.policy.jsonschema"


def test_cli_prints_the_schema(capsys):
    assert main(["schema", "policy"]) == 0
    assert json.loads(capsys.readouterr().out)["title"].startswith("kpisim policy")


def _bundled():
    for p in sorted((ROOT / "scenarios").glob("*.yaml")):
        yield p, "scenario"
    for p in sorted((ROOT / "scenarios" / "policies").glob("*.yaml")):
        yield p, "policy"
    for p in sorted((ROOT / "scenarios" / "alerts").glob("*.yaml")):
        yield p, "alerts"


@pytest.mark.parametrize(("path", "kind"), list(_bundled()), ids=lambda x: getattr(x, "name", x))
def test_bundled_files_point_editors_at_the_schema_and_validate(path, kind):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == ROOT / "docs" / "schema" / f"{kind}.json"
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(json.dumps(load_yaml(path), default=str))  # dates as an editor sees them: text
    jsonschema.validate(data, json.loads(target.read_text(encoding="utf-8")))
