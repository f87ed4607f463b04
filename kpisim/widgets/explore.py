"""What-if in Jupyter: move a slider (a component weight, a tier edge, a pool share) and see the
plan's cost against the baseline, who gains and who loses, and how well pay follows true skill,
re-scored on the comparison's cached KPI table (no new simulation).

``kpisim.explore(comp, "s3_kuaishangtong_presales")`` returns an :class:`Explorer`; in a
notebook it displays as the panel. :meth:`Explorer.evaluate` and :meth:`Explorer.set` drive it
from Python (tests, a text summary where widgets do not render).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from kpisim.widgets.levers import Knob, apply, knobs, to_yaml

KEYS = ["replication", "period", "agent_id"]


class Explorer:
    """A what-if panel over one plan of a comparison (see the module docstring).

    Args:
        comp: a :class:`~kpisim.analysis.compare.Comparison` built with the policy objects.
        policy: the key of the plan to edit (one of ``comp.policies``).
        threshold_cents: winners/losers move more than this a month (default 5,000 = 50.00).
    """

    def __init__(self, comp, policy: str, *, threshold_cents: int = 5000):
        from kpisim.errors import KpisimError

        objs = comp.meta.get("policy_objects") or {}
        if policy not in objs:
            raise KpisimError(f"policy {policy!r} is not one of the comparison's plans {list(objs)}")
        self.comp, self.key, self.original = comp, policy, objs[policy]
        self.policy = self.original
        self.threshold_cents = int(threshold_cents)
        self.knobs: list[Knob] = knobs(self.original)
        self.values: dict[str, float] = {k.key: k.value for k in self.knobs}
        base = comp.pay[comp.pay["policy"] == comp.baseline]
        self._base = base.set_index(KEYS)["total_cents"].astype(float)
        truth = comp.agents[["replication", "agent_id", "true_contribution"]]
        self._truth = truth.drop_duplicates(["replication", "agent_id"])
        self._base_cost = float(base.groupby(["replication", "period"])["total_cents"].sum().mean())
        self.last: dict[str, Any] = {}
        self._syncing = False
        self._ui: dict[str, Any] = {}
        self.evaluate()

    # --- the model -----------------------------------------------------------------------------
    def evaluate(self) -> dict[str, Any]:
        """Re-score and re-pay the edited plan on the cached KPI table; the results it shows.

        Returns (and keeps in ``last``): ``cost_cents`` (mean total per month), ``diff_cents``
        and ``diff_pct`` vs the baseline, ``share_gain`` / ``share_lose`` (agent-months moving
        more than the threshold), ``validity_pay`` (mean over months of corr(pay, true
        contribution): the hidden truth), ``seconds`` (time of the update), ``error`` ("" or why
        the edit was refused).
        """
        t0 = time.perf_counter()
        changed = {k.key: self.values[k.key] for k in self.knobs if self.values[k.key] != k.value}
        try:
            self.policy = apply(self.original, changed) if changed else self.original
        except Exception as exc:  # a refused edit is shown, the panel stays usable
            self.last = {**self.last, "error": str(exc).splitlines()[0], "seconds": time.perf_counter() - t0}
            return self.last
        kt = self.comp.kpis
        pay = self.policy.pay(self.policy.score(kt), kt)
        p = pay.set_index(KEYS)["total_cents"].astype(float)
        delta = p - self._base.reindex(p.index)
        months = pay.groupby(["replication", "period"])["total_cents"].sum()
        cost = float(months.mean())
        m = pay[KEYS + ["total_cents"]].merge(self._truth, on=["replication", "agent_id"])
        corr = [
            np.corrcoef(g["total_cents"], g["true_contribution"])[0, 1]
            for _, g in m.groupby(["replication", "period"])
            if g["total_cents"].std() > 0
        ]
        self.last = {
            "cost_cents": cost,
            "diff_cents": cost - self._base_cost,
            "diff_pct": (cost - self._base_cost) / self._base_cost if self._base_cost else float("nan"),
            "share_gain": float((delta > self.threshold_cents).mean()),
            "share_lose": float((delta < -self.threshold_cents).mean()),
            "validity_pay": float(np.mean(corr)) if corr else float("nan"),
            "seconds": time.perf_counter() - t0,
            "error": "",
        }
        return self.last

    def set(self, **values: float) -> dict[str, Any]:
        """Set knobs by key (``weight:sales``; see :attr:`knobs`), update, return :attr:`last`."""
        unknown = set(values) - set(self.values)
        if unknown:
            from kpisim.errors import KpisimError

            raise KpisimError(f"unknown knob(s) {sorted(unknown)}; the knobs are {list(self.values)}")
        for k, v in values.items():
            self.values[k] = float(v)
            if k.startswith("weight:"):
                self._rebalance(k)
        out = self.evaluate()
        self._refresh()
        return out

    def _rebalance(self, moved: str) -> None:
        """Percent weights must keep their sum: the other uncategorised weights absorb a change
        in proportion to their size (the points form, S1's max_points x weight, is free)."""
        comps = [c for c in self.original.scorecard.components if c.category is None]
        if not comps or comps[0].max_points is not None:
            return
        keys = [f"weight:{c.id}" for c in comps]
        total = sum(float(c.weight) for c in comps)
        v = min(self.values[moved], total)
        self.values[moved] = v
        others = [k for k in keys if k != moved]
        rest = sum(self.values[k] for k in others)
        for k in others:
            share = self.values[k] / rest if rest > 0 else 1 / len(others)
            self.values[k] = round((total - v) * share, 6)
        if len(others):  # rounding: the last one takes the remainder, so the sum is exact
            self.values[others[-1]] = round(total - v - sum(self.values[k] for k in others[:-1]), 6)
        sliders = self._ui.get("sliders", {})
        self._syncing = True
        try:
            for k in others:
                if k in sliders:
                    sliders[k].value = self.values[k]
        finally:
            self._syncing = False

    def summary(self) -> str:
        """The results in one short text (for notebooks where widgets do not render)."""
        from kpisim.report.format import money, pct

        r, cur = self.last, self.comp.currency
        if r.get("error"):
            return f"edit refused: {r['error']}"
        return (
            f"{getattr(self.policy, 'name', self.key)}: {money(r['cost_cents'], cur, decimals=0)} a month, "
            f"{money(r['diff_cents'], cur, sign=True, decimals=0)} ({pct(r['diff_pct'], sign=True)}) vs baseline; "
            f"{pct(r['share_gain'], decimals=0)} of agent-months gain and {pct(r['share_lose'], decimals=0)} lose "
            f"more than {money(self.threshold_cents, cur, decimals=0)}; pay vs true skill corr. "
            f"{r['validity_pay']:.2f}"
        )

    def save(self, path: str | Path) -> Path:
        """Write the edited plan as a policy YAML file (atomically)."""
        from kpisim.io.atomic import replacing

        p = Path(path)
        with replacing(p) as tmp:
            Path(tmp).write_text(to_yaml(self.policy), encoding="utf-8")
        return p

    # --- the panel -----------------------------------------------------------------------------
    def widget(self):
        """The ipywidgets panel: sliders grouped by kind, the results, a save button."""
        from kpisim.widgets.panel import build

        if "root" not in self._ui:
            self._ui = build(self)
        self._refresh()
        return self._ui["root"]

    def _refresh(self) -> None:
        if "out" in self._ui:
            from kpisim.widgets.panel import results_html

            self._ui["out"].value = results_html(self)

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a notebook front end
        from IPython.display import display

        display(self.widget())

    def __repr__(self) -> str:
        return f"<Explorer {self.key}: {self.summary()}>"


def explore(comp, policy: str, *, threshold_cents: int = 5000) -> Explorer:
    """A what-if panel over ``policy`` (a key of ``comp.policies``); see :class:`Explorer`."""
    return Explorer(comp, policy, threshold_cents=threshold_cents)


__all__ = ["Explorer", "explore"]
