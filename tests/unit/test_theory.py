"""Tests of kpisim.analysis.theory (and the staffing searches of kpisim.analysis.erlang_staffing)
against values derived independently of their formulas.

Independent derivations used here:
* Erlang C from the textbook sum with exact ``fractions.Fraction`` arithmetic;
* Erlang A from the truncated CTMC generator solved with ``numpy.linalg`` (stationary law) and
  the tagged customer's absorbing chain (fundamental matrix, ``scipy.linalg.expm``) for waits
  and service levels -- the module instead uses detailed balance, telescoped products and
  incomplete beta functions;
* M/M/1+M from the confluent hypergeometric function ``scipy.special.hyp1f1``;
* large-n Erlang B from the Poisson ratio ``pmf(n) / cdf(n)`` (``scipy.stats.poisson``);
* hand arithmetic in comments.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg, special, stats

from kpisim.analysis.erlang_staffing import required_agents, required_agents_per_interval
from kpisim.analysis.theory import (
    ErlangAResult,
    TheoryInputError,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_asa_s,
    erlang_c_service_level,
    offered_load,
)
from kpisim.errors import KpisimError

# The project's reference point: 50 agents, 9 arrivals/min, 5 min handle, 3 min patience.
REF = dict(arrival_rate=9 / 60, mean_handle_s=300.0, agents=50, patience_mean_s=180.0)
# Heavily loaded: 60 Erlang on 50 agents (Erlang C unstable, Erlang A fine).
HEAVY = dict(arrival_rate=12 / 60, mean_handle_s=300.0, agents=50, patience_mean_s=180.0)


# --------------------------------------------------------------------------------------------
# independent reference computations


def erlang_c_fraction(load: Fraction, n: int) -> Fraction:
    """Textbook Erlang C, exact: (A^n/n! * n/(n-A)) / (sum_{k<n} A^k/k! + A^n/n! * n/(n-A))."""
    top = load**n / math.factorial(n) * Fraction(n) / (n - load)
    return top / (sum(load**k / math.factorial(k) for k in range(n)) + top)


def ctmc_erlang_a(lam, h, n, theta, t, extra_states=300):
    """Erlang A by brute force: stationary law of the truncated generator, then the tagged
    customer's absorbing chain for waits and service levels."""
    mu, gamma = 1.0 / h, 1.0 / theta
    size = n + extra_states + 1
    k = np.arange(size)
    death = np.minimum(k, n) * mu + np.maximum(k - n, 0) * gamma
    gen = np.zeros((size, size))
    gen[k[:-1], k[:-1] + 1] = lam
    gen[k[1:], k[1:] - 1] = death[1:]
    gen[k, k] = -gen.sum(axis=1)
    system = gen.T.copy()
    system[-1, :] = 1.0  # replace one balance equation by sum(pi) = 1
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    pi = np.linalg.solve(system, rhs)
    assert abs(pi[-1]) < 1e-15, "truncation too short"  # true value ~0; this is solver noise

    # Tagged customer who finds j waiting: transient stages i = number ahead (i = j, ..., 0).
    m = extra_states + 1
    i = np.arange(m)
    trans = np.zeros((m, m))
    trans[i, i] = -(n * mu + (i + 1) * gamma)
    trans[i[1:], i[1:] - 1] = n * mu + i[1:] * gamma
    to_served = np.where(i == 0, n * mu, 0.0)
    fundamental = np.linalg.inv(-trans)  # expected time in each stage
    p_served = fundamental @ to_served
    e_wait = fundamental.sum(axis=1)
    e_wait_served = fundamental @ p_served
    # augmented generator: stages, then absorbing "served", "abandoned"
    full = np.zeros((m + 2, m + 2))
    full[:m, :m] = trans
    full[:m, m] = to_served
    full[:m, m + 1] = gamma
    at_t = linalg.expm(full * t)
    served_by_t = at_t[:m, m]
    done_by_t = at_t[:m, m] + at_t[:m, m + 1]

    w = pi[n:]  # P(arrival finds n + j in system), PASTA
    p_wait = w.sum()
    p_abandon = 1.0 - ((1 - p_wait) + w @ p_served)
    mean_queue = (k[n:] - n) @ pi[n:]
    busy = np.minimum(k, n) @ pi
    return dict(
        p_wait=p_wait,
        p_abandon=p_abandon,
        p_abandon_flow=gamma * mean_queue / lam,  # second route: abandon rate / arrival rate
        mean_wait_s=w @ e_wait,
        little_wait_s=mean_queue / lam,
        asa_s=(w @ e_wait_served) / (1 - p_abandon),
        mean_wait_abandoned_s=(w @ (e_wait - e_wait_served)) / p_abandon,
        sl_answered_within=(1 - p_wait) + w @ served_by_t,
        sl_of_answered=((1 - p_wait) + w @ served_by_t) / (1 - p_abandon),
        p_wait_le_t=(1 - p_wait) + w @ done_by_t,
        mean_queue=mean_queue,
        occupancy=busy / n,
        throughput=busy * mu,
    )


