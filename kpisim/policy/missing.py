"""Missing data is never full marks: metrics a policy needs whose source table is empty.

A registry metric has *no data* in a set of rows when its column is empty there and so are the
additive columns it is computed from (``kpis`` fills those with 0 whenever the source table was
observed: a ratio with a zero denominator is NaN, but its columns are 0). A count metric without
its additive columns (a hand-built table) has no data when its own column is empty.
``score`` refuses such a policy, unless ``fill_missing=True`` fills the policy's declared
``neutral`` value, and then every output lists what was filled (column ``filled``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from kpisim.errors import DataError
from kpisim.kpi.registry import METRICS


def has_no_data(kt: pd.DataFrame, column: str, metric: str, rows: np.ndarray) -> bool:
    """True when ``column`` (a reading of registry ``metric``) has no data in ``rows``."""
    if column not in kt.columns or not len(rows):
        return False  # absent columns are reported by scoring, naming their user
    if _has_data(kt, column, rows):
        return False
    m = METRICS[metric]
    parts = [c for c in m.columns if c in kt.columns]
    if parts:
        return not any(_has_data(kt, c, rows) for c in parts)
    return m.kind in ("count", "broadcast")


def _has_data(kt: pd.DataFrame, column: str, rows: np.ndarray) -> bool:
    # a mask of the whole column, then the rows: no copy of the column's rows (iloc)
    return bool(kt[column].notna().to_numpy()[rows].any())


def _source(metric: str) -> str:
    from kpisim.kpi.registry import COLUMNS

    srcs = sorted({COLUMNS[c].source for c in METRICS[metric].columns if c in COLUMNS})
    return "/".join(srcs) or "?"


def check_or_fill(
    kt: pd.DataFrame,
    uses: Iterable[tuple[str, str, str, np.ndarray]],
    neutral: dict[str, float],
    *,
    fill: bool,
    policy_id: str,
    no_data: Callable[[pd.DataFrame, str, str, np.ndarray], bool] | None = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Refuse (or fill) metrics without data.

    Args:
        kt: the KPI table.
        uses: (role, column, metric, row positions) for every registry metric a role reads.
        neutral: the policy's declared neutral values (metric -> value).
        fill: fill the neutral value instead of refusing.
        no_data: the test of one use (default :func:`has_no_data`; a memo of it, e.g.).

    Returns:
        The table (a copy when filled) and metric -> value filled.

    Raises:
        DataError: listing the metrics without data and how to supply them.
    """
    empty: dict[str, list[tuple[str, np.ndarray, str]]] = {}
    test = no_data or has_no_data
    for role, column, metric, rows in uses:
        if test(kt, column, metric, rows):
            empty.setdefault(metric, []).append((column, rows, role))
    if not empty:
        return kt, {}
    listing = ", ".join(
        f"{m} (source {_source(m)}; role {', '.join(sorted({r for *_, r in v}))})" for m, v in empty.items()
    )
    if not fill:
        raise DataError(
            f"policy {policy_id!r} needs metrics the KPI table has no data for: {listing}. Missing data "
            "is never full marks: supply them as columns (kpisim score --inputs FILE with agent_id and "
            f"{', '.join(empty)}; or kpisim.policy.inputs.attach_inputs), or fill the policy's declared "
            "neutral values explicitly (kpisim score --fill-missing; score(..., fill_missing=True)), "
            "which every output then lists"
        )
    undeclared = [m for m in empty if m not in neutral]
    if undeclared:
        raise DataError(
            f"policy {policy_id!r}: no data for {', '.join(undeclared)} and no declared neutral value to "
            f"fill; declare one under neutral (e.g. neutral: {{{undeclared[0]}: 0}}) or supply the data"
        )
    out = kt.copy()
    for metric, places in empty.items():
        for column, rows, _role in places:
            col = out[column].astype("Float64") if METRICS[metric].integer else out[column].astype(float)
            col.iloc[rows] = neutral[metric]
            out[column] = col
    out.attrs = dict(kt.attrs)
    return out, {m: float(neutral[m]) for m in empty}


def filled_label(filled: dict[str, float]) -> str:
    """``late_count=0;absence_days=0``: the ``filled`` column's text."""
    return ";".join(f"{k}={v:g}" for k, v in filled.items())
