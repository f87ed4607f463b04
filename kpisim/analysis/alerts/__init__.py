"""Coaching alerts (S4): apply alert rules to a run's per-agent KPI series, and judge rules by
simulation against the hidden declines. See ``docs/alerts.md``.

- ``alerts(log, rules)``: the alerts a rules file raises on a run (KPI engine only);
- ``evaluate_alerts(log, rules)``: false alarms per agent-month, detection delay and missed
  declines per rule (reads the hidden ``declines`` table);
- ``alert_study(scenario, rules, ...)``: simulate replications with declines and evaluate.
"""

from __future__ import annotations

from kpisim.analysis.alerts.apply import ALERT_COLUMNS, alerts
from kpisim.analysis.alerts.evaluate import evaluate_alerts
from kpisim.analysis.alerts.study import alert_study

__all__ = ["ALERT_COLUMNS", "alert_study", "alerts", "evaluate_alerts"]
