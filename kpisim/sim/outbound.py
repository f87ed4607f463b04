"""Outbound campaigns in the engine: calling lists, dial attempts and blended agents.

One ``Dialler`` serves all campaigns of a run. The engine calls ``on_idle(agent)`` whenever an
agent becomes free (after its inbound work, on login), so inbound calls always come first: a
freed agent takes waiting inbound work before it may dial. An idle agent of a campaign's groups
starts a dial attempt when

- the campaign's contact window is open and a record of its list is due: a retry whose spacing
  has passed (earliest first) before a fresh record (list order),
- no inbound call of the queues the campaign's groups serve has waited longer than
  ``blend.max_inbound_wait_s`` (checked again at the moment of dialling, after a preview), and
- at least ``blend.keep_free`` other agents who serve those queues are free for inbound.

An attempt holds the agent (state ``busy``) through the preview (preview mode), the ringing, and a
connected call's talk, then ``wrap_up``; then the agent is freed as after an inbound call.

Randomness (common random numbers): every record's draws are made before the run, per record and
attempt, from the ``dials`` stream (outcome uniform, ring and preview seconds) and per record
from the ``outbound`` stream (talk, wrap-up, sale uniform, sale value), so a record's fate does not
depend on when it is dialled or on what happens to inbound traffic. A scenario without campaigns
draws nothing from them and runs exactly as before.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from kpisim.sim.agents import BUSY, WRAP_UP, Agent
from kpisim.sim.contacts import WAITING
from kpisim.sim.distributions import draw
from kpisim.vocab import DIAL_OUTCOMES

CONNECTED = DIAL_OUTCOMES.index("connected")
WRONG_NUMBER = DIAL_OUTCOMES.index("wrong_number")
# record status codes (index into vocab.RECORD_STATUSES)
OPEN, DONE_CONNECTED, DONE_WRONG, EXHAUSTED = range(4)


class _Campaign:
    """One campaign's list, pre-drawn inputs and agents."""

    def __init__(self, idx: int, name: str, spec, eng, group_of: list[str], rngs: dict):
        self.idx, self.name, self.spec = idx, name, spec
        days = eng.sc.horizon.days
        n, a = spec.records(days), spec.retry.max_attempts
        self.n = n
        day = np.zeros(n, dtype=np.int64)
        if spec.refresh_per_day:
            day[spec.list_size :] = 1 + np.arange(n - spec.list_size) // spec.refresh_per_day
        self.added_s = (day * 86400.0).tolist()
        d = rngs["dials"]
        self.u_outcome = d.random((n, a))
        self.ring_s = draw(spec.ring, n * a, d).reshape(n, a)
        self.preview_s = draw(spec.preview, n * a, d).reshape(n, a)
        o = rngs["outbound"]
        self.talk_s = draw(spec.talk, n, o)
        self.wrap_s = draw(spec.wrap_up, n, o) if spec.wrap_up is not None else np.zeros(n)
        self.u_sale = o.random(n)
        self.z_value = o.standard_normal(n)
        self.cum_p = np.cumsum(spec.outcomes.probabilities())
        self.retry_on = {DIAL_OUTCOMES.index(x) for x in spec.retry.after}
        self.attempts = [0] * n
        self.status = [OPEN] * n
        # fresh records by the time they join the list (already in heap order), retries by the
        # time they become due; a due retry is dialled before a fresh record
        self.fresh: list[tuple[float, int]] = [(t, r) for r, t in enumerate(self.added_s)]
        self.retries: list[tuple[float, int]] = []
        qnames = list(eng.sc.queues)
        groups = set(spec.groups)
        self.agents = [ag for ag in eng.agents if group_of[ag.idx] in groups]
        served = {q for ag in self.agents for q in ag.prio}
        self.queues = sorted(served)
        self.queue_names = [qnames[q] for q in self.queues]
        self.pool = [ag for ag in eng.agents if any(q in ag.prio for q in served)]
        start_wd = eng.sc.horizon.start.weekday()
        self.windows = [spec.window((start_wd + d) % 7) for d in range(days)]


