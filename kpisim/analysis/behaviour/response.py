"""The response model: how each agent's own KPIs move with its own tactic intensities.

Fitted from one exploration run in which every agent plays random intensities, against the
no-tactics run of the same seeds (common random numbers), per role: for every KPI column ``k``

    k(explore) - k(no tactics) = b0 + sum_t (b_t x_t + c_t x_t^2) + e

by least squares over agent-months. ``b0`` absorbs the average spill-over of everyone's
exploring (longer queues, more repeat contacts) and is not used when predicting: a prediction is
the agent's own no-tactics KPI plus ``sum_t b_t x_t + c_t x_t^2`` (clipped to the metric's
bounds, counts rounded). Roles with too few rows for their own fit use the pooled fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpisim.kpi.registry import METRICS
from kpisim.vocab import TACTICS

#: Columns that identify a KPI row or describe the agent (never modelled).
KEYS = ("scenario_id", "replication", "seed", "agent_id", "period")


def design(x: np.ndarray) -> np.ndarray:
    """[1, x_1..x_T, x_1^2..x_T^2] per row."""
    return np.hstack([np.ones((len(x), 1)), x, x**2])


def metric_columns(kt: pd.DataFrame) -> list[str]:
    """Numeric KPI columns of ``kt`` (keys excluded)."""
    return [c for c in kt.columns if c not in KEYS and pd.api.types.is_numeric_dtype(kt[c])]


@dataclass
class ResponseModel:
    """Coefficients per role: ``coef[role]`` is (1 + 2T) x metrics (intercept, linear, squared).

    Attributes:
        metrics: modelled KPI columns; ``se``: standard errors like ``coef``; ``n``: rows per fit.
    """

    metrics: list[str]
    coef: dict[str, np.ndarray]
    se: dict[str, np.ndarray] = field(default_factory=dict)
    n: dict[str, int] = field(default_factory=dict)

    def delta(self, x: np.ndarray, roles: np.ndarray) -> np.ndarray:
        """Predicted own-KPI change (rows x metrics) for intensities ``x`` (rows x T)."""
        out = np.zeros((len(x), len(self.metrics)))
        d = design(x)
        d[:, 0] = 0.0  # no spill-over intercept in predictions
        for role in np.unique(roles):
            m = roles == role
            out[m] = d[m] @ self.coef.get(str(role), self.coef["*"])
        return out

    def predict(self, base: pd.DataFrame, x: np.ndarray, roles: np.ndarray) -> np.ndarray:
        """Predicted KPI values (rows x metrics) of ``base`` rows under intensities ``x``."""
        v = base[self.metrics].to_numpy(dtype=float, na_value=np.nan) + self.delta(x, roles)
        return finish(v, self.metrics, [str(base[c].dtype) for c in self.metrics])

    def table(self) -> pd.DataFrame:
        """Long table: role, metric, tactic, term (linear/squared), coef, se."""
        rows = []
        for role, b in self.coef.items():
            se = self.se.get(role, np.full_like(b, np.nan))
            for j, m in enumerate(self.metrics):
                for i, t in enumerate(TACTICS):
                    for k, term in ((1 + i, "linear"), (1 + len(TACTICS) + i, "squared")):
                        rows.append((role, m, t, term, b[k, j], se[k, j]))
        return pd.DataFrame(rows, columns=["role", "metric", "tactic", "term", "coef", "se"])


def finish(v: np.ndarray, metrics: list[str], dtypes: list[str]) -> np.ndarray:
    """Clip to the registry bounds and round count columns."""
    for j, m in enumerate(metrics):
        b = METRICS[m].bounds if m in METRICS else None
        if b is not None:
            lo = -np.inf if b.lower is None else b.lower
            v[:, j] = np.clip(v[:, j], lo, np.inf if b.upper is None else b.upper)
        if dtypes[j].lower().startswith("int"):
            v[:, j] = np.rint(v[:, j])
    return v


def _lstsq(d: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(y)
    if ok.sum() <= d.shape[1]:
        return np.zeros(d.shape[1]), np.full(d.shape[1], np.nan)
    a, yy = d[ok], y[ok]
    ridge = 1e-6 * len(yy) * np.eye(d.shape[1])
    ridge[0, 0] = 0.0
    xtx = a.T @ a + ridge
    inv = np.linalg.pinv(xtx)
    b = inv @ a.T @ yy
    resid = yy - a @ b
    s2 = float(resid @ resid) / max(1, len(yy) - d.shape[1])
    return b, np.sqrt(np.clip(np.diag(inv) * s2, 0, None))


def fit(base: pd.DataFrame, explore: pd.DataFrame, x: np.ndarray, roles: np.ndarray) -> ResponseModel:
    """Fit the response model from aligned rows of ``base`` and ``explore`` (same keys, same
    order) and the exploration intensities ``x`` (rows x T) and ``roles`` of those rows."""
    metrics = [m for m in metric_columns(base) if m in explore.columns]
    y = explore[metrics].to_numpy(dtype=float, na_value=np.nan) - base[metrics].to_numpy(
        dtype=float, na_value=np.nan
    )
    d = design(x)
    coef, se, n = {}, {}, {}
    min_rows = 3 * d.shape[1]
    groups = [("*", np.ones(len(d), dtype=bool))] + [(str(r), roles == r) for r in np.unique(roles)]
    for role, m in groups:
        if role != "*" and m.sum() < min_rows:
            continue
        fits = [_lstsq(d[m], y[m, j]) for j in range(len(metrics))]
        coef[role] = np.column_stack([f[0] for f in fits]) if fits else np.zeros((d.shape[1], 0))
        se[role] = np.column_stack([f[1] for f in fits]) if fits else np.zeros((d.shape[1], 0))
        n[role] = int(m.sum())
    return ResponseModel(metrics, coef, se, n)
