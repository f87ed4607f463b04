"""JSON Schemas of the scenario, policy and alert-rules YAML files, generated from the pydantic models.

Editors with the YAML language server validate and complete a file whose first line is
``# yaml-language-server: $schema=<path>/docs/schema/scenario.json``. The committed schemas in
``docs/schema/`` are regenerated with ``python -m kpisim.policy.jsonschema`` (a test fails when
they are stale).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

KINDS = ("scenario", "policy", "alerts")
URL = "https://github.com/kpisim/kpisim/blob/main/docs/schema/{kind}.json"


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a ``scenario``, ``policy`` or ``alerts`` YAML file."""
    from kpisim.errors import KpisimError

    if kind == "scenario":
        from kpisim.scenario.models import Scenario

        model: Any = Scenario
        title = "kpisim scenario"
    elif kind == "policy":
        from kpisim.policy.models import Policy

        model = Policy
        title = "kpisim policy (scorecard + pay plan)"
    elif kind == "alerts":
        from kpisim.policy.alerts_models import AlertRules

        model = AlertRules
        title = "kpisim coaching-alert rules"
    else:
        raise KpisimError(f"schema kind {kind!r} is not allowed; give one of {', '.join(KINDS)}")
    s = model.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **s, "title": title}


def schema_json(kind: str) -> str:
    """:func:`schema` as stable, indented JSON text ending in a newline."""
    return json.dumps(schema(kind), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write(directory: str | Path = "docs/schema") -> list[Path]:
    """Write ``scenario.json``, ``policy.json`` and ``alerts.json`` to ``directory``."""
    out = []
    for kind in KINDS:
        p = Path(directory) / f"{kind}.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(schema_json(kind), encoding="utf-8")
        out.append(p)
    return out


if __name__ == "__main__":  # pragma: no cover
    for p in write(sys.argv[1] if len(sys.argv) > 1 else "docs/schema"):
        print(f"wrote {p}")
