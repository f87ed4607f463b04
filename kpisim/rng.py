"""Named random streams from (seed, replication).

No global RNG, ever. Each random source gets its own ``numpy.random.Generator`` spawned from
``SeedSequence([seed, replication])`` in the fixed order of ``STREAMS``. A new stream is
appended to the end of ``STREAMS``, never inserted, so old results stay reproducible.
"""

from __future__ import annotations

import numpy as np

#: Fixed order of named streams. Append only.
STREAMS: tuple[str, ...] = (
    "arrivals",     # arrival times per queue
    "handle",       # per-contact base work (handle time before the agent's speed)
    "patience",     # per-contact patience (abandonment)
    "outcomes",     # per-contact uniforms for resolution, transfer, sales, survey, ...
    "traits",       # agents' hidden true traits
    "attendance",   # lateness, absence, leave per agent-day
    "conduct",      # conduct events per agent-day
    "returns",      # delay before an unresolved customer comes back
    "chat",         # chat conversation detail (messages, response times)
    "qa",           # QA sampling and scores
    "silent",       # silent orders (no contact)
    "wrap",         # after-contact work
)


def streams(seed: int, replication: int = 0) -> dict[str, np.random.Generator]:
    """Return one independent generator per name in ``STREAMS``.

    Args:
        seed: the run's seed (non-negative int).
        replication: replication number (0-based).
    """
    children = np.random.SeedSequence([int(seed), int(replication)]).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}
