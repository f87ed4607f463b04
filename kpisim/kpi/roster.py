"""The agent's primary skill (``skill`` column of agent-level KPI tables), for policies' roles."""

from __future__ import annotations

import pandas as pd

QUEUES = ["queues"]


def primary_skill(queues: pd.Series) -> pd.Series:
    """The queue an agent serves first, from roster ``queues`` (``presales:1;aftersales:2``):
    the lowest priority number, the first listed on ties; NA without queues."""

    def first(text) -> str | None:
        if not isinstance(text, str) or not text.strip():
            return None
        pairs = [p.split(":") for p in text.split(";") if p.strip()]
        ranked = sorted(enumerate(pairs), key=lambda ip: (float(ip[1][1]) if len(ip[1]) > 1 else 1.0, ip[0]))
        return ranked[0][1][0].strip()

    return queues.map(first).astype("string")


def with_skill(roster: pd.DataFrame) -> pd.DataFrame:
    """``roster`` with its ``queues`` column replaced by ``skill`` (unchanged without it)."""
    if "queues" not in roster.columns:
        return roster
    return roster.drop(columns="queues").assign(skill=primary_skill(roster["queues"]))
