"""Free-agent heaps drop superseded offers without changing who answers."""

from __future__ import annotations

import heapq
from types import SimpleNamespace

import numpy as np

from kpisim.sim.freeheap import SLACK, FreeHeap


def test_dropping_stale_offers_keeps_the_pop_order_of_live_ones_and_bounds_the_heap():
    rng = np.random.default_rng(2)
    agents = [SimpleNamespace(version=0) for _ in range(50)]
    heap, plain, biggest = FreeHeap(), [], 0
    for seq in range(1, 5001):  # agents re-offered again and again: most entries go stale
        ag = agents[rng.integers(len(agents))]
        ag.version += 1
        entry = (int(rng.integers(0, 3)), float(rng.random()), seq, ag.version, ag)
        heapq.heappush(heap, entry)
        if len(heap) > heap.limit:
            heap.drop_stale()
        heapq.heappush(plain, entry)  # the same offers, never trimmed
        biggest = max(biggest, len(heap))
    assert len(plain) == 5000 and biggest <= 2 * len(agents) + SLACK + 1
    live = [heapq.heappop(heap) for _ in range(len(heap))]
    live = [e for e in live if e[3] == e[4].version]
    want = [e for e in (heapq.heappop(plain) for _ in range(len(plain))) if e[3] == e[4].version]
    assert live == want and len(want) == len(agents)
