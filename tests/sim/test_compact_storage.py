"""The simulator's compact storage (issue #18): typed arrays in the engine, outcome formulas in
slices, text columns built from codes. None of it may change a single number of a run."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from kpisim.io.strings import constant_string, string_column
from kpisim.scenario.models import load_scenario
from kpisim.sim import outcomes
from kpisim.sim.contacts import INPUTS, OUTCOMES, Contacts
from kpisim.sim.run import simulate_one
from kpisim.sim.statelog import StateLog

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

#: Fingerprints of every table (dtypes and values) of two 3-day runs, computed with the code
#: before the compact storage (Python lists, one tuple per state record, whole-month formulas).
BEFORE = {"shop_chat": (16210, "dcd2c0d679d8cf4f"), "phone_centre": (7062, "9fab006f834f1f15")}


def _fingerprint(log) -> str:
    h = hashlib.sha256()
    for name, df in log.tables.items():
        h.update(name.encode())
        h.update(str(list(df.dtypes.astype(str))).encode())
        h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def _three_days(name: str):
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    return sc.model_copy(update={"horizon": sc.horizon.model_copy(update={"days": 3})})


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_every_table_is_bit_identical_to_the_list_based_engine(name):
    log = simulate_one(_three_days(name), seed=7, replication=0)
    assert (len(log.contacts), _fingerprint(log)) == BEFORE[name]


def test_outcomes_in_small_slices_equal_one_slice(monkeypatch):
    sc = _three_days("shop_chat")
    monkeypatch.setattr(outcomes, "CHUNK", 1 << 30)  # one slice: the whole-month evaluation
    whole = simulate_one(sc, seed=3, replication=0)
    monkeypatch.setattr(outcomes, "CHUNK", 777)  # ~20 slices, the last one short
    sliced = simulate_one(sc, seed=3, replication=0)
    assert len(whole.contacts) > 10 * 777
    pd.testing.assert_frame_equal(whole.contacts, sliced.contacts)


def test_chunks_cover_the_range_once_in_order():
    got = outcomes.chunks(10, 4)
    assert got == [slice(0, 4), slice(4, 8), slice(8, 10)]
    assert outcomes.chunks(0, 4) == []


def test_contacts_record_keeps_types_and_hands_over_arrays():
    rec = Contacts()
    rec.add_many(
        arrival_s=np.array([1.5, 2.5]),
        queue=np.array([0, 1]),
        customer=np.arange(2),
        attempt=np.ones(2, dtype=np.int64),
        transfer_of=np.full(2, -1),
        work_s=[10.0, 20.0],
        patience_s=[np.inf, 30.0],
        wrap_s=[0.0, 5.0],
        u_resolve=[0.1, 0.2],
        u_transfer=[0.3, 0.4],
    )
    c = rec.add(3.0, 1, 7, 2, 0, 1.0, 2.0, 3.0, 0.5, 0.6)
    rec.status[c] = 2
    rec.answered_s[0] = 4.25
    rec.resolved[1] = True
    out = rec.pop_arrays({"resolved": bool})
    assert len(rec) == 0 and set(out) == set(INPUTS) | set(OUTCOMES)
    assert out["arrival_s"].tolist() == [1.5, 2.5, 3.0] and out["arrival_s"].dtype == np.float64
    assert out["customer"].tolist() == [0, 1, 7] and out["customer"].dtype == np.int64
    assert out["patience_s"][0] == np.inf and out["status"].tolist() == [0, 0, 2]
    assert out["answered_s"][0] == 4.25 and np.isnan(out["answered_s"][1:]).all()
    assert out["agent"].tolist() == [-1, -1, -1] and out["resolved"].tolist() == [False, True, False]
    with pytest.raises(ValueError, match="work_s: 1 values for 2 contacts"):
        Contacts().add_many(**{f: [0, 0] for f in INPUTS} | {"work_s": [1.0]})


def _naive_intervals(records, horizon):
    """The definition: per agent in time order, runs of equal (state, slots) merged, each ending
    where the next run starts (the last at the horizon), zero-length runs dropped."""
    rows = []
    for a in sorted({r[0] for r in records}):
        mine = [(s, u, t) for ag, s, u, t in records if ag == a]
        runs = []
        for s, u, t in mine:
            if runs and runs[-1][:2] == (s, u):
                continue
            runs.append((s, u, t))
        for i, (s, u, t) in enumerate(runs):
            end = min(runs[i + 1][2] if i + 1 < len(runs) else horizon, horizon)
            if end > t:
                rows.append((a, s, t, end, u))
    return rows


def test_state_log_intervals_follow_the_definition_and_drop_repeats():
    rng = np.random.default_rng(5)
    agents = [SimpleNamespace(idx=i, used=0, logged=-1) for i in range(4)]
    log, records, t = StateLog(), [], 0.0
    for _ in range(400):
        ag = agents[rng.integers(4)]
        ag.used = int(rng.integers(0, 3))
        state = int(rng.integers(0, 5))
        t += float(rng.choice([0.0, rng.exponential(30)]))  # some zero-length states
        log.record(ag, state, t)
        records.append((ag.idx, state, ag.used, t))
    kept = len(log)
    assert kept < len(records)  # repeats of an agent's last record are not kept
    df = log.intervals(horizon_s=t * 0.9)  # the last states are cut at the horizon
    got = list(df[["agent", "state", "start_s", "end_s", "sessions"]].itertuples(index=False, name=None))
    assert got == _naive_intervals(records, t * 0.9)
    assert len(log) == 0  # emptied: its memory is released before the tables are built


def test_string_columns_from_codes():
    col = string_column(np.array([1, 0, -1, 1]), ["chat", "voice"])
    assert str(col.dtype) == "string"
    assert col.equals(pd.array(["voice", "chat", None, "voice"], dtype="string"))
    assert pd.Series(constant_string("shop", 3)).tolist() == ["shop"] * 3
    assert len(constant_string("shop", 0)) == 0
