"""S4 scores its outbound components from the simulated log (issue #19): no manual input is
left for them, the blended agents' points follow their own dial rates and call volumes, and an
agent who does not dial is scored as before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import kpisim
from kpisim.policy import load_policy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scored():
    sc = kpisim.load_scenario(ROOT / "scenarios" / "phone_centre.yaml")
    sc = sc.model_copy(update={"horizon": sc.horizon.model_copy(update={"days": 5})})
    log = kpisim.simulate(sc, seed=3)
    policy = load_policy(ROOT / "scenarios" / "policies" / "s4_callcentre.yaml")
    table = kpisim.kpis_for(log, policy)
    inputs = {
        "ticket_audit": 90.0,
        "knowledge_exam": 90.0,
        "conduct_rating": 90.0,
        "answer_in_2_rings_rate": 0.9,
    }
    table = table.assign(**inputs)
    scores = policy.score(table)
    return log, policy, table.set_index("agent_id"), scores.set_index("agent_id")


def test_no_manual_input_left_for_outbound_figures(scored):
    _log, policy, _t, _s = scored
    names = {i.name for i in policy.inputs}
    assert not names & {"dial_success_rate", "dial_attempts", "calls_handled", "list_utilisation"}
    used = {c.metric for c in policy.scorecard.components}
    assert {"dial_success_rate", "calls_handled"} <= used


def test_blended_agents_dial_rate_points_come_from_the_dials_table(scored):
    log, _p, table, scores = scored
    late = log.agents.loc[log.agents["group"] == "late", "agent_id"]
    d = log.dials
    rate = d.groupby("agent_id")["outcome"].apply(lambda o: (o == "connected").mean())
    assert len(rate) == len(late) and set(rate.index) == set(late)
    np.testing.assert_allclose(table.loc[rate.index, "dial_success_rate"], rate.to_numpy())
    # the rule: linear 0.2 -> 0, 0.6 -> 100 points, weight 2 -> pts = 2 x clip((r - 0.2) / 0.4, 0, 1)
    want = 2 * np.clip((rate - 0.2) / 0.4, 0, 1)
    np.testing.assert_allclose(scores.loc[rate.index, "pts_dial_success"], want.to_numpy(), atol=0.01)
    pts = scores.loc[rate.index, "pts_dial_success"]
    assert pts.nunique() > 3 and pts.min() > 0 and pts.max() < 2  # non-trivial, not a constant


def test_call_volume_counts_inbound_and_outbound_calls(scored):
    log, _p, table, scores = scored
    c = log.contacts[log.contacts["answered_at"].notna()]
    calls = c.groupby("agent_id").size()
    inbound = c[c["direction"] == "inbound"].groupby("agent_id").size()
    np.testing.assert_array_equal(table.loc[calls.index, "calls_handled"], calls.to_numpy())
    late = log.agents.loc[log.agents["group"] == "late", "agent_id"]
    assert (calls[late] > inbound[late]).all()  # outbound connected calls add to the volume
    early = log.agents.loc[log.agents["group"] == "early", "agent_id"]
    assert (calls[early] == inbound[early]).all()
    # 5 days against a monthly baseline of 1,800: volume points = 40 x calls / 1800
    np.testing.assert_allclose(scores.loc[late, "pts_volume"], 40 * calls[late] / 1800, atol=0.01)


def test_an_agent_who_does_not_dial_gets_the_items_full_points(scored):
    log, _p, table, scores = scored
    early = log.agents.loc[log.agents["group"] == "early", "agent_id"]
    assert (
        table.loc[early, "dial_attempts"].eq(0).all() and table.loc[early, "dial_success_rate"].isna().all()
    )
    assert (scores.loc[early, "pts_dial_success"] == 2).all()
