"""Small blended centres for the outbound tests: one inbound voice queue and one campaign."""

from __future__ import annotations

from typing import Any

from kpisim.io.load import validate
from kpisim.scenario.models import Scenario


def blended(
    *,
    agents: int = 8,
    per_min: float = 1.2,
    days: int = 2,
    campaign: dict[str, Any] | None = None,
    qa: int = 0,
) -> Scenario:
    """An inbound queue (exponential handle 240 s, patience 120 s, 20 % presales conversion),
    open 08:00-20:00, one group of ``agents`` on 08:00-20:00 with a lunch break, and (unless
    ``campaign`` is None) a progressive campaign worked by that group; ``campaign`` updates it."""
    camp = {
        "groups": ["blend"],
        "list_size": 3000,
        "refresh_per_day": 500,
        "talk": {"dist": "exponential", "mean_s": 150},
        "wrap_up": {"dist": "fixed", "mean_s": 20},
        "conversion": 0.2,
        "order_value_cents": 10000,
        "blend": {"max_inbound_wait_s": 20, "keep_free": 1},
    }
    data: dict[str, Any] = {
        "id": "blend",
        "horizon": {"start": "2026-11-02", "days": days, "open": {"default": ["08:00", "20:00"]}},
        "queues": {
            "service": {
                "channel": "voice",
                "daily_volume": per_min * 720,
                "handle": {"dist": "exponential", "mean_s": 240},
                "wrap_up": {"dist": "fixed", "mean_s": 15},
                "patience": {"dist": "exponential", "mean_s": 120},
                "outcomes": {
                    "kind": "presales",
                    "resolve": 0.8,
                    "conversion": 0.2,
                    "order_value_cents": 5000,
                    "survey": 0.3,
                },
            }
        },
        "qa_samples_per_month": qa,
        "agents": [
            {
                "name": "blend",
                "count": agents,
                "skills": {"service": 1},
                "shifts": {
                    "default": {
                        "start": "08:00",
                        "end": "20:00",
                        "breaks": [{"start": "12:00", "minutes": 30, "spread_min": 60}],
                    }
                },
                "traits": {"sales": {"mean": 1.0, "sd": 0.3}, "speed": {"mean": 1.0, "sd": 0.1}},
            }
        ],
    }
    if campaign is not None:
        data["campaigns"] = {"sales": {**camp, **campaign}}
    return validate(Scenario, data)