FIELDS = (
    "p_wait",
    "p_abandon",
    "mean_wait_s",
    "asa_s",
    "mean_wait_abandoned_s",
    "sl_answered_within",
    "sl_of_answered",
    "p_wait_le_t",
    "mean_queue",
    "occupancy",
    "throughput",
)


def assert_matches_ctmc(res: ErlangAResult, ref: dict, rel=1e-9):
    for field in FIELDS:
        assert getattr(res, field) == pytest.approx(ref[field], rel=rel, abs=1e-13), field


# --------------------------------------------------------------------------------------------
# Erlang B / C


@pytest.mark.parametrize(
    "n, load",
    [(1, Fraction(1, 2)), (2, Fraction(1)), (5, Fraction(37, 10)), (12, Fraction(11)), (30, Fraction(45, 2))],
)
def test_erlang_c_matches_exact_fraction_sum(n, load):
    handle = 240.0
    lam = float(load) / handle
    exact = erlang_c_fraction(load, n)
    assert erlang_c(lam, handle, n) == pytest.approx(float(exact), rel=1e-12)
    gap = n / handle - lam
    assert erlang_c_asa_s(lam, handle, n) == pytest.approx(float(exact) / gap, rel=1e-12)
    sl = 1 - float(exact) * math.exp(-gap * 20)
    assert erlang_c_service_level(lam, handle, n, 20) == pytest.approx(sl, rel=1e-12)


def test_erlang_c_hand_worked_two_agents():
    # n = 2, one call per 240 s, 240 s handle: A = 1 Erlang, mu = 1/240 per s.
    # sum_{k<2} A^k/k! = 1 + 1 = 2;  A^2/2! * n/(n-A) = 1/2 * 2 = 1  =>  C = 1/(2+1) = 1/3.
    # ASA = C / (n mu - lambda) = (1/3) / (1/240) = 80 s.
    # SL(20 s) = 1 - (1/3) exp(-20/240) = 1 - 0.333333 * 0.920044 = 0.693319.
    lam, h = 1 / 240, 240.0
    assert erlang_c(lam, h, 2) == pytest.approx(1 / 3, rel=1e-14)
    assert erlang_c_asa_s(lam, h, 2) == pytest.approx(80.0, rel=1e-13)
    assert erlang_c_service_level(lam, h, 2, 20) == pytest.approx(0.693319, abs=1e-6)


