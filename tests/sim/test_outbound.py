"""Outbound campaigns and blended agents (issue #19), checked on the event log."""

from __future__ import annotations

import hashlib
import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import kpisim
from kpisim.errors import SpecError
from kpisim.io.load import validate
from kpisim.scenario.models import Scenario
from kpisim.vocab import DIAL_OUTCOMES
from tests.sim.outbound_helpers import blended


def _fp(df: pd.DataFrame, cols: list[str]) -> str:
    h = hashlib.sha256()
    for c in cols:
        h.update(pd.util.hash_pandas_object(df[c], index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def test_a_scenario_without_campaigns_gives_the_results_of_before():
    """Bit-identical to the release before outbound campaigns (fingerprints taken from it): the
    new streams are appended and a scenario without campaigns never touches them."""
    log = kpisim.simulate(blended(qa=4), seed=3)
    c = log.contacts
    assert len(c) == 2118 and (c["direction"] == "inbound").all()
    cols = ["contact_id", "queue", "arrival_at", "answered_at", "ended_at", "wrap_up_end_at", "agent_id"]
    cols += ["abandoned", "converted", "order_value_cents", "csat"]
    assert _fp(c, cols) == "92059bc4b657f5a8"
    assert (
        _fp(log.agent_states, ["agent_id", "state", "start_at", "end_at", "sessions"]) == "4455eee05410463f"
    )
    assert _fp(log.qa, ["contact_id", "qa_score"]) == "39e185cab069f104"
    assert len(log.dials) == 0 and len(log.call_list) == 0


@pytest.fixture(scope="module")
def run():
    sc = blended(campaign={"retry": {"max_attempts": 3, "spacing_min": 45}})
    return sc, kpisim.simulate(sc, seed=7)


def test_dial_outcomes_match_the_configured_probabilities(run):
    """Every attempt's outcome is an independent draw: chi-square goodness of fit at the 0.1 %
    level, and each share within 4 binomial standard errors of its probability."""
    sc, log = run
    p = np.array(sc.campaigns["sales"].outcomes.probabilities())
    counts = log.dials["outcome"].value_counts().reindex(list(DIAL_OUTCOMES), fill_value=0).to_numpy()
    n = counts.sum()
    assert n > 1500
    chi2 = float(((counts - n * p) ** 2 / (n * p)).sum())
    assert chi2 < stats.chi2.ppf(0.999, df=len(p) - 1), (chi2, counts)
    se = np.sqrt(p * (1 - p) / n)
    assert (np.abs(counts / n - p) < 4 * se).all()


def test_connected_attempts_are_the_outbound_contacts(run):
    _sc, log = run
    d, c = log.dials, log.contacts
    out = c[c["direction"] == "outbound"]
    conn = d[d["outcome"] == "connected"]
    assert len(out) == len(conn) > 300
    assert set(conn["contact_id"].astype(int)) == set(out["contact_id"])
    assert d.loc[d["outcome"] != "connected", "contact_id"].isna().all()
    m = conn.merge(out, on="contact_id", suffixes=("_d", ""))
    assert (m["agent_id_d"] == m["agent_id"]).all()
    assert (m["answered_at"] == m["outcome_at"]).all()  # the customer picks up as the ringing ends
    assert (out["queue"] == "sales").all() and (out["wait_s"] == 0).all()
    assert (out["handle_s"] > 0).all() and np.allclose(out["wrap_up_s"], 20.0)
    # a sale only on a connected call; about the configured 20 % for average agents
    rate = out["converted"].mean()
    assert 0.14 < rate < 0.27
    assert (out.loc[~out["converted"], "order_value_cents"] == 0).all()
    assert log.call_list["converted"].sum() == out["converted"].sum()


def test_retries_obey_the_limit_and_the_spacing(run):
    sc, log = run
    retry = sc.campaigns["sales"].retry
    d = log.dials.sort_values(["record_id", "attempt"])
    per = d.groupby("record_id")
    assert per["attempt"].max().max() == retry.max_attempts  # retries happen ...
    assert (per["attempt"].max() == per.size()).all()  # ... numbered 1, 2, ... without gaps
    assert (d.groupby("record_id")["attempt"].apply(lambda a: list(a) == list(range(1, len(a) + 1)))).all()
    prev = d.groupby("record_id").shift(1)
    again = prev["outcome_at"].notna()
    gap_s = (d.loc[again, "dialled_at"] - prev.loc[again, "outcome_at"]).dt.total_seconds()
    assert len(gap_s) > 200 and (gap_s >= retry.spacing_min * 60 - 1e-6).all()
    # a record is retried only after an outcome in retry.after: never after connected / wrong number
    assert prev.loc[again, "outcome"].isin(retry.after).all()
    # call_list agrees with the dials
    cl = log.call_list.set_index("record_id")
    assert (cl.loc[per.size().index, "attempts"] == per.size()).all()
    last = d.groupby("record_id").last()
    status = cl.loc[last.index, "status"]
    assert (status[last["outcome"] == "connected"] == "connected").all()
    assert (status[last["outcome"] == "wrong_number"] == "wrong_number").all()
    exhausted = status == "exhausted"
    assert exhausted.any() and (cl.loc[exhausted[exhausted].index, "attempts"] == retry.max_attempts).all()


def test_records_attempted_never_exceed_records_available(run):
    _sc, log = run
    cl = log.call_list
    assert len(cl) == 3000 + 500  # initial list + one refresh (2 days)
    attempted = int((cl["attempts"] > 0).sum())
    assert 0 < attempted <= len(cl)
    added = log.dials.merge(cl, on="record_id")
    assert (added["dialled_at"] >= added["added_at"]).all()  # never before a record is on the list


def test_attempts_start_only_in_contact_windows_and_shifts():
    sc = blended(campaign={"windows": {"default": ["10:00", "16:00"], "tue": "closed"}})
    log = kpisim.simulate(sc, seed=2)  # 2026-11-02 is a Monday, the 3rd a Tuesday
    t = log.dials["dialled_at"]
    assert len(t) > 100
    minutes = t.dt.hour * 60 + t.dt.minute
    assert ((minutes >= 600) & (minutes < 960)).all()
    assert (t.dt.day_of_week == 0).all()


def _waited_too_long(log: kpisim.EventLog, limit_s: float) -> int:
    """Dial attempts made while an inbound call had been waiting longer than ``limit_s``."""
    c = log.contacts
    c = c[c["direction"] == "inbound"]
    left = c["answered_at"].fillna(c["ended_at"])  # answered, or gave up / blocked
    queued = c[c["queued"]]
    arr = queued["arrival_at"].to_numpy()
    out = left[c["queued"]].to_numpy()
    bad = 0
    for t in log.dials["dialled_at"].to_numpy():
        bad += int(((arr < t - np.timedelta64(int(limit_s * 1e9), "ns")) & (out > t)).any())
    return bad


def test_no_dialling_while_an_inbound_call_waited_longer_than_the_blend_limit():
    """Preview mode: inbound calls can queue while an agent reads a record; the dial is then
    held back. Without the limit (a huge one) some dials do start while a call waits > 10 s, so
    the check would catch a missing rule."""
    kw = {"agents": 6, "per_min": 1.3, "days": 1}
    camp = {"mode": "preview", "preview": {"dist": "fixed", "mean_s": 60}}
    strict = kpisim.simulate(blended(**kw, campaign={**camp, "blend": {"max_inbound_wait_s": 10}}), seed=4)
    assert len(strict.dials) > 100
    assert _waited_too_long(strict, 10.0) == 0
    loose = kpisim.simulate(blended(**kw, campaign={**camp, "blend": {"max_inbound_wait_s": 3600}}), seed=4)
    assert _waited_too_long(loose, 10.0) > 0


def _sl_and_dials(keep_free: int, *, days: int, seed: int) -> tuple[float, int]:
    log = kpisim.simulate(blended(days=days, campaign={"blend": {"keep_free": keep_free}}), seed=seed)
    c = log.contacts
    c = c[c["direction"] == "inbound"]
    sl = float((c["answered_at"].notna() & (c["wait_s"] <= 20)).sum() / len(c))
    return sl, len(log.dials)


def test_lower_blend_threshold_lowers_service_level_and_raises_dials():
    """Fewer agents kept free for inbound (keep_free 3 -> 0): the service level falls and the
    dial volume rises. Common random numbers: same seed, same customers and records."""
    res = [_sl_and_dials(k, days=1, seed=11) for k in (3, 1, 0)]
    sl, dials = zip(*res, strict=True)
    assert sl[0] > sl[1] > sl[2], sl
    assert dials[0] < dials[1] < dials[2], dials
    assert sl[0] - sl[2] > 0.03  # a real trade-off, not noise


@pytest.mark.slow
def test_lower_blend_threshold_monotone_precisely():
    """Slow: five thresholds, 4 replications each (CRN): means strictly monotone."""
    ks = (4, 3, 2, 1, 0)
    sl = {k: [] for k in ks}
    dials = {k: [] for k in ks}
    for seed in range(4):
        for k in ks:
            s, n = _sl_and_dials(k, days=3, seed=100 + seed)
            sl[k].append(s)
            dials[k].append(n)
    msl = [np.mean(sl[k]) for k in ks]
    mdials = [np.mean(dials[k]) for k in ks]
    assert all(a > b for a, b in itertools.pairwise(msl)), msl
    assert all(a < b for a, b in itertools.pairwise(mdials)), mdials


def test_conversion_follows_the_agents_sales_skill():
    """A connected call sells with odds = odds(conversion) x the agent's hidden sales skill: the
    number of sales is within 4 standard deviations of that model's expectation, the better half
    of the agents sells more, and a model ignoring skill is further off."""
    sc = blended(campaign={"conversion": 0.3})
    data = sc.model_dump(mode="json")
    data.pop("kind", None)
    data["agents"][0]["traits"]["sales"] = {"mean": 1.0, "sd": 0.6}
    log = kpisim.simulate(validate(Scenario, data), seed=8)
    out = log.contacts[log.contacts["direction"] == "outbound"]
    skill = out["agent_id"].map(log.agents.set_index("agent_id")["true_sales"]).to_numpy(float)
    odds = 0.3 / 0.7 * skill
    p = odds / (1 + odds)
    sold = int(out["converted"].sum())
    assert len(out) > 500
    assert abs(sold - p.sum()) < 4 * np.sqrt((p * (1 - p)).sum())
    hi = out["converted"].to_numpy()[skill >= np.median(skill)].mean()
    lo = out["converted"].to_numpy()[skill < np.median(skill)].mean()
    assert hi > lo + 0.05


def test_same_seed_same_outbound_log(run):
    sc, log = run
    again = kpisim.simulate(sc, seed=7)
    pd.testing.assert_frame_equal(log.dials, again.dials)
    pd.testing.assert_frame_equal(log.call_list, again.call_list)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"groups": ["nobody"]}, "campaigns.sales.groups: unknown group 'nobody'"),
        ({"outcomes": {"connected": 0.5}}, "must sum to 1"),
        ({"list_size": 0, "refresh_per_day": 0}, "the calling list is empty"),
        ({"windows": {"default": "closed"}}, "closed every day"),
        ({"mode": "predictive"}, "mode"),
        ({"retry": {"after": ["connected"]}}, "retry.after"),
        ({"list_size": 2_000_000, "retry": {"max_attempts": 5}}, "records x attempts allowed"),
    ],
)
def test_bad_campaigns_are_refused_before_anything_runs(change, says):
    with pytest.raises((SpecError, ValueError)) as e:
        blended(campaign=change)
    assert says in str(e.value)


