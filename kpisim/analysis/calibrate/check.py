"""The proof of a calibration: simulate the calibrated scenario and put its KPIs beside the
export's (service level, abandonment, ASA, AHT, FCR, conversion per queue), with the KPI
engine's own definitions (``docs/metrics.md``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.io.eventlog import EventLog
from kpisim.kpi.compute import kpis
from kpisim.scenario.models import Scenario
from kpisim.sim.run import simulate

METRICS = {
    "service_level": ("service level (answered within 20 s / offered)", "%"),
    "abandon_rate": ("abandonment", "%"),
    "asa_s": ("average speed of answer", "s"),
    "aht_s": ("average handle time (talk + wrap-up)", "s"),
    "fcr_rate": ("first-contact resolution (no repeat within 24 h)", "%"),
    "conversion_rate": ("conversion (pre-sales)", "%"),
}


def queue_kpis(log: EventLog) -> pd.DataFrame:
    """The checked KPIs per queue over the whole log (months pooled, weighted by contacts)."""
    t = kpis(log, by=("queue",), period="month", metrics=[*METRICS, "offered"])
    w = t["offered"].astype(
        float
    )  # a month with three contacts after midnight must not weigh like a whole month
    rows = []
    for q, g in t.assign(_w=w).groupby("queue"):
        row = {"queue": q}
        for m in METRICS:
            v = g[m].to_numpy(dtype=float)
            ok = ~np.isnan(v)
            row[m] = float(np.average(v[ok], weights=g["_w"].to_numpy()[ok])) if ok.any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def reproduce(
    scenario: Scenario, observed: EventLog, *, seed: int = 1, replications: int = 1
) -> pd.DataFrame:
    """Observed vs simulated KPIs per queue: columns queue, metric, what, unit, observed,
    simulated, difference (simulated - observed, in the metric's unit)."""
    sim = simulate(scenario, seed=seed, replications=replications)
    obs = queue_kpis(observed).set_index("queue")
    got = queue_kpis(sim).set_index("queue")
    rows = []
    for q in obs.index:
        for m, (what, unit) in METRICS.items():
            k = 100.0 if unit == "%" else 1.0
            o, s = obs.at[q, m] * k, (got.at[q, m] * k if q in got.index else np.nan)
            if (np.isnan(o) and np.isnan(s)) or (m == "conversion_rate" and o == 0 and s == 0):
                continue  # conversion only where the queue sells
            rows.append(
                {
                    "queue": q,
                    "metric": m,
                    "what": what,
                    "unit": unit,
                    "observed": o,
                    "simulated": s,
                    "difference": s - o,
                }
            )
    return pd.DataFrame(rows)
