"""The result of ``simulate_year``: tidy tables of a team's year and what they show.

Tables (every row carries ``scenario_id``, ``replication``, ``seed`` and ``month``, 0-based):
    kpis, scores, pay: the monthly tables of the policy version that paid the month
        (``policy_version`` = ``id@version``);
    roster: who worked each month: tenure_months (on the agent's first day of the month), level (at the end of the month,
        after its consequences), status (``active`` or ``notice``), active_days and the
        learning-curve-adjusted ``true_speed`` / ``true_resolution`` / ``true_sales`` (HIDDEN);
    events: ``promoted`` / ``demoted`` (detail ``old->new``), ``eliminated`` (detail: the rule),
        ``resigned`` (voluntary), ``hired`` (detail: whom the hire replaces), with ``day`` =
        the run day it takes effect (a leaver's last day + 1, a hire's first day);
    team: per month service_level, fcr_rate and the payout (``payout_cents``);
    agents: HIDDEN TRUTH, every agent ever on the roster with trained-potential ``true_*``
        traits, hired_day, leave_day and whom a hire replaced;
    declines: HIDDEN TRUTH, every sustained decline (across months) and off-day of the year
        (``kpisim.analysis.year.declines``; empty when the scenario has no ``declines:``);
    alert_series: with ``alert_rules``, their per-agent KPI series, month by month (``watch`` =
        day or week; KPI engine only).
Measures (``trajectory``, ``rule_quality``, ``turnover_cost``) are in ``quality.py``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kpisim.analysis.year.declines import COLUMNS as DECLINE_COLUMNS
from kpisim.errors import KpisimError
from kpisim.io.atomic import write_dir
from kpisim.provenance import Manifest
from kpisim.sim.months import month_bounds


@dataclass
class Year:
    """Tables of ``replications`` simulated years (see the module docstring)."""

    scenario: Any
    timeline: Any
    seed: int
    replications: int
    months: int
    kpis: pd.DataFrame
    scores: pd.DataFrame
    pay: pd.DataFrame
    roster: pd.DataFrame
    events: pd.DataFrame
    team: pd.DataFrame
    agents: pd.DataFrame
    month_days: int | None = None
    declines: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DECLINE_COLUMNS))
    alert_series: pd.DataFrame = field(default_factory=pd.DataFrame)
    alert_rules: Any = None
    meta: dict[str, Any] = field(default_factory=dict)
    _alert_evaluation: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    def bounds(self) -> list:
        """(first date, first run day, days) of each month (``kpisim.sim.months.month_bounds``)."""
        return month_bounds(self.scenario, self.months, month_days=self.month_days)

    @property
    def currency(self) -> str:
        return str(self.timeline.currency)

    def policy_by_month(self) -> dict[str, str]:
        """``YYYY-MM`` -> ``id@version`` of the version that paid that month."""
        t = self.team.drop_duplicates("month").sort_values("month")
        return {
            pd.Timestamp(p).strftime("%Y-%m"): str(v)
            for p, v in zip(t["period"], t["policy_version"], strict=True)
        }

    def trajectory(self) -> pd.DataFrame:
        from kpisim.analysis.year.quality import trajectory

        return trajectory(self)

    def rule_quality(self) -> pd.DataFrame:
        from kpisim.analysis.year.quality import rule_quality

        return rule_quality(self)

    def weak_survival(self) -> pd.DataFrame:
        from kpisim.analysis.year.quality import weak_survival

        return weak_survival(self)

    def turnover_cost(self) -> pd.DataFrame:
        from kpisim.analysis.year.quality import turnover_cost

        return turnover_cost(self)

    def evaluate_alerts(self) -> pd.DataFrame:
        """Judge the alert rules given to ``simulate_year(alert_rules=...)`` on the year's daily or
        weekly per-agent series against the year's hidden declines (READS HIDDEN TRUTH; the
        table of ``kpisim.analysis.alerts.evaluate_alerts``; judged once, then kept: the report
        page, the saved tables and the CLI's printout all read it)."""
        from kpisim.analysis.alerts.evaluate import evaluate_series

        if self.alert_rules is None:
            raise KpisimError("no alert rules: run simulate_year(..., alert_rules=load_alerts(path))")
        if self._alert_evaluation is None:
            by = self.alert_series.groupby("watch")
            tables = {str(p): g.drop(columns=["watch", "month"]) for p, g in by}
            self._alert_evaluation = evaluate_series(tables, self.declines, self.alert_rules)
        return self._alert_evaluation.copy()

    def manifest(self) -> Manifest:
        """Provenance: the scenario, every policy version and which version paid which month."""
        pols = {f"{p.id}@{p.version}": p for p in self.timeline.policies}
        m = Manifest.for_scenario(
            self.scenario, command="year", seed=self.seed, replications=self.replications
        )
        return m.with_policies(pols).with_details(
            months=self.months,
            month_days=self.month_days,
            timeline=self.timeline.id,
            timeline_versions=[[s, f"{p.id}@{p.version}"] for s, p in self.timeline.versions],
            policy_by_month=self.policy_by_month(),
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table to save, by file stem (``alert_evaluation`` when the run had alert rules)."""
        return {
            "trajectory": self.trajectory(),
            "rule_quality": self.rule_quality(),
            "weak_survival": self.weak_survival(),
            "turnover_cost": self.turnover_cost(),
            "events": self.events,
            "roster": self.roster,
            "team": self.team,
            "pay": self.pay,
            "scores": self.scores,
            "agents_hidden_truth": self.agents,
            "declines_hidden_truth": self.declines,
        } | ({"alert_evaluation": self.evaluate_alerts()} if self.alert_rules is not None else {})

    def write(self, out: str | os.PathLike, *, extra=None) -> Path:
        """Write every table as CSV plus ``manifest.json`` into ``out`` (built whole, then swapped
        in; see ``kpisim.io.atomic.write_dir``). ``extra(tmp_dir)`` may add files (figures)."""
        manifest = self.manifest().to_dict()

        def build(tmp: Path) -> None:
            for name, df in self.tables().items():
                df.to_csv(tmp / f"{name}.csv", index=False)
            if extra is not None:
                extra(tmp)
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")

        return write_dir(out, build)
