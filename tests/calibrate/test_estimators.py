"""The estimators on synthetic data where the truth is known exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.calibrate.fitting import best_fit, fit_family, kaplan_meier
from kpisim.analysis.calibrate.outcomes import cure_fit, probit_mean
from kpisim.analysis.calibrate.patience import fit_patience
from kpisim.analysis.calibrate.shrinkage import shrink_means, shrink_rates


def _queue(n: int, patience_mean: float, wait_mean: float, seed: int) -> pd.DataFrame:
    """Customers with exponential patience facing exponential offered waits."""
    rng = np.random.default_rng(seed)
    patience = rng.exponential(patience_mean, n)
    offered = rng.exponential(wait_mean, n)
    abandoned = patience < offered
    return pd.DataFrame(
        {"queue": "q", "blocked": False, "abandoned": abandoned, "wait_s": np.minimum(patience, offered)}
    )


@pytest.mark.parametrize("seed", range(5))
def test_censored_patience_is_unbiased_where_the_naive_mean_is_not(seed):
    part = fit_patience(_queue(4000, 120.0, 40.0, seed))
    e = part.estimates().set_index("parameter")
    fitted, naive = e.loc["patience.mean_s"], e.loc["naive mean wait of abandoners"]
    assert fitted["ci_low"] <= 120.0 <= fitted["ci_high"]
    assert naive["ci_high"] < 40.0  # the abandoners are the impatient ones: about 30 s, not 120
    assert part.values["queues"]["q"]["dist"] == "exponential"


def test_censored_patience_mean_over_many_samples():
    means = []
    for s in range(40):
        q = _queue(2000, 180.0, 60.0, s)
        w, ab = q["wait_s"].to_numpy(), q["abandoned"].to_numpy()
        means.append(fit_family("exponential", w[ab], w[~ab]).mean_s)
    assert abs(np.mean(means) - 180.0) < 3 * np.std(means) / np.sqrt(len(means)) + 1.0


def test_family_chosen_by_likelihood():
    rng = np.random.default_rng(1)
    s2 = np.log1p(0.8**2)
    x = rng.lognormal(np.log(300) - s2 / 2, np.sqrt(s2), 5000)
    best, fits = best_fit(x)
    assert best.dist == "lognormal" and best.mean_lo <= 300 <= best.mean_hi
    assert abs(best.cv - 0.8) < 0.05 and len(fits) == 3
    g = rng.gamma(1 / 0.5**2, 200 * 0.5**2, 5000)
    assert best_fit(g)[0].dist == "gamma"
    e = rng.exponential(90, 5000)
    assert best_fit(e)[0].dist == "exponential"


def test_censored_lognormal_fit_recovers_the_mean():
    rng = np.random.default_rng(2)
    s2 = np.log1p(1.0)
    p = rng.lognormal(np.log(200) - s2 / 2, np.sqrt(s2), 6000)
    c = rng.exponential(150, 6000)
    f = fit_family("lognormal", p[p < c], c[p >= c])
    assert f.mean_lo <= 200 <= f.mean_hi


def test_kaplan_meier_without_censoring_is_the_empirical_survival():
    t, s = kaplan_meier([1, 2, 3, 4], [True] * 4)
    assert list(t) == [1, 2, 3, 4] and np.allclose(s, [0.75, 0.5, 0.25, 0.0])


def test_shrinkage_few_contacts_near_team_many_near_own():
    rng = np.random.default_rng(3)
    true = np.clip(rng.normal(0.10, 0.03, 30), 0.01, None)
    n = np.full(30, 2000)
    k = rng.binomial(n, true)
    k = np.r_[k, 8, 800]  # an agent with 20 contacts (raw 40 %), one with 5000 (raw 16 %)
    n = np.r_[n, 20, 5000]
    out = shrink_rates(k, n, ["team"] * 32)
    team = out["team_rate"].iat[0]
    # 20 contacts say little next to a 3-point spread between agents: most of the way to the team
    assert abs(out["shrunk"].iat[30] - team) < 0.25 * abs(out["raw"].iat[30] - team)
    assert abs(out["shrunk"].iat[31] - 0.16) < 0.01
    assert out["weight"].iat[30] < 0.3 and out["weight"].iat[31] > 0.9


def test_shrinkage_of_estimates_with_standard_errors():
    est = np.r_[np.zeros(20) + np.random.default_rng(4).normal(0, 0.1, 20), 1.0, 1.0]
    se = np.r_[np.full(20, 0.02), 1.0, 0.01]
    out = shrink_means(est, se, ["a"] * 22)
    assert abs(out["shrunk"].iat[20]) < 0.1 and abs(out["shrunk"].iat[21] - 1.0) < 0.02


def test_teams_shrink_towards_their_own_mean():
    rng = np.random.default_rng(7)
    n = np.r_[np.full(20, 1000), 10]
    k_a = np.r_[rng.binomial(1000, 0.05, 20), 5]
    k_b = np.r_[rng.binomial(1000, 0.30, 20), 5]
    out = shrink_rates(np.r_[k_a, k_b], np.r_[n, n], ["a"] * 21 + ["b"] * 21)
    assert abs(out["shrunk"].iat[20] - 0.05) < 0.02 and abs(out["shrunk"].iat[41] - 0.30) < 0.03


def test_cure_model_recovers_return_share_and_delay():
    rng = np.random.default_rng(5)
    n = 20000
    ret = rng.random(n) < 0.15
    delay = rng.exponential(5 * 3600, n)
    cens = rng.uniform(0, 40 * 3600, n)
    seen = ret & (delay < cens)
    t, se = cure_fit(delay[seen], cens[~seen])
    pi = 1 / (1 + np.exp(-t[0]))
    assert abs(pi - 0.15) < 3 * se[0] * pi * (1 - pi) + 0.005
    assert abs(np.exp(t[1]) / 3600 - 5) < 0.5


def test_ordered_probit_recovers_the_latent_mean():
    rng = np.random.default_rng(6)
    z = 2.2 + rng.standard_normal(20000)
    csat = np.searchsorted([-1.5, -0.5, 0.5, 1.5], z) + 1
    mu, se = probit_mean(csat.astype(float))
    assert abs(mu - 2.2) < 3 * se
