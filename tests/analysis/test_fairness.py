"""Fairness and validity (hidden truth): luck share, validity, inequality, pay gaps, helpers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.compare import compare
from kpisim.analysis.fairness import contribution
from kpisim.analysis.stats import gini, t_ci, top_share
from kpisim.sim.run import simulate_one
from tests.analysis.standins import noise_policy, truth_policy


@pytest.fixture(scope="module")
def truth_vs_noise(shop3):
    agents = pd.concat(
        [simulate_one(shop3, seed=7, replication=r).tables["agents"] for r in range(4)], ignore_index=True
    )
    agents["true_contribution"] = contribution(agents)
    pols = {"truth": truth_policy(agents), "noise": noise_policy()}
    return compare(shop3, pols, replications=4, seed=7, jobs=1, progress=False)


def test_luck_share_near_zero_for_truth_and_large_for_noise(truth_vs_noise):
    f = truth_vs_noise.fairness().set_index("policy")
    # pay that is a function of the (fixed) traits never changes between months: no luck at all
    assert f.loc["truth", "luck_share"] < 0.05
    assert f.loc["truth", "rank_stability"] > 0.95
    # pure noise, fresh every month: all of the variance is within-agent, ranks are unrelated
    assert f.loc["noise", "luck_share"] > 0.8
    assert abs(f.loc["noise", "rank_stability"]) < 0.2
    assert f.loc["truth", "validity_pay"] > 0.99
    assert abs(f.loc["noise", "validity_pay"]) < 0.4
    assert f.loc["truth", "best_gets_top"] == 1.0
    assert f.loc["truth", "tau_truth"] > 0.95


def test_pay_gaps_sum_to_zero_weighted(truth_vs_noise):
    g = truth_vs_noise.pay_gaps()
    assert set(g["dimension"]) >= {"team", "shift", "tenure_group"}
    tp = truth_vs_noise.truth_table()
    tp = tp[tp["policy"] == "noise"]
    w = tp.groupby("team").size() / tp.groupby(["replication", "period"]).ngroups
    gaps = g[(g["policy"] == "noise") & (g["dimension"] == "team")].set_index("level")["gap_cents"]
    # gaps of groups vs the overall mean, weighted by group size, cancel out (same size every month)
    assert float((gaps * w.reindex(gaps.index)).sum()) == pytest.approx(
        0, abs=1e-6 * tp["pay_cents"].abs().sum()
    )


def test_contribution_is_standardised_and_signed():
    a = pd.DataFrame(
        {"replication": [0, 0, 0], "true_speed": [0.8, 1.0, 1.25], "true_resolution": [1.0, 1.0, 1.0]}
    )
    c = contribution(a)
    assert c.iloc[0] > c.iloc[1] > c.iloc[2]  # faster (lower speed multiplier) is better
    assert c.mean() == pytest.approx(0)


def test_gini_and_top_share():
    assert gini(np.array([1, 1, 1, 1])) == pytest.approx(0)
    assert gini(np.array([0, 0, 0, 10])) == pytest.approx(0.75)
    assert top_share(np.arange(1, 11), share=0.1) == pytest.approx(10 / 55)


def test_t_ci():
    m, _lo, hi, n = t_ci([1.0, 2.0, 3.0])
    assert (m, n) == (2.0, 3)
    assert hi - m == pytest.approx(4.302652729911275 * 1.0 / math.sqrt(3))
    assert math.isnan(t_ci([5.0])[1])


def test_bounded_measures_keep_their_intervals_in_range():
    """Two nearly equal months give a t interval far wider than the mean; a Gini, a share or a
    correlation interval must still stay inside its range (Gini >= 0, shares <= 1, |corr| <= 1)."""
    import numpy as np
    import pandas as pd

    from kpisim.analysis.fairness import fairness_table

    rng = np.random.default_rng(3)
    rows = []
    for rep in range(2):
        for a in range(6):
            rows.append(
                {
                    "policy": "p",
                    "replication": rep,
                    "period": "2026-11",
                    "agent_id": a,
                    "pay_cents": 100_000 + (a == rep) * 900 + rng.integers(0, 5),
                    "total": 80.0 + a,
                    "true_contribution": float(a),
                    "group": "g",
                }
            )
    out = fairness_table(pd.DataFrame(rows))
    for col, (lo, hi) in {"gini": (0, 1), "top10_share": (0, 1), "validity_pay": (-1, 1)}.items():
        assert out[f"{col}_lo"].iloc[0] >= lo and out[f"{col}_hi"].iloc[0] <= hi, col
