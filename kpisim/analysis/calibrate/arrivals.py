"""Arrivals per queue: daily volume x weekday factors x dated multipliers x intraday profile.

Only **first contacts** count (``prep.classify``): repeats and transfers are created by the
simulator from the resolution and transfer rates, so counting them here would count them twice.

- Promotion-like days: a day whose first contacts exceed the median of the same weekday's other
  days by half and by more than 5 Poisson standard deviations is a dated multiplier,
  ``factor = count / (volume x weekday factor)``. It needs at least three of that weekday (three
  weeks of data): with fewer, a peak day cannot be told from a weekday effect.
- Weekday factors: the mean count of each weekday (multiplier days left out). Weekdays that do
  not differ from the pooled level by more than 3 standard errors *and* 5 % share factor 1; the
  pooled level of those days is ``daily_volume``. So the scenario lists only the weekdays that
  really differ, and the volume is estimated from all ordinary days.
- Profile: first contacts per interval of the day (all days), normalised to mean 1 over the open
  intervals.

Uncertainty: counts are treated as Poisson (95 % intervals from the counts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.analysis.calibrate.base import Part
from kpisim.analysis.calibrate.fitting import Z95
from kpisim.analysis.calibrate.prep import Hours
from kpisim.scenario.base import WEEKDAYS


def _weekday_levels(counts: np.ndarray, wd: np.ndarray, promo: np.ndarray):
    levels, ses, ns = {}, {}, {}
    for w in range(7):
        m = (wd == w) & ~promo
        if m.any():
            levels[w] = counts[m].mean()
            ses[w] = np.sqrt(max(levels[w], 1.0) / m.sum())
            ns[w] = int(m.sum())
    return levels, ses, ns


def _promo_days(counts: np.ndarray, wd: np.ndarray) -> np.ndarray:
    promo = np.zeros(counts.size, dtype=bool)
    for d in range(counts.size):
        same = (wd == wd[d]) & (np.arange(counts.size) != d)
        if same.sum() < 2:  # fewer than three of this weekday: a peak is not told from a weekday effect
            continue
        ref = np.median(counts[same])
        if ref > 0 and counts[d] > 1.5 * ref and (counts[d] - ref) / np.sqrt(ref) > 5:
            promo[d] = True
    return promo


def fit_arrivals(c: pd.DataFrame, hours: Hours, interval_min: int, *, customer_share: float = 1.0) -> Part:
    """Arrival model of every queue (``c`` from ``prep.classify``). ``customer_share``: the export
    holds this share of the centre's customers (a sample), so volumes are divided by it."""
    part = Part("arrivals")
    dates = pd.date_range(hours.start, periods=hours.days, freq="D")
    wd = dates.day_of_week.to_numpy()
    per_day = 1440 // interval_min
    daily_rows, interval_rows, multipliers = [], [], []
    queues: dict[str, dict] = {}
    for q, cq in c.groupby("queue", sort=True):
        first = cq[cq["kind"] == "first"]
        day = (first["arrival_at"].dt.normalize() - hours.start).dt.days.to_numpy()
        counts = np.bincount(day, minlength=hours.days).astype(float)[: hours.days]
        promo = _promo_days(counts, wd)
        levels, ses, ns = _weekday_levels(counts, wd, promo)
        ordinary = set(levels)
        for _ in range(3):  # pooled level of the weekdays that do not differ from it
            days_m = np.isin(wd, list(ordinary)) & ~promo
            level = counts[days_m].mean() if days_m.any() else np.mean(list(levels.values()))
            se_level = np.sqrt(max(level, 1.0) / max(days_m.sum(), 1))
            ordinary = {
                w
                for w, lv in levels.items()
                if abs(lv - level) <= 3 * np.hypot(ses[w], se_level) or abs(lv / max(level, 1e-9) - 1) <= 0.05
            } or {sorted(levels, key=levels.get)[len(levels) // 2]}  # none: the median weekday
        factors = {WEEKDAYS[w]: round(levels[w] / level, 3) for w in levels if w not in ordinary}
        for w in sorted(set(levels) - ordinary):
            lo, hi = (levels[w] - Z95 * ses[w]) / level, (levels[w] + Z95 * ses[w]) / level
            part.est(q, f"weekday_factor.{WEEKDAYS[w]}", levels[w] / level, lo, hi, method=f"{ns[w]} day(s)")
        part.est(
            q,
            "weekday_factor (all other days)",
            1.0,
            method="pooled level: " + ", ".join(WEEKDAYS[w] for w in sorted(ordinary)),
        )
        part.est(
            q,
            "daily_volume",
            level / customer_share,
            (level - Z95 * se_level) / customer_share,
            (level + Z95 * se_level) / customer_share,
            unit="first contacts/day",
            method="Poisson mean of the ordinary days",
        )
        wfac = np.array([levels[w] / level if w in levels and w not in ordinary else 1.0 for w in wd])
        expected = level * wfac
        for d in np.flatnonzero(promo):
            f = counts[d] / expected[d]
            se = np.sqrt(counts[d]) / expected[d]
            multipliers.append(
                {
                    "date": dates[d].date(),
                    "factor": round(float(f), 3),
                    "queues": [q],
                    "name": "detected peak",
                }
            )
            part.est(
                q, f"multiplier.{dates[d].date()}", f, f - Z95 * se, f + Z95 * se, method="count / expected"
            )
        fitted = expected * np.where(promo, counts / np.maximum(expected, 1e-9), 1.0)
        kinds = cq.assign(day=(cq["arrival_at"].dt.normalize() - hours.start).dt.days)
        rep = np.bincount(kinds.loc[kinds["kind"] == "repeat", "day"], minlength=hours.days)[: hours.days]
        tra = np.bincount(kinds.loc[kinds["kind"] == "transfer", "day"], minlength=hours.days)[: hours.days]
        for d in range(hours.days):
            daily_rows.append(
                {
                    "queue": q,
                    "date": dates[d].date(),
                    "weekday": WEEKDAYS[wd[d]],
                    "first_contacts": int(counts[d]),
                    "fitted": round(float(fitted[d]), 1),
                    "repeats": int(rep[d]),
                    "transfers": int(tra[d]),
                    "peak_day": bool(promo[d]),
                }
            )
        tod = (first["arrival_at"] - first["arrival_at"].dt.normalize()).dt.total_seconds() // (
            interval_min * 60
        )
        by_int = np.bincount(tod.astype(int), minlength=per_day)[:per_day].astype(float)
        o, k = hours.open_min // interval_min, hours.close_min // interval_min
        open_mask = np.zeros(per_day, dtype=bool)
        open_mask[o:k] = True
        prof = np.where(open_mask, by_int, 0.0)
        prof = prof / prof[open_mask].mean() if prof[open_mask].sum() > 0 else open_mask.astype(float)
        total_days = counts.sum() / max(by_int.sum(), 1)
        del total_days
        mean_day = counts.mean()
        for i in range(per_day):
            if open_mask[i]:
                interval_rows.append(
                    {
                        "queue": q,
                        "interval": f"{i * interval_min // 60:02d}:{i * interval_min % 60:02d}",
                        "observed_per_day": by_int[i] / hours.days,
                        "fitted_per_day": mean_day * prof[i] / open_mask.sum(),
                    }
                )
        queues[q] = {
            "daily_volume": round(float(level / customer_share), 2),
            "weekday_factor": factors,
            "profile": [round(float(x), 4) for x in prof],
        }
    part.values = {"queues": queues, "multipliers": multipliers}
    part.tables["arrivals_daily"] = pd.DataFrame(daily_rows)
    part.tables["arrivals_interval"] = pd.DataFrame(interval_rows)
    return part
