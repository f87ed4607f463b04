"""What every part of a calibration returns: estimates with uncertainty, tables of observed vs
fitted, and the parameters the export could not identify (with the default used)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

ESTIMATE_COLUMNS = ("part", "scope", "parameter", "estimate", "ci_low", "ci_high", "unit", "method")


@dataclass
class Part:
    """One part of a calibration (arrivals, handle time, patience, ...)."""

    name: str
    values: dict[str, Any] = field(default_factory=dict)  # scenario pieces, read by the writer
    rows: list[dict] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    defaults: list[dict] = field(default_factory=list)

    def est(
        self,
        scope: str,
        parameter: str,
        estimate: float,
        lo: float = np.nan,
        hi: float = np.nan,
        *,
        unit: str = "",
        method: str = "",
    ) -> None:
        """Record one estimate with its 95 % interval."""
        self.rows.append(
            {
                "part": self.name,
                "scope": scope,
                "parameter": parameter,
                "estimate": float(estimate),
                "ci_low": float(lo),
                "ci_high": float(hi),
                "unit": unit,
                "method": method,
            }
        )

    def default(self, scope: str, parameter: str, value: Any, why: str) -> None:
        """Record a parameter the export cannot identify and the default used for it."""
        self.defaults.append(
            {"part": self.name, "scope": scope, "parameter": parameter, "default": value, "why": why}
        )

    def estimates(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(ESTIMATE_COLUMNS))
