"""What each scored component does under the base and the chosen plans: how many points it is
worth, how many agents earn on average, and how much its points separate agents.

A component whose points are the same for everyone (S3's reply rate in the bundled shop: every
agent replies to every valid chat) is a flat allowance, not an incentive: its weight changes no
one's rank or pool share, only how much of the score is fixed. A designer reading a chosen plan's
weights needs to know which weights pay for differences between agents and which do not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.analysis.design.search import DesignResult
from kpisim.errors import KpisimError
from kpisim.policy.definitions import ALL, role_cards


def component_spread(result: DesignResult) -> pd.DataFrame:
    """Per plan (``base``, then each chosen plan), role and scored component, on the search
    months: ``worth_points`` (the most the component gives), ``mean_points`` (what agents earn on
    average) and ``spread_points`` (standard deviation of the points between agents within a
    month, averaged over months; 0 = a flat allowance).

    Raises:
        KpisimError: ``result`` does not carry its search months (a result built by hand).
    """
    if result.months is None:
        raise KpisimError("this design result has no search months: make it with design() or search()")
    kpis = result.months.kpis
    rows = []
    for label, policy in {"base": result.base, **result.chosen}.items():
        s = policy.score(kpis)
        month = s["replication"].astype(str) + "|" + s["period"].astype(str)
        role = s["role"].astype(str).to_numpy() if "role" in s else np.full(len(s), ALL)
        for name, card, _plan in role_cards(policy):
            mine = role == name
            for comp in card.components:
                pts = s.loc[mine, f"pts_{comp.id}"].astype(float)
                worth = comp.weight if comp.max_points is None else comp.weight * comp.max_points
                rows.append(
                    {
                        "plan": label,
                        "role": name,
                        "component": comp.id,
                        "worth_points": float(worth),
                        "mean_points": float(pts.mean()),
                        "spread_points": float(pts.groupby(month[mine]).std(ddof=0).mean()),
                    }
                )
    return pd.DataFrame(rows)
