"""The concurrency rule (``AgentGroup.slots``) is the same in the engine, the roster, the
occupancy KPI and staffing: a voice call takes the whole agent, chat sessions share
``max_concurrency`` slots, a blended agent never mixes the two."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.staffing import slots_per_agent
from kpisim.errors import SpecError
from kpisim.io.load import validate
from kpisim.kpi.compute import kpis
from kpisim.scenario.models import Scenario
from kpisim.sim.run import simulate
from tests.simhelpers import mmn_scenario


def blended(concurrency: int = 4) -> Scenario:
    """One group of blended agents (voice + chat), busy enough that both channels queue."""
    q = lambda ch: {
        "channel": ch,
        "daily_volume": 600,
        "handle": {"dist": "exponential", "mean_s": 300},
        "wrap_up": {"dist": "exponential", "mean_s": 30},
        "patience": {"dist": "exponential", "mean_s": 300},
        "concurrency_stretch": 0.1 if ch == "chat" else 0.0,
    }
    return validate(
        Scenario,
        {
            "id": "blended",
            "horizon": {"start": "2026-11-02", "days": 2, "interval_min": 60},
            "queues": {"voice_queue": q("voice"), "chat_queue": q("chat")},
            "agents": [
                {
                    "name": "blend",
                    "count": 4,
                    "skills": {"voice_queue": 1, "chat_queue": 1},
                    "max_concurrency": concurrency,
                    "shifts": {"default": {"start": "00:00", "end": "24:00"}},
                }
            ],
        },
    )


def test_slots_rule():
    g = blended().agents[0]
    assert (g.slots("voice"), g.slots("chat")) == (4, 1)
    assert (g.sessions("voice"), g.sessions("chat")) == (1, 4)
    with pytest.raises(SpecError, match="unknown channel 'fax'"):
        g.slots("fax")


@pytest.fixture(scope="module")
def log():
    return simulate(blended(), seed=3)


def _overlaps(c: pd.DataFrame) -> pd.DataFrame:
    """Pairs (voice contact, other contact of the same agent) whose hold intervals overlap."""
    c = c[c["answered_at"].notna()].copy()
    c["start"], c["stop"] = c["answered_at"], c["wrap_up_end_at"]
    voice = c[c["channel"] == "voice"]
    pairs = voice.merge(c, on="agent_id", suffixes=("", "_o"))
    pairs = pairs[pairs["contact_id"] != pairs["contact_id_o"]]
    return pairs[(pairs["start_o"] < pairs["stop"]) & (pairs["start"] < pairs["stop_o"])]


def test_blended_agent_holds_one_call_and_nothing_else(log):
    c = log.contacts
    assert (c["channel"] == "voice").sum() > 500 and (c["channel"] == "chat").sum() > 500
    voice = c[(c["channel"] == "voice") & c["answered_at"].notna()]
    chat = c[(c["channel"] == "chat") & c["answered_at"].notna()]
    assert (voice["concurrency"] == 1).all()  # no call answered while holding anything
    assert chat["concurrency"].max() > 1  # chats still share the slots
    assert chat["concurrency"].max() <= 4
    assert _overlaps(c).empty  # nor a chat taken during a call or its wrap-up


def test_blended_call_fills_every_slot_in_states_and_occupancy(log):
    states = log.agent_states
    assert log.agents["max_concurrency"].eq(4).all()
    assert states["sessions"].max() <= 4
    # on a call (busy or wrapping up) the agent uses all 4 slots: partial-chat occupancy counts 1
    assert (states.loc[states["state"] == "wrap_up", "sessions"] == 4).all()
    occ = lambda partial: float(
        kpis(log, by=(), period="month", definitions={"occupancy": {"partial_chat": partial}})[
            "occupancy"
        ].iat[0]
    )
    # the voice share of busy time counts fully; only chat sessions are fractional
    assert occ(True) < occ(False)
    talk = log.contacts.dropna(subset=["answered_at"])
    voice_s = ((talk["wrap_up_end_at"] - talk["answered_at"]).dt.total_seconds())[
        talk["channel"] == "voice"
    ].sum()
    logged = (states["end_at"] - states["start_at"]).dt.total_seconds()[states["state"] != "offline"].sum()
    assert occ(True) >= voice_s / logged


def test_staffing_servers_per_agent_follow_the_rule():
    assert slots_per_agent(mmn_scenario(agents=3, per_min=1, handle_s=60, patience_s=None)) == 1.0
    chat = mmn_scenario(agents=3, per_min=1, handle_s=60, patience_s=None, channel="chat", concurrency=5)
    assert slots_per_agent(chat) == 5.0
    assert slots_per_agent(blended()) is None  # mixed voice and chat: no Erlang slot model
    assert np.isfinite(slots_per_agent(chat))
