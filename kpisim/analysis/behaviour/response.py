"""The response model: how each agent's own KPIs move with its own tactic intensities.

Fitted from one exploration run in which every agent plays random intensities, against the
no-tactics run of the same seeds (common random numbers), per role: for every KPI column ``k``

    k(explore) - k(no tactics) = b0 + sum_t (b_t x_t + c_t x_t^2) + e

by least squares over agent-months (the squared terms only with at least ``QUADRATIC_ROWS``
rows, else a linear model). ``b0`` is the average spill-over of everyone's exploring (longer or
shorter queues, contacts taken from colleagues, repeat contacts); a prediction is the agent's own
no-tactics KPI plus ``b0 x s + sum_t b_t x_t + c_t x_t^2`` where ``s`` is the profile's mean total
intensity relative to the exploration's (no tactics anywhere: no spill-over), clipped to the
metric's bounds, counts rounded. Roles with too few rows for their own fit use the pooled fit.
Modelled columns: those that vary between agents of a month in either run (a column that only
tactics move, such as rule breaches from caught gaming, is all zero without them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpisim.kpi.registry import METRICS
from kpisim.vocab import TACTICS

#: Columns that identify a KPI row or describe the agent (never modelled).
KEYS = ("scenario_id", "replication", "seed", "agent_id", "period")
#: Rows needed before squared terms are fitted.
QUADRATIC_ROWS = 150


def design(x: np.ndarray) -> np.ndarray:
    """[1, x_1..x_T, x_1^2..x_T^2] per row."""
    return np.hstack([np.ones((len(x), 1)), x, x**2])


def metric_columns(kt: pd.DataFrame) -> list[str]:
    """Numeric KPI columns of ``kt`` that vary between agents (keys excluded; a centre-level
    value such as silent-order sales is the same for every agent of a month and no agent's
    tactic moves it)."""
    cols = [c for c in kt.columns if c not in KEYS and pd.api.types.is_numeric_dtype(kt[c])]
    by = [c for c in ("replication", "period") if c in kt.columns]
    if not by or not cols:
        return cols
    spread = kt.groupby(by, dropna=False)[cols].nunique(dropna=False).max()
    return [c for c in cols if spread[c] > 1]


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
    explore_total: float = 1.0

    def spill(self, x: np.ndarray) -> float:
        """Spill-over scale of a profile (agents x T): its mean total intensity relative to the
        exploration's."""
        return float(x.sum(axis=1).mean() / self.explore_total) if len(x) else 0.0

    def delta(self, x: np.ndarray, roles: np.ndarray, spill: float = 0.0) -> np.ndarray:
        """Predicted KPI change (rows x metrics) for own intensities ``x`` (rows x T) when the
        profile's spill-over scale is ``spill``."""
        out = np.zeros((len(x), len(self.metrics)))
        d = design(x)
        d[:, 0] = spill
        for role in np.unique(roles):
            m = roles == role
            out[m] = d[m] @ self.coef.get(str(role), self.coef["*"])
        return out

    def predict(self, base: pd.DataFrame, x: np.ndarray, roles: np.ndarray, spill: float = 0.0) -> np.ndarray:
        """Predicted KPI values (rows x metrics) of ``base`` rows under intensities ``x``."""
        v = base[self.metrics].to_numpy(dtype=float, na_value=np.nan) + self.delta(x, roles, spill)
        return finish(v, self.metrics, [str(base[c].dtype) for c in self.metrics])

    def restricted(self, metrics: list[str]) -> ResponseModel:
        """The same model for a subset of its metrics."""
        idx = [self.metrics.index(m) for m in metrics]
        return ResponseModel(
            list(metrics),
            {r: b[:, idx] for r, b in self.coef.items()},
            {r: b[:, idx] for r, b in self.se.items()},
            dict(self.n),
            self.explore_total,
        )

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
    if ok.sum() <= np.count_nonzero(d.any(axis=0)):
        return np.zeros(d.shape[1]), np.full(d.shape[1], np.nan)
    a, yy = d[ok], y[ok]
    ridge = 1e-6 * len(yy) * np.eye(d.shape[1])
    ridge[0, 0] = 0.0
    xtx = a.T @ a + ridge
    inv = np.linalg.pinv(xtx)
    b = inv @ a.T @ yy
    resid = yy - a @ b
    used = a.any(axis=0)
    s2 = float(resid @ resid) / max(1, len(yy) - int(used.sum()))
    return np.where(used, b, 0.0), np.where(used, np.sqrt(np.clip(np.diag(inv) * s2, 0, None)), np.nan)


def fit(base: pd.DataFrame, explore: pd.DataFrame, x: np.ndarray, roles: np.ndarray) -> ResponseModel:
    """Fit the response model from aligned rows of ``base`` and ``explore`` (same keys, same
    order) and the exploration intensities ``x`` (rows x T) and ``roles`` of those rows."""
    # a column counts if it varies between agents in either world: one no agent moves without
    # tactics (no rule breaches when nobody games) is exactly what a tactic may move
    varying = set(metric_columns(base)) | set(metric_columns(explore))
    metrics = [m for m in base.columns if m in varying and m in explore.columns]
    y = explore[metrics].to_numpy(dtype=float, na_value=np.nan) - base[metrics].to_numpy(
        dtype=float, na_value=np.nan
    )
    d = design(x)
    if len(d) < QUADRATIC_ROWS:
        d[:, 1 + x.shape[1] :] = 0.0  # linear model: squared terms fixed at 0
    coef, se, n = {}, {}, {}
    min_rows = 3 * (1 + x.shape[1])
    groups = [("*", np.ones(len(d), dtype=bool))] + [(str(r), roles == r) for r in np.unique(roles)]
    for role, m in groups:
        if role != "*" and m.sum() < min_rows:
            continue
        fits = [_lstsq(d[m], y[m, j]) for j in range(len(metrics))]
        coef[role] = np.column_stack([f[0] for f in fits]) if fits else np.zeros((d.shape[1], 0))
        se[role] = np.column_stack([f[1] for f in fits]) if fits else np.zeros((d.shape[1], 0))
        n[role] = int(m.sum())
    total = float(x.sum(axis=1).mean()) or 1.0
    return ResponseModel(metrics, coef, se, n, explore_total=total)