class Dialler:
    """The outbound side of one replication (see the module docstring).

    Records: ``dials`` (one tuple per attempt: campaign, record, attempt, agent, dialled_s,
    ended_s, outcome, outbound contact number or -1) and ``calls`` (one list per field of the
    connected calls: campaign, record, attempt, agent, answered_s, ended_s, wrap_end_s).
    """

    def __init__(self, eng, roster, rngs: dict):
        self.eng = eng
        group_of = roster["group"].astype(str).tolist()
        self.camps = [
            _Campaign(i, n, s, eng, group_of, rngs) for i, (n, s) in enumerate(eng.sc.campaigns.items())
        ]
        self.of_agent: dict[int, _Campaign] = {ag.idx: c for c in self.camps for ag in c.agents}
        self.pools: dict[int, list[_Campaign]] = {}
        for c in self.camps:
            for ag in c.pool:
                self.pools.setdefault(ag.idx, []).append(c)
        self.dials: list[tuple[int, int, int, int, float, float, int, int]] = []
        self.calls: dict[str, list] = {
            k: [] for k in ("campaign", "record", "attempt", "agent", "answered_s", "ended_s", "wrap_end_s")
        }
        self.wake: float | None = None

    # --- when to dial ----------------------------------------------------------------------
    def start(self) -> None:
        """Wake at the first moment any campaign could dial."""
        for c in self.camps:
            self._wake_for(c)

    def on_idle(self, ag: Agent) -> None:
        """``ag`` has just become free: idle agents of the campaigns it serves may dial."""
        for c in self.pools.get(ag.idx, ()):
            self._try(c)

    def _try(self, c: _Campaign) -> None:
        """Start attempts for idle agents of ``c`` (longest idle first) while the rules allow."""
        idle = [ag for ag in c.agents if ag.accepting and ag.held == 0]
        if not idle:
            return
        now = self.eng.env.now
        if not self._in_window(c, now):
            self._wake_for(c)
            return
        if self._longest_wait(c) > c.spec.blend.max_inbound_wait_s:
            return
        # agents free for inbound (the idle campaign agents among them); each dial takes one away
        free = sum(1 for a in c.pool if a.accepting and a.held == 0)
        keep = c.spec.blend.keep_free
        if len(idle) > 1:
            idle.sort(key=lambda ag: ag.idle_since)
        for ag in idle:
            if free - 1 < keep:  # the others still free if ``ag`` dialled
                return
            r = self._next_record(c, now)
            if r < 0:
                self._wake_for(c)
                return
            self._begin(c, ag, r)
            free -= 1

    def _longest_wait(self, c: _Campaign) -> float:
        eng = self.eng
        status, arrival = eng.contacts.status, eng.contacts.arrival_s
        oldest = math.inf
        for q in c.queues:
            dq = eng.waiting[q]
            while dq and status[dq[0]] != WAITING:
                dq.popleft()
            if dq and arrival[dq[0]] < oldest:
                oldest = arrival[dq[0]]
        return eng.env.now - oldest if oldest != math.inf else 0.0

    def _in_window(self, c: _Campaign, t: float) -> bool:
        day = int(t // 86400.0)
        w = c.windows[day] if day < len(c.windows) else None
        return w is not None and w[0] * 60.0 <= t - day * 86400.0 < w[1] * 60.0

    def _next_window(self, c: _Campaign, t: float) -> float:
        """The first moment >= t inside a contact window (inf if none within the horizon)."""
        day = int(t // 86400.0)
        for d in range(day, len(c.windows)):
            w = c.windows[d]
            if w is None:
                continue
            lo, hi = d * 86400.0 + w[0] * 60.0, d * 86400.0 + w[1] * 60.0
            if t < hi:
                return max(t, lo)
        return math.inf

    def _next_record(self, c: _Campaign, now: float) -> int:
        """Pop the earliest due retry, else the earliest fresh record on the list (due <= now),
        or -1."""
        for heap in (c.retries, c.fresh):
            if heap and heap[0][0] <= now:
                return heapq.heappop(heap)[1]
        return -1

    def _next_due(self, c: _Campaign) -> float:
        return min(c.retries[0][0] if c.retries else math.inf, c.fresh[0][0] if c.fresh else math.inf)

    def _wake_for(self, c: _Campaign) -> None:
        """Schedule a retry of ``c`` at the next moment a record is due inside a window."""
        now = self.eng.env.now
        t = max(now, self._next_due(c))
        t = self._next_window(c, t) if t != math.inf else t
        if t == now:  # due now but the rules said no: the next freed agent retries
            return
        if t < self.eng.horizon_s and (self.wake is None or t < self.wake or self.wake <= now):
            self.wake = t
            ev = self.eng.env.timeout(t - now, value=t)
            ev.callbacks.append(self._on_wake)

    def _on_wake(self, ev) -> None:
        if self.wake == ev.value:
            self.wake = None
        for c in self.camps:
            self._try(c)

    # --- an attempt ------------------------------------------------------------------------
    def _begin(self, c: _Campaign, ag: Agent, r: int) -> None:
        eng = self.eng
        ag.held += 1
        ag.used += ag.cap
        eng._withdraw(ag)
        eng._set_state(ag, BUSY)
        if c.spec.mode == "preview":
            ev = eng.env.timeout(float(c.preview_s[r, c.attempts[r]]), value=(c, ag, r))
            ev.callbacks.append(lambda ev: self._dial(*ev.value))
        else:
            self._dial(c, ag, r)

    def _dial(self, c: _Campaign, ag: Agent, r: int) -> None:
        now = self.eng.env.now
        if self._longest_wait(c) > c.spec.blend.max_inbound_wait_s or not self._in_window(c, now):
            heapq.heappush(c.retries if c.attempts[r] else c.fresh, (now, r))  # back, no attempt used
            self._free(ag)
            return
        k = c.attempts[r]
        c.attempts[r] = k + 1
        outcome = int(np.searchsorted(c.cum_p, c.u_outcome[r, k], side="right"))
        outcome = min(outcome, len(DIAL_OUTCOMES) - 1)
        ring = float(c.ring_s[r, k])
        self.dials.append((c.idx, r, k + 1, ag.idx, now, now + ring, outcome, -1))
        ev = self.eng.env.timeout(ring, value=(c, ag, r, outcome, len(self.dials) - 1))
        ev.callbacks.append(lambda ev: self._on_outcome(*ev.value))

    def _on_outcome(self, c: _Campaign, ag: Agent, r: int, outcome: int, d: int) -> None:
        now = self.eng.env.now
        if outcome == CONNECTED:
            c.status[r] = DONE_CONNECTED
            calls = self.calls
            n = len(calls["record"])
            self.dials[d] = (*self.dials[d][:7], n)
            for k, v in (("campaign", c.idx), ("record", r), ("attempt", c.attempts[r]), ("agent", ag.idx)):
                calls[k].append(v)
            calls["answered_s"].append(now)
            talk = float(c.talk_s[r]) * ag.speed
            calls["ended_s"].append(now + talk)
            calls["wrap_end_s"].append(now + talk + float(c.wrap_s[r]))
            ev = self.eng.env.timeout(talk, value=(ag, float(c.wrap_s[r])))
            ev.callbacks.append(lambda ev: self._on_talk_end(*ev.value))
            return
        if outcome == WRONG_NUMBER:
            c.status[r] = DONE_WRONG
        elif outcome in c.retry_on and c.attempts[r] < c.spec.retry.max_attempts:
            heapq.heappush(c.retries, (now + c.spec.retry.spacing_min * 60.0, r))
        else:
            c.status[r] = EXHAUSTED
        self._free(ag)

    def _on_talk_end(self, ag: Agent, wrap: float) -> None:
        if wrap > 0:
            self.eng._set_state(ag, WRAP_UP)
            ev = self.eng.env.timeout(wrap, value=ag)
            ev.callbacks.append(lambda ev: self._free(ev.value))
        else:
            self._free(ag)

    def _free(self, ag: Agent) -> None:
        ag.held -= 1
        ag.used -= ag.cap
        self.eng._freed(ag)
