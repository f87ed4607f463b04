"""The engine's per-contact record: one list per field (struct of arrays), one row per contact.

Python lists, not numpy arrays: the engine reads and writes single fields in SimPy callbacks,
where list indexing is much faster than numpy scalar access. ``kpisim.sim.run`` turns the
lists into the ``contacts`` table once the run is over.

A contact's *inputs* (when and where it arrives, who it is, its pre-drawn random work, patience,
wrap-up and outcome uniforms) are given when it is added; its *outcome* fields start at the
defaults below and are written by the engine as the contact is served.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

# contact status codes
WAITING, ANSWERED, ABANDONED, BLOCKED = range(4)

#: Input fields, in the order ``add`` takes them.
INPUTS: tuple[str, ...] = (
    "arrival_s",  # arrival time (s since horizon start)
    "queue",  # queue index (scenario order)
    "customer",  # customer number (first contacts 0..n-1; repeats and transfers keep theirs)
    "attempt",  # 1 = first contact; +1 per repeat contact
    "transfer_of",  # index of the contact this one was transferred from, -1 if none
    "work_s",  # base work (s) before the agent's speed and chat stretch
    "patience_s",  # patience (s; inf = waits forever)
    "wrap_s",  # after-contact work (s)
    "u_resolve",  # uniform deciding resolution
    "u_transfer",  # uniform deciding transfer (and the cherry-picking dump)
)

#: Outcome fields and their value before the engine writes them.
OUTCOMES: dict[str, object] = {
    "status": WAITING,
    "queued": False,  # waited in a queue (was not answered on arrival)
    "answered_s": math.nan,
    "ended_s": math.nan,  # end of talk / chat, or of waiting (abandoned, blocked)
    "wrap_end_s": math.nan,
    "agent": -1,
    "concurrency": 0,  # contacts the agent held once this one was answered (this one included)
    "transferred": False,
    "resolved": False,
    "stalled": False,  # cherry-picked: the agent stalled on it
}


class Contacts:
    """All contacts of one replication, one list per field (see ``INPUTS`` and ``OUTCOMES``)."""

    __slots__ = INPUTS + tuple(OUTCOMES)

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, [])

    def __len__(self) -> int:
        return len(self.arrival_s)

    def add_many(self, **inputs: Sequence) -> None:
        """Append contacts given one sequence per input field (all the same length)."""
        n = len(inputs["arrival_s"])
        for name in INPUTS:
            values = list(inputs[name])
            if len(values) != n:
                raise ValueError(f"{name}: {len(values)} values for {n} contacts")
            getattr(self, name).extend(values)
        for name, default in OUTCOMES.items():
            getattr(self, name).extend([default] * n)

    def add(self, *inputs) -> int:
        """Append one contact (inputs in ``INPUTS`` order); returns its index."""
        for name, value in zip(INPUTS, inputs, strict=True):
            getattr(self, name).append(value)
        for name, default in OUTCOMES.items():
            getattr(self, name).append(default)
        return len(self.arrival_s) - 1

    def pop_arrays(self, dtypes: Mapping[str, object]) -> dict[str, np.ndarray]:
        """Every field as a numpy array (``dtypes[name]``, else numpy's choice), each list
        emptied as soon as it is converted: the run's peak memory holds the lists or the
        arrays of a field, not both for all fields."""
        out = {}
        for name in self.__slots__:
            out[name] = np.asarray(getattr(self, name), dtype=dtypes.get(name))
            setattr(self, name, [])
        return out
