"""Which metric keys a policy may use, and which way each one is better.

Prefers the KPI engine's registry (``kpisim.kpi.registry.METRICS``); falls back to the agreed key
list ``kpisim/kpi/registry_keys.txt`` while the registry is being written, so policies validate
either way.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_KEYS_TXT = Path(__file__).resolve().parent.parent / "kpi" / "registry_keys.txt"


@lru_cache(maxsize=1)
def known_metrics() -> dict[str, str]:
    """Metric key -> direction (``higher``, ``lower`` or ``neutral``) of every registry metric.

    Returns:
        A new dict each call is not guaranteed (cached); do not mutate it.
    """
    try:
        from kpisim.kpi.registry import METRICS  # type: ignore[import-not-found]
    except ImportError:
        METRICS = None
    if METRICS:
        return {str(k): str(getattr(m, "direction", "neutral")) for k, m in METRICS.items()}
    return _from_txt(_KEYS_TXT)


def _from_txt(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        direction = parts[2] if len(parts) > 2 and parts[2] in ("higher", "lower", "neutral") else "neutral"
        out[parts[0]] = direction
    return out
