"""The scenario's building blocks: the spec base model (frozen, no unknown keys, finite numbers),
plausible sizes, clock times and random distributions."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kpisim.io.load import reject_bools

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: the dates a scenario may cover (pandas timestamps reach 1677-2262; a centre's plans, far less)
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
#: plausible sizes (docs/scenario.md); a larger centre is several scenarios
MAX_AGENTS_PER_GROUP = 10_000
MAX_CONCURRENCY = 50
MAX_DAILY_VOLUME = 1_000_000
MAX_FACTOR = 100.0
MAX_CENTS = 10**10  # one order or value: 100 million in major units
MAX_DURATION_S = 7 * 86_400.0


class _Spec(BaseModel):
    # every float of every spec is finite (no .nan / .inf in YAML) unless a field says otherwise
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_numbers(cls, data):
        return reject_bools(cls, data)


def parse_clock(value: str, *, allow_24: bool = True) -> int:
    """``"HH:MM"`` -> minutes after midnight (``"24:00"`` -> 1440)."""
    if not isinstance(value, str) or len(value.split(":")) != 2:
        raise ValueError(f"expected a time 'HH:MM', got {value!r}")
    hh, mm = value.split(":")
    if not (hh.isdigit() and mm.isdigit()):
        raise ValueError(f"expected a time 'HH:MM', got {value!r}")
    h, m = int(hh), int(mm)
    if m >= 60 or h > 24 or (h == 24 and (m != 0 or not allow_24)):
        raise ValueError(f"expected a time between 00:00 and 24:00, got {value!r}")
    return h * 60 + m


class Distribution(_Spec):
    """A positive random duration (seconds).

    ``exponential`` uses only ``mean_s``; ``lognormal`` and ``gamma`` need ``cv`` (standard
    deviation / mean, > 0); ``fixed`` always gives ``mean_s``.
    """

    dist: Literal["exponential", "lognormal", "gamma", "fixed"] = "exponential"
    mean_s: float = Field(gt=0, le=MAX_DURATION_S, description="Mean in seconds (> 0, at most a week).")
    cv: float | None = Field(
        default=None, le=20, description="Coefficient of variation (> 0, <= 20) for lognormal/gamma."
    )

    @model_validator(mode="after")
    def _check_cv(self):
        if self.dist in ("lognormal", "gamma") and self.cv is None:
            raise ValueError(f"dist {self.dist!r} needs cv (> 0)")
        if self.cv is not None and self.cv <= 0:
            raise ValueError(f"cv must be > 0, got {self.cv}")
        return self


def _iso_date(value):
    """Dates are written 2026-11-02; a bare number would be read as seconds since 1970."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("expected a date written YYYY-MM-DD, e.g. 2026-11-02")
    return value
