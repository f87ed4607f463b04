"""Fixed monthly pay for part of a month: base and level pay in proportion to the days employed.

A plan's base and level pay (``pay.base_cents``, ``pay.level_cents``) are monthly salaries. An
agent who joins or leaves during the month is paid them for the days employed:
``cents x days / days of the month``, rounded half up to the cent. Performance pay, commissions,
pools, team bonuses, prizes and fines stay what the plan computes from the month's results (a
partial month already earns less of whatever depends on volume). ``total_cents`` moves by the
same cents, so it stays the sum of the parts.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kpisim.errors import KpisimError

#: Pay columns that are monthly amounts, paid in proportion to the days employed.
FIXED = ("base_cents", "level_cents")


def prorate_fixed(pay: pd.DataFrame, days: Mapping[str, int], month_days: int) -> pd.DataFrame:
    """``pay`` (the table of ``Policy.pay``) with the fixed monthly pay of each agent in ``days``
    (agent_id -> days employed in the month, 0..``month_days``) prorated; agents not in ``days``
    keep the full amounts.

    Raises:
        KpisimError: a day count outside 0..``month_days``.
    """
    if month_days < 1:
        raise KpisimError(f"month_days must be >= 1, got {month_days}")
    d = pay["agent_id"].map(dict(days)).fillna(month_days).to_numpy(np.int64)
    if ((d < 0) | (d > month_days)).any():
        bad = int(d[(d < 0) | (d > month_days)][0])
        raise KpisimError(f"days employed must be within 0-{month_days}, got {bad}")
    out = pay.copy()
    total = out["total_cents"].to_numpy(np.int64).copy()
    for col in FIXED:
        if col not in out:
            continue
        full = out[col].to_numpy(np.int64)
        paid = (2 * full * d + month_days) // (2 * month_days)  # half up, exact in integers
        total += paid - full
        out[col] = paid
    out["total_cents"] = total
    return out
