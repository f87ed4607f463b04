"""The engine's log of agent-state transitions, and the state intervals built from it.

Each transition is one record: when (``t``) and one packed integer ``code`` holding the agent's
roster row, the state code (``kpisim.sim.agents``) and the session slots in use. Two typed
arrays, 16 bytes per record, instead of a Python tuple per record. A record equal to the
agent's previous one (same state, same slots) is not kept: the intervals merge such runs anyway,
so the table is the same.
"""

from __future__ import annotations

from array import array

import numpy as np
import pandas as pd

_AGENT_SHIFT, _STATE_SHIFT = 16, 12  # code = agent << 16 | state << 12 | slots (slots < 4096)
_MASK = (1 << _STATE_SHIFT) - 1


class StateLog:
    """Agent-state transitions of one replication, in recording (= time) order."""

    __slots__ = ("code", "t")

    def __init__(self) -> None:
        self.t = array("d")
        self.code = array("q")

    def __len__(self) -> int:
        return len(self.t)

    def record(self, ag, state: int, t: float) -> None:
        """``ag`` is in ``state`` with ``ag.used`` slots from time ``t`` on."""
        code = (ag.idx << _AGENT_SHIFT) | (state << _STATE_SHIFT) | ag.used
        if code != ag.logged:
            ag.logged = code
            self.t.append(t)
            self.code.append(code)

    def intervals(self, horizon_s: float) -> pd.DataFrame:
        """The transitions as intervals (``agent``, ``state`` code, ``start_s``, ``end_s``,
        ``sessions``), by agent then time; consecutive equal (state, sessions) merged, zero-length
        dropped. The log is emptied (its memory goes back before the tables are built)."""
        if not len(self):
            return pd.DataFrame({"agent": [], "state": [], "start_s": [], "end_s": [], "sessions": []})
        code = np.frombuffer(self.code, dtype=np.int64)
        order = np.argsort(code >> _AGENT_SHIFT, kind="stable")  # by agent, then recording order
        code, t = code[order], np.frombuffer(self.t, dtype=np.float64)[order]
        del order
        self.t, self.code = array("d"), array("q")
        agent = code >> _AGENT_SHIFT
        state = ((code >> _STATE_SHIFT) & 0xF).astype(np.int8)
        sess = code & _MASK
        same_agent = agent[1:] == agent[:-1]
        # merge runs of the same (agent, state, sessions)
        first = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
        del code
        last = np.r_[first[1:] - 1, len(agent) - 1]
        # a state ends where the agent's next one starts, the last one at the horizon end; states
        # are recorded within the horizon (work finishing after midnight of the last day is cut at
        # the horizon end), so every state falls in a period of the horizon
        nxt_same = np.r_[same_agent, False][last]
        end = np.minimum(np.where(nxt_same, t[np.minimum(last + 1, len(t) - 1)], horizon_s), horizon_s)
        begin = t[first]
        keep = end > begin
        first = first[keep]
        return pd.DataFrame(
            {
                "agent": agent[first],
                "state": state[first],  # code (index into kpisim.sim.agents.STATE_NAMES)
                "start_s": begin[keep],
                "end_s": end[keep],
                "sessions": sess[first],
            },
            copy=False,  # fresh arrays: the frame takes them over
        )
