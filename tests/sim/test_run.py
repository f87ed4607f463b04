"""Determinism, common random numbers, the run directory and the simulate CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kpisim.cli import main
from kpisim.io import schema
from kpisim.io.eventlog import load_run, save_run
from kpisim.provenance import content_sha256
from kpisim.scenario.models import load_scenario
from kpisim.sim.run import simulate
from tests.simhelpers import mmn_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shop():
    sc = load_scenario(ROOT / "scenarios" / "shop_chat.yaml")
    return sc.model_copy(update={"horizon": sc.horizon.model_copy(update={"days": 3})})


def test_same_seed_same_log_different_seed_different(shop):
    a, b, c = simulate(shop, seed=5), simulate(shop, seed=5), simulate(shop, seed=6)
    for name in schema.TABLES:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    assert not a.contacts["arrival_at"].equals(c.contacts["arrival_at"])


def test_replication_r_equals_replication_r_alone(shop):
    both = simulate(shop, seed=5, replications=2)
    second = simulate(shop, seed=5, first_replication=1)
    got = both.contacts[both.contacts["replication"] == 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, second.contacts)


def test_staffing_change_keeps_the_same_customers():
    """Common random numbers: more agents, same arrivals and same per-contact work and patience."""
    few = simulate(mmn_scenario(agents=8, per_min=2.0, handle_s=240, patience_s=90), seed=9).contacts
    many = simulate(mmn_scenario(agents=12, per_min=2.0, handle_s=240, patience_s=90), seed=9).contacts
    pd.testing.assert_series_equal(few["arrival_at"], many["arrival_at"])
    served_both = few["answered_at"].notna() & many["answered_at"].notna()
    # handle time = base work x speed (1.0): identical for contacts served in both runs
    pd.testing.assert_series_equal(few.loc[served_both, "handle_s"], many.loc[served_both, "handle_s"])
    assert few["wait_s"].mean() > many["wait_s"].mean()
    assert few["abandoned"].sum() > many["abandoned"].sum()


def test_event_log_has_schema_columns(shop):
    log = simulate(shop, seed=1)
    for name in schema.TABLES:
        assert list(log.tables[name].columns) == schema.columns(name)
    c = log.contacts
    answered = c["answered_at"].notna()
    assert (c.loc[answered, "answered_at"] >= c.loc[answered, "arrival_at"]).all()
    assert (c.loc[answered, "ended_at"] >= c.loc[answered, "answered_at"]).all()
    assert (c.loc[answered, "wrap_up_end_at"] >= c.loc[answered, "ended_at"]).all()
    assert not (c["abandoned"] & answered).any()
    assert (c.loc[answered, "concurrency"] <= 8).all()
    st = log.agent_states
    assert (st["end_at"] > st["start_at"]).all()
    assert set(st["state"]) <= {"available", "busy", "wrap_up", "break", "offline"}
    # agent intervals do not overlap
    st = st.sort_values(["agent_id", "start_at"])
    nxt = st.groupby("agent_id")["start_at"].shift(-1)
    assert (nxt.dropna() >= st.loc[nxt.notna(), "end_at"]).all()


def test_save_and_load_run_round_trip(tmp_path, shop):
    log = simulate(shop, seed=2)
    out = save_run(log, tmp_path / "run")
    back = load_run(out)
    for name in schema.TABLES:
        pd.testing.assert_frame_equal(back.tables[name], log.tables[name])
    m = json.loads((out / "manifest.json").read_text())
    assert m["seed"] == 2 and m["scenario_sha256"] == content_sha256(shop) and m["kpisim_version"]


def test_customer_wrote_is_recorded_and_old_run_dirs_stay_readable(tmp_path, shop):
    from kpisim.io.eventlog import derive_customer_wrote
    from kpisim.kpi.compute import kpis

    log = simulate(shop, seed=2)
    c = log.contacts
    chat = c["channel"] == "chat"
    answered = c["answered_at"].notna()
    # the customer wrote iff there is a customer message; voice: answered
    assert (c.loc[chat & answered, "customer_wrote"] == (c.loc[chat & answered, "customer_msgs"] > 0)).all()
    assert (c.loc[~chat, "customer_wrote"] == answered[~chat]).all()
    assert not (c["replied"] & chat & ~c["customer_wrote"]).any()  # a reply needs a customer message
    pd.testing.assert_series_equal(derive_customer_wrote(c), c["customer_wrote"], check_names=False)
    # a run directory written before the column existed loads, with the same values
    out = save_run(log, tmp_path / "run")
    old = pd.read_parquet(out / "contacts.parquet").drop(columns=["customer_wrote"])
    old.to_parquet(out / "contacts.parquet", index=False)
    back = load_run(out)
    pd.testing.assert_frame_equal(back.contacts, c)
    k = kpis(back, by=("agent_id",), period="month")
    assert (k["reply_rate"].dropna() >= 1 - k["invalid_session_rate"].dropna() - 1e-12).all()


def test_save_run_is_atomic(tmp_path, shop, monkeypatch):
    log = simulate(shop, seed=2)
    target = save_run(log, tmp_path / "run")
    before = sorted(p.name for p in target.iterdir())

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(KeyboardInterrupt):
        save_run(log, tmp_path / "run")
    assert sorted(p.name for p in target.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temp leftovers


def test_cli_simulate_writes_run(tmp_path, capsys):
    sc = ROOT / "scenarios" / "benchmark_mmn_abandon.yaml"
    assert (
        main(["simulate", str(sc), "--seed", "3", "--replications", "2", "--out", str(tmp_path / "r")]) == 0
    )
    out = capsys.readouterr().out
    assert "offered" in out and "main" in out
    log = load_run(tmp_path / "r")
    assert sorted(log.contacts["replication"].unique()) == [0, 1]
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["replications"] == [0, 1] and manifest["population"] == "fixed"


def test_cli_simulate_population_redraw(tmp_path):
    sc = ROOT / "scenarios" / "shop_chat.yaml"
    args = [
        "simulate",
        str(sc),
        "--replications",
        "2",
        "--population",
        "redraw",
        "--out",
        str(tmp_path / "r"),
    ]
    with pytest.MonkeyPatch.context() as mp:  # a short horizon keeps it fast
        from kpisim.scenario import models as sc_mod

        real = sc_mod.load_scenario
        mp.setattr(
            sc_mod,
            "load_scenario",
            lambda p: (lambda s: s.model_copy(update={"horizon": s.horizon.model_copy(update={"days": 1})}))(
                real(p)
            ),
        )
        assert main(args) == 0
    agents = load_run(tmp_path / "r").agents
    a0, a1 = (agents[agents["replication"] == r].set_index("agent_id")["true_speed"] for r in (0, 1))
    assert not a0.equals(a1)  # a new team in every replication
    assert json.loads((tmp_path / "r" / "manifest.json").read_text())["population"] == "redraw"


def test_return_delay_pauses_while_the_centre_is_closed():
    from kpisim.scenario.models import load_scenario
    from kpisim.sim.hours import after_open_time

    sc = load_scenario(ROOT / "scenarios" / "phone_centre.yaml")  # open 08:00-20:00 every day
    h = 3600.0
    at = lambda t, d: after_open_time(sc.horizon, t, d)
    assert at(10 * h, 2 * h) == 12 * h  # inside opening hours: plain delay
    assert at(19 * h, 2 * h) == 24 * h + 9 * h  # 1 h today, 1 h from 08:00 tomorrow
    assert at(22 * h, 0.5 * h) == 24 * h + 8.5 * h  # asked while closed: starts at opening
    assert at(19 * h, 24.5 * h) == 2 * 24 * h + 19.5 * h  # 1 + 12 + 11.5 h of opening hours
    assert at(19 * h, 1 * h) == 24 * h + 8 * h  # due exactly at closing: the next opening
    assert at(29 * 24 * h + 19 * h, 2 * h) == float("inf")  # past the horizon


def test_no_burst_of_returns_at_opening():
    from kpisim.scenario.models import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "phone_centre.yaml")
    sc = sc.model_copy(update={"horizon": sc.horizon.model_copy(update={"days": 4})})
    c = simulate(sc, seed=2).contacts
    repeats = c[c["attempt"] > 1]
    minute = repeats["arrival_at"].dt.hour * 60 + repeats["arrival_at"].dt.minute
    first_half_hour = (minute < 8 * 60 + 30).sum()
    per_half_hour = len(repeats) / 24  # 12 open hours
    # returns follow the day's traffic; the old opening burst (all overnight returns at 08:00) was ~6x
    assert first_half_hour < 2 * per_half_hour
