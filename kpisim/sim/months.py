"""Calendar months of a run of several months, and the learning curve that ties an agent's
traits to tenure (S3 #8: new agents are slower and less skilled).

The scenario's ``horizon.start`` starts month 0, which runs to the end of that calendar month;
month ``m`` is the ``m``-th calendar month after it (so a start on the 1st gives whole calendar
months; ``horizon.days`` is not used). The
scenario's one-off ``multipliers`` apply in the month that holds their date.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from kpisim.scenario.models import Horizon, Scenario
from kpisim.scenario.turnover import DAYS_PER_MONTH, Tenure

#: traits the learning curve moves: handle-time multiplier, odds of resolving, odds of selling
SPEED, SKILLS = "true_speed", ("true_resolution", "true_sales")


def month_bounds(
    scenario: Scenario, months: int, *, month_days: int | None = None
) -> list[tuple[dt.date, int, int]]:
    """(first date, first day index since the run start, days) of each month of the run.

    ``month_days`` shortens every month to that many days from its first (quick studies and
    tests: the months keep their dates, pay and consequences, with less traffic).
    """
    start = scenario.horizon.start
    out, day = [], 0
    for m in range(months):
        first = _add_months(start, m)
        nxt = _add_months(start, m + 1)
        days = (nxt - first).days if month_days is None else min(month_days, (nxt - first).days)
        out.append((first, day, days))
        day += days
    return out


def _add_months(d: dt.date, k: int) -> dt.date:
    y, mo = divmod(d.month - 1 + k, 12)
    year, month = d.year + y, mo + 1
    if k == 0:
        return d
    return dt.date(year, month, 1) if d.day != 1 else dt.date(year, month, d.day)


def month_scenario(scenario: Scenario, first: dt.date, days: int) -> Scenario:
    """``scenario`` over one month: horizon ``first`` + ``days``, its multipliers of that month."""
    last = first + dt.timedelta(days=days - 1)
    horizon = Horizon.model_validate({**scenario.horizon.model_dump(), "start": first, "days": days})
    mults = [m for m in scenario.multipliers if first <= m.date <= last]
    return scenario.model_copy(update={"horizon": horizon, "multipliers": mults})


def potential(drawn: pd.DataFrame, tenure: Tenure, months: np.ndarray) -> pd.DataFrame:
    """Trained potential of agents whose drawn traits describe them at ``months`` of tenure."""
    out = drawn.copy()
    out[SPEED] = out[SPEED].to_numpy(float) / np.array([tenure.speed_factor(t) for t in months])
    skill = np.array([tenure.skill_factor(t) for t in months])
    for col in SKILLS:
        out[col] = out[col].to_numpy(float) / skill
    return out


def effective(pot: pd.DataFrame, tenure: Tenure, months: np.ndarray) -> pd.DataFrame:
    """The traits agents work with at ``months`` of tenure (potential x the learning curve)."""
    out = pot.copy()
    out[SPEED] = out[SPEED].to_numpy(float) * np.array([tenure.speed_factor(t) for t in months])
    skill = np.array([tenure.skill_factor(t) for t in months])
    for col in SKILLS:
        out[col] = out[col].to_numpy(float) * skill
    return out


def tenure_months(hired_day: np.ndarray, day: float | np.ndarray) -> np.ndarray:
    """Tenure in months on run day ``day`` of agents hired on ``hired_day`` (negative: before
    the run)."""
    return (day - np.asarray(hired_day, dtype=float)) / DAYS_PER_MONTH
