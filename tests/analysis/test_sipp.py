"""SIPP (Erlang per interval): staffed profile, combination of intervals, and the roster search."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis import sipp, theory
from kpisim.analysis.staffing import erlang_prediction, planned_staffing, with_headcount
from kpisim.analysis.staffing_required import _erlang_headcount
from kpisim.errors import KpisimError
from kpisim.sim.arrivals import interval_rates
from tests.analysis.conftest import short

INTERVAL_S = 1800.0


def _measures(r: theory.ErlangAResult) -> dict[str, float]:
    return {
        "service_level": r.sl_answered_within,
        "asa_s": r.asa_s,
        "abandon_rate": r.p_abandon,
        "occupancy": r.occupancy,
    }


# --- staffed_profile ---------------------------------------------------------------------------


def test_staffed_profile_equals_a_brute_force_overlap_sum():
    sc = short("scenarios/shop_chat.yaml", 1)
    h = sc.horizon.model_copy(update={"interval_min": 60})  # 24 bins of 3600 s
    t0 = pd.Timestamp(h.start)
    rows = [  # (agent, state, start s, end s)
        ("a", "available", 3000, 4000),  # crosses the 1 h edge
        ("a", "busy", 4000, 4500),
        ("a", "break", 4500, 6000),  # not staffed
        ("a", "wrap_up", 6000, 7300),  # crosses the 2 h edge
        ("b", "busy", 1800, 5 * 3600 + 900),  # spans several bins
        ("b", "offline", 5 * 3600 + 900, 8 * 3600),  # not staffed
        ("c", "available", 7200, 10800),  # exactly one bin, on its edges
        ("c", "busy", 23 * 3600 + 1200, 24 * 3600),  # ends on the horizon's end
    ]
    states = pd.DataFrame(
        {
            "agent_id": [r[0] for r in rows],
            "state": [r[1] for r in rows],
            "start_at": [t0 + pd.Timedelta(seconds=r[2]) for r in rows],
            "end_at": [t0 + pd.Timedelta(seconds=r[3]) for r in rows],
        }
    )
    got = sipp.staffed_profile(states, h)
    assert got.shape == (1, 24)
    want = np.zeros(24)
    for _, state, s, e in rows:
        if state not in sipp.STAFFED_STATES:
            continue
        for k in range(24):
            a, b = k * 3600.0, (k + 1) * 3600.0
            want[k] += max(0.0, min(e, b) - max(s, a)) / 3600.0
    assert np.allclose(got.ravel(), want)
    # spot checks of the hand example: bin 1 holds a (400 + 500 + 1200 s) and b (all of it)
    assert got[0, 1] == pytest.approx(2100 / 3600 + 1)
    assert got[0, 2] == pytest.approx(100 / 3600 + 1 + 1)


# --- sipp -------------------------------------------------------------------------------------


@pytest.mark.parametrize("patience", [300.0, None])
def test_constant_traffic_and_staffing_is_one_erlang_call(patience):
    lam, h, n = 0.05, 240.0, 15
    res = sipp.sipp(
        np.full((2, 3), lam * INTERVAL_S),
        np.full((2, 3), h),
        np.full((2, 3), float(n)),
        interval_s=INTERVAL_S,
        patience_s=patience,
        threshold_s=20,
    )
    want = _measures(theory.erlang_a(lam, h, n, patience if patience else math.inf, threshold_s=20))
    for m in sipp.MEASURES:
        assert res[m] == pytest.approx(want[m], rel=1e-9, abs=1e-12), m


def test_fractional_servers_interpolate_linearly():
    lam, h, theta = 0.05, 240.0, 300.0
    lo = _measures(theory.erlang_a(lam, h, 14, theta))
    hi = _measures(theory.erlang_a(lam, h, 15, theta))
    for w in (0.25, 0.6):
        res = sipp.sipp([lam * INTERVAL_S], [h], [14 + w], interval_s=INTERVAL_S, patience_s=theta)
        for m in ("service_level", "asa_s", "abandon_rate", "occupancy"):
            assert res[m] == pytest.approx((1 - w) * lo[m] + w * hi[m], rel=1e-9), m
        assert lo["service_level"] < res["service_level"] < hi["service_level"]


def test_intervals_are_weighted_by_volume_answered_volume_and_servers():
    theta = 200.0
    vol, hs, n = [60.0, 150.0], [200.0, 300.0], [8.0, 20.0]
    r = [
        _measures(theory.erlang_a(v / INTERVAL_S, h, int(k), theta))
        for v, h, k in zip(vol, hs, n, strict=False)
    ]
    res = sipp.sipp(vol, hs, n, interval_s=INTERVAL_S, patience_s=theta)
    by_vol = lambda m: (vol[0] * r[0][m] + vol[1] * r[1][m]) / (vol[0] + vol[1])
    assert res["service_level"] == pytest.approx(by_vol("service_level"))
    assert res["abandon_rate"] == pytest.approx(by_vol("abandon_rate"))
    answered = [v * (1 - x["abandon_rate"]) for v, x in zip(vol, r, strict=False)]
    assert res["asa_s"] == pytest.approx(
        (answered[0] * r[0]["asa_s"] + answered[1] * r[1]["asa_s"]) / sum(answered)
    )
    assert res["occupancy"] == pytest.approx((n[0] * r[0]["occupancy"] + n[1] * r[1]["occupancy"]) / sum(n))
    # the weights matter here: the plain means differ
    assert abs(res["service_level"] - np.mean([x["service_level"] for x in r])) > 0.01
    # a staffed interval without contacts adds idle servers to occupancy only
    idle = sipp.sipp([*vol, 0.0], [*hs, 250.0], [*n, 4.0], interval_s=INTERVAL_S, patience_s=theta)
    assert idle["occupancy"] == pytest.approx(res["occupancy"] * sum(n) / (sum(n) + 4))
    for m in ("service_level", "abandon_rate", "asa_s"):
        assert idle[m] == pytest.approx(res[m])


def test_unstaffed_interval():
    vol, hs, n = [60.0, 40.0], [200.0, 200.0], [8.0, 0.0]
    one = _measures(theory.erlang_a(60 / INTERVAL_S, 200.0, 8, math.inf))
    # Erlang C: nobody abandons, the unstaffed interval answers nobody in time, its ASA is undefined
    c = sipp.sipp(vol, hs, n, interval_s=INTERVAL_S, patience_s=None)
    assert c["abandon_rate"] == 0.0
    assert c["service_level"] == pytest.approx(0.6 * one["service_level"])
    assert math.isnan(c["asa_s"])
    # Erlang A: everyone in the unstaffed interval abandons; ASA is the answered contacts' only
    theta = 300.0
    ra = _measures(theory.erlang_a(60 / INTERVAL_S, 200.0, 8, theta))
    a = sipp.sipp(vol, hs, n, interval_s=INTERVAL_S, patience_s=theta)
    assert a["abandon_rate"] == pytest.approx(0.6 * ra["abandon_rate"] + 0.4)
    assert a["asa_s"] == pytest.approx(ra["asa_s"])


def test_patience_is_weighted_by_volume():
    sc = short("scenarios/shop_chat.yaml", 1)
    pre, after = sc.queues["presales"], sc.queues["aftersales"]
    queues = {
        "presales": pre.model_copy(update={"patience": pre.patience.model_copy(update={"mean_s": 100.0})}),
        "aftersales": after.model_copy(
            update={"patience": after.patience.model_copy(update={"mean_s": 400.0})}
        ),
    }
    sc = sc.model_copy(update={"queues": queues})
    vols = {"presales": np.full((1, 48), 3.0), "aftersales": np.full((1, 48), 1.0)}
    _, _, patience = sipp.traffic_profile(sc, lambda q: 100.0, vols)
    assert patience == pytest.approx((3 * 100 + 1 * 400) / 4)
    no_pat = {**queues, "aftersales": queues["aftersales"].model_copy(update={"patience": None})}
    assert sipp.traffic_profile(sc.model_copy(update={"queues": no_pat}), lambda q: 100.0, vols)[2] is None


# --- the roster search of required_staff -------------------------------------------------------


@pytest.fixture(scope="module")
def tiny():
    """Two chat groups with different max_concurrency (8 and 6), one day, hand-made coverage."""
    sc = short("scenarios/shop_chat.yaml", 1)
    a, b = sc.agents[0], next(g for g in sc.agents if g.max_concurrency != sc.agents[0].max_concurrency)
    sc = sc.model_copy(
        update={"agents": [a.model_copy(update={"count": 3}), b.model_copy(update={"count": 1})]}
    )
    per_day = 1440 // sc.horizon.interval_min
    hour = np.arange(per_day) * sc.horizon.interval_min / 60
    coverage = {
        a.name: ((hour >= 8) & (hour < 17)).astype(float).reshape(1, -1) * 0.9,
        b.name: ((hour >= 14) & (hour < 24)).astype(float).reshape(1, -1) * 0.5,
    }
    offered = {q: interval_rates(sc, q) for q in sc.queues}
    return sc, coverage, offered


def _predicted_sl(sc, coverage, offered, n, erlangs):
    return erlang_prediction(
        with_headcount(sc, n), planned_staffing(sc, coverage, n), offered=offered, erlangs=erlangs, kinds="a"
    )["erlang_a_service_level"]


def test_planned_staffing_sums_group_coverage_times_group_count(tiny):
    sc, coverage, _ = tiny
    for n in (5, 10, 13):
        counts = {g.name: g.count for g in with_headcount(sc, n).agents}
        want = sum(coverage[g] * counts[g] for g in counts)
        assert np.allclose(planned_staffing(sc, coverage, n), want)
    # the split rounds per group, so this is not total coverage x n
    total = sum(coverage[g.name] * g.count for g in sc.agents) / sc.n_agents
    assert [g.count for g in with_headcount(sc, 10).agents] == [8, 2]  # not 7.5 and 2.5
    assert not np.allclose(planned_staffing(sc, coverage, 10), total * 10)


def test_headcount_search_returns_the_smallest_roster_meeting_the_target(tiny):
    sc, coverage, offered = tiny
    erlangs: dict = {}
    ns = np.arange(len(sc.agents), 80)
    sl = np.array([_predicted_sl(sc, coverage, offered, int(n), erlangs) for n in ns])
    assert sl[-1] > 0.95
    # targets: a few plain ones, plus each value just before a dip (the next roster predicts less)
    dips = [i for i in range(1, len(sl)) if sl[i] < sl[i - 1]]
    assert dips  # this roster has them: an added 6-slot agent lowers the mean slots of all
    targets = [0.3, 0.6, 0.8, 0.9] + [float(sl[i - 1]) for i in dips[:3]]
    for target in targets:
        brute = int(ns[np.argmax(sl >= target)])
        assert _erlang_headcount(sc, coverage, offered, target, None, 20.0) == brute, target


def test_headcount_search_finds_the_smallest_roster_below_a_dip(tiny, monkeypatch):
    # a made-up prediction that rises with the roster but dips by a little after some rosters;
    # every target is tried, so the bisection also steps over dips and must look back below them
    sc, coverage, offered = tiny
    ns = np.arange(len(sc.agents), 200)
    curve = 1 - np.exp(-ns / 12.0)
    for d in (5, 11, 12, 17, 23, 40):  # rosters predicting a little less than the one before
        curve[d - ns[0]] = curve[d - 1 - ns[0]] - 0.002
    predicted = dict(zip(ns.tolist(), curve, strict=False))
    monkeypatch.setattr(
        "kpisim.analysis.staffing_required.erlang_prediction",
        lambda variant, staffed, **kw: {"erlang_a_service_level": predicted[variant.n_agents]},
    )
    checked = 0
    for target in curve[curve < 0.99]:
        brute = int(ns[np.argmax(curve >= target)])
        assert _erlang_headcount(sc, coverage, offered, float(target), None, 20.0) == brute, target
        checked += 1
    assert checked > 40


def test_headcount_search_refuses_an_unreachable_target(tiny):
    sc, coverage, offered = tiny
    per_day = coverage[sc.agents[0].name].shape[1]
    hour = np.arange(per_day) * sc.horizon.interval_min / 60
    # nobody covers 08:00-10:00 (open from 08:00), so those contacts are never answered
    coverage = {**coverage, sc.agents[0].name: np.where(hour < 10, 0.0, coverage[sc.agents[0].name])}
    with pytest.raises(KpisimError, match=r"service level 0\.99.*is not reached with \d+ agents"):
        _erlang_headcount(sc, coverage, offered, 0.99, None, 20.0)
