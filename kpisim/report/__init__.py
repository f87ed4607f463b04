"""Presentation: the HTML reports of a comparison and of a staffing study (templates + one
stylesheet). Formats results; computes none."""

from __future__ import annotations

from kpisim.report.html import write_comparison, write_staffing

__all__ = ["write_comparison", "write_staffing"]
