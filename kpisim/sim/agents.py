"""The engine's agents: state codes, the per-agent routing record and per-agent parameters
built from the roster."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy

from kpisim.scenario.models import Scenario
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
        "heaps",
        "held",
        "idle_since",
        "idx",
        "logged",
        "prio",
        "queues",
        "speed",
        "state",
        "used",
        "version",
    )

    def __init__(self, idx: int, cap: int, prio: dict[int, int], cost: list[int], speed: float):
        self.idx = idx
        self.cap = cap
        self.cost = cost  # per queue index: slots a contact of that queue takes (0: not served)
        self.held = 0
        self.used = 0
        self.prio = prio  # queue index -> priority
        # queues grouped by priority, highest first: [[q, ...], ...]
        levels = sorted(set(prio.values()))
        self.queues = [[q for q, p in prio.items() if p == lv] for lv in levels]
        self.accepting = False
        self.idle_since = 0.0
        self.version = 0
        self.logged = -1  # the agent's last record in the state log (kpisim.sim.statelog)
        self.state = OFFLINE
        self.speed = speed
        self.drained: simpy.Event | None = None
        self.heaps: list[tuple[int, list]] = []  # (slots, free-agent heap) per skill; set by Engine


@dataclass
class Staff:
    """The agents of one replication as the engine needs them (row order = roster order).

    Attributes:
        agents: routing records.
        levels: per queue, the skill priorities with which agents serve it (ascending).
        p_resolve, p_transfer: agent x queue probabilities (traits and levers applied).
        cherry_transfer, cherry_delay, cherry_share: per agent cherry-picking levers.
    """

    agents: list[Agent]
    levels: list[list[int]]
    p_resolve: np.ndarray
    p_transfer: np.ndarray
    cherry_transfer: np.ndarray
    cherry_delay: np.ndarray
    cherry_share: list[float]


def build_staff(scenario: Scenario, roster: pd.DataFrame) -> Staff:
    """Routing records and per-agent parameters from the roster's groups and hidden traits."""
    qnames = list(scenario.queues)
    qspecs = [scenario.queues[q] for q in qnames]
    groups = {g.name: g for g in scenario.agents}
    qindex = {q: i for i, q in enumerate(qnames)}
    n, nq = len(roster), len(qspecs)
    staff = Staff(
        [], [[] for _ in qspecs], np.zeros((n, nq)), np.zeros((n, nq)), np.zeros(n), np.zeros(n), []
    )
    levels: list[set[int]] = [set() for _ in qspecs]
    for a in range(n):
        g = groups[roster["group"].iat[a]]
        prio = {qindex[q]: p for q, p in g.skills.items()}
        cost = [g.slots(s.channel) if q in prio else 0 for q, s in enumerate(qspecs)]
        speed = float(roster["true_speed"].iat[a]) * g.levers.rush_handle_factor
        staff.agents.append(Agent(a, g.max_concurrency, prio, cost, speed))
        for q, p in prio.items():
            levels[q].add(p)
            o = qspecs[q].outcomes
            odds = float(roster["true_resolution"].iat[a]) * g.levers.rush_resolution_odds
            staff.p_resolve[a, q] = odds_p(o.resolve, odds)
            staff.p_transfer[a, q] = o.transfer
        staff.cherry_transfer[a] = g.levers.cherry_pick_transfer
        staff.cherry_delay[a] = g.levers.cherry_pick_delay_s
        staff.cherry_share.append(g.levers.cherry_pick_share)
    staff.levels = [sorted(lv) for lv in levels]
    return staff