def test_erlang_c_hand_worked_100_calls_per_hour():
    # 100 calls/h, 180 s handle: A = 100 * 180 / 3600 = 5 Erlang, 7 agents.
    # sum_{k=0}^{6} 5^k/k! = 1 + 5 + 12.5 + 20.8333 + 26.0417 + 26.0417 + 21.7014 = 113.1181
    # 5^7/7! = 78125/5040 = 15.5010;  * 7/(7-5) = 54.2535
    # C = 54.2535 / (113.1181 + 54.2535) = 0.32415
    # ASA = C / (7/180 - 100/3600) s = 0.32415 / (1/90) = 29.17 s
    # SL(20 s) = 1 - 0.32415 * exp(-20/90) = 1 - 0.32415 * 0.80074 = 0.74044
    lam, h = 100 / 3600, 180.0
    assert erlang_c(lam, h, 7) == pytest.approx(0.32415, abs=5e-5)
    assert erlang_c_asa_s(lam, h, 7) == pytest.approx(29.17, abs=0.01)
    assert erlang_c_service_level(lam, h, 7, 20) == pytest.approx(0.74044, abs=5e-5)
    assert required_agents(lam, h, target_sl=0.8, threshold_s=20) == 8  # 7 gives 0.740


def test_mm1_closed_forms():
    lam, h = 1 / 100, 60.0  # rho = 0.6, mu = 1/60
    rho, mu = lam * h, 1 / h
    assert erlang_c(lam, h, 1) == pytest.approx(rho, rel=1e-14)
    assert erlang_c_asa_s(lam, h, 1) == pytest.approx(rho / (mu - lam), rel=1e-13)
    assert erlang_c_service_level(lam, h, 1, 30) == pytest.approx(1 - rho * math.exp(-(mu - lam) * 30))


def test_large_n_is_stable_and_matches_poisson_ratio():
    n, load = np.array([2000, 5000]), np.array([1950.0, 4990.0])
    b = erlang_b(load, n)
    expected = stats.poisson.pmf(n, load) / stats.poisson.cdf(n, load)
    np.testing.assert_allclose(b, expected, rtol=1e-10)
    c = erlang_c(load / 300, 300.0, n)
    assert np.all((c > 0) & (c < 1))
    np.testing.assert_allclose(c, b / (1 - load / n * (1 - b)), rtol=1e-12)
    assert erlang_c(1 / 300, 300.0, 3000) < 1e-300  # 1 Erlang on 3000 agents: no overflow


def test_vectorised_equals_scalar_loop():
    lam = np.array([[0.10], [0.15], [0.16]])
    agents = np.array([40, 46, 50, 55])
    grid = erlang_c(lam, 300.0, agents)
    assert grid.shape == (3, 4)
    for r in range(3):
        for k in range(4):
            assert grid[r, k] == erlang_c(float(lam[r, 0]), 300.0, int(agents[k]))
    sl = erlang_c_service_level(lam, 300.0, agents, 20)
    asa = erlang_c_asa_s(lam, 300.0, agents)
    assert sl.shape == asa.shape == (3, 4)
    assert isinstance(erlang_c(0.1, 300, 40), float)
    assert offered_load(9 / 60, 300) == pytest.approx(45.0)


def test_unstable_erlang_c():
    lam, h = 12 / 60, 300.0  # 60 Erlang
    assert erlang_c(lam, h, 50) == 1.0
    assert erlang_c(lam, h, 60) == 1.0  # lambda == n mu is unstable too
    assert erlang_c_asa_s(lam, h, 50) == math.inf
    assert erlang_c_service_level(lam, h, 50, 20) == 0.0
    res = erlang_a(lam, h, 50, math.inf)
    assert (res.p_wait, res.asa_s, res.sl_answered_within, res.p_abandon) == (1.0, math.inf, 0.0, 0.0)
    assert res.throughput == pytest.approx(50 / h) and res.occupancy == 1.0


# --------------------------------------------------------------------------------------------
# Erlang A


