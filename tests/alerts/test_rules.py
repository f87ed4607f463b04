"""Alert rules files: the bundled ones load; every mistake is one line naming the file, the field
path, the bad value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kpisim.errors import SpecError
from kpisim.policy.alerts_models import RULE_TYPES, Cusum, load_alerts, validate_alerts

ROOT = Path(__file__).resolve().parents[2]
RULE = {"name": "r", "type": "cusum", "metric": "aht_s"}


@pytest.mark.parametrize("name", ["s4_coaching", "daily_threshold", "ewma"])
def test_bundled_rules_load(name):
    rules = load_alerts(ROOT / "scenarios" / "alerts" / f"{name}.yaml")
    assert rules.id == name and rules.rules


def test_s4_rule_cannot_alert_on_one_day():
    """The S4 file's CUSUM caps a day's z so that one day adds less than the limit."""
    rules = load_alerts(ROOT / "scenarios" / "alerts" / "s4_coaching.yaml")
    cusum = next(r for r in rules.rules if isinstance(r, Cusum))
    assert cusum.clip is not None and cusum.clip - cusum.k <= cusum.h


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        ({"metric": "aht"}, "rules[r].metric", "unknown metric 'aht' (did you mean aht_s?)"),
        ({"type": "cusm"}, "rules[r].type", f"unknown rule type 'cusm'; allowed: {', '.join(RULE_TYPES)}"),
        ({"type": "threshold"}, "rules[r].value", "give exactly one of value (metric units) or z"),
        ({"type": "n_of_m", "z": 1, "n": 5, "m": 3}, "rules[r].n", "bad value 5: must be at most m (3)"),
        ({"h": -1}, "rules[r].h", "bad value -1"),
        ({"metric": "abandon_rate"}, "rules[r].metric", "'abandon_rate' has no value per agent and day"),
        ({"metric": "occupancy"}, "rules[r].when", "'occupancy' is neither better higher nor lower"),
        ({"period": "month"}, "rules[r].period", "bad value 'month'"),
        ({"team_first": {"share": 2}}, "rules[r].team_first.share", "bad value 2"),
        ({"kk": 1}, "rules[r]", "unknown key 'kk'"),
    ],
)
def test_bad_rule_names_file_field_and_value(tmp_path, rule, field, message):
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"id": "x", "rules": [{**RULE, **rule}]}))
    with pytest.raises(SpecError) as e:
        load_alerts(path)
    assert e.value.file == str(path) and e.value.field == field
    assert message in e.value.message
    assert "\n" not in str(e.value)


def test_duplicate_rule_names_and_wrong_kind(tmp_path):
    with pytest.raises(SpecError, match=r"rules\[r\]\.name: duplicate rule name 'r'"):
        validate_alerts({"id": "x", "rules": [RULE, RULE]})
    path = tmp_path / "p.yaml"
    path.write_text("kind: policy\nid: x\n")
    with pytest.raises(SpecError, match="kind: bad value 'policy': an alert rules file has kind: alerts"):
        load_alerts(path)
