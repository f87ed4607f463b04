"""A year, not a month: one team carried month to month under a plan (or a plan timeline), with
consequences that happen, voluntary attrition, hiring and learning curves (docs/time.md)."""

from kpisim.analysis.year.result import Year
from kpisim.analysis.year.run import as_timeline, simulate_year

__all__ = ["Year", "as_timeline", "simulate_year"]
