"""Small builders shared by the policy tests: minimal valid policies and KPI rows."""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd

from kpisim.policy import validate_policy

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "scenarios" / "policies"


def policy_dict(**over: Any) -> dict:
    """A tiny valid policy (one percent-weighted tiers component) as plain data."""
    data = {
        "id": "t",
        "name": "test policy",
        "scorecard": {
            "components": [
                {
                    "id": "conv",
                    "metric": "conversion_rate",
                    "weight": 100,
                    "rule": {
                        "type": "tiers",
                        "tiers": [
                            {"when": "x >= 0.6", "points": 100},
                            {"when": "0.35 <= x < 0.6", "points": 50},
                            {"when": "x < 0.35", "points": 0},
                        ],
                    },
                }
            ],
        },
    }
    return deep_update(data, over)


def deep_update(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_update(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def make_policy(**over: Any):
    return validate_policy(policy_dict(**over))


def rows(*records: dict, **defaults: Any) -> pd.DataFrame:
    """KPI rows: each record on top of ``defaults`` (scenario/replication/period set)."""
    base = {"scenario_id": "s", "replication": 0, "period": "2024-01"}
    base.update(defaults)
    return pd.DataFrame([{**base, **r} for r in records])


def half_up(x: Fraction) -> int:
    """Reference half-up rounding of an exact fraction to an integer."""
    return int((x * 2 + 1) // 2) if x >= 0 else -int((-x * 2 + 1) // 2)
