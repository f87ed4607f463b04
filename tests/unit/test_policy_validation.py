"""Every broken policy in tests/cases/policy_errors/ fails with its declared field and message.

Each file starts with ``# field: <path>`` and ``# message: <text the message must contain>``;
the error must name the file too. One file per validation rule (openfisca-style).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kpisim.errors import SpecError
from kpisim.policy import load_policy, validate_policy, variant
from tests.policyhelpers import POLICIES, make_policy, policy_dict

ERRORS = sorted((Path(__file__).resolve().parent.parent / "cases" / "policy_errors").glob("*.yaml"))


def _expected(path: Path) -> tuple[str, str]:
    head = dict(line[2:].split(": ", 1) for line in path.read_text(encoding="utf-8").splitlines()[:2])
    return head["field"], head["message"]


def test_there_is_one_file_per_error():
    assert len(ERRORS) >= 30


@pytest.mark.parametrize("path", ERRORS, ids=[p.stem for p in ERRORS])
def test_broken_policy_message(path: Path):
    field, message = _expected(path)
    with pytest.raises(SpecError) as info:
        load_policy(path)
    err = info.value
    assert err.file == str(path)
    assert err.field == field
    assert message in err.message
    assert str(err).startswith(f"{path}: {field}: ")


@pytest.mark.parametrize("name", ["s0_songsong", "s1_xiyu_289", "s3_kuaishangtong_presales", "s4_callcentre"])
def test_bundled_policies_are_valid(name):
    p = load_policy(POLICIES / f"{name}.yaml")
    assert p.id == name
    assert p.max_points == (289 if name == "s1_xiyu_289" else 100)


def test_objects_built_in_python_name_object():
    with pytest.raises(SpecError) as info:
        validate_policy(
            policy_dict(
                scorecard={
                    "components": [{"id": "c", "metric": "nope", "weight": 100, "rule": {"type": "direct"}}]
                }
            )
        )
    assert info.value.file == "<object>" and info.value.field == "scorecard.components[c].metric"


def test_variant_revalidates_and_model_copy_keeps_baseline():
    base = make_policy(pay={"base_cents": 100})
    v = variant(base, {"pay": {"base_cents": 200}, "version": "2"})
    assert (base.pay_plan.base_cents, v.pay_plan.base_cents, v.version) == (100, 200, "2")
    with pytest.raises(SpecError, match="percent weights add up to 50"):
        variant(
            base,
            {"scorecard": {"components": [{**policy_dict()["scorecard"]["components"][0], "weight": 50}]}},
        )
    quick = base.model_copy(update={"name": "renamed"})
    assert quick.name == "renamed" and base.name == "test policy"


def test_policies_are_frozen():
    p = make_policy()
    with pytest.raises(ValidationError, match="frozen"):
        p.name = "x"  # type: ignore[misc]


def test_validate_cli_accepts_policies(capsys):
    from kpisim.cli import main

    assert main(["validate", str(POLICIES / "s3_kuaishangtong_presales.yaml")]) == 0
    assert "valid policy" in capsys.readouterr().out
    assert main(["validate", str(ERRORS[0])]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("kpisim: error: ") and "\n" not in err


@pytest.mark.parametrize("path", sorted(POLICIES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_policy_file_is_valid(path: Path):
    p = load_policy(path)
    assert p.id == path.stem


S3_VARIANTS = ["s3_pool_by_score", "s3_pool_tiered", "s3_team_bonus"]


@pytest.mark.parametrize("name", S3_VARIANTS)
def test_s3_variants_copy_s3_exactly_except_the_bonus(name):
    # the variants are copies (no cross-file extends): only pools / team bonuses may differ
    s3 = load_policy(POLICIES / "s3_kuaishangtong_presales.yaml")
    v = load_policy(POLICIES / f"{name}.yaml")
    assert v.scorecard == s3.scorecard and v.inputs == s3.inputs
    assert (v.roles, v.ranking, v.definitions, v.neutral) == (
        s3.roles,
        s3.ranking,
        s3.definitions,
        s3.neutral,
    )
    same = ("base_cents", "days_per_month", "level_cents", "performance", "commissions", "prizes", "fines")
    assert all(getattr(v.pay_plan, f) == getattr(s3.pay_plan, f) for f in same)
    assert (v.pay_plan.pools, v.pay_plan.team_bonuses) != (s3.pay_plan.pools, s3.pay_plan.team_bonuses)
