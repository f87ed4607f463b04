"""Staffing: sweeps are monotone and agree with Erlang A; required agents meet the target."""

from __future__ import annotations

import numpy as np
import pytest

from kpisim.analysis import erlang_staffing
from kpisim.analysis.staffing import erlang_prediction, required_staff, staffing_sweep, with_headcount
from kpisim.errors import KpisimError
from tests.analysis.conftest import short
from tests.analysis.standins import volume_policy


@pytest.fixture(scope="module")
def mmn():
    return short("scenarios/benchmark_mmn_abandon.yaml", 1)


@pytest.fixture(scope="module")
def sweep(mmn):
    return staffing_sweep(
        mmn,
        headcounts=[44, 48, 52, 56],
        replications=2,
        seed=4,
        jobs=2,
        progress=False,
        policies={"volume": volume_policy()},
    )


def test_sweep_is_monotone_in_headcount(sweep):
    assert np.all(np.diff(sweep["service_level"]) > 0)
    assert np.all(np.diff(sweep["asa_s"]) < 0)
    assert np.all(np.diff(sweep["abandon_rate"]) < 0)
    assert np.all(np.diff(sweep["occupancy"]) < 0)
    assert np.all(np.diff(sweep["labour_cost_cents"]) > 0)


def test_overstaffing_lowers_volume_pay_per_agent(sweep):
    pay = sweep["pay_per_agent_cents_volume"].to_numpy()
    assert np.all(np.diff(pay) < 0)
    # volume pay = 100 cents per handled contact
    assert np.allclose(pay, 100 * sweep["handled_per_agent"])


def test_sweep_agrees_with_erlang_a(sweep):
    assert np.allclose(sweep["service_level"], sweep["erlang_a_service_level"], atol=0.05)
    assert np.allclose(sweep["abandon_rate"], sweep["erlang_a_abandon_rate"], atol=0.02)
    assert np.allclose(sweep["staffed_agents"], sweep["agents"])


def test_required_agents_meet_the_target_in_simulation(mmn):
    table, chk = required_staff(
        mmn, target_sl=0.8, threshold_s=20, replications=4, seed=9, jobs=2, progress=False
    )
    n = table.attrs["headcount"]
    assert list(chk["agents"]) == [n]
    assert bool(chk["meets_target"].iloc[0]) == bool(chk["service_level"].iloc[0] >= 0.8)
    assert bool(chk["meets_target"].iloc[0]) and bool(chk["not_significantly_worse"].iloc[0])
    # every agent works all day here (coverage 1), so the roster equals the stationary Erlang A
    # requirement at the mean rate, give or take the interval-to-interval Poisson noise
    q = next(iter(mmn.queues.values()))
    rate = q.daily_volume / (24 * 3600)
    stationary = erlang_staffing.required_agents(
        rate, q.handle.mean_s, target_sl=0.8, threshold_s=20, patience_mean_s=q.patience.mean_s
    )
    assert abs(n - stationary) <= 2
    assert np.allclose(table["planned_agents"], n, rtol=0.02)
    # three agents fewer is clearly short of the target
    less = staffing_sweep(mmn, headcounts=[n - 3], replications=4, seed=9, jobs=2, progress=False)
    assert less["service_level_hi"].iloc[0] < 0.8


@pytest.mark.parametrize("seed,target", [(1, 0.8), (2, 0.9)])
def test_required_headcount_meets_its_erlang_target_on_the_roster_it_names(shop3, seed, target):
    # the headcount's roster rounds every agent group, which changes the shift mix (3-day shop,
    # seed 1: 35 agents in groups 6,6,5,5,4,5,4 -> 30 agents in 5,5,4,4,4,4,4)
    table, chk = required_staff(
        shop3, target_sl=target, threshold_s=20, replications=2, seed=seed, jobs=2, progress=False
    )
    n = table.attrs["headcount"]
    # Erlang on the roster simulated at n (its own staffed agents and offered contacts) lands at
    # the target. Stated tolerance: 0.015 below (the two simulations draw absences and repeat
    # contacts differently), 0.05 above (one agent adds 0.03-0.04 here). Scaling one centre-wide
    # coverage by n instead picked 29 agents (seed 1) and 36 (seed 2): 0.024 and 0.02 below.
    erl = chk["erlang_a_service_level"].iloc[0]
    assert target - 0.015 <= erl <= target + 0.05
    # planned_agents is what that roster staffs: sum over groups of coverage x the group's count
    base = staffing_sweep(
        shop3,
        headcounts=[shop3.n_agents],
        replications=2,
        seed=seed,
        jobs=2,
        progress=False,
        keep_staffed=True,
    )
    _, offered, by_group = base.attrs["profiles"][0]
    variant = with_headcount(shop3, n)
    planned = sum(
        by_group[g.name] / g.count * v.count for g, v in zip(shop3.agents, variant.agents, strict=False)
    )
    assert np.allclose(table["planned_agents"], planned.ravel())
    assert erlang_prediction(variant, planned, offered=offered)["erlang_a_service_level"] >= target


