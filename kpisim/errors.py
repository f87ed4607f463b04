"""The project's exception types.

Library code raises these with the bad value in the message; the CLI turns them into one
line on stderr and exit code 2.
"""

from __future__ import annotations


class KpisimError(Exception):
    """Base class for every error kpisim raises on purpose."""


class SpecError(KpisimError):
    """A scenario or policy file (or object) is invalid.

    Args:
        file: path of the file, or "<object>" when built in Python.
        field: dotted field path inside the file, e.g. ``queues.presales.handle.cv``.
        message: what is wrong: the bad value and what is allowed.
    """

    def __init__(self, file: str, field: str, message: str):
        self.file = str(file)
        self.field = field
        self.message = message
        where = f"{self.file}: {field}" if field else self.file
        super().__init__(f"{where}: {message}")


class DataError(KpisimError):
    """An event log or export has bad rows or columns.

    Args:
        message: the summary, naming the file.
        problems: optional list of ``(row_number, reason)`` pairs (1-based data rows).
    """

    def __init__(self, message: str, problems: list[tuple[int, str]] | None = None):
        self.problems = list(problems or [])
        self.summary = message
        text = message
        if self.problems:
            shown = "; ".join(f"row {r}: {why}" for r, why in self.problems[:10])
            more = len(self.problems) - 10
            text += f" [{shown}{f'; and {more} more' if more > 0 else ''}]"
        super().__init__(text)
