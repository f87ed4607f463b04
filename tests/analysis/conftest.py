"""Small, fast configurations for the analysis tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpisim.scenario.models import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def short(path: str, days: int):
    sc = load_scenario(ROOT / path)
    return sc.model_copy(update={"horizon": sc.horizon.model_copy(update={"days": days})})


@pytest.fixture(scope="session")
def shop3():
    """The bundled shop scenario cut to 3 days (~0.3 s per replication)."""
    return short("scenarios/shop_chat.yaml", 3)


@pytest.fixture(scope="session")
def shop_comparison(shop3):
    from kpisim.analysis.compare import compare
    from tests.analysis.standins import fcr_policy, noise_policy, volume_policy

    pols = {
        "volume": volume_policy(),
        "volume_copy": volume_policy("volume_copy"),
        "fcr": fcr_policy(),
        "noise": noise_policy(),
    }
    return compare(shop3, pols, baseline="volume", replications=4, seed=3, jobs=1, progress=False)
