"""The agent population: roster, hidden true traits, and each agent's working calendar.

Traits are drawn per group, in the scenario's group order and the fixed trait order below, from
the ``traits`` stream. Attendance (lateness, early leave, absence, leave, extra breaks) is drawn
per scheduled agent-day from the ``attendance`` stream and turned into login blocks that the
engine follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpisim.scenario.models import Scenario, parse_clock

#: trait name -> (kind); "mult" = lognormal multiplier, "add" = normal shift, "score" = clipped 0-100
TRAIT_KINDS: dict[str, str] = {
    "speed": "mult",
    "resolution": "mult",
    "sales": "mult",
    "order_value": "mult",
    "courtesy": "add",
    "reliability": "mult",
    "qa": "score",
    "conduct": "mult",
}


def agent_id(group: str, k: int) -> str:
    """The id of the ``k``-th agent (from 0) of agent group ``group``, e.g. ``inbound-03``."""
    return f"{group}-{k + 1:02d}"


def agent_ids(scenario: Scenario) -> list[str]:
    """Every agent's id in roster order (what :func:`draw_traits` names them), without drawing."""
    return [agent_id(g.name, k) for g in scenario.agents for k in range(g.count)]


def draw_traits(scenario: Scenario, rng: np.random.Generator) -> pd.DataFrame:
    """The roster with hidden true traits (columns ``true_<trait>``), one row per agent.

    Multiplicative traits are lognormal with median-corrected mean: ``mean x exp(sd z - sd^2/2)``,
    so ``sd`` is about the coefficient of variation; ``courtesy`` is ``mean + sd z``; ``qa`` is
    ``mean + sd z`` clipped to 0-100.
    """
    rows = []
    for g in scenario.agents:
        z = {name: rng.standard_normal(g.count) for name in TRAIT_KINDS}
        for k in range(g.count):
            row = {
                "agent_id": agent_id(g.name, k),
                "group": g.name,
                "team": g.team,
                "shift": g.shift_name,
                "tenure_group": g.tenure_group,
                "queues": ";".join(
                    f"{q}:{p}" for q, p in sorted(g.skills.items(), key=lambda x: (x[1], x[0]))
                ),
                # session slots (AgentGroup.slots: a chat takes one, a call all of them)
                "max_concurrency": g.max_concurrency,
            }
            for name, kind in TRAIT_KINDS.items():
                t = getattr(g.traits, name)
                if kind == "mult":
                    v = t.mean * np.exp(t.sd * z[name][k] - t.sd**2 / 2)
                elif kind == "add":
                    v = t.mean + t.sd * z[name][k]
                else:
                    v = float(np.clip(t.mean + t.sd * z[name][k], 0, 100))
                row[f"true_{name}"] = float(v)
            rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class Block:
    """A continuous logged-in period of one agent (seconds since horizon start)."""

    login: float
    logout: float
    breaks: list[tuple[float, float]] = field(default_factory=list)  # (start, duration)


@dataclass
class Calendar:
    """Per-agent login blocks plus the per-day attendance records they came from."""

    blocks: list[list[Block]]
    attendance: pd.DataFrame  # agent index, day, scheduled, late, early, absent, leave, extra break


def build_calendar(scenario: Scenario, roster: pd.DataFrame, rng: np.random.Generator) -> Calendar:
    """Scheduled shifts x attendance draws -> login blocks for every agent.

    For each agent-day with a shift, in agent then day order, five uniforms and two exponentials
    are drawn (fixed count per day, so a change in one rate does not shift other draws).
    Lateness moves the login, early leave the logout; an absent or leave day has no block.
    Back-to-back blocks (a 24-hour centre) are merged into one.
    """
    h = scenario.horizon
    groups = {g.name: g for g in scenario.agents}
    all_blocks: list[list[Block]] = []
    att_rows = []
    for a, grp_name in enumerate(roster["group"]):
        g = groups[grp_name]
        k_in_group = int((roster["group"].iloc[:a] == grp_name).sum())
        rel = float(roster["true_reliability"].iat[a])
        at = g.attendance
        u = rng.random((h.days, 5))
        late_min = rng.exponential(at.late_mean_min, h.days)
        early_min = rng.exponential(at.early_leave_mean_min, h.days)
        extra_min = (
            rng.exponential(at.extra_break_min, h.days) if at.extra_break_min > 0 else np.zeros(h.days)
        )
        blocks: list[Block] = []
        for d in range(h.days):
            wd = (h.start.weekday() + d) % 7
            s = g.shift_on(wd)
            if s is None:
                continue
            start = d * 86400.0 + parse_clock(s.start) * 60.0
            end = d * 86400.0 + parse_clock(s.end) * 60.0
            if end <= start:
                end += 86400.0
            leave = u[d, 0] < at.leave
            absent = (not leave) and u[d, 1] < min(1.0, at.absent / rel)
            late = 0.0 if (leave or absent or u[d, 2] >= min(1.0, at.late / rel)) else float(late_min[d])
            early = (
                0.0 if (leave or absent or u[d, 3] >= min(1.0, at.early_leave / rel)) else float(early_min[d])
            )
            scheduled = end - start
            late = min(late, scheduled / 60.0 / 2)
            early = min(early, scheduled / 60.0 / 2)
            att_rows.append((a, d, scheduled, late, early, absent, leave))
            if leave or absent:
                continue
            login, logout = start + late * 60.0, end - early * 60.0
            brks = []
            for b in s.breaks:
                bs = d * 86400.0 + (parse_clock(b.start) + k_in_group * b.spread_min / g.count) * 60.0
                if bs < start:
                    bs += 86400.0
                if login <= bs < logout:
                    brks.append((bs, b.minutes * 60.0))
            if extra_min[d] > 0:
                brks.append((login + u[d, 4] * (logout - login), float(extra_min[d]) * 60.0))
            brks.sort()
            if blocks and login <= blocks[-1].logout:
                blocks[-1].logout = max(blocks[-1].logout, logout)
                blocks[-1].breaks.extend(brks)
            else:
                blocks.append(Block(login, logout, brks))
        all_blocks.append(blocks)
    att = pd.DataFrame(
        att_rows, columns=["agent", "day", "scheduled_s", "late_min", "early_leave_min", "absent", "leave"]
    )
    return Calendar(all_blocks, att)


def trim_calendar(calendar: Calendar, roster: pd.DataFrame) -> Calendar:
    """``calendar`` with each agent working only on the days of ``[active_from_day,
    active_to_day)`` when the roster has those columns (an agent who joins or leaves within the
    horizon); unchanged otherwise. The attendance draws are made for every day first, so the
    draws of the other agents do not depend on who joins or leaves."""
    if "active_from_day" not in roster.columns:
        return calendar
    lo = roster["active_from_day"].to_numpy(dtype=np.int64)
    hi = roster["active_to_day"].to_numpy(dtype=np.int64)
    blocks = [
        [b for b in agent_blocks if lo[a] <= int(b.login // 86400) < hi[a]]
        for a, agent_blocks in enumerate(calendar.blocks)
    ]
    att = calendar.attendance
    a_idx = att["agent"].to_numpy(dtype=np.int64)
    day = att["day"].to_numpy(dtype=np.int64)
    keep = (day >= lo[a_idx]) & (day < hi[a_idx]) if len(att) else np.zeros(0, dtype=bool)
    return Calendar(blocks, att[keep].reset_index(drop=True))
