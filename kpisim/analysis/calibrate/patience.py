"""Patience per queue from censored waits.

A customer who abandoned after waiting ``w`` seconds had a patience of exactly ``w`` (observed);
one who was answered after ``w`` seconds would have waited at least ``w`` (right-censored). The
naive mean wait of the abandoners only sees the impatient customers, and is far too short when
most customers are answered before they give up. The maximum-likelihood fit over both groups
(``fitting.best_fit`` with censoring; for the exponential family ``mean = total waiting time /
abandonments``) is unbiased; a Kaplan-Meier curve is kept beside it as a model-free check.

Blocked contacts and contacts answered without waiting carry no information about patience.
Limit: patience longer than the longest observed wait is extrapolated by the fitted family.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.analysis.calibrate.base import Part
from kpisim.analysis.calibrate.fitting import best_fit, kaplan_meier, mean_ci, survival


def fit_patience(c: pd.DataFrame) -> Part:
    """Patience model of every queue (``c``: all contacts)."""
    part = Part("patience")
    queues, rows, curves = {}, [], []
    for q, cq in c.groupby("queue", sort=True):
        cq = cq[~cq["blocked"]]
        w = cq["wait_s"].to_numpy(dtype=float)
        ab = cq["abandoned"].to_numpy(dtype=bool)
        obs, cens = w[ab & (w > 0)], w[~ab & (w > 0)]
        naive = mean_ci(obs)
        part.est(
            q,
            "naive mean wait of abandoners",
            naive[0],
            naive[1],
            naive[2],
            unit="s",
            method="biased: ignores the censored waits",
        )
        if obs.size < 5:
            part.default(
                q,
                "patience",
                "none (never abandons)",
                f"only {obs.size} abandonment(s) after a wait: patience not identified",
            )
            queues[q] = None
            continue
        best, fits = best_fit(obs, cens)
        part.est(
            q,
            "patience.mean_s",
            best.mean_s,
            best.mean_lo,
            best.mean_hi,
            unit="s",
            method=f"{best.dist}, censored maximum likelihood (AIC)",
        )
        for f in fits:
            rows.append({"queue": q, **f.as_row(), "chosen": f is best})
        spec = {"dist": best.dist, "mean_s": round(best.mean_s, 2)}
        if best.cv is not None:
            spec["cv"] = round(best.cv, 3)
        queues[q] = spec
        t, s = kaplan_meier(w[w > 0], ab[w > 0])
        # up to the 95th percentile of the waits: beyond it a handful of customers make the curve
        grid = np.linspace(0, np.quantile(w[w > 0], 0.95), 41) if t.size else np.array([])
        km = s[np.searchsorted(t, grid, side="right") - 1] if t.size else grid
        km = np.where(grid < t[0], 1.0, km) if t.size else km
        curves += [
            {"queue": q, "wait_s": g, "kaplan_meier": k, "fitted": f}
            for g, k, f in zip(grid, km, survival(best, grid), strict=True)
        ]
    part.values = {"queues": queues}
    part.tables["patience_fits"] = pd.DataFrame(rows)
    part.tables["patience_survival"] = pd.DataFrame(curves)
    return part
