"""Progress reporting of long runs: a tqdm bar in a terminal, plain timestamped lines otherwise.

``progress`` arguments of the runner take ``True`` (a tqdm bar; in Jupyter its widget),
``"auto"`` (a bar when stderr is a terminal, else lines such as
``[12:03:04] staffing: 6/18 runs (33 %), 41 s elapsed`` that a CI log shows as they happen) or
``False`` (nothing).
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

#: a plain line at most this often (seconds), besides the first and the last
EVERY_S = 5.0


def stamp() -> str:
    return time.strftime("%H:%M:%S")


def line(message: str, *, stream: TextIO | None = None) -> None:
    """One timestamped progress line on stderr (a stage starting or ending)."""
    s = stream or sys.stderr
    print(f"[{stamp()}] {message}", file=s, flush=True)


class Lines:
    """A progress counter printing plain timestamped lines (same ``update``/``close`` as tqdm)."""

    def __init__(self, total: int, desc: str, unit: str = "run", stream: TextIO | None = None):
        self.total, self.desc, self.unit, self.n = int(total), desc, unit, 0
        self.stream = stream or sys.stderr
        self.t0 = self.last = time.monotonic()
        self._say()

    def _say(self) -> None:
        pct = 100 * self.n / self.total if self.total else 100
        el = time.monotonic() - self.t0
        line(
            f"{self.desc}: {self.n}/{self.total} {self.unit}s ({pct:.0f} %), {el:.0f} s elapsed",
            stream=self.stream,
        )

    def update(self, k: int = 1) -> None:
        self.n += k
        now = time.monotonic()
        if self.n >= self.total or now - self.last >= EVERY_S:
            self.last = now
            self._say()

    def close(self) -> None:
        pass


def is_terminal(stream: Any = None) -> bool:
    s = stream or sys.stderr
    try:
        return bool(s.isatty())
    except (AttributeError, ValueError):
        return False


def counter(progress: bool | str, total: int, desc: str, unit: str = "run"):
    """The progress counter ``progress`` asks for (None for none); see the module docstring."""
    if not progress:
        return None
    if progress == "auto" and not is_terminal():
        return Lines(total, desc, unit)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit)
