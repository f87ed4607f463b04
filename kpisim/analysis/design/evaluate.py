"""Months simulated once, and the fast evaluation of one plan on them. READS HIDDEN TRUTH.

:class:`Months` holds a KPI table (every agent-month of R replications) and each agent's
``true_contribution`` (the simulator's hidden truth, see ``fairness.contribution``). A plan is
evaluated by scoring and paying the whole table in one call and reducing the pay with numpy:

* ``validity``: mean over months of the correlation between pay and true contribution (how
  well pay follows true contribution; higher is better);
* ``luck_share``: the share of pay variance that is month-to-month luck (``luck.luck_share``,
  within agent across months; lower is better);
* ``cost_cents``: mean monthly total payout; ``p_over_budget``: share of months above budget.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kpisim.analysis import fairness as F
from kpisim.analysis.compare import attach_policy_inputs
from kpisim.analysis.luck import luck_share
from kpisim.analysis.policy_meta import needed_variants
from kpisim.analysis.runner import run_replications, summarise_for_compare
from kpisim.errors import KpisimError
from kpisim.policy.memo import TableMemo
from kpisim.policy.roles import pay_totals

KEYS = ["replication", "period", "agent_id"]


@dataclass
class Months:
    """Simulated months cached for the designer: the KPI table and the hidden truth.

    Attributes:
        kpis: KPI table (one row per replication, period, agent), policy inputs attached.
        contribution: ``true_contribution`` aligned with the rows of ``kpis``.
        seed: the base seed the months were simulated with (None for tables given directly).
    """

    kpis: pd.DataFrame
    contribution: np.ndarray
    seed: int | None = None
    replications: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    _memo: TableMemo | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        kt = self.kpis.reset_index(drop=True)
        kt.attrs = {}  # pandas deep-copies attrs on every column access: 30 % of a score call
        self.kpis = kt
        month = kt.groupby(["replication", "period"], sort=True).ngroup().to_numpy()
        agent = kt.groupby("agent_id", sort=True).ngroup().to_numpy()
        self._month, self._agent = month, agent
        self.n_months, self.n_agents = int(month.max()) + 1, int(agent.max()) + 1
        groups = kt.groupby("agent_id", sort=True)["group"].first() if "group" in kt else None
        self._groups = None if groups is None else groups.astype(str).to_numpy()
        self._keys = kt[KEYS]
        c = np.asarray(self.contribution, dtype=float)
        if c.shape != (len(kt),):
            raise KpisimError(f"contribution has shape {c.shape}, expected ({len(kt)},)")
        self._c = c

    @classmethod
    def from_tables(cls, kpis: pd.DataFrame, agents: pd.DataFrame, **kw) -> Months:
        """From a KPI table and an agents table with ``true_*`` traits (one row per replication
        and agent); ``true_contribution`` is computed if absent."""
        ag = agents.copy()
        if "true_contribution" not in ag:
            ag["true_contribution"] = F.contribution(ag)
        look = ag.drop_duplicates(["replication", "agent_id"]).set_index(["replication", "agent_id"])
        idx = pd.MultiIndex.from_frame(kpis[["replication", "agent_id"]].astype({"agent_id": object}))
        c = look["true_contribution"].reindex(idx).to_numpy(float)
        return cls(kpis, c, **kw)

    def pay_vector(self, pay: pd.DataFrame) -> np.ndarray:
        """``total_cents`` of a pay table aligned with the rows of ``kpis``."""
        if len(pay) == len(self._keys) and all(
            np.array_equal(pay[k].to_numpy(), self._keys[k].to_numpy()) for k in KEYS
        ):
            return pay["total_cents"].to_numpy(float)
        m = self._keys.merge(pay[[*KEYS, "total_cents"]], on=KEYS, how="left")
        return m["total_cents"].to_numpy(float)

    def measures(self, pay: np.ndarray, *, budget_cents: int | None = None) -> dict[str, float]:
        """validity, luck_share, cost_cents (and p_over_budget) of one plan's pay vector."""
        mo, nm = self._month, self.n_months
        ok = np.isfinite(pay)
        p = np.where(ok, pay, 0.0)
        totals = np.bincount(mo, weights=p, minlength=nm)
        out = {"cost_cents": float(totals.mean())}
        if budget_cents is not None:
            out["p_over_budget"] = float((totals > budget_cents).mean())
        out["validity"] = _mean_month_corr(p, self._c, mo, nm, ok & np.isfinite(self._c))
        wide = np.full((self.n_agents, nm), np.nan)
        wide[self._agent[ok], mo[ok]] = pay[ok]
        out["luck_share"] = luck_share(wide, self._groups) if nm >= 2 else math.nan
        return out

    def evaluate(self, policy: Any, *, budget_cents: int | None = None) -> dict[str, float]:
        """Score and pay every cached month under ``policy`` (one call) and measure the pay.

        What depends on the months alone (the policy engine's table preparation) is computed
        on the first call and kept (``kpisim.policy.memo``): the months never change."""
        if self._memo is None:
            self._memo = TableMemo()
        # score then pay, without building the score and pay tables: only the pay totals
        totals = pay_totals(policy, self.kpis, memo=self._memo)
        return self.measures(totals.astype(float), budget_cents=budget_cents)


def _mean_month_corr(x: np.ndarray, y: np.ndarray, month: np.ndarray, nm: int, ok: np.ndarray) -> float:
    """Mean over months of Pearson's r between x and y (months with a constant side skipped)."""
    w = ok.astype(float)
    n = np.bincount(month, weights=w, minlength=nm)
    sx = np.bincount(month, weights=w * x, minlength=nm)
    sy = np.bincount(month, weights=w * y, minlength=nm)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = sx / n, sy / n
        dx, dy = (x - mx[month]) * w, (y - my[month]) * w
        cov = np.bincount(month, weights=dx * dy, minlength=nm)
        vx = np.bincount(month, weights=dx * dx, minlength=nm)
        vy = np.bincount(month, weights=dy * dy, minlength=nm)
        r = cov / np.sqrt(vx * vy)
    sxx = np.bincount(month, weights=w * x * x, minlength=nm)
    syy = np.bincount(month, weights=w * y * y, minlength=nm)
    good = (n >= 3) & (vx > 1e-12 * sxx) & (vy > 1e-12 * syy)  # a constant side: undefined
    return float(r[good].mean()) if good.any() else math.nan


def simulate_months(
    scenario,
    policies: Mapping[str, Any],
    *,
    replications: int = 4,
    seed: int = 1,
    jobs: int | None = None,
    executor: Any = None,
    progress: bool | str = True,
    period: str = "month",
    inputs=None,
    desc: str = "simulating months",
) -> Months:
    """Simulate ``replications`` months of ``scenario`` once (any executor) for the designer.

    ``policies`` (name -> policy) only decide which declared inputs to attach (neutral values
    when ``inputs`` does not give them, as in ``compare``); ``desc`` labels the progress.
    """
    res = run_replications(
        scenario,
        summarise_for_compare,
        seed=seed,
        replications=replications,
        jobs=jobs,
        executor=executor,
        progress=progress,
        options={"kpi_by": ("agent_id",), "period": period, "variants": needed_variants(policies)},
        desc=desc,
    )
    kt = pd.concat([r["kpis"] for r in res], ignore_index=True)
    kt, filled = attach_policy_inputs(kt, policies, inputs)
    agents = pd.concat([r["agents"] for r in res], ignore_index=True)
    return Months.from_tables(
        kt,
        agents,
        seed=seed,
        replications=replications,
        meta={"scenario_id": scenario.id, "filled_inputs": filled},
    )
