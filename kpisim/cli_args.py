"""The argparse types of every number the ``kpisim`` command takes, defined once.

Each type checks the range and raises ``argparse.ArgumentTypeError`` with the bad value and what
is allowed; argparse adds the option's name, and the CLI's parser prints it as one line on stderr
and exits with code 2 (see :class:`kpisim.cli.Parser`).
"""

from __future__ import annotations

import argparse
import math

SEED_LIMIT = 2**63  # numpy's SeedSequence takes any non-negative int; the manifest keeps it in JSON int64


def _int(text: str, allowed: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give {allowed}") from None


def _float(text: str, allowed: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isnan(value) or math.isinf(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give {allowed}")
    return value


def seed(text: str) -> int:
    """A random seed: an integer 0 <= seed < 2**63."""
    allowed = "an integer from 0 to 2**63 - 1"
    value = _int(text, allowed)
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give {allowed}")
    return value


def positive_int(text: str) -> int:
    """A count of at least 1 (replications, jobs, days, minutes, headcounts)."""
    allowed = "an integer >= 1"
    value = _int(text, allowed)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give {allowed}")
    return value


def cents(text: str) -> int:
    """An amount of money in integer cents, >= 0."""
    allowed = "a whole number of cents >= 0, e.g. 5000 for 50.00"
    value = _int(text, allowed)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give {allowed}")
    return value


def fraction(text: str) -> float:
    """A fraction strictly between 0 and 1 (service-level target, highest abandonment): the
    Erlang staffing functions reject 0 and 1 (a target of 1 is never met)."""
    allowed = "a fraction in (0, 1), e.g. 0.8 for 80 %"
    value = _float(text, allowed)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give {allowed}")
    return value


def seconds(text: str) -> float:
    """A positive, finite number of seconds."""
    allowed = "a number of seconds > 0, e.g. 20"
    value = _float(text, allowed)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give {allowed}")
    return value


def headcounts(text: str) -> list[int]:
    """Comma-separated headcounts, each an integer >= 1 (``30,36,42``)."""
    allowed = "comma-separated integers >= 1, e.g. 20,25,30"
    items = [h.strip() for h in text.split(",") if h.strip()]
    if not items:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give {allowed}")
    out = []
    for h in items:
        try:
            value = int(h)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(f"{h!r} is not allowed; give {allowed}")
        out.append(value)
    return out


def non_negative_int(text: str) -> int:
    """A whole number >= 0 (e.g. replications of an optional check; 0 skips it)."""
    v = _int(text, "a whole number >= 0")
    if v < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give a whole number >= 0")
    return v


def share(text: str) -> float:
    """A share in (0, 1] (e.g. 0.025 for 2.5 %)."""
    v = _float(text, "a number in (0, 1], e.g. 0.025")
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give a number in (0, 1], e.g. 0.025")
    return v


SCHEDULER_HELP = (
    "run the replications on Dask: 'local' starts a LocalCluster (--jobs workers), "
    "tcp://HOST:8786 uses a running scheduler (pip install 'kpisim[dask]'; docs/cluster.md); "
    "default: local processes"
)


def add_scheduler(parser: argparse.ArgumentParser) -> None:
    """Add ``--scheduler`` (where replications run; see :func:`kpisim.analysis.executors.open_executor`)."""
    parser.add_argument("--scheduler", metavar="ADDRESS", help=SCHEDULER_HELP)
