"""Presentation: the HTML reports of a comparison and of a staffing study (templates + one
stylesheet), and the files of coaching alerts. Formats results; computes none."""

from __future__ import annotations

from kpisim.report.alerts_output import write_alert_study, write_alerts
from kpisim.report.html import write_comparison, write_staffing

__all__ = ["write_alert_study", "write_alerts", "write_comparison", "write_staffing"]
