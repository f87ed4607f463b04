"""Named random streams from (seed, replication).

No global RNG, ever. Each random source gets its own ``numpy.random.Generator`` spawned from
``SeedSequence([seed, replication])`` in the fixed order of ``STREAMS``. A new stream is
appended to the end of ``STREAMS``, never inserted, so old results stay reproducible.

The agents themselves (their hidden true traits) are, by default, the same people in every
replication: ``population_rng(seed)`` draws them from ``SeedSequence([seed])``, which depends on
the seed only. Replications then differ by the month's luck (traffic, handle times, outcomes,
attendance), not by who works there, so pay variance can be split into within-agent (luck) and
between-agent parts.
"""

from __future__ import annotations

import numpy as np

#: Fixed order of named streams. Append only.
STREAMS: tuple[str, ...] = (
    "arrivals",  # arrival times per queue
    "handle",  # per-contact base work (handle time before the agent's speed)
    "patience",  # per-contact patience (abandonment)
    "outcomes",  # per-contact uniforms for resolution, transfer, sales, survey, ...
    "traits",  # agents' hidden true traits
    "attendance",  # lateness, absence, leave per agent-day
    "conduct",  # conduct events per agent-day
    "returns",  # whether and after what delay an unresolved customer comes back (nothing else)
    "chat",  # chat conversation detail (messages, response times)
    "qa",  # QA sampling and scores
    "silent",  # silent orders (no contact)
    "wrap",  # after-contact work
    # repeat and transferred contacts (created during the run), in creation order:
    "return_handle",  # their base work
    "return_patience",  # their patience
    "return_wrap",  # their after-contact work
    "return_outcomes",  # their resolution / transfer uniforms
    "tactics",  # agents' tactics in the run: per-contact uniforms by contact index (sim/tactics.py)
    "detection",  # after the run: survey selection, QA / complaint detection of gaming
    # outbound campaigns (sim/outbound.py), drawn per calling-list record before the run:
    "dials",  # per (record, attempt): outcome uniform, ring and preview durations
    "outbound",  # per record: talk, wrap-up, sale uniform and sale value of its connected call
    "declines",  # agents' hidden sustained declines and off-days (sim/declines.py)
)


def streams(seed: int, replication: int = 0) -> dict[str, np.random.Generator]:
    """Return one independent generator per name in ``STREAMS``.

    Args:
        seed: the run's seed (non-negative int).
        replication: replication number (0-based).
    """
    children = np.random.SeedSequence([int(seed), int(replication)]).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=False)}


#: Fixed order of the streams only runs of several months use (``kpisim.analysis.year``), drawn
#: between months. Append only. Kept apart from ``STREAMS`` so neither order moves the other.
YEAR_STREAMS: tuple[str, ...] = (
    "turnover",  # voluntary-leave uniforms, one per agent on the month's roster
    "hires",  # hidden traits of replacement hires
)

#: tags in the seed sequences of a month of a multi-month run (``month_streams``): month 0 never
#: shares its streams with replication ``r`` of a one-month run
_MONTH_TAG, _YEAR_TAG = 0x59454152, 0x59454153


def month_streams(seed: int, replication: int, month: int) -> dict[str, np.random.Generator]:
    """The named streams of month ``month`` (0-based) of replication ``replication`` of a run of
    several months: the ``STREAMS`` as children of ``SeedSequence([seed, replication, tag,
    month])`` and the ``YEAR_STREAMS`` as children of a second sequence with another tag;
    independent of ``streams(seed, r)``, of every other month and of each other."""
    seq = np.random.SeedSequence([int(seed), int(replication), _MONTH_TAG, int(month)])
    out = {name: np.random.default_rng(c) for name, c in zip(STREAMS, seq.spawn(len(STREAMS)), strict=True)}
    year = np.random.SeedSequence([int(seed), int(replication), _YEAR_TAG, int(month)])
    kids = year.spawn(len(YEAR_STREAMS))
    return out | {name: np.random.default_rng(c) for name, c in zip(YEAR_STREAMS, kids, strict=True)}


def population_rng(seed: int) -> np.random.Generator:
    """The generator of the agents' hidden traits when the population is fixed across replications.

    Drawn from ``SeedSequence([seed])`` (no replication number), so every replication of a seed
    gets the same agents; independent of the per-replication ``streams``.
    """
    return np.random.default_rng(np.random.SeedSequence([int(seed)]))


def behaviour_rng(seed: int) -> np.random.Generator:
    """The generator of the agents' hidden costs of effort and gaming (per agent, seed only).

    A child of ``SeedSequence([seed])`` (spawn key 0): independent of ``population_rng(seed)``
    and of the per-replication ``streams``, so drawing costs changes no existing result.
    """
    return np.random.default_rng(np.random.SeedSequence([int(seed)]).spawn(1)[0])
