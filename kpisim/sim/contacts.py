"""The engine's per-contact record: one typed array per field (struct of arrays), one row per contact.

Each field is an ``array.array`` of machine values (8-byte floats and integers, 1-byte flags),
not a Python list: a list holds an 8-byte pointer to a separate number object per contact and
field (~30 bytes per float), which made the engine's per-contact storage the run's peak memory.
The engine reads and writes single fields in SimPy callbacks, where ``array`` indexing is as
cheap as list indexing. ``kpisim.sim.run`` takes the arrays as numpy arrays (no copy) once the
run is over.

A contact's *inputs* (when and where it arrives, who it is, its pre-drawn random work, patience,
wrap-up and outcome uniforms) are given when it is added; its *outcome* fields start at the
defaults below and are written by the engine as the contact is served.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping, Sequence

import numpy as np

# contact status codes
WAITING, ANSWERED, ABANDONED, BLOCKED = range(4)

#: Input fields, in the order ``add`` takes them, with their ``array`` type code
#: ("d": float64, "q": int64, "b": int8 flag or code).
INPUTS: dict[str, str] = {
    "arrival_s": "d",  # arrival time (s since horizon start)
    "queue": "q",  # queue index (scenario order)
    "customer": "q",  # customer number (first contacts 0..n-1; repeats and transfers keep theirs)
    "attempt": "q",  # 1 = first contact; +1 per repeat contact
    "transfer_of": "q",  # index of the contact this one was transferred from, -1 if none
    "work_s": "d",  # base work (s) before the agent's speed and chat stretch
    "patience_s": "d",  # patience (s; inf = waits forever)
    "wrap_s": "d",  # after-contact work (s)
    "u_resolve": "d",  # uniform deciding resolution
    "u_transfer": "d",  # uniform deciding transfer (and the cherry-picking dump)
}

#: Outcome fields: their value before the engine writes them, and their ``array`` type code.
OUTCOMES: dict[str, tuple[object, str]] = {
    "status": (WAITING, "b"),
    "queued": (False, "b"),  # waited in a queue (was not answered on arrival)
    "answered_s": (math.nan, "d"),
    "ended_s": (math.nan, "d"),  # end of talk / chat, or of waiting (abandoned, blocked)
    "wrap_end_s": (math.nan, "d"),
    "agent": (-1, "q"),
    "concurrency": (0, "q"),  # contacts the agent held once this one was answered (this one included)
    "transferred": (False, "b"),
    "resolved": (False, "b"),
    "stalled": (False, "b"),  # cherry-picked: the agent stalled on it
}

_CODES = {**INPUTS, **{name: code for name, (_default, code) in OUTCOMES.items()}}
_NUMPY = {"d": np.float64, "q": np.int64, "b": np.int8}


class Contacts:
    """All contacts of one replication, one typed array per field (see ``INPUTS`` and ``OUTCOMES``)."""

    __slots__ = tuple(_CODES)

    def __init__(self) -> None:
        for name, code in _CODES.items():
            setattr(self, name, array(code))

    def __len__(self) -> int:
        return len(self.arrival_s)

    def add_many(self, **inputs: Sequence) -> None:
        """Append contacts given one sequence (or numpy array) per input field, all the same length."""
        n = len(inputs["arrival_s"])
        for name, code in INPUTS.items():
            values = np.asarray(inputs[name], dtype=_NUMPY[code])
            if values.shape != (n,):
                raise ValueError(f"{name}: {values.size} values for {n} contacts")
            getattr(self, name).frombytes(memoryview(np.ascontiguousarray(values)).cast("B"))
        for name, (default, code) in OUTCOMES.items():
            getattr(self, name).frombytes(memoryview(np.full(n, default, dtype=_NUMPY[code])).cast("B"))

    def add(self, *inputs) -> int:
        """Append one contact (inputs in ``INPUTS`` order); returns its index."""
        for name, value in zip(INPUTS, inputs, strict=True):
            getattr(self, name).append(value)
        for name, (default, _code) in OUTCOMES.items():
            getattr(self, name).append(default)
        return len(self.arrival_s) - 1

    def pop_arrays(self, dtypes: Mapping[str, object]) -> dict[str, np.ndarray]:
        """Every field as a numpy array (``dtypes[name]``, else the field's own type); the record
        is left empty. A field whose type already matches is handed over without a copy; the
        others are converted one at a time, so the peak holds at most one field twice."""
        out, n = {}, len(self)
        for name, code in _CODES.items():
            raw = np.frombuffer(getattr(self, name), dtype=_NUMPY[code]) if n else np.empty(0, _NUMPY[code])
            want = np.dtype(dtypes.get(name, raw.dtype))
            out[name] = raw if raw.dtype == want else raw.astype(want)
            setattr(self, name, array(code))
        return out
