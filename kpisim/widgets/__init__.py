"""Interactive what-if panels for Jupyter (ipywidgets, imported only when a panel is shown)."""

from __future__ import annotations

from kpisim.widgets.explore import Explorer, explore

__all__ = ["Explorer", "explore"]
