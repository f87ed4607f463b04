"""docs/policies.md stays true: its complete policy examples validate, every YAML snippet parses,
and the error messages it quotes are the ones kpisim produces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kpisim.errors import SpecError
from kpisim.policy import validate_policy
from tests.policyhelpers import policy_dict

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "policies.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_doc_has_examples():
    assert len(BLOCKS) >= 15


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_yaml_snippets_parse(i):
    text = BLOCKS[i].replace("...", "")
    try:
        yaml.safe_load(text)
    except yaml.YAMLError:
        # snippets are excerpts at their file indentation: parse them dedented as list items
        yaml.safe_load("\n".join(line[2:] if line.startswith("  ") else line for line in text.splitlines()))


def test_complete_examples_validate():
    complete = [b for b in BLOCKS if re.search(r"^id: ", b, flags=re.M) and "scorecard:" in b]
    assert complete
    for block in complete:
        validate_policy(yaml.safe_load(block))


def test_quoted_messages_are_real():
    with pytest.raises(SpecError, match=r"unknown metric 'conversion' \(did you mean conversion_rate\?\)"):
        validate_policy(
            policy_dict(
                scorecard={
                    "components": [
                        {
                            "id": "conversion",
                            "metric": "conversion",
                            "weight": 100,
                            "rule": {"type": "direct"},
                        }
                    ]
                }
            )
        )
    with pytest.raises(SpecError, match=r"pool split adds up to 110 % \(rank 1 40 \+ rank 2 30 \+ rest 40\)"):
        validate_policy(
            policy_dict(
                pay={
                    "pools": [
                        {
                            "id": "silent",
                            "base_metric": "silent_order_sales_cents",
                            "rate": "0.6%",
                            "shares": [{"rank": 1, "pct": 40}, {"rank": 2, "pct": 30}],
                            "rest_pct": 40,
                        }
                    ]
                }
            )
        )


def test_quoted_split_message_is_real():
    doc = " ".join(DOC.read_text(encoding="utf-8").split())
    quoted = (
        "pay.pools[silent].shares: shares are only used with split: rank; split 'by_score' pays the whole "
        "pool in proportion to each agent's rank_by value; remove shares (and rest_pct) or use split: rank"
    )
    assert quoted in doc
    with pytest.raises(SpecError) as info:
        validate_policy(
            policy_dict(
                pay={
                    "pools": [
                        {
                            "id": "silent",
                            "base_metric": "silent_order_sales_cents",
                            "rate": "0.6%",
                            "split": "by_score",
                            "shares": [{"rank": 1, "pct": 100}],
                        }
                    ]
                }
            )
        )
    assert f"{info.value.field}: {info.value.message}" == quoted
