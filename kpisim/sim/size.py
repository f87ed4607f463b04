"""How big a run will be, estimated from the scenario before anything is simulated.

A mistyped volume (``daily_volume: 1e6`` for ``1e3``) or a huge headcount would otherwise run
for hours or exhaust memory; :func:`check_run_size` refuses such runs up front unless the caller
says the size is intended (``allow_large=True``, ``--allow-large`` on the command line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from kpisim.errors import KpisimError
from kpisim.provenance import loaded_from
from kpisim.scenario.models import WEEKDAYS, Scenario

#: limits of an ordinary run (docs/scenario.md, "Run size")
MAX_CONTACTS = 20_000_000  # contacts over all replications (about 20 min of simulation)
MAX_MEMORY_BYTES = 8 * 10**9  # event logs held in memory at once
MAX_AGENTS = 20_000
BYTES_PER_CONTACT = 1_000  # measured ~520 B in the final tables; about twice that at the peak

_ALLOWED: ContextVar[bool] = ContextVar("kpisim_allow_large", default=False)


@contextmanager
def large_runs_allowed() -> Iterator[None]:
    """Within the block every size check passes (the CLI's ``--allow-large``); analyses that run
    many replications (compare, staffing) check each run without a parameter of their own."""
    token = _ALLOWED.set(True)
    try:
        yield
    finally:
        _ALLOWED.reset(token)


def _attempts(scenario: Scenario, q: str) -> float:
    """Expected contacts per arriving issue: retries of unresolved ones, plus transfers."""
    o = scenario.queues[q].outcomes
    back = (1 - o.resolve) * o.return_prob
    return sum(back**k for k in range(o.max_attempts)) * (1 + o.transfer)


def run_size(scenario: Scenario, *, replications: int = 1, in_memory: int | None = None) -> dict:
    """Expected contacts (per replication and in all), agents and peak memory of a run.

    Args:
        replications: replications simulated.
        in_memory: replications whose logs are held at once (default all, as ``simulate`` does).
    """
    h = scenario.horizon
    per_rep = 0.0
    for d in range(h.days):
        date = h.start + dt.timedelta(days=d)
        if h.open_minutes(date.weekday()) is None:
            continue
        for name, q in scenario.queues.items():
            f = q.weekday_factor.get(WEEKDAYS[date.weekday()], 1.0)
            for m in scenario.multipliers:
                if m.date == date and (m.queues is None or name in m.queues):
                    f *= m.factor
            per_rep += q.daily_volume * f * _attempts(scenario, name)
    held = replications if in_memory is None else min(in_memory, replications)
    return {
        "contacts_per_replication": int(per_rep),
        "contacts": int(per_rep * replications),
        "agents": scenario.n_agents,
        "memory_bytes": int(per_rep * held * BYTES_PER_CONTACT),
    }


def check_run_size(
    scenario: Scenario, *, replications: int = 1, in_memory: int | None = None, allow_large: bool = False
) -> dict:
    """:func:`run_size`, refusing a run beyond the limits unless ``allow_large``.

    Raises:
        KpisimError: naming the scenario, the estimate and the limit.
    """
    size = run_size(scenario, replications=replications, in_memory=in_memory)
    if allow_large or _ALLOWED.get():
        return size
    where = f"{loaded_from(scenario) or '<object>'}: scenario {scenario.id!r}"
    hint = "; check the volumes and counts, or pass --allow-large (allow_large=True) if it is intended"
    if size["agents"] > MAX_AGENTS:
        raise KpisimError(f"{where} has {size['agents']:,} agents, more than {MAX_AGENTS:,}{hint}")
    if size["contacts"] > MAX_CONTACTS:
        raise KpisimError(
            f"{where}: about {size['contacts']:,} contacts over {replications} replication(s), "
            f"more than {MAX_CONTACTS:,}{hint}"
        )
    if size["memory_bytes"] > MAX_MEMORY_BYTES:
        raise KpisimError(
            f"{where}: the event log would need about {size['memory_bytes'] / 1e9:.1f} GB of memory "
            f"({size['contacts_per_replication']:,} contacts per replication), more than "
            f"{MAX_MEMORY_BYTES / 1e9:.0f} GB{hint}"
        )
    return size
