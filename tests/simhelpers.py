"""Small scenario builders shared by the simulator tests."""

from __future__ import annotations

from kpisim.io.load import validate
from kpisim.scenario.models import Scenario


def mmn_scenario(
    *,
    agents: int,
    per_min: float,
    handle_s: float,
    patience_s: float | None,
    days: int = 1,
    channel: str = "voice",
    concurrency: int = 1,
    **queue_extra,
) -> Scenario:
    """An M/M/n(+M) scenario open 24 h with exponential handle time and patience."""
    queue = {
        "channel": channel,
        "daily_volume": per_min * 1440,
        "handle": {"dist": "exponential", "mean_s": handle_s},
        **queue_extra,
    }
    if patience_s is not None:
        queue["patience"] = {"dist": "exponential", "mean_s": patience_s}
    return validate(
        Scenario,
        {
            "id": "mmn",
            "horizon": {"start": "2026-11-02", "days": days, "interval_min": 60},
            "queues": {"main": queue},
            "agents": [
                {
                    "name": "a",
                    "count": agents,
                    "skills": {"main": 1},
                    "max_concurrency": concurrency,
                    "shifts": {"default": {"start": "00:00", "end": "24:00"}},
                }
            ],
        },
    )
