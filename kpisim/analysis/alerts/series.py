"""Per-agent metric series for the alert detectors, from the KPI engine (never from hidden truth).

``kpi_series(log, metrics, period)`` computes the KPI table per agent and period once;
``matrices`` turns one replication's rows into an (agents x periods) array with NaN where the
agent has no value (not working that day), over every period from the first to the last.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpisim.io.eventlog import EventLog
from kpisim.kpi.compute import kpis

RUN_KEYS = ("scenario_id", "replication", "seed")
#: pandas frequency of each watched period (weeks start on Monday, as in the KPI engine)
FREQ = {"day": "D", "week": "W-MON"}


@dataclass
class Series:
    """One replication's values of one metric per agent and period.

    Attributes:
        keys: (scenario_id, replication, seed).
        agents: agent ids (rows); teams: each row's team.
        periods: period starts (columns), consecutive.
        values: agents x periods, NaN where the agent has no value.
    """

    keys: tuple
    agents: np.ndarray
    teams: np.ndarray
    periods: pd.DatetimeIndex
    values: np.ndarray


def kpi_series(log: EventLog, metrics: Sequence[str], period: str) -> pd.DataFrame:
    """The KPI table of ``metrics`` per agent and ``period`` (``kpisim.kpi.compute.kpis``)."""
    return kpis(log, by=("agent_id",), period=period, metrics=sorted(set(metrics)))


def matrices(table: pd.DataFrame, metric: str, period: str) -> Iterator[Series]:
    """One ``Series`` per replication of ``table`` (a ``kpi_series`` result)."""
    if table.empty:
        return
    for keys, g in table.groupby(list(RUN_KEYS), sort=True):
        periods = pd.date_range(g["period"].min(), g["period"].max(), freq=FREQ[period])
        wide = g.pivot_table(index="agent_id", columns="period", values=metric, aggfunc="first", dropna=False)
        wide = wide.reindex(columns=periods).sort_index()
        team = g.drop_duplicates("agent_id").set_index("agent_id")["team"].reindex(wide.index)
        yield Series(
            keys=tuple(keys),
            agents=wide.index.to_numpy(dtype=object),
            teams=team.fillna("").to_numpy(dtype=object),
            periods=periods,
            values=wide.to_numpy(dtype=float),
        )
