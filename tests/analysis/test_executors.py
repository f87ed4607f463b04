"""Executors: sequential == local process pool == Dask LocalCluster, and bad executors refused."""

from __future__ import annotations

import pandas as pd
import pytest

from kpisim.analysis.compare import compare
from kpisim.analysis.executors import (
    DaskExecutor,
    LocalProcesses,
    Sequential,
    as_executor,
    open_executor,
)
from kpisim.errors import KpisimError
from tests.analysis.standins import fcr_policy, volume_policy


def _small_compare(scenario, executor):
    pols = {"volume": volume_policy(), "fcr": fcr_policy()}
    return compare(scenario, pols, replications=3, seed=11, executor=executor, progress=False)


def _same(a, b):
    for name in ("kpis", "scores", "pay", "agents"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def test_sequential_equals_pool_equals_dask(shop3):
    distributed = pytest.importorskip("distributed")
    seq = _small_compare(shop3, "sequential")
    with LocalProcesses(jobs=2) as pool:
        _same(seq, _small_compare(shop3, pool))
    with (
        distributed.LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        _same(seq, _small_compare(shop3, client))


def test_as_executor_resolves_names_and_objects():
    assert isinstance(as_executor("sequential"), Sequential)
    assert isinstance(as_executor(None, jobs=1), Sequential)
    assert isinstance(as_executor(None, jobs=3), LocalProcesses)
    pool = LocalProcesses(jobs=2)
    assert as_executor(pool) is pool
    with pytest.raises(KpisimError, match="unknown executor 'cluster'"):
        as_executor("cluster")
    with pytest.raises(KpisimError, match="has no map"):
        as_executor(42)
    with pytest.raises(KpisimError, match="jobs must be >= 1"):
        as_executor(None, jobs=0)


def test_open_executor_local_cluster_runs_tasks_in_order():
    pytest.importorskip("distributed")
    with open_executor("local", jobs=1) as ex:
        assert isinstance(ex, DaskExecutor)
        assert list(ex.map(abs, [-3, 2, -1])) == [3, 2, 1]


def test_write_comparison_parquet_tables(tmp_path, shop3):
    from kpisim.report import write_comparison

    comp = _small_compare(shop3, "sequential")
    files = write_comparison(comp, tmp_path / "pq", figures=False, table_format="parquet")
    assert files["pay"].endswith("pay.parquet") and files["cost"].endswith("cost.csv")
    pd.testing.assert_frame_equal(pd.read_parquet(files["pay"]), comp.pay, check_dtype=False)
    with pytest.raises(KpisimError, match="table_format"):
        write_comparison(comp, tmp_path / "x", table_format="xlsx")
