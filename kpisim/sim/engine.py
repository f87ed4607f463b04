"""The SimPy contact-centre model: queues, routing, agents' shifts and breaks, service.

One ``Engine`` simulates one replication. It records what happened (contacts, agent-state
transitions) and nothing else: per-contact outcomes that do not change the traffic (sales,
surveys, chat detail, ...) are drawn afterwards in ``kpisim.sim.outcomes``.

Where things happen (for a newcomer):
- handle time: ``_answer`` (base work drawn per contact in ``_predraw`` x agent speed x
  rush lever x chat stretch);
- routing: ``_arrive`` (to a free agent) and ``_pull`` (a freed agent takes the oldest waiting
  contact of its highest-priority non-empty queues);
- abandonment: ``_on_patience``; resolution / transfer / repeat contacts: ``_on_talk_end``.

Routing rule: an arriving contact goes to an eligible agent who is logged in, not draining for a
break or logout, and below their concurrency cap; among those, agents with the queue at the
highest skill priority first, then the least-loaded (chat), then the longest idle. A freed agent
takes, among its queues of the highest priority that have someone waiting, the contact that has
waited longest (FIFO within a queue). Chat: a session slot stays taken during its after-contact
work.
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np
import simpy

from kpisim.scenario.models import Scenario
from kpisim.sim.distributions import draw
from kpisim.sim.population import Block

# agent state codes (index into STATE_NAMES)
AVAILABLE, BUSY, WRAP_UP, BREAK, OFFLINE = range(5)
STATE_NAMES = ("available", "busy", "wrap_up", "break", "offline")

# contact status codes
WAITING, ANSWERED, ABANDONED, BLOCKED = range(4)


def _odds_p(p0: float, mult: float) -> float:
    """Probability after multiplying the odds of ``p0`` by ``mult`` (p0 of 0 or 1 stays)."""
    if p0 <= 0.0 or p0 >= 1.0:
        return p0
    o = p0 / (1.0 - p0) * mult
    return o / (1.0 + o)


class _Agent:
    __slots__ = (
        "accepting",
        "cap",
        "drained",
        "held",
        "idle_since",
        "idx",
        "prio",
        "queues",
        "speed",
        "state",
        "version",
        "voice",
    )

    def __init__(self, idx: int, cap: int, prio: dict[int, int], speed: float, voice: bool):
        self.idx = idx
        self.cap = cap
        self.held = 0
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
        self.voice = voice


class Engine:
    """Simulate one replication of ``scenario``.

    Args:
        scenario: the validated scenario.
        roster: agents table from ``population.draw_traits`` (row order = agent index).
        blocks: per-agent login blocks from ``population.build_calendar``.
        rngs: named streams from ``kpisim.rng.streams``.
    """

    def __init__(
        self, scenario: Scenario, roster, blocks: list[list[Block]], rngs: dict[str, np.random.Generator]
    ):
        self.sc = scenario
        self.env = simpy.Environment()
        self.rngs = rngs
        self.horizon_s = scenario.horizon.days * 86400.0
        self.qnames = list(scenario.queues)
        qspecs = [scenario.queues[q] for q in self.qnames]
        self.qspecs = qspecs
        self.waiting: list[deque] = [deque() for _ in qspecs]
        self.nwait = [0] * len(qspecs)
        self.capacity = [q.capacity for q in qspecs]
        self.blocks = blocks
        groups = {g.name: g for g in scenario.agents}
        qindex = {q: i for i, q in enumerate(self.qnames)}

        self.agents: list[_Agent] = []
        # per (queue, priority level): heap of (held, idle_since, seq, version, agent)
        self.free: list[list[tuple[int, list]]] = [[] for _ in qspecs]
        levels: list[dict[int, list]] = [{} for _ in qspecs]
        n = len(roster)
        self.p_resolve = np.zeros((n, len(qspecs)))
        self.p_transfer = np.zeros((n, len(qspecs)))
        self.cherry_thr = np.full((n, len(qspecs)), np.inf)
        self.cherry_transfer = np.zeros(n)
        self.cherry_delay = np.zeros(n)
        self.speed_eff = np.ones(n)
        for a in range(n):
            g = groups[roster["group"].iat[a]]
            prio = {qindex[q]: p for q, p in g.skills.items()}
            speed = float(roster["true_speed"].iat[a]) * g.levers.rush_handle_factor
            voice = all(qspecs[q].channel == "voice" for q in prio)
            cap = 1 if voice else g.max_concurrency
            ag = _Agent(a, cap, prio, speed, voice)
            self.agents.append(ag)
            self.speed_eff[a] = speed
            for q, p in prio.items():
                levels[q].setdefault(p, [])
                o = qspecs[q].outcomes
                self.p_resolve[a, q] = _odds_p(
                    o.resolve, float(roster["true_resolution"].iat[a]) * g.levers.rush_resolution_odds
                )
                self.p_transfer[a, q] = o.transfer
            self.cherry_transfer[a] = g.levers.cherry_pick_transfer
            self.cherry_delay[a] = g.levers.cherry_pick_delay_s
        for q in range(len(qspecs)):
            self.free[q] = [(p, levels[q][p]) for p in sorted(levels[q])]
        self._seq = 0
        self._cherry_share = [groups[g].levers.cherry_pick_share for g in roster["group"]]

        # contact records (python lists: fast scalar access in callbacks)
        self.c_arr: list[float] = []
        self.c_queue: list[int] = []
        self.c_cust: list[int] = []
        self.c_attempt: list[int] = []
        self.c_transfer_of: list[int] = []
        self.c_work: list[float] = []
        self.c_pat: list[float] = []
        self.c_wrap: list[float] = []
        self.c_ures: list[float] = []
        self.c_utr: list[float] = []
        self.c_status: list[int] = []
        self.c_queued: list[bool] = []
        self.c_ans: list[float] = []
        self.c_end: list[float] = []
        self.c_wend: list[float] = []
        self.c_agent: list[int] = []
        self.c_conc: list[int] = []
        self.c_transferred: list[bool] = []
        self.c_resolved: list[bool] = []
        self.c_stalled: list[bool] = []
        self.states: list[tuple[int, int, float, int]] = []  # (agent, state, t, sessions)
        self.n_customers = 0

    # --- set-up ----------------------------------------------------------------------------
    def _predraw(self, t: np.ndarray, q: np.ndarray) -> None:
        """Per-contact random inputs of all first contacts, drawn per queue in time order."""
        n = t.size
        work = np.empty(n)
        pat = np.full(n, np.inf)
        wrap = np.zeros(n)
        for qi, spec in enumerate(self.qspecs):
            m = q == qi
            k = int(m.sum())
            work[m] = draw(spec.handle, k, self.rngs["handle"])
            if spec.patience is not None:
                pat[m] = draw(spec.patience, k, self.rngs["patience"])
            wrap[m] = draw(spec.wrap_up, k, self.rngs["wrap"])
        u = self.rngs["outcomes"].random((2, n))
        self.c_arr = t.tolist()
        self.c_queue = q.tolist()
        self.c_cust = list(range(n))
        self.n_customers = n
        self.c_attempt = [1] * n
        self.c_transfer_of = [-1] * n
        self.c_work = work.tolist()
        self.c_pat = pat.tolist()
        self.c_wrap = wrap.tolist()
        self.c_ures = u[0].tolist()
        self.c_utr = u[1].tolist()
        self.c_status = [WAITING] * n
        self.c_queued = [False] * n
        self.c_ans = [np.nan] * n
        self.c_end = [np.nan] * n
        self.c_wend = [np.nan] * n
        self.c_agent = [-1] * n
        self.c_conc = [0] * n
        self.c_transferred = [False] * n
        self.c_resolved = [False] * n
        self.c_stalled = [False] * n
        # cherry-picking threshold: the agent stalls on sessions whose base work is in the top share
        for a, share in enumerate(self._cherry_share):
            if share > 0:
                for qi in self.agents[a].prio:
                    w = work[q == qi]
                    if w.size:
                        self.cherry_thr[a, qi] = float(np.quantile(w, 1 - share))

    def _new_contact(self, queue: int, customer: int, attempt: int, transfer_of: int) -> int:
        """Append a dynamic contact (repeat or transfer) arriving now; returns its index."""
        spec = self.qspecs[queue]
        r = self.rngs["returns"]
        work = float(draw(spec.handle, 1, r)[0])
        pat = float(draw(spec.patience, 1, r)[0]) if spec.patience is not None else np.inf
        wrap = float(draw(spec.wrap_up, 1, r)[0])
        u = r.random(2)
        self.c_arr.append(self.env.now)
        self.c_queue.append(queue)
        self.c_cust.append(customer)
        self.c_attempt.append(attempt)
        self.c_transfer_of.append(transfer_of)
        self.c_work.append(work)
        self.c_pat.append(pat)
        self.c_wrap.append(wrap)
        self.c_ures.append(float(u[0]))
        self.c_utr.append(float(u[1]))
        self.c_status.append(WAITING)
        self.c_queued.append(False)
        self.c_ans.append(np.nan)
        self.c_end.append(np.nan)
        self.c_wend.append(np.nan)
        self.c_agent.append(-1)
        self.c_conc.append(0)
        self.c_transferred.append(False)
        self.c_resolved.append(False)
        self.c_stalled.append(False)
        return len(self.c_arr) - 1

    # --- agent states ------------------------------------------------------------------------
    def _set_state(self, ag: _Agent, state: int) -> None:
        ag.state = state
        self.states.append((ag.idx, state, self.env.now, ag.held))

    def _offer(self, ag: _Agent) -> None:
        """Make ``ag`` findable by arriving contacts (it is accepting and below its cap)."""
        ag.version += 1
        self._seq += 1
        entry = (ag.held, ag.idle_since, self._seq, ag.version, ag)
        for q, p in ag.prio.items():
            for lv, heap in self.free[q]:
                if lv == p:
                    heapq.heappush(heap, entry)
                    break

    def _withdraw(self, ag: _Agent) -> None:
        ag.version += 1  # invalidates all heap entries of this agent

    # --- traffic -----------------------------------------------------------------------------
    def _arrivals(self, n0: int):
        env = self.env
        arr = self.c_arr
        for c in range(n0):
            dt = arr[c] - env.now
            if dt > 0:
                yield env.timeout(dt)
            self._arrive(c)

    def _arrive(self, c: int) -> None:
        q = self.c_queue[c]
        for _lv, heap in self.free[q]:
            while heap:
                _held, _idle, _s, version, ag = heap[0]
                if version != ag.version or not ag.accepting or ag.held >= ag.cap:
                    heapq.heappop(heap)
                    continue
                heapq.heappop(heap)
                self._answer(ag, c)
                return
        cap = self.capacity[q]
        if cap is not None and self.nwait[q] >= cap:
            self.c_status[c] = BLOCKED
            self.c_end[c] = self.env.now
            return
        self.c_queued[c] = True
        self.waiting[q].append(c)
        self.nwait[q] += 1
        pat = self.c_pat[c]
        if pat != np.inf:
            ev = self.env.timeout(pat, value=c)
            ev.callbacks.append(self._on_patience)

    def _on_patience(self, ev) -> None:
        c = ev.value
        if self.c_status[c] == WAITING:
            self.c_status[c] = ABANDONED
            self.c_end[c] = self.env.now
            self.nwait[self.c_queue[c]] -= 1

    # --- service -----------------------------------------------------------------------------
    def _answer(self, ag: _Agent, c: int) -> None:
        now = self.env.now
        a = ag.idx
        q = self.c_queue[c]
        ag.held += 1
        self.c_status[c] = ANSWERED
        self.c_ans[c] = now
        self.c_agent[c] = a
        self.c_conc[c] = ag.held
        spec = self.qspecs[q]
        work = self.c_work[c]
        if work > self.cherry_thr[a, q]:
            self.c_stalled[c] = True
        handle = work * ag.speed
        if ag.held > 1:
            handle *= 1.0 + spec.concurrency_stretch * (ag.held - 1)
        if self.c_stalled[c] and self.cherry_transfer[a] > 0 and self.c_utr[c] < self.cherry_transfer[a]:
            handle = min(handle, self.cherry_delay[a] + 1.0)
        self._set_state(ag, BUSY)
        if ag.held < ag.cap and ag.accepting:
            self._offer(ag)
        else:
            self._withdraw(ag)
        ev = self.env.timeout(handle, value=c)
        ev.callbacks.append(self._on_talk_end)

    def _on_talk_end(self, ev) -> None:
        c = ev.value
        now = self.env.now
        self.c_end[c] = now
        a = self.c_agent[c]
        q = self.c_queue[c]
        ag = self.agents[a]
        spec = self.qspecs[q].outcomes
        p_tr = self.p_transfer[a, q]
        if self.c_stalled[c] and self.cherry_transfer[a] > 0:
            p_tr = 1.0 - (1.0 - p_tr) * (1.0 - self.cherry_transfer[a])
        if self.c_utr[c] < p_tr:
            self.c_transferred[c] = True
            t = self._new_contact(self.qnames.index(spec.transfer_to), self.c_cust[c], self.c_attempt[c], c)
            self._arrive(t)
        elif self.c_ures[c] < self.p_resolve[a, q]:
            self.c_resolved[c] = True
        else:
            self._schedule_return(c)
        wrap = self.c_wrap[c]
        if wrap > 0:
            if ag.voice:
                self._set_state(ag, WRAP_UP)
            e2 = self.env.timeout(wrap, value=c)
            e2.callbacks.append(self._on_wrap_end)
        else:
            self.c_wend[c] = now
            self._release(ag)

    def _schedule_return(self, c: int) -> None:
        spec = self.qspecs[self.c_queue[c]].outcomes
        if self.c_attempt[c] >= spec.max_attempts:
            return
        r = self.rngs["returns"]
        u, delay = r.random(), r.exponential(spec.return_delay_h * 3600.0)
        at = self._after_open_time(self.env.now, delay)
        if u >= spec.return_prob or at >= self.horizon_s:
            return
        delay = at - self.env.now
        ev = self.env.timeout(delay, value=c)
        ev.callbacks.append(self._on_return)

    def _after_open_time(self, t: float, delay: float) -> float:
        """The time ``delay`` seconds of *opening hours* after ``t``: a customer's wait before
        coming back pauses while the centre is closed, so returns due overnight spread over the
        next day instead of all arriving at the opening minute (inf if the centre never reopens)."""
        h = self.sc.horizon
        for d in range(int(t // 86400), h.days):
            hours = h.open_minutes((h.start.weekday() + d) % 7)
            if hours is None:
                continue
            o, c = d * 86400.0 + hours[0] * 60.0, d * 86400.0 + hours[1] * 60.0
            if t >= c:
                continue
            t = max(t, o)
            if t + delay < c:
                return t + delay
            delay -= c - t
            t = c
        return np.inf

    def _on_return(self, ev) -> None:
        c = ev.value
        t = self._new_contact(self.c_queue[c], self.c_cust[c], self.c_attempt[c] + 1, -1)
        self._arrive(t)

    def _on_wrap_end(self, ev) -> None:
        c = ev.value
        self.c_wend[c] = self.env.now
        self._release(self.agents[self.c_agent[c]])

    def _release(self, ag: _Agent) -> None:
        """A session slot of ``ag`` is free: take waiting work or become idle/drained."""
        ag.held -= 1
        if ag.accepting and self._pull(ag):
            return
        now = self.env.now
        if ag.held == 0:
            ag.idle_since = now
            if ag.accepting:
                self._set_state(ag, AVAILABLE)
                self._offer(ag)
            elif ag.drained is not None:
                ev, ag.drained = ag.drained, None
                ev.succeed()
            return
        # chat: still holding sessions
        self.states.append((ag.idx, BUSY, now, ag.held))
        if ag.accepting:
            self._offer(ag)

    def _pull(self, ag: _Agent) -> bool:
        """Give ``ag`` the longest-waiting contact of its highest-priority queues; False if none."""
        for level in ag.queues:
            best, best_q = None, -1
            for q in level:
                dq = self.waiting[q]
                while dq and self.c_status[dq[0]] != WAITING:
                    dq.popleft()
                if dq and (best is None or self.c_arr[dq[0]] < self.c_arr[best]):
                    best, best_q = dq[0], q
            if best is not None:
                self.waiting[best_q].popleft()
                self.nwait[best_q] -= 1
                self._answer(ag, best)
                return True
        return False

    # --- shifts and breaks -------------------------------------------------------------------
    def _agent_life(self, ag: _Agent, blocks: list[Block]):
        env = self.env
        for b in blocks:
            if b.login > env.now:
                yield env.timeout(b.login - env.now)
            self._login(ag)
            for bs, dur in b.breaks:
                if bs >= b.logout:
                    break
                if bs > env.now:
                    yield env.timeout(bs - env.now)
                yield from self._drain(ag)
                self._set_state(ag, BREAK)
                yield env.timeout(dur)
                if env.now >= b.logout:
                    break
                self._login(ag)
            if b.logout > env.now:
                yield env.timeout(b.logout - env.now)
            yield from self._drain(ag)
            self._set_state(ag, OFFLINE)

    def _login(self, ag: _Agent) -> None:
        ag.accepting = True
        ag.idle_since = self.env.now
        if not self._pull(ag):
            self._set_state(ag, AVAILABLE)
            self._offer(ag)
        else:
            while ag.held < ag.cap and self._pull(ag):
                pass

    def _drain(self, ag: _Agent):
        """Stop taking work; wait until the agent holds no session."""
        ag.accepting = False
        self._withdraw(ag)
        if ag.held > 0:
            ag.drained = self.env.event()
            yield ag.drained

    # --- run ---------------------------------------------------------------------------------
    def run(self, arrivals_t: np.ndarray, arrivals_q: np.ndarray) -> None:
        """Run to completion: all arrivals processed, all agents logged out."""
        self._predraw(arrivals_t, arrivals_q)
        for ag in self.agents:
            self.states.append((ag.idx, OFFLINE, 0.0, 0))
            self.env.process(self._agent_life(ag, self.blocks[ag.idx]))
        self.env.process(self._arrivals(len(arrivals_t)))
        self.env.run()
        # contacts nobody could take (no agent left, no patience) count as abandoned at the end
        end = self.env.now
        for c, s in enumerate(self.c_status):
            if s == WAITING:
                self.c_status[c] = ABANDONED
                self.c_end[c] = max(end, self.c_arr[c])