def test_reference_point_against_ctmc():
    res = erlang_a(**REF, threshold_s=20)
    ref = ctmc_erlang_a(9 / 60, 300.0, 50, 180.0, 20.0)
    print(f"\nreference point (45 Erlang, 50 agents, patience 180 s): {res}")
    assert_matches_ctmc(res, ref)
    # the CTMC's own cross-checks: two routes to P(abandon) and Little's law for E[W]
    assert ref["p_abandon_flow"] == pytest.approx(ref["p_abandon"], rel=1e-10)
    assert ref["little_wait_s"] == pytest.approx(ref["mean_wait_s"], rel=1e-10)
    # pinned values quoted to the simulator's validation tests (docs/theory.md)
    assert res.p_wait == pytest.approx(0.2208861572, rel=1e-9)
    assert res.p_abandon == pytest.approx(0.02497341851, rel=1e-9)
    assert res.asa_s == pytest.approx(4.160191494, rel=1e-9)
    assert res.sl_answered_within == pytest.approx(0.8935247211, rel=1e-9)
    assert res.occupancy == pytest.approx(0.8775239233, rel=1e-9)


def test_heavy_load_against_ctmc():
    # 60 Erlang on 50 agents: Erlang C has no steady state, Erlang A does.
    assert erlang_c(HEAVY["arrival_rate"], HEAVY["mean_handle_s"], HEAVY["agents"]) == 1.0
    res = erlang_a(**HEAVY, threshold_s=20)
    print(f"\nheavy point (60 Erlang, 50 agents, patience 180 s): {res}")
    assert_matches_ctmc(res, ctmc_erlang_a(12 / 60, 300.0, 50, 180.0, 20.0))
    # flow balance: served at rate <= capacity, the excess abandons
    assert res.throughput < 50 / 300
    assert res.p_abandon > 1 - (50 / 300) / (12 / 60)
    # pinned (docs/theory.md)
    assert res.p_wait == pytest.approx(0.8475959010, rel=1e-9)
    assert res.p_abandon == pytest.approx(0.1762812399, rel=1e-9)
    assert res.asa_s == pytest.approx(32.59688147, rel=1e-9)
    assert res.sl_answered_within == pytest.approx(0.3252979073, rel=1e-9)


@pytest.mark.parametrize(
    "lam, h, n, theta, t",
    [
        (1 / 30, 240.0, 6, 60.0, 15.0),  # short patience
        (1 / 20, 180.0, 8, 1800.0, 60.0),  # long patience, overloaded (9 Erlang on 8)
        (1 / 50, 120.0, 1, 90.0, 10.0),  # single agent
        (0.5, 300.0, 160, 240.0, 0.0),  # t = 0
    ],
)
def test_erlang_a_against_ctmc_various(lam, h, n, theta, t):
    assert_matches_ctmc(erlang_a(lam, h, n, theta, threshold_s=t), ctmc_erlang_a(lam, h, n, theta, t))


def test_mm1_plus_m_hypergeometric():
    # M/M/1+M: pi_1+ = pi_0 * rho * 1F1(1; mu/gamma + 1; lambda/gamma), pi_0 = 1 / (1 + that / pi_0)
    lam, h, theta = 1 / 400, 300.0, 600.0
    mu, gamma = 1 / h, 1 / theta
    tail = lam / mu * special.hyp1f1(1.0, mu / gamma + 1.0, lam / gamma)
    pi0 = 1 / (1 + tail)
    res = erlang_a(lam, h, 1, theta)
    assert res.p_wait == pytest.approx(1 - pi0, rel=1e-12)
    # served at rate mu whenever busy: lambda (1 - P_ab) = mu (1 - pi_0)
    assert res.p_abandon == pytest.approx(1 - mu * (1 - pi0) / lam, rel=1e-11)


def test_gamma_to_zero_reduces_to_erlang_c():
    lam, h, n = REF["arrival_rate"], REF["mean_handle_s"], REF["agents"]
    c, asa, sl = erlang_c(lam, h, n), erlang_c_asa_s(lam, h, n), erlang_c_service_level(lam, h, n, 20)
    exact = erlang_a(lam, h, n, math.inf)
    assert (exact.p_wait, exact.asa_s, exact.sl_answered_within) == (c, asa, sl)
    near = erlang_a(lam, h, n, 1e12)  # error is O(gamma)
    assert near.p_wait == pytest.approx(c, rel=1e-8)
    assert near.asa_s == pytest.approx(asa, rel=1e-8)
    for field in ("sl_answered_within", "sl_of_answered", "p_wait_le_t"):
        assert getattr(near, field) == pytest.approx(sl, rel=1e-8)
    assert near.p_abandon < 1e-9 and near.occupancy == pytest.approx(0.9, rel=1e-9)


