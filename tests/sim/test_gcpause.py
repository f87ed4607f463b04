"""The garbage collector is quieted during the event loop and restored after, even on error."""

from __future__ import annotations

import gc

import pytest

from kpisim.sim import run as run_module
from kpisim.sim.gcpause import LOOP_THRESHOLD, quiet_gc
from tests.analysis.conftest import short


def test_quiet_gc_restores_on_exit():
    before = gc.get_threshold()
    with quiet_gc():
        assert gc.get_threshold()[0] == LOOP_THRESHOLD
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_quiet_gc_keeps_a_disabled_collector_disabled():
    gc.disable()
    try:
        with quiet_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_gc_restored_after_an_exception_inside_the_run(monkeypatch):
    shop3 = short("scenarios/shop_chat.yaml", 1)
    before = gc.get_threshold()
    seen = {}

    def boom(self, t, q):
        seen["threshold"] = gc.get_threshold()
        raise RuntimeError("engine failed")

    monkeypatch.setattr(run_module.Engine, "run", boom)
    with pytest.raises(RuntimeError, match="engine failed"):
        run_module.simulate_one(shop3, seed=1, replication=0)
    assert seen["threshold"][0] == LOOP_THRESHOLD  # the run did go through quiet_gc
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()
