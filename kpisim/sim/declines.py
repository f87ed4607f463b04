"""Hidden off-days and sustained declines (``Scenario.declines``): drawn per replication from the
``declines`` stream, applied where the engine uses the agent's skill, recorded as hidden truth.

Draws: per agent (roster order), two uniforms per calendar day of the horizon (decline start,
off-day), always the same count, so a change of one rate shifts no other draw. A decline starts
on the first day whose uniform is below ``rate_per_agent_month / 30`` (while none is running) and
lasts ``duration_days`` or to the end of the run (a decline carried in from an earlier month
of a year run holds its days first); an off-day is a worked day (not absent, not on
leave) whose uniform is below ``off_day_prob``. On a day the agent's handle time is multiplied
by ``slow[a, d]`` and its odds of resolving by ``odds[a, d]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpisim.scenario.declines import DAYS_PER_MONTH, Declines
from kpisim.sim.agents import odds_p
from kpisim.vocab import DECLINE_KINDS

DECLINE, OFF_DAY = DECLINE_KINDS


@dataclass
class Decline:
    """The drawn declines and off-days of one replication.

    Attributes:
        slow: agent x day handle-time multiplier (1 = as usual).
        odds: agent x day multiplier on the odds of resolving.
        spells: (agent index, kind, first day, end day exclusive, size) per decline / off-day.
    """

    slow: np.ndarray
    odds: np.ndarray
    spells: list[tuple[int, str, int, int, float]]

    def factor(self, agent: int, t_s: float) -> tuple[float, float]:
        """(handle multiplier, resolution-odds multiplier) of ``agent`` at ``t_s`` seconds."""
        d = min(int(t_s // 86400.0), self.slow.shape[1] - 1)
        return float(self.slow[agent, d]), float(self.odds[agent, d])

    def p_resolve(self, p: float, agent: int, t_s: float) -> float:
        """Probability of resolving ``p`` of ``agent`` for a contact answered at ``t_s`` seconds."""
        return odds_p(p, self.factor(agent, t_s)[1])

    def table(self, roster: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
        """The hidden ``declines`` table (without run keys)."""
        ids = roster["agent_id"].to_numpy(dtype=object)
        a = np.array([s[0] for s in self.spells], dtype=np.int64)
        first = np.array([s[2] for s in self.spells], dtype=np.int64)
        end = np.array([s[3] for s in self.spells], dtype=np.int64)
        return pd.DataFrame(
            {
                "agent_id": ids[a] if a.size else np.array([], dtype=object),
                "kind": [s[1] for s in self.spells],
                "start_at": start + pd.to_timedelta(first, unit="D"),
                "end_at": start + pd.to_timedelta(end, unit="D"),
                "size": np.array([s[4] for s in self.spells], dtype=float),
            }
        )


def draw_declines(
    spec: Declines,
    n_agents: int,
    days: int,
    attendance: pd.DataFrame,
    rng: np.random.Generator,
    *,
    carried: np.ndarray | None = None,
    window: tuple[np.ndarray, np.ndarray] | None = None,
) -> Decline:
    """Draw one replication's declines and off-days.

    Args:
        spec: the scenario's ``declines``.
        n_agents: agents in the roster; days: calendar days of the horizon.
        attendance: ``Calendar.attendance`` (agent, day, absent, leave per scheduled agent-day).
        rng: the ``declines`` stream.
        carried: per agent, days left of a decline that started before the horizon (0: none,
            ``inf``: for good); it runs from day 0 and no new decline starts while it runs (a run
            of several months, ``kpisim.analysis.year``). The draws are the same either way.
        window: per agent, the half-open range of days it is employed (``active_from_day``,
            ``active_to_day``); new declines start only inside it (a hire starts healthy).
    """
    u = rng.random((n_agents, days, 2))
    slow = np.ones((n_agents, days))
    odds = np.ones((n_agents, days))
    spells: list[tuple[int, str, int, int, float]] = []
    hazard = spec.rate_per_agent_month / DAYS_PER_MONTH
    lo, hi = window if window is not None else (np.zeros(n_agents, np.int64), np.full(n_agents, days))
    if spec.size > 0 and carried is not None:
        for a in np.flatnonzero(np.asarray(carried, dtype=float) > 0).tolist():
            end = int(min(float(days), float(carried[a])))
            spells.append((a, DECLINE, 0, end, spec.size))
            slow[a, :end] *= 1.0 + spec.size
            odds[a, :end] *= 1.0 - spec.size
    if spec.size > 0 and hazard > 0:
        for a in range(n_agents):
            d = 0 if carried is None else int(min(float(days), max(0.0, float(carried[a]))))
            while d < min(days, int(hi[a])):
                if d >= lo[a] and u[a, d, 0] < hazard:
                    end = days if spec.duration_days is None else min(days, d + spec.duration_days)
                    spells.append((a, DECLINE, d, end, spec.size))
                    slow[a, d:end] *= 1.0 + spec.size
                    odds[a, d:end] *= 1.0 - spec.size
                    d = end
                else:
                    d += 1
    if spec.off_day_prob > 0 and spec.off_day_size > 0 and len(attendance):
        worked = attendance[~(attendance["absent"] | attendance["leave"])]
        a_idx = worked["agent"].to_numpy(np.int64)
        d_idx = worked["day"].to_numpy(np.int64)
        hit = u[a_idx, d_idx, 1] < spec.off_day_prob
        for a, d in zip(a_idx[hit].tolist(), d_idx[hit].tolist(), strict=True):
            spells.append((a, OFF_DAY, d, d + 1, spec.off_day_size))
            slow[a, d] *= 1.0 + spec.off_day_size
            odds[a, d] *= 1.0 - spec.off_day_size
    spells.sort(key=lambda s: (s[0], s[2], s[1]))
    return Decline(slow, odds, spells)
