"""What the equilibrium costs customers and the company, against no behavioural response."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as _st

from kpisim.analysis.stats import t_ci
from kpisim.vocab import TACTICS

#: Threshold above which an agent counts as using a tactic.
USING = 0.05


def consequences(policy: str, without: list[dict], at_eq: list[dict]) -> pd.DataFrame:
    """One row per measure: mean without response, at equilibrium, paired difference + 95 % CI.

    ``without``/``at_eq``: per replication (same seeds, common random numbers) measure dicts.
    """
    rows = []
    for m in without[0]:
        w = np.array([d[m] for d in without], dtype=float)
        e = np.array([d[m] for d in at_eq], dtype=float)
        diff, lo, hi, n = t_ci(e - w)
        rows.append(
            {
                "policy": policy,
                "measure": m,
                "without_response": float(np.nanmean(w)) if np.isfinite(w).any() else np.nan,
                "at_equilibrium": float(np.nanmean(e)) if np.isfinite(e).any() else np.nan,
                "difference": diff,
                "difference_lo": lo,
                "difference_hi": hi,
                "replications": n,
            }
        )
    return pd.DataFrame(rows)


def with_money(measures: list[dict], payouts: list[float]) -> list[dict]:
    """Add the month's payout and the company cost (payout + contacts + refunded sales)."""
    out = []
    for d, p in zip(measures, payouts, strict=True):
        d = dict(d)
        d["payout_cents"] = float(p)
        d["company_cost_cents"] = float(p) + d["contact_cost_cents"] + d["refunded_cents"]
        d["csat_inflation"] = d["measured_csat"] - d["true_csat"]
        d["fcr_inflation"] = d["measured_fcr"] - d["true_fcr"]
        out.append(d)
    return out


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    z = float(_st.norm.ppf(0.975))
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (mid - half, mid + half)


def behaviour_table(policy: str, x: np.ndarray, roles: np.ndarray) -> pd.DataFrame:
    """One row per role x tactic: share of agents using it (Wilson 95 % CI), mean intensity
    (t 95 % CI over the role's agents)."""
    rows = []
    for role in sorted(set(roles.tolist())):
        m = roles == role
        for j, t in enumerate(TACTICS):
            v = x[m, j]
            k = int((v > USING).sum())
            slo, shi = _wilson(k, int(m.sum()))
            mean, lo, hi, n = t_ci(v)
            rows.append(
                {
                    "policy": policy,
                    "role": role,
                    "tactic": t,
                    "share_using": k / max(1, n),
                    "share_lo": slo,
                    "share_hi": shi,
                    "mean_intensity": mean,
                    "intensity_lo": lo,
                    "intensity_hi": hi,
                    "agents": n,
                }
            )
    return pd.DataFrame(rows)
