"""Which metric keys a policy may use, and which way each one is better: the KPI registry's."""

from __future__ import annotations

from functools import lru_cache

from kpisim.kpi.registry import METRICS


@lru_cache(maxsize=1)
def known_metrics() -> dict[str, str]:
    """Metric key -> direction (``higher``, ``lower`` or ``neutral``) of every registry metric.

    Returns:
        The same cached dict on every call; do not mutate it.
    """
    return {key: m.direction for key, m in METRICS.items()}
