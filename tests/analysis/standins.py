"""Tiny duck-typed policies (``.id``, ``.score``, ``.pay``) so the analyses test on their own."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

KEYS = ["scenario_id", "replication", "seed", "agent_id", "period"]


class StandIn:
    """Score = ``points(kpi_table)``; pay = ``cents_per_point x score`` rounded to whole cents."""

    def __init__(
        self,
        id: str,
        points: Callable[[pd.DataFrame], np.ndarray],
        *,
        cents_per_point: int = 100,
        currency: str = "CNY",
    ):
        self.id = id
        self.points = points
        self.cents_per_point = cents_per_point
        self.currency = currency

    def score(self, kpi_table: pd.DataFrame, /) -> pd.DataFrame:
        out = kpi_table[[c for c in KEYS if c in kpi_table]].copy()
        out["total"] = np.asarray(self.points(kpi_table), dtype=float)
        return out

    def pay(self, scores: pd.DataFrame, kpi_table: pd.DataFrame, /) -> pd.DataFrame:
        out = scores[[c for c in KEYS if c in scores]].copy()
        out["base_cents"] = np.floor(scores["total"].to_numpy(float) * self.cents_per_point + 0.5).astype(
            "int64"
        )
        out["total_cents"] = out["base_cents"]
        return out


def volume_policy(id: str = "volume") -> StandIn:
    """Pays 1 point per handled contact."""
    return StandIn(id, lambda k: pd.to_numeric(k["handled"], errors="coerce").fillna(0).to_numpy(float))


def fcr_policy(id: str = "fcr") -> StandIn:
    """Pays 100 points x FCR rate."""
    return StandIn(
        id, lambda k: 100 * pd.to_numeric(k["fcr_rate"], errors="coerce").fillna(0).to_numpy(float)
    )


def noise_policy(id: str = "noise") -> StandIn:
    """Pays on a pure-noise metric (hash of the row's keys): no relation to skill."""

    def pts(k):
        rng = np.random.default_rng([int(k["replication"].iloc[0]) + 99, len(k)])
        return 100 + 50 * rng.standard_normal(len(k))

    return StandIn(id, pts)


def truth_policy(truth: pd.DataFrame, id: str = "truth") -> StandIn:
    """Pays on the hidden true contribution (looked up by replication and agent)."""
    lookup = truth.set_index(["replication", "agent_id"])["true_contribution"]

    def pts(k):
        idx = pd.MultiIndex.from_frame(k[["replication", "agent_id"]].astype({"agent_id": object}))
        return 200 + 100 * lookup.reindex(idx).to_numpy(float)

    return StandIn(id, pts)
