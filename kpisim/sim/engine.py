"""The SimPy contact-centre model: queues, routing, agents' shifts and breaks, service.

One ``Engine`` simulates one replication. It records what happened (contacts, agent-state
transitions) and nothing else: per-contact outcomes that do not change the traffic (sales,
surveys, chat detail, ...) are drawn afterwards in ``kpisim.sim.outcomes``.

Where things happen (for a newcomer):
- handle time: ``_answer`` (base work drawn per contact in ``predraw.py`` x agent speed x
  rush lever x chat stretch);
- routing: ``_arrive`` (to a free agent) and ``_pull`` (a freed agent takes the oldest waiting
  contact of its highest-priority non-empty queues);
- abandonment: ``_on_patience``; resolution / transfer / repeat contacts: ``_on_talk_end``.

Routing rule: an arriving contact goes to an eligible agent who is logged in, not draining for a
break or logout, and has free session slots for it (``AgentGroup.slots``: a chat session takes
one of the agent's ``max_concurrency`` slots, a voice call all of them); among those, agents with
the queue at the highest skill priority first, then the least-loaded, then the longest idle. A freed agent
takes, among its queues of the highest priority that have someone waiting, the contact that has
waited longest (FIFO within a queue) among those that fit its free slots. Chat: a session slot
stays taken during its after-contact work.
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np
import simpy

from kpisim.scenario.models import Scenario
from kpisim.sim.agents import AVAILABLE, BREAK, BUSY, OFFLINE, STATE_NAMES, WRAP_UP, Agent, build_staff
from kpisim.sim.contacts import ABANDONED, ANSWERED, BLOCKED, WAITING, Contacts
from kpisim.sim.distributions import draw
from kpisim.sim.freeheap import FreeHeap
from kpisim.sim.hours import after_open_time
from kpisim.sim.outbound import Dialler
from kpisim.sim.population import Block
from kpisim.sim.predraw import predraw
from kpisim.sim.statelog import StateLog

__all__ = ["ABANDONED", "ANSWERED", "BLOCKED", "STATE_NAMES", "WAITING", "Engine"]


class Engine:
    """Simulate one replication of ``scenario``.

    Args:
        scenario: the validated scenario.
        roster: agents table from ``population.draw_traits`` (row order = agent index).
        blocks: per-agent login blocks from ``population.build_calendar``.
        rngs: named streams from ``kpisim.rng.streams``.
        tactics: the agents' chosen behaviour (``kpisim.sim.tactics.TacticPlan``), or None.
        declines: hidden declines and off-days (``kpisim.sim.declines.Decline``), or None.
    """

    def __init__(
        self, scenario: Scenario, roster, blocks: list[list[Block]], rngs: dict, tactics=None, declines=None
    ):
        self.sc = scenario
        self.dec = declines
        self.env = simpy.Environment()
        self.rngs = rngs
        self.horizon_s = scenario.horizon.days * 86400.0
        self.qnames = list(scenario.queues)
        qspecs = [scenario.queues[q] for q in self.qnames]
        self.qspecs = qspecs
        self.is_voice = [q.channel == "voice" for q in qspecs]
        self.waiting: list[deque] = [deque() for _ in qspecs]
        self.nwait = [0] * len(qspecs)
        self.capacity = [q.capacity for q in qspecs]
        self.blocks = blocks
        staff = build_staff(scenario, roster)
        self.tac = tactics if tactics is not None and tactics.active else None
        if self.tac is not None:
            self.tac.adjust_staff(staff, scenario, rngs)
        self.agents = staff.agents
        self.p_resolve, self.p_transfer = staff.p_resolve, staff.p_transfer
        self.cherry_transfer, self.cherry_delay = staff.cherry_transfer, staff.cherry_delay
        self._cherry_share = staff.cherry_share
        # set in predraw: agent x queue base work above which the agent stalls (cherry-picking)
        self.cherry_thr = np.full(staff.p_resolve.shape, np.inf)
        # per (queue, priority level): heap of (slots used, idle_since, seq, version, agent)
        self.free: list[list[tuple[int, FreeHeap]]] = [[(p, FreeHeap()) for p in lv] for lv in staff.levels]
        for ag in self.agents:  # the heaps each agent is offered on, with the slots a contact takes
            ag.heaps = [
                (ag.cost[q], next(h for lv, h in self.free[q] if lv == p)) for q, p in ag.prio.items()
            ]
        self._seq = 0
        self.contacts = Contacts()
        self.states = StateLog()  # agent-state transitions
        self.n_customers = 0
        # outbound campaigns (sim/outbound.py): freed agents may dial once inbound work is done
        self.out = Dialler(self, roster, rngs) if scenario.campaigns else None

    # --- set-up ----------------------------------------------------------------------------
    def _new_contact(self, queue: int, customer: int, attempt: int, transfer_of: int) -> int:
        """Append a dynamic contact (repeat or transfer) arriving now; returns its index.

        Its inputs come from the ``return_*`` streams (one draw each per contact, patience only
        on queues with patience), never from ``returns``, so the return decisions and delays stay
        in step whatever happens to the repeat contacts (common random numbers)."""
        spec = self.qspecs[queue]
        rngs = self.rngs
        work = float(draw(spec.handle, 1, rngs["return_handle"])[0])
        pat = (
            float(draw(spec.patience, 1, rngs["return_patience"])[0]) if spec.patience is not None else np.inf
        )
        wrap = float(draw(spec.wrap_up, 1, rngs["return_wrap"])[0])
        u = rngs["return_outcomes"].random(2)
        return self.contacts.add(
            self.env.now, queue, customer, attempt, transfer_of, work, pat, wrap, float(u[0]), float(u[1])
        )

    # --- agent states ------------------------------------------------------------------------
    def _set_state(self, ag: Agent, state: int) -> None:
        ag.state = state
        self.states.record(ag, state, self.env.now)

    def _offer(self, ag: Agent) -> None:
        """Make ``ag`` findable by arriving contacts of the queues whose slots it has free."""
        ag.version += 1
        self._seq += 1
        entry = (ag.used, ag.idle_since, self._seq, ag.version, ag)
        free = ag.cap - ag.used
        for cost, heap in ag.heaps:
            if cost <= free:
                heapq.heappush(heap, entry)
                if len(heap) > heap.limit:  # mostly superseded offers: drop them
                    heap.drop_stale()

    def _withdraw(self, ag: Agent) -> None:
        ag.version += 1  # invalidates all heap entries of this agent

    # --- traffic -----------------------------------------------------------------------------
    def _arrivals(self, n0: int):
        env = self.env
        arr = self.contacts.arrival_s
        for c in range(n0):
            dt = arr[c] - env.now
            if dt > 0:
                yield env.timeout(dt)
            self._arrive(c)

    def _arrive(self, c: int) -> None:
        rec = self.contacts
        q = rec.queue[c]
        for _lv, heap in self.free[q]:
            while heap:
                _used, _idle, _s, version, ag = heap[0]
                heapq.heappop(heap)
                if version != ag.version or not ag.accepting or ag.used + ag.cost[q] > ag.cap:
                    continue
                self._answer(ag, c)
                return
        cap = self.capacity[q]
        if cap is not None and self.nwait[q] >= cap:
            rec.status[c] = BLOCKED
            rec.ended_s[c] = self.env.now
            return
        rec.queued[c] = True
        self.waiting[q].append(c)
        self.nwait[q] += 1
        pat = rec.patience_s[c]
        if pat != np.inf:
            ev = self.env.timeout(pat, value=c)
            ev.callbacks.append(self._on_patience)

    def _on_patience(self, ev) -> None:
        c = ev.value
        rec = self.contacts
        if rec.status[c] == WAITING:
            rec.status[c] = ABANDONED
            rec.ended_s[c] = self.env.now
            self.nwait[rec.queue[c]] -= 1

    # --- service -----------------------------------------------------------------------------
    def _answer(self, ag: Agent, c: int) -> None:
        rec = self.contacts
        a = ag.idx
        q = rec.queue[c]
        ag.held += 1
        ag.used += ag.cost[q]
        rec.status[c] = ANSWERED
        rec.answered_s[c] = self.env.now
        rec.agent[c] = a
        rec.concurrency[c] = ag.held
        work = rec.work_s[c]
        stalled = work > self.cherry_thr[a, q]
        handle = work * ag.speed
        if self.dec is not None:
            handle *= self.dec.factor(a, self.env.now)[0]
        if ag.held > 1:
            handle *= 1.0 + self.qspecs[q].concurrency_stretch * (ag.held - 1)
        if self.tac is not None:
            handle = self.tac.on_answer(c, a, q, work, handle)
        if stalled:
            rec.stalled[c] = True
            if self.cherry_transfer[a] > 0 and rec.u_transfer[c] < self.cherry_transfer[a]:
                handle = min(handle, self.cherry_delay[a] + 1.0)
        self._set_state(ag, BUSY)
        if ag.used < ag.cap and ag.accepting:
            self._offer(ag)
        else:
            self._withdraw(ag)
        ev = self.env.timeout(handle, value=c)
        ev.callbacks.append(self._on_talk_end)

    def _on_talk_end(self, ev) -> None:
        c = ev.value
        rec = self.contacts
        now = self.env.now
        rec.ended_s[c] = now
        a = rec.agent[c]
        q = rec.queue[c]
        ag = self.agents[a]
        p_tr = self.p_transfer[a, q]
        if rec.stalled[c] and self.cherry_transfer[a] > 0:
            p_tr = 1.0 - (1.0 - p_tr) * (1.0 - self.cherry_transfer[a])
        tac = self.tac
        if tac is not None and c in tac.dumped:
            p_tr = 1.0
        if rec.u_transfer[c] < p_tr:
            rec.transferred[c] = True
            self._transfer(c)
        elif rec.u_resolve[c] < self._p_resolve(a, q, c) and (tac is None or c not in tac.released):
            rec.resolved[c] = True
        else:
            self._schedule_return(c)
        wrap = rec.wrap_s[c]
        if tac is not None:
            wrap += tac.extra_wrap(c, a, any(self.nwait[k] for k in ag.prio))
        if wrap > 0:
            if self.is_voice[q]:
                self._set_state(ag, WRAP_UP)
            e2 = self.env.timeout(wrap, value=c)
            e2.callbacks.append(self._on_wrap_end)
        else:
            rec.wrap_end_s[c] = now
            self._release(ag, q)

    def _p_resolve(self, a: int, q: int, c: int) -> float:
        p = self.p_resolve[a, q]
        return p if self.dec is None else self.dec.p_resolve(p, a, self.contacts.answered_s[c])

    def _transfer(self, c: int) -> None:
        """Pass contact ``c``'s customer to the transfer queue now, or at the next opening if the
        centre has closed meanwhile (as returns wait); dropped if it does not open again within
        the horizon, so no contact arrives while closed or after the horizon."""
        now = self.env.now
        at = after_open_time(self.sc.horizon, now, 0.0)
        if at == now:
            self._on_transfer(c)
        elif at < self.horizon_s:
            ev = self.env.timeout(at - now, value=c)
            ev.callbacks.append(lambda ev: self._on_transfer(ev.value))

    def _on_transfer(self, c: int) -> None:
        rec = self.contacts
        target = self.qnames.index(self.qspecs[rec.queue[c]].outcomes.transfer_to)
        t = self._new_contact(target, rec.customer[c], rec.attempt[c], c)
        self._arrive(t)

    def _schedule_return(self, c: int) -> None:
        rec = self.contacts
        spec = self.qspecs[rec.queue[c]].outcomes
        if rec.attempt[c] >= spec.max_attempts:
            return
        r = self.rngs["returns"]
        u, delay = r.random(), r.exponential(spec.return_delay_h * 3600.0)
        at = after_open_time(self.sc.horizon, self.env.now, delay)
        if u >= spec.return_prob or at >= self.horizon_s:
            return
        ev = self.env.timeout(at - self.env.now, value=c)
        ev.callbacks.append(self._on_return)

    def _on_return(self, ev) -> None:
        c = ev.value
        rec = self.contacts
        t = self._new_contact(rec.queue[c], rec.customer[c], rec.attempt[c] + 1, -1)
        self._arrive(t)

    def _on_wrap_end(self, ev) -> None:
        c = ev.value
        rec = self.contacts
        rec.wrap_end_s[c] = self.env.now
        self._release(self.agents[rec.agent[c]], rec.queue[c])

    def _release(self, ag: Agent, q: int) -> None:
        """A contact of queue ``q`` has left ``ag``: take waiting work or become idle/drained."""
        ag.held -= 1
        ag.used -= ag.cost[q]
        self._freed(ag)

    def _freed(self, ag: Agent) -> None:
        """Work has left ``ag`` (slots already returned): take waiting work, else idle/drained."""
        if ag.accepting and self._pull(ag):
            return
        now = self.env.now
        if ag.held == 0:
            ag.idle_since = now
            if ag.accepting:
                self._set_state(ag, AVAILABLE)
                self._offer(ag)
                if self.out is not None:
                    self.out.on_idle(ag)
            elif ag.drained is not None:
                ev, ag.drained = ag.drained, None
                ev.succeed()
            return
        # chat: still holding sessions
        self.states.record(ag, BUSY, now)
        if ag.accepting:
            self._offer(ag)

    def _pull(self, ag: Agent) -> bool:
        """Give ``ag`` the longest-waiting contact of its highest-priority queues that fits its
        free slots; False if none."""
        rec = self.contacts
        status, arrival = rec.status, rec.arrival_s
        free = ag.cap - ag.used
        for level in ag.queues:
            best, best_q = None, -1
            for q in level:
                if ag.cost[q] > free:
                    continue
                dq = self.waiting[q]
                while dq and status[dq[0]] != WAITING:
                    dq.popleft()
                if dq and (best is None or arrival[dq[0]] < arrival[best]):
                    best, best_q = dq[0], q
            if best is not None:
                self.waiting[best_q].popleft()
                self.nwait[best_q] -= 1
                self._answer(ag, best)
                return True
        return False

    # --- shifts and breaks -------------------------------------------------------------------
    def _agent_life(self, ag: Agent, blocks: list[Block]):
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

    def _login(self, ag: Agent) -> None:
        ag.accepting = True
        ag.idle_since = self.env.now
        if not self._pull(ag):
            self._set_state(ag, AVAILABLE)
            self._offer(ag)
            if self.out is not None:
                self.out.on_idle(ag)
        else:
            while ag.used < ag.cap and self._pull(ag):
                pass

    def _drain(self, ag: Agent):
        """Stop taking work; wait until the agent holds no session."""
        ag.accepting = False
        self._withdraw(ag)
        if ag.held > 0:
            ag.drained = self.env.event()
            yield ag.drained

    # --- run ---------------------------------------------------------------------------------
    def run(self, arrivals_t: np.ndarray, arrivals_q: np.ndarray) -> None:
        """Run to completion: all arrivals processed, all agents logged out."""
        predraw(self, arrivals_t, arrivals_q)
        for ag in self.agents:
            self.states.record(ag, OFFLINE, 0.0)
            self.env.process(self._agent_life(ag, self.blocks[ag.idx]))
        self.env.process(self._arrivals(len(arrivals_t)))
        if self.out is not None:
            self.out.start()
        self.env.run()
        # contacts nobody could take (no agent left, no patience) count as abandoned at the end
        end = self.env.now
        rec = self.contacts
        for c, s in enumerate(rec.status):
            if s == WAITING:
                rec.status[c] = ABANDONED
                rec.ended_s[c] = max(end, rec.arrival_s[c])