def test_with_headcount_splits_exactly(shop3):
    v = with_headcount(shop3, 50)
    assert v.n_agents == 50 and all(g.count >= 1 for g in v.agents)
    with pytest.raises(KpisimError, match="below the number of agent groups"):
        with_headcount(shop3, 3)


def test_required_staff_refuses_mixed_voice_and_chat(shop3):
    first = next(iter(shop3.queues))
    queues = {
        k: (q.model_copy(update={"channel": "voice"}) if k == first else q) for k, q in shop3.queues.items()
    }
    with pytest.raises(KpisimError, match="mixes voice and chat"):
        required_staff(shop3.model_copy(update={"queues": queues}), check=False)


def test_chat_erlang_slot_approximation_tracks_the_simulation(shop3):
    # chat: each agent is max_concurrency servers; per-interval Erlang A beside the simulation
    sw = staffing_sweep(shop3, headcounts=[12, 35], replications=2, seed=2, jobs=2, progress=False)
    assert sw["erlang_a_service_level"].notna().all()
    # stated tolerance: the slot model ignores routing by skill and late pick-ups; 0.1 absolute
    assert np.allclose(sw["service_level"], sw["erlang_a_service_level"], atol=0.1)
    assert np.allclose(sw["abandon_rate"], sw["erlang_a_abandon_rate"], atol=0.1)


def test_write_staffing(sweep, tmp_path):
    from kpisim.report.html import write_staffing

    files = write_staffing(sweep, tmp_path)
    html = (tmp_path / "staffing.html").read_text()
    assert "data:image/png;base64," in html and "<table" in html
    back = __import__("pandas").read_csv(files["staffing_sweep"])
    assert list(back["agents"]) == [44, 48, 52, 56]


def test_sweep_service_level_uses_the_threshold(mmn):
    # same runs (same seed): a longer threshold can only count more contacts as answered in time
    short_t = staffing_sweep(
        mmn, headcounts=[46], replications=1, seed=4, jobs=1, progress=False, threshold_s=10
    )
    long_t = staffing_sweep(
        mmn, headcounts=[46], replications=1, seed=4, jobs=1, progress=False, threshold_s=60
    )
    assert long_t["service_level"].iloc[0] > short_t["service_level"].iloc[0] + 0.05
    # and the Erlang A column moves the same way and stays close to the simulation
    assert long_t["erlang_a_service_level"].iloc[0] > short_t["erlang_a_service_level"].iloc[0]
    assert abs(long_t["service_level"].iloc[0] - long_t["erlang_a_service_level"].iloc[0]) < 0.06


def test_sweep_pays_policies_with_declared_inputs(shop3):
    from kpisim.policy import load_policy
    from tests.analysis.conftest import ROOT

    s0 = load_policy(ROOT / "scenarios/policies/s0_songsong.yaml")  # needs supervisor ratings
    low = staffing_sweep(
        shop3,
        headcounts=[35],
        replications=1,
        seed=1,
        jobs=1,
        progress=False,
        policies={"s0": s0},
        inputs={"rating_execution": 0.0},
    )
    high = staffing_sweep(
        shop3,
        headcounts=[35],
        replications=1,
        seed=1,
        jobs=1,
        progress=False,
        policies={"s0": s0},
        inputs={"rating_execution": 100.0},
    )
    assert high["pay_per_agent_cents_s0"].iloc[0] > low["pay_per_agent_cents_s0"].iloc[0]


def test_erlang_predictions_on_the_executor_equal_the_serial_ones(mmn):
    # the sweep runs each headcount's Erlang A/C on the executor (here a 2-process pool); the
    # values must be those of the serial loop in this process with one cache shared by all
    # headcounts (how they were computed before)
    sw = staffing_sweep(
        mmn, headcounts=[40, 46, 52], replications=1, seed=4, jobs=2, progress=False, keep_staffed=True
    )
    erlangs: dict = {}
    for i, (staffed, offered, _) in enumerate(sw.attrs["profiles"]):
        serial = erlang_prediction(
            with_headcount(mmn, int(sw["agents"].iloc[i])),
            staffed,
            offered=offered,
            threshold_s=20.0,
            erlangs=erlangs,
        )
        assert len(serial) == 8
        for k, v in serial.items():
            assert sw[k].iloc[i] == v or (np.isnan(v) and np.isnan(sw[k].iloc[i])), (i, k)
    assert sw["erlang_a_service_level"].is_monotonic_increasing
