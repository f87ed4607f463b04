"""O(m²) rank stability: the tau matrix and the jackknife equal the pairwise definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as _st

from kpisim.analysis.luck import rank_stability
from kpisim.analysis.ranktau import rank_stability_loo, tau_matrix
from kpisim.analysis.stats import jackknife_ci, jackknife_ci_from


def rank_stability_pairwise(y: np.ndarray) -> float:
    """The original definition: scipy's Kendall tau on every pair of months, then the mean."""
    m = y.shape[1]
    taus = []
    for i in range(m):
        for j in range(i + 1, m):
            ok = ~np.isnan(y[:, i]) & ~np.isnan(y[:, j])
            if ok.sum() >= 3 and np.ptp(y[ok, i]) > 0 and np.ptp(y[ok, j]) > 0:
                taus.append(_st.kendalltau(y[ok, i], y[ok, j]).statistic)
    return float(np.mean(taus)) if taus else math.nan


def _inputs():
    rng = np.random.default_rng(5)
    skill = rng.normal(size=12)
    y = skill[:, None] + rng.normal(size=(12, 9))
    ties = np.round(y, 0)  # many ties
    holes = y.copy()
    holes[rng.random(y.shape) < 0.25] = np.nan  # agents missing some months
    constant = y.copy()
    constant[:, 3] = 1.0  # a month where everybody scores the same
    few = y.copy()
    few[2:, 4] = np.nan  # a month with only 2 agents
    return [y, ties, holes, constant, few]


@pytest.mark.parametrize("y", _inputs())
def test_tau_matrix_equals_scipy(y):
    tau, ok = tau_matrix(y)
    m = y.shape[1]
    for i in range(m):
        for j in range(m):
            both = ~np.isnan(y[:, i]) & ~np.isnan(y[:, j])
            fine = i != j and both.sum() >= 3 and np.ptp(y[both, i]) > 0 and np.ptp(y[both, j]) > 0
            assert ok[i, j] == fine
            if fine:
                assert tau[i, j] == pytest.approx(_st.kendalltau(y[both, i], y[both, j]).statistic, abs=1e-12)


@pytest.mark.parametrize("y", _inputs())
def test_jackknife_equals_the_old_definition(y):
    m = y.shape[1]
    old = jackknife_ci(lambda keep: rank_stability_pairwise(y[:, keep]), m)
    full, loo = rank_stability_loo(y)
    new = jackknife_ci_from(full, loo)
    assert rank_stability(y) == pytest.approx(rank_stability_pairwise(y), abs=1e-12)
    np.testing.assert_allclose(new[:3], old[:3], atol=1e-12)
    assert new[3] == old[3]


def test_too_few_months_gives_nan():
    y = np.arange(10.0)[:, None] * np.ones((1, 2))
    full, loo = rank_stability_loo(y)
    assert full == pytest.approx(1.0)
    assert all(math.isnan(v) for v in loo)
    assert math.isnan(jackknife_ci_from(full, loo)[1])