def test_outbound_is_not_a_queue_channel():
    data = blended().model_dump(mode="json")
    data.pop("kind", None)
    data["queues"]["service"]["channel"] = "outbound"
    with pytest.raises(SpecError) as e:
        validate(Scenario, data, file="x.yaml")
    assert "queues.service.channel" in str(e.value) and "campaigns:" in str(e.value)


def test_a_campaign_may_not_share_a_queue_name():
    data = blended(campaign={}).model_dump(mode="json")
    data.pop("kind", None)
    data["campaigns"] = {"service": data["campaigns"]["sales"]}
    with pytest.raises(SpecError) as e:
        validate(Scenario, data, file="x.yaml")
    assert "campaigns.service" in str(e.value)


def test_outbound_tables_round_trip_and_old_runs_stay_readable(tmp_path, run):
    """save_run / load_run keep dials, call_list and direction; a run directory written before
    campaigns (no direction column, no dials / call_list files) reads as all inbound."""
    _sc, log = run
    kpisim.save_run(log, tmp_path / "run")
    back = kpisim.load_run(tmp_path / "run")
    pd.testing.assert_frame_equal(back.dials, log.dials)
    pd.testing.assert_frame_equal(back.call_list, log.call_list)
    assert (back.contacts["direction"] == log.contacts["direction"]).all()
    old = tmp_path / "run"
    log.contacts.drop(columns="direction").to_parquet(old / "contacts.parquet", index=False)
    (old / "dials.parquet").unlink()
    (old / "call_list.parquet").unlink()
    again = kpisim.load_run(old)
    assert (again.contacts["direction"] == "inbound").all() and len(again.dials) == 0
    assert len(again.call_list) == 0
