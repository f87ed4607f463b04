"""The engine's agents: state codes, the per-agent routing record and per-agent parameters."""

from __future__ import annotations

import simpy

from kpisim.vocab import STATES

# agent state codes (index into STATE_NAMES)
AVAILABLE, BUSY, WRAP_UP, BREAK, OFFLINE = range(5)
STATE_NAMES = STATES  # the codes above index it


def odds_p(p0: float, mult: float) -> float:
    """Probability after multiplying the odds of ``p0`` by ``mult`` (p0 of 0 or 1 stays)."""
    if p0 <= 0.0 or p0 >= 1.0:
        return p0
    o = p0 / (1.0 - p0) * mult
    return o / (1.0 + o)


class Agent:
    """One agent's routing state in the engine.

    ``cap`` is the agent's session slots and ``used`` the slots taken; a contact of queue ``q``
    takes ``cost[q]`` slots (see ``kpisim.scenario.models.AgentGroup.slots``). ``held`` counts the
    contacts held (for the chat stretch and the ``concurrency`` column).
    """

    __slots__ = (
        "accepting",
        "cap",
        "cost",
        "drained",
        "held",
        "idle_since",
        "idx",
        "prio",
        "queues",
        "speed",
        "state",
        "used",
        "version",
    )

    def __init__(self, idx: int, cap: int, prio: dict[int, int], cost: dict[int, int], speed: float):
        self.idx = idx
        self.cap = cap
        self.cost = cost  # queue index -> slots a contact of that queue takes
        self.held = 0
        self.used = 0
        self.prio = prio  # queue index -> priority
        # queues grouped by priority, highest first: [[q, ...], ...]
        levels = sorted(set(prio.values()))
        self.queues = [[q for q, p in prio.items() if p == lv] for lv in levels]
        self.accepting = False
        self.idle_since = 0.0
        self.version = 0
        self.state = OFFLINE
        self.speed = speed
        self.drained: simpy.Event | None = None
