"""Consequences that happen: a policy's multi-month rules applied to one month's scores.

Each consequence of the agent's card (``scorecard.consequences``, per role) is an action:
``reaches_next_level`` promotes, ``below_level`` demotes, a rule whose id starts with ``elim``
or ``dismiss`` eliminates; any other rule only counts (``flag``). A counter per agent and rule
grows in every month its condition holds (``kpisim.policy.consequences.condition``) and resets
in a month it does not; when it reaches the rule's ``periods`` the action happens and the
counter restarts. Level changes apply from the next month; an elimination starts the notice.
Agents already leaving (on notice) are not judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpisim.policy.consequences import condition
from kpisim.policy.frame import Table
from kpisim.policy.models import Consequence, Policy, Scorecard

ACTIONS = ("promote", "demote", "eliminate", "flag")
#: event names of the year's event table, per action
EVENT_OF = {"promote": "promoted", "demote": "demoted", "eliminate": "eliminated"}


def action_of(cons: Consequence) -> str:
    """What a consequence does when its condition has held ``periods`` months running."""
    if cons.when == "reaches_next_level":
        return "promote"
    if cons.when == "below_level":
        return "demote"
    if cons.id.lower().startswith(("elim", "dismiss")):
        return "eliminate"
    return "flag"


def card_of(policy: Policy, role: object) -> Scorecard:
    """The scorecard an agent of ``role`` is judged on (the role's own card, else the policy's)."""
    for r in policy.roles:
        if r.id == role and r.scorecard is not None:
            return r.scorecard
    return policy.scorecard


@dataclass
class RuleState:
    """Counters (agent_id, consequence id) -> months running, carried from month to month."""

    runs: dict[tuple[str, str], int] = field(default_factory=dict)

    def drop(self, agent_id: str) -> None:
        for key in [k for k in self.runs if k[0] == agent_id]:
            del self.runs[key]


def judge(
    scores: pd.DataFrame, policy: Policy, levels: dict[str, str | None], state: RuleState
) -> list[tuple[str, str, str]]:
    """Apply ``policy``'s consequences to one month's ``scores`` (columns ``agent_id``, ``total``,
    optionally ``role``) of the agents to judge; update ``state`` and ``levels`` in place.

    Returns:
        ``(agent_id, event, detail)`` per action taken, in row order: ``promoted`` / ``demoted``
        (detail ``old->new``) and ``eliminated`` (detail: the rule's id).
    """
    events: list[tuple[str, str, str]] = []
    if scores.empty:
        return events
    roles = scores["role"].to_numpy(object) if "role" in scores.columns else np.full(len(scores), None)
    for role in dict.fromkeys(roles):
        card = card_of(policy, role)
        rows = np.flatnonzero(roles == role) if role is not None else np.arange(len(scores))
        part = scores.iloc[rows].reset_index(drop=True)
        df = part[["agent_id"]].copy()
        if card.levels is not None:
            df[card.levels.column] = [levels.get(a) or card.levels.bands[0].name for a in part["agent_id"]]
        total = part["total"].to_numpy(float)
        table = Table(df, what="scores of the month")
        for cons in card.consequences:
            hold = condition(cons, total, table, card.levels)
            act = action_of(cons)
            for i, agent in enumerate(part["agent_id"].astype(str)):
                key = (agent, cons.id)
                run = state.runs.get(key, 0) + 1 if hold[i] else 0
                state.runs[key] = run
                if run < cons.periods or act == "flag":
                    continue
                state.runs[key] = 0
                events.extend(_act(act, agent, cons, card, levels))
    return _first_exit(events)


def _act(act: str, agent: str, cons: Consequence, card: Scorecard, levels: dict[str, str | None]):
    if act == "eliminate":
        return [(agent, "eliminated", cons.id)]
    assert card.levels is not None, "level consequences are checked to need scorecard.levels"
    names = [b.name for b in card.levels.bands]
    old = levels.get(agent) or names[0]
    i = names.index(old) if old in names else 0
    j = min(i + 1, len(names) - 1) if act == "promote" else max(i - 1, 0)
    if j == i:
        return []
    levels[agent] = names[j]
    return [(agent, EVENT_OF[act], f"{old}->{names[j]}")]


def _first_exit(events: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """An agent eliminated this month is not also promoted or demoted (elimination wins)."""
    gone = {a for a, e, _ in events if e == "eliminated"}
    return [ev for ev in events if ev[0] not in gone or ev[1] == "eliminated"]
