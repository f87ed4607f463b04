"""``simulate`` on an executor (local processes, Dask) gives the sequential log, from Python and
from ``kpisim simulate --jobs/--scheduler``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kpisim.cli import main
from kpisim.errors import KpisimError
from kpisim.executors import LocalProcesses
from kpisim.io import schema
from kpisim.io.eventlog import load_run
from kpisim.scenario.models import load_scenario
from kpisim.sim.run import simulate

ROOT = Path(__file__).resolve().parents[2]
MMN = ROOT / "scenarios" / "benchmark_mmn_abandon.yaml"


@pytest.fixture(scope="module")
def shop():
    sc = load_scenario(ROOT / "scenarios" / "shop_chat.yaml")
    return sc.model_copy(update={"horizon": sc.horizon.model_copy(update={"days": 2})})


def _same_log(a, b):
    assert a.manifest == b.manifest
    for name in schema.TABLES:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)


def test_simulate_on_pool_and_dask_equals_sequential(shop):
    seq = simulate(shop, seed=4, replications=3, first_replication=1)
    assert sorted(seq.contacts["replication"].unique()) == [1, 2, 3]
    with LocalProcesses(jobs=2) as pool:
        _same_log(seq, simulate(shop, seed=4, replications=3, first_replication=1, executor=pool))
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        _same_log(seq, simulate(shop, seed=4, replications=3, first_replication=1, executor=client))


def test_simulate_refuses_bad_population_and_executor_before_running(shop):
    with pytest.raises(KpisimError, match="population must be one of"):
        simulate(shop, population="other", executor="processes")
    with pytest.raises(KpisimError, match="unknown executor 'cluster'"):
        simulate(shop, executor="cluster")


@pytest.fixture
def one_day(monkeypatch):
    """The scenario files as loaded by the CLI, cut to one day (keeps the CLI tests fast)."""
    from kpisim.scenario import models as sc_mod

    real = sc_mod.load_scenario

    def short(path):
        s = real(path)
        return s.model_copy(update={"horizon": s.horizon.model_copy(update={"days": 1})})

    monkeypatch.setattr(sc_mod, "load_scenario", short)


def _run(tmp_path: Path, name: str, *extra: str):
    out = tmp_path / name
    args = ["simulate", str(MMN), "--seed", "3", "--replications", "2", "--out", str(out), *extra]
    assert main(args) == 0
    return load_run(out), json.loads((out / "manifest.json").read_text())


def test_cli_simulate_jobs_equal_sequential(tmp_path, capsys, one_day):
    seq, m_seq = _run(tmp_path, "seq")
    assert sorted(seq.contacts["replication"].unique()) == [0, 1]
    pool, m_pool = _run(tmp_path, "pool", "--jobs", "2")
    _same_log(seq, pool)
    assert m_pool == m_seq
    assert capsys.readouterr().out.count("wrote") == 2


@pytest.mark.slow
def test_cli_simulate_scheduler_local_equals_sequential(tmp_path, one_day):
    pytest.importorskip("distributed")
    seq, m_seq = _run(tmp_path, "seq")
    dask, m_dask = _run(tmp_path, "dask", "--scheduler", "local", "--jobs", "1")
    _same_log(seq, dask)
    assert m_dask == m_seq


@pytest.mark.slow
def test_cli_simulate_unreachable_scheduler_is_one_line(tmp_path, capsys):
    pytest.importorskip("distributed")
    args = ["simulate", str(MMN), "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "r")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()
