"""Formatting helpers of the reports: money in currency units, shares as percentages, plain numbers
(never scientific notation), intervals clipped to the range a quantity can take, and the caution to
show when an interval is too wide to answer the question.

Pure functions of numbers to strings; nothing here computes a result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: An interval covering more than this share of a bounded quantity's range answers nothing.
WIDE_SHARE = 0.5


def _missing(v) -> bool:
    try:
        return v is None or math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def money(cents, currency: str = "CNY", *, unit: bool = True, sign: bool = False, decimals: int = 2) -> str:
    """Integer cents as currency units with thousands separators: ``123456 -> "1,234.56 CNY"``.

    ``unit=False`` leaves the currency out (for a column whose header names it); ``sign=True``
    writes ``+`` before a positive amount (a change); ``decimals=0`` rounds to whole units.
    Missing values give "–".
    """
    if _missing(cents):
        return "–"
    v = float(cents) / 100
    s = f"{v:+,.{decimals}f}" if sign else f"{v:,.{decimals}f}"
    s = s.replace("-", "−")
    return f"{s} {currency}" if unit else s


def pct(share, *, decimals: int = 1, sign: bool = False) -> str:
    """A share (0.0571) as a percentage ("5.7 %"); ``sign=True`` for a change ("+5.7 %")."""
    if _missing(share):
        return "–"
    v = 100 * float(share)
    s = f"{v:+.{decimals}f}" if sign else f"{v:.{decimals}f}"
    return s.replace("-", "−") + " %"


def number(x, *, digits: int = 3) -> str:
    """A plain number with thousands separators and about ``digits`` significant digits, never in
    scientific notation: ``6.09e6 -> "6,090,000"``, ``0.758 -> "0.758"``, ``3.0 -> "3"``."""
    if _missing(x):
        return "–"
    v = float(x)
    if v == 0:
        return "0"
    mag = math.floor(math.log10(abs(v)))
    decimals = max(0, digits - 1 - mag)
    if mag >= digits:  # round large numbers to `digits` significant digits
        v = round(v, -(mag - digits + 1))
    s = f"{v:,.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s.replace("-", "−")


def clip(lo, hi, bounds: tuple[float | None, float | None] = (None, None)) -> tuple[float, float]:
    """The interval ``[lo, hi]`` clipped to ``bounds`` (``None``: unbounded on that side)."""
    low, high = bounds
    lo, hi = float(lo), float(hi)
    if low is not None:
        lo, hi = max(lo, low), max(hi, low)
    if high is not None:
        lo, hi = min(lo, high), min(hi, high)
    return lo, hi


def replications_for(lo, hi, *, replications: int, target_half_width: float) -> int:
    """Replications needed to bring the half width of ``[lo, hi]`` (from ``replications``
    runs) down to ``target_half_width``: the width shrinks as 1/sqrt(n)."""
    half = (float(hi) - float(lo)) / 2
    if half <= target_half_width or target_half_width <= 0:
        return int(replications)
    return int(math.ceil(replications * (half / target_half_width) ** 2))


@dataclass(frozen=True)
class Estimate:
    """A formatted estimate with its 95 % interval and, when it cannot answer, a caution."""

    text: str
    interval: str
    caution: str = ""

    def __str__(self) -> str:
        s = f"{self.text} [{self.interval}]" if self.interval else self.text
        return f"{s} ⚠" if self.caution else s


def estimate(
    value,
    lo=None,
    hi=None,
    *,
    kind: str = "number",
    currency: str = "CNY",
    bounds: tuple[float | None, float | None] = (None, None),
    replications: int | None = None,
    sign: bool = False,
    decimals: int | None = None,
) -> Estimate:
    """An estimate and its interval, both in the same unit (``kind``: ``money`` = cents shown in
    currency units, ``pct`` = share shown as %, ``number``), the interval clipped to ``bounds``.

    For a quantity bounded on both sides, an interval spanning more than half its range gets a
    caution saying so and, given ``replications``, how many would narrow it to a tenth of the range.
    """

    if decimals is None and kind == "money" and not _missing(value):
        decimals = 0 if abs(float(value)) >= 100_000 else 2  # whole units from 1,000 up
    if decimals is None:
        decimals = 1

    def f(v) -> str:
        if kind == "money":
            return money(v, currency, unit=False, sign=sign, decimals=decimals)
        if kind == "pct":
            return pct(v, sign=sign, decimals=decimals)
        return number(v)

    if _missing(value):
        return Estimate("–", "")
    if _missing(lo) or _missing(hi):
        return Estimate(f(value), "")
    lo_c, hi_c = clip(lo, hi, bounds)
    caution = ""
    low, high = bounds
    if low is not None and high is not None and high > low and (hi_c - lo_c) > WIDE_SHARE * (high - low):
        caution = f"the 95 % interval spans {100 * (hi_c - lo_c) / (high - low):.0f} % of the possible range"
        if replications:
            need = replications_for(lo, hi, replications=replications, target_half_width=0.05 * (high - low))
            caution += f": {replications} replications cannot answer this; about {need:,} would"
    return Estimate(f(value), f"{f(lo_c)} to {f(hi_c)}", caution)


def metric_value(metric: str, x, *, relative: bool = False) -> str:
    """A value of ``metric`` in its unit's words: a ratio metric as a percentage ("99 %"), others as
    a plain number; ``relative``: a multiple of the team average ("1.15 x team average").
    ``metric`` may be a variant column (``conversion_rate@queues=presales``)."""
    from kpisim.kpi.registry import METRICS

    if relative:
        return f"{number(x)} × team average"
    m = METRICS.get(metric.partition("@")[0])
    if m is not None and m.unit == "ratio" and not _missing(x):
        return pct(x, decimals=0 if float(x) * 100 == round(float(x) * 100) else 1)
    return number(x)