def test_service_level_limits():
    res0 = erlang_a(**REF, threshold_s=0)
    assert res0.sl_answered_within == pytest.approx(1 - res0.p_wait, rel=1e-13)
    assert res0.p_wait_le_t == pytest.approx(1 - res0.p_wait, rel=1e-13)
    res_inf = erlang_a(**REF, threshold_s=math.inf)
    assert res_inf.sl_answered_within == pytest.approx(1 - res_inf.p_abandon, rel=1e-13)
    assert res_inf.sl_of_answered == pytest.approx(1.0, rel=1e-13)
    assert res_inf.p_wait_le_t == pytest.approx(1.0, rel=1e-13)


def test_zero_arrivals():
    res = erlang_a(0.0, 300.0, 3, 60.0)
    assert res.p_wait == 0 and res.p_abandon == 0 and res.sl_answered_within == 1
    assert erlang_c(0.0, 300.0, 3) == 0.0
    assert required_agents(0.0, 300.0) == 0


# --------------------------------------------------------------------------------------------
# staffing


def test_required_agents_reference_point():
    lam, h = REF["arrival_rate"], REF["mean_handle_s"]
    n_c = required_agents(lam, h, target_sl=0.8, threshold_s=20)
    assert erlang_c_service_level(lam, h, n_c, 20) >= 0.8 > erlang_c_service_level(lam, h, n_c - 1, 20)
    n_a = required_agents(lam, h, target_sl=0.8, threshold_s=20, patience_mean_s=180)
    assert erlang_a(lam, h, n_a, 180).sl_answered_within >= 0.8
    assert erlang_a(lam, h, n_a - 1, 180).sl_answered_within < 0.8
    assert n_a <= n_c  # abandonment relieves the queue
    n_ab = required_agents(lam, h, target_sl=None, max_abandon=0.01, patience_mean_s=180)
    assert (n_c, n_a, n_ab) == (51, 47, 54)  # quoted in docs/theory.md
    assert erlang_a(lam, h, n_ab, 180).p_abandon <= 0.01 < erlang_a(lam, h, n_ab - 1, 180).p_abandon


def test_required_agents_per_interval_matches_scalar():
    volumes = np.array([0, 40, 180, 360, 90])
    got = required_agents_per_interval(volumes, 1800, 300.0, target_sl=0.8, threshold_s=20)
    assert got.dtype == np.int64 and got.shape == (5,)
    expected = [required_agents(v / 1800, 300.0) for v in volumes]
    assert got.tolist() == expected
    got_a = required_agents_per_interval(volumes, 1800, 300.0, patience_mean_s=180, max_abandon=0.05)
    assert got_a.tolist() == [
        required_agents(v / 1800, 300.0, patience_mean_s=180, max_abandon=0.05) for v in volumes
    ]
    # 2-D (days x intervals) with one handle time per interval broadcasts and keeps the shape
    grid = required_agents_per_interval(
        np.array([[40, 180], [90, 360]]), 1800, np.array([240.0, 300.0]), patience_mean_s=180
    )
    assert grid.tolist() == [
        [required_agents(v / 1800, h, patience_mean_s=180) for v, h in zip(row, (240.0, 300.0), strict=False)]
        for row in ([40, 180], [90, 360])
    ]


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        (dict(target_sl=None), "at least one target"),
        (dict(target_sl=1.0), "target_sl=1.0"),
        (dict(max_abandon=0.05), "needs patience_mean_s"),
        (dict(patience_mean_s=-3), "patience_mean_s=-3"),
        (dict(sl_definition="asa"), "sl_definition='asa'"),
        (dict(max_agents=40), "max_agents=40"),
        (dict(max_agents=0), "max_agents=0"),
    ],
)
def test_required_agents_errors(kwargs, fragment):
    with pytest.raises(TheoryInputError, match=fragment) as info:
        required_agents(9 / 60, 300.0, **kwargs)
    assert isinstance(info.value, KpisimError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: erlang_c(-1.0, 300, 5), "arrival_rate=-1.0"),
        (lambda: erlang_c(0.1, 0, 5), "mean_handle_s=0.0"),
        (lambda: erlang_c(0.1, 300, 2.5), "agents=2.5"),
        (lambda: erlang_c_service_level(0.1, 300, 5, -1), "threshold_s=-1"),
        (lambda: erlang_a(0.1, 300, 0, 60), "agents=0"),
        (lambda: erlang_a(0.1, 300, 5, 0), "patience_mean_s=0"),
    ],
)
def test_bad_inputs_name_the_value(call, fragment):
    with pytest.raises(TheoryInputError, match=fragment):
        call()


