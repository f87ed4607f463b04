"""The analysis tests' small comparison, shared with the report tests."""

from __future__ import annotations

from tests.analysis.conftest import shop3, shop_comparison

__all__ = ["shop3", "shop_comparison"]
