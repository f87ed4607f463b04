"""Declarative policy cases: ``tests/cases/policy_*.yaml`` (KPI rows in, points and cents out).

A case file has ``policy`` (a bundled policy name, a path relative to the case file, or an
inline mapping), ``defaults`` (columns shared by every row), ``rows`` and ``expect`` (one mapping
per agent: ``agent_id`` plus any output columns of score and pay). Money columns (``*_cents``)
must match exactly; points within ``tolerance`` (default 1e-9); text exactly. Adding a file adds
a test.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kpisim.policy import load_policy, validate_policy
from tests.policyhelpers import POLICIES

CASES = sorted((Path(__file__).resolve().parent.parent / "cases").glob("policy_*.yaml"))


def _policy(spec, here: Path):
    if isinstance(spec, dict):
        return validate_policy(spec, file=str(here))
    path = POLICIES / f"{spec}.yaml"
    return load_policy(path if path.is_file() else here.parent / spec)


def run_case(path: Path) -> list[str]:
    """Problems found (empty when the case passes)."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    policy = _policy(case["policy"], path)
    defaults = case.get("defaults", {})
    table = pd.DataFrame([{**defaults, **r} for r in case["rows"]])
    scores = policy.score(table)
    out = pd.concat([scores, policy.pay(scores, table).drop(columns=scores.columns, errors="ignore")], axis=1)
    tol = float(case.get("tolerance", 1e-9))
    problems = []
    for exp in case["expect"]:
        hit = out[out["agent_id"].astype(str) == str(exp["agent_id"])]
        if len(hit) != 1:
            problems.append(f"agent {exp['agent_id']!r}: {len(hit)} output rows")
            continue
        row = hit.iloc[0]
        for col, want in exp.items():
            if col not in out.columns:
                problems.append(f"agent {exp['agent_id']}: no output column {col!r}")
                continue
            got = row[col]
            if col.endswith("_cents"):
                ok = isinstance(got, (int,)) or float(got).is_integer()
                ok = ok and int(got) == int(want) and float(want).is_integer()
            elif isinstance(want, str):
                ok = str(got) == want
            else:
                ok = not pd.isna(got) and math.isclose(float(got), float(want), rel_tol=0, abs_tol=tol)
            if not ok:
                problems.append(f"agent {exp['agent_id']}: {col} = {got!r}, expected {want!r}")
    return problems


def test_cases_are_found():
    assert len(CASES) >= 6


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_policy_case(path: Path):
    problems = run_case(path)
    assert not problems, "\n".join(problems)


def test_a_wrong_expectation_fails(tmp_path):
    """The runner itself can fail: a case with a wrong amount reports it."""
    src = next(p for p in CASES if p.stem == "policy_s3_pool")
    bad = tmp_path / "policy_bad.yaml"
    bad.write_text(
        src.read_text(encoding="utf-8").replace("pool_silent_cents: 500000", "pool_silent_cents: 500001"),
        encoding="utf-8",
    )
    problems = run_case(bad)
    assert len(problems) == 1
    assert problems[0].startswith("agent a: pool_silent_cents = ") and problems[0].endswith("expected 500001")