# --------------------------------------------------------------------------------------------
# properties

rates = st.floats(min_value=1e-3, max_value=0.5)
handles = st.floats(min_value=30.0, max_value=900.0)
patiences = st.floats(min_value=10.0, max_value=3000.0)


@settings(max_examples=60, deadline=None)
@given(lam=rates, h=handles, n=st.integers(1, 300), t=st.floats(0.0, 120.0))
def test_erlang_c_monotone_in_agents(lam, h, n, t):
    c0, c1 = erlang_c(lam, h, [n, n + 1])
    assert c1 <= c0
    a0, a1 = erlang_c_asa_s(lam, h, [n, n + 1])
    assert a1 <= a0
    s0, s1 = erlang_c_service_level(lam, h, [n, n + 1], t)
    assert s1 >= s0 - 1e-15


@settings(max_examples=40, deadline=None)
@given(lam=rates, h=handles, theta=patiences, t=st.floats(0.0, 120.0), data=st.data())
def test_erlang_a_monotone_in_agents(lam, h, theta, t, data):
    load = lam * h
    n = data.draw(st.integers(max(1, int(0.7 * load)), int(1.3 * load) + 3))
    r0 = erlang_a(lam, h, n, theta, threshold_s=t)
    r1 = erlang_a(lam, h, n + 1, theta, threshold_s=t)
    tol = 1e-12
    assert r1.p_wait <= r0.p_wait + tol
    assert r1.p_abandon <= r0.p_abandon + tol
    assert r1.mean_wait_s <= r0.mean_wait_s * (1 + tol)
    assert r1.asa_s <= r0.asa_s * (1 + tol)
    assert r1.sl_answered_within >= r0.sl_answered_within - tol
    assert r1.sl_of_answered >= r0.sl_of_answered - tol
    assert r1.p_wait_le_t >= r0.p_wait_le_t - tol
    for r in (r0, r1):
        assert 0 <= r.p_abandon <= r.p_wait <= 1
        assert r.sl_answered_within <= r.p_wait_le_t + tol
        assert r.throughput == pytest.approx(lam * (1 - r.p_abandon))


@settings(max_examples=30, deadline=None)
@given(
    lam=rates,
    h=handles,
    target=st.floats(0.5, 0.95),
    t=st.floats(5.0, 60.0),
    theta=st.one_of(st.none(), patiences),
)
def test_required_agents_is_smallest(lam, h, target, t, theta):
    n = required_agents(lam, h, target_sl=target, threshold_s=t, patience_mean_s=theta)
    if theta is None:

        def sl(k):
            return erlang_c_service_level(lam, h, k, t)
    else:

        def sl(k):
            return erlang_a(lam, h, k, theta, threshold_s=t).sl_answered_within

    assert sl(n) >= target
    if n > 1:
        assert sl(n - 1) < target
