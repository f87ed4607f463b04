"""Point a KPI table's metric columns at the definitions a policy asks for.

For every policy-wide definition (``definitions: {conversion_rate: {queues: [presales]}}``) the
plain column (``conversion_rate``) is read from the variant column
(``conversion_rate@queues=presales``) for the policy's scoring and pay; a table whose own
definition already is the asked one (recorded in ``attrs["kpisim"]["definitions"]`` by ``kpis``)
is used as it is. Components with their own definition read their variant column directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from kpisim.errors import DataError
from kpisim.kpi.variants import changed, variant_column
from kpisim.policy.definitions import kpi_variants

if TYPE_CHECKING:
    from kpisim.policy.models import Policy

HOW = (
    "compute it from the event log with kpisim.kpi.variants.add_variants(log, table, "
    "kpisim.policy.definitions.kpi_variants(policy)); kpisim score RUN_DIR, compare and staffing "
    "do this themselves"
)


def _own(kt: pd.DataFrame, metric: str) -> dict:
    defs = (kt.attrs.get("kpisim") or {}).get("definitions") or {}
    own = defs.get(metric) or {}
    return changed(metric, own) if own else {}


def with_definitions(policy: Policy, kt: pd.DataFrame) -> pd.DataFrame:
    """``kt`` whose plain metric columns hold the policy's definitions (a shallow copy if any
    column changes).

    Raises:
        DataError: a variant column the policy needs is not in the table (names it and how to
            compute it).
    """
    variants = kpi_variants(policy)
    if not variants:
        return kt
    swap: dict[str, pd.Series] = {}
    for col, (metric, params) in variants.items():
        if col in kt.columns:
            if col == variant_column(metric, policy.definitions.get(metric)):
                swap[metric] = kt[col]
            continue
        if metric in kt.columns and _own(kt, metric) == dict(params):
            continue  # the table was computed with this very definition
        raise DataError(
            f"KPI table: missing column {col!r} ({metric} with {dict(params)}), needed by the "
            f"definitions of policy {policy.id!r}; {HOW}"
        )
    if not swap:
        return kt
    out = kt.assign(**swap)
    out.attrs = dict(kt.attrs)
    return out
