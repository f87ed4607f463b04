"""The simulator against exact M/M/n+M (Erlang A) results.

For each parameter point, R independent replications are simulated; per replication the
customer measures are computed over arrivals after a warm-up hour and before the last half
hour (start empty, agents log out at the end). The theory value must lie inside the 99 %
confidence interval of the replication means (Student t, R - 1 degrees of freedom). Seeds are
fixed, so the test is deterministic; the `slow` variant uses more and longer replications.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kpisim.analysis.theory import erlang_a
from kpisim.sim.run import simulate
from tests.simhelpers import mmn_scenario

# (agents, arrivals per minute, mean handle s, mean patience s)
POINTS = {
    "benchmark_45_erlang_on_50": (50, 9.0, 300.0, 180.0),
    "overloaded_25_erlang_on_20": (20, 5.0, 300.0, 120.0),
    "small_2_erlang_on_3": (3, 0.5, 240.0, 300.0),
}


def _measures(contacts: pd.DataFrame, threshold_s: float = 20.0) -> dict[str, float]:
    t0 = contacts["arrival_at"].min().normalize()
    keep = (contacts["arrival_at"] >= t0 + pd.Timedelta("1h")) & (
        contacts["arrival_at"] < contacts["arrival_at"].max() - pd.Timedelta("30min")
    )
    c = contacts[keep]
    answered = c["answered_at"].notna()
    return {
        "p_abandon": c["abandoned"].mean(),
        "p_wait": c["queued"].mean(),
        "asa_s": c.loc[answered, "wait_s"].mean(),
        "sl_answered_within": (answered & (c["wait_s"] <= threshold_s)).mean(),
    }


def _check(point: str, replications: int, days: int, seed: int) -> None:
    n, per_min, h, theta = POINTS[point]
    sc = mmn_scenario(agents=n, per_min=per_min, handle_s=h, patience_s=theta, days=days)
    log = simulate(sc, seed=seed, replications=replications)
    rows = [_measures(g) for _, g in log.contacts.groupby("replication")]
    sim = pd.DataFrame(rows)
    theory = erlang_a(per_min / 60.0, h, n, theta, threshold_s=20.0)
    tcrit = stats.t.ppf(0.995, replications - 1)
    failures = []
    for m in sim.columns:
        mean, se = sim[m].mean(), sim[m].std(ddof=1) / np.sqrt(replications)
        want = getattr(theory, m)
        if not (mean - tcrit * se <= want <= mean + tcrit * se):
            failures.append(f"{m}: theory {want:.4f} outside 99% CI {mean:.4f} +/- {tcrit * se:.4f}")
    assert not failures, f"{point}: " + "; ".join(failures)


@pytest.mark.parametrize("point", list(POINTS))
def test_erlang_a_fast(point):
    days = 10 if point.startswith("small") else 1
    _check(point, replications=8, days=days, seed=2026)


@pytest.mark.slow
@pytest.mark.parametrize("point", list(POINTS))
def test_erlang_a_long(point):
    days = 60 if point.startswith("small") else 7
    _check(point, replications=20, days=days, seed=7)


def test_chat_with_concurrency_one_behaves_like_voice():
    voice = mmn_scenario(agents=10, per_min=1.5, handle_s=300, patience_s=120, days=1)
    chat = mmn_scenario(
        agents=10,
        per_min=1.5,
        handle_s=300,
        patience_s=120,
        days=1,
        channel="chat",
        concurrency=1,
        concurrency_stretch=0.5,
    )
    cv = simulate(voice, seed=3).contacts
    cc = simulate(chat, seed=3).contacts
    cols = ["arrival_at", "answered_at", "ended_at", "agent_id", "abandoned", "wait_s", "handle_s"]
    pd.testing.assert_frame_equal(cv[cols], cc[cols])
    assert (cc["concurrency"].dropna() == 1).all()


def test_heavy_load_is_stable_with_abandonment():
    """Offered load above the number of agents: abandonment keeps the queue finite, and the
    abandoned share approaches the fluid limit 1 - n / load."""
    sc = mmn_scenario(agents=20, per_min=8.0, handle_s=300, patience_s=60, days=1)
    c = simulate(sc, seed=11).contacts
    load = 8.0 / 60 * 300  # 40 Erlang on 20 agents
    assert c["abandoned"].mean() == pytest.approx(1 - 20 / load, abs=0.05)
    assert c["wait_s"].max() < 30 * 60
