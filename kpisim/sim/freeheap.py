"""The free-agent heaps of the routing: who answers an arriving contact.

One heap per (queue, skill priority) holds offers ``(slots used, idle_since, seq, version,
agent)``: the least-loaded, then longest-idle agent first (``kpisim.sim.engine``'s routing rule).
An agent re-offered (after answering or finishing a contact) pushes a new entry and bumps its
``version``; the old entries are *stale* and skipped when popped. Stale entries made the heaps
grow to several times the number of agents in a large centre, and every push and pop paid for
their depth; ``FreeHeap`` drops them whenever the heap has doubled since it last held only live
offers, so it stays within about twice its live offers (amortised cost O(1) per push).
"""

from __future__ import annotations

import heapq

#: Entries a heap may always hold before its stale ones are dropped.
SLACK = 64


class FreeHeap(list):
    """A heapq list of offers that drops its stale entries when it has doubled."""

    __slots__ = ("limit",)

    def __init__(self) -> None:
        super().__init__()
        self.limit = SLACK

    def push(self, entry: tuple) -> None:
        heapq.heappush(self, entry)
        if len(self) > self.limit:
            self.drop_stale()

    def drop_stale(self) -> None:
        """Remove the entries of superseded offers (version no longer the agent's), in place.
        They would be skipped when popped; the live entries keep their order (the sequence
        number makes every key distinct), so who answers what is unchanged."""
        self[:] = [e for e in self if e[3] == e[4].version]
        heapq.heapify(self)
        self.limit = 2 * len(self) + SLACK
