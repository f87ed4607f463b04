"""Agent groups, shifts and breaks, attendance and conduct rates, QA, silent orders.

- **Groups**: the roster's ``group`` when it has one, else one group per (team, shift, tenure).
  Skills: the queue a group handles most gets priority 1, other queues it handled priority 2.
- **Shifts** per weekday: from the agent-states table (logged-in blocks) where present, else from
  the first answer and last wrap-up end of each agent-day (a lower bound of the logged-in time).
  A weekday is off when fewer than half of the group's agents worked on it; the start and end are
  the median login and logout rounded to 30 minutes.
- **Breaks**: ``break`` intervals of the agent states; a break length (to 5 minutes) taken on most
  worked days is a scheduled break, its earliest start and the spread of starts give ``start`` and
  ``spread_min``; the rest is unscheduled break time (``extra_break_min``).
- **Attendance** (attendance table): P(leave), P(absent | no leave), P(late | worked) with the
  mean minutes late, the same for early leave; binomial intervals.
- **Conduct**: events of each kind per worked agent-day, per group.
- **QA**: reviews per agent-month; each group's mean QA and the between-agent spread (shrunk);
  the within-agent spread of one score is ``qa_sd``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.analysis.calibrate.base import Part
from kpisim.analysis.calibrate.fitting import binom_ci, mean_ci
from kpisim.analysis.calibrate.prep import Hours
from kpisim.analysis.calibrate.shrinkage import shrink_means
from kpisim.scenario.base import WEEKDAYS
from kpisim.vocab import CONDUCT_EVENTS as CONDUCT_KINDS


def _clock(m: float) -> str:
    m = int(round(m))
    return f"{m // 60:02d}:{m % 60:02d}"


def group_of(agents: pd.DataFrame) -> pd.Series:
    """Group name per agent (index = agent_id)."""
    a = agents.set_index("agent_id")
    if "group" in a and a["group"].notna().all():
        return a["group"].astype(str)
    parts = [a[c].astype(object).fillna("").astype(str) for c in ("team", "shift", "tenure_group") if c in a]
    if not parts:
        return pd.Series("agents", index=a.index)
    name = (
        parts[0].str.cat(parts[1:], sep="-").str.strip("-").str.replace(r"[^A-Za-z0-9_.-]+", "_", regex=True)
    )
    return name.replace("", "agents")


def _blocks(states: pd.DataFrame) -> pd.DataFrame:
    """Logged-in blocks (agent_id, login, logout) from agent states."""
    on = states[states["state"] != "offline"].sort_values(["agent_id", "start_at"])
    new = (on["agent_id"] != on["agent_id"].shift()) | (
        on["start_at"] > on["end_at"].shift() + pd.Timedelta(seconds=1)
    )
    b = (
        on.assign(block=np.cumsum(new.to_numpy(dtype=bool, na_value=True)))
        .groupby("block")
        .agg(agent_id=("agent_id", "first"), login=("start_at", "min"), logout=("end_at", "max"))
    )
    return b.reset_index(drop=True)


def _activity_blocks(ans: pd.DataFrame) -> pd.DataFrame:
    d = ans.assign(day=ans["answered_at"].dt.normalize(), end=ans["wrap_up_end_at"].fillna(ans["ended_at"]))
    return d.groupby(["agent_id", "day"], as_index=False).agg(
        login=("answered_at", "min"), logout=("end", "max")
    )[["agent_id", "login", "logout"]]


def _breaks(brk: pd.DataFrame, worked_days: int, g_size: int) -> tuple[list[dict], float]:
    """Scheduled breaks and mean unscheduled break minutes per worked day."""
    if brk.empty or worked_days == 0:
        return [], 0.0
    dur = brk["minutes"].round(0)
    sched, used = [], np.zeros(len(brk), dtype=bool)
    for length, cnt in (5 * (dur / 5).round()).value_counts().items():
        if length >= 10 and cnt >= 0.6 * worked_days:
            m = ((5 * (dur / 5).round()) == length).to_numpy()
            st = brk.loc[m, "start_min"].to_numpy()
            q10, q90 = np.quantile(st, 0.1), np.quantile(st, 0.9)
            spread = (q90 - q10) / 0.8 * g_size / max(g_size - 1, 1)  # starts spread evenly over it
            lo = q10 - 0.1 * spread
            sched.append(
                {
                    "start": _clock(5 * np.floor(lo / 5)),
                    "minutes": float(length),
                    "spread_min": float(round(spread / 5) * 5),
                }
            )
            used |= m
    extra = float(brk.loc[~used, "minutes"].sum() / worked_days)
    return sorted(sched, key=lambda b: b["start"]), extra


def _label(ga: pd.DataFrame, col: str, default: str) -> str:
    return str(ga[col].iat[0]) if col in ga and pd.notna(ga[col].iat[0]) else default


def _shifts(
    g, n, blocks, brk, hours: Hours, has_states: bool, days_per_wd, shift_rows: list
) -> tuple[dict, list]:
    """Weekday -> shift (or 'off') of group ``g``; also (unscheduled break min, days) per weekday."""
    shifts: dict[str, object] = {}
    extra_all = []
    for w in range(7):
        bw = blocks[(blocks["group"] == g) & (blocks["wd"] == w)]
        share = len(bw) / (n * days_per_wd.get(w, 0)) if days_per_wd.get(w, 0) else 0.0
        if share < 0.5:
            shifts[WEEKDAYS[w]] = "off"
            continue
        if has_states:
            start = max(30 * round(bw["in_min"].median() / 30), hours.open_min)
            end = min(30 * round(bw["out_min"].median() / 30), hours.close_min)
        else:  # activity underestimates logged-in time: round outwards
            start = max(30 * np.floor(bw["in_min"].quantile(0.1) / 30), hours.open_min)
            end = min(30 * np.ceil(bw["out_min"].quantile(0.9) / 30), hours.close_min)
        if end <= start:
            shifts[WEEKDAYS[w]] = "off"
            continue
        breaks: list[dict] = []
        if has_states:
            bg = brk[(brk["group"] == g) & (brk["wd"] == w)]
            breaks, extra = _breaks(bg, len(bw), n)
            breaks = [b for b in breaks if start <= int(b["start"][:2]) * 60 + int(b["start"][3:]) < end]
            extra_all.append((extra, len(bw)))
        shifts[WEEKDAYS[w]] = {"start": _clock(start), "end": _clock(end), "breaks": breaks}
        shift_rows.append(
            {
                "group": g,
                "weekday": WEEKDAYS[w],
                "agents_working_share": share,
                "median_login": _clock(bw["in_min"].median()),
                "median_logout": _clock(bw["out_min"].median()),
                "fitted_start": _clock(start),
                "fitted_end": _clock(end),
                "scheduled_breaks": "; ".join(f"{b['start']} {b['minutes']:g} min" for b in breaks),
            }
        )
    return shifts, extra_all


def _attendance(part: Part, g: str, ag: pd.DataFrame) -> tuple[dict, int]:
    """Attendance rates of one group from its attendance rows; worked agent-days."""
    attendance: dict[str, float] = {}
    worked = ~(ag["absent"] | ag["leave"])
    for key, k, nn in (
        ("leave", ag["leave"].sum(), len(ag)),
        ("absent", ag["absent"].sum(), (~ag["leave"]).sum()),
        ("late", (ag.loc[worked, "late_min"] > 0).sum(), worked.sum()),
        ("early_leave", (ag.loc[worked, "early_leave_min"] > 0).sum(), worked.sum()),
    ):
        p = binom_ci(k, nn)
        attendance[key] = round(p[0], 4)
        part.est(g, f"attendance.{key}", *p, method="share of scheduled agent-days")
    for key, col in (("late_mean_min", "late_min"), ("early_leave_mean_min", "early_leave_min")):
        v = ag.loc[worked & (ag[col] > 0), col]
        if len(v):
            attendance[key] = round(float(v.mean()), 2)
            part.est(g, f"attendance.{key}", *mean_ci(v), unit="min")
    return attendance, int(worked.sum())


def _conduct(part: Part, g: str, events: pd.Series, worked_days: int) -> dict:
    cg = events.value_counts()
    rates = {}
    for kind in CONDUCT_KINDS:
        p = binom_ci(int(cg.get(kind, 0)), worked_days)
        rates[kind] = round(p[0], 5)
        if cg.get(kind, 0):
            part.est(g, f"conduct.{kind}", *p, unit="per agent-day")
    return rates


def _prepare_blocks(log_tables, observed, ans, grp, part: Part):
    has_states = bool("agent_states" in observed and len(log_tables["agent_states"]))
    blocks = _blocks(log_tables["agent_states"]) if has_states else _activity_blocks(ans)
    if not has_states:
        part.default(
            "all groups",
            "shifts",
            "first answer to last wrap-up of each agent-day, rounded out to 30 min",
            "no agent-states table: logged-in time is not observed",
        )
        part.default("all groups", "breaks", "none", "no agent-states table")
    blocks["group"] = blocks["agent_id"].map(grp)
    blocks["day"] = blocks["login"].dt.normalize()
    blocks["wd"] = blocks["day"].dt.day_of_week
    blocks["in_min"] = (blocks["login"] - blocks["day"]).dt.total_seconds() / 60
    blocks["out_min"] = (blocks["logout"] - blocks["day"]).dt.total_seconds() / 60
    brk = None
    if has_states:
        st = log_tables["agent_states"]
        b = st[st["state"] == "break"]
        brk = pd.DataFrame(
            {
                "agent_id": b["agent_id"],
                "group": b["agent_id"].map(grp),
                "wd": b["start_at"].dt.day_of_week,
                "start_min": (b["start_at"] - b["start_at"].dt.normalize()).dt.total_seconds() / 60,
                "minutes": (b["end_at"] - b["start_at"]).dt.total_seconds() / 60,
            }
        )
    return has_states, blocks, brk


def fit_workforce(
    log_tables: dict[str, pd.DataFrame], observed: set[str], ans: pd.DataFrame, hours: Hours
) -> Part:
    """Agent groups with skills, shifts, breaks, attendance and conduct; QA; silent orders."""
    part = Part("workforce")
    agents = log_tables["agents"]
    grp = group_of(agents)
    has_states, blocks, brk = _prepare_blocks(log_tables, observed, ans, grp, part)
    days_per_wd = pd.Series(pd.date_range(hours.start, periods=hours.days).day_of_week).value_counts()
    handled = ans.assign(group=ans["agent_id"].map(grp)).groupby(["group", "queue"]).size()
    att = log_tables["attendance"] if "attendance" in observed else None
    con = log_tables["conduct"] if "conduct" in observed else None
    groups, shift_rows = [], []
    for g, ids in grp.groupby(grp).groups.items():
        n = len(ids)
        ga = agents.set_index("agent_id").loc[list(ids)]
        shifts, extra_all = _shifts(g, n, blocks, brk, hours, has_states, days_per_wd, shift_rows)
        h = handled[g] if g in handled.index.get_level_values(0) else pd.Series(dtype=float)
        h = h.sort_values(ascending=False)
        skills = {q: (1 if i == 0 else 2) for i, q in enumerate(h.index) if h[q] >= 0.01 * h.sum()}
        spec = {
            "name": g,
            "count": n,
            "skills": skills,
            "shifts": shifts,
            "max_concurrency": int(ga["max_concurrency"].max()) if "max_concurrency" in ga else 1,
            "team": _label(ga, "team", "team"),
            "shift_name": _label(ga, "shift", "day"),
            "tenure_group": _label(ga, "tenure_group", "experienced"),
        }
        attendance: dict[str, float] = {}
        worked_days = int((blocks["group"] == g).sum())
        if att is not None and len(att):
            attendance, worked_days = _attendance(part, g, att[att["agent_id"].isin(ids)])
        if extra_all:
            days = max(sum(k for _, k in extra_all), 1)
            attendance["extra_break_min"] = round(sum(e * k for e, k in extra_all) / days, 2)
        if attendance:
            spec["attendance"] = attendance
        if con is not None and worked_days:
            spec["conduct"] = _conduct(part, g, con.loc[con["agent_id"].isin(ids), "event"], worked_days)
        groups.append(spec)
    if att is None:
        part.default("all groups", "attendance", "no lateness, absence or leave", "no attendance table")
    if con is None:
        part.default("all groups", "conduct", "no conduct events", "no conduct table")
    part.tables["shifts"] = pd.DataFrame(shift_rows)
    part.values = {"groups": groups, "group_of": grp.to_dict()}
    _qa_and_silent(part, log_tables, observed, grp, hours)
    return part


def _qa_and_silent(
    part: Part, t: dict[str, pd.DataFrame], observed: set[str], grp: pd.Series, hours: Hours
) -> None:
    qa = t["qa"] if "qa" in observed else pd.DataFrame()
    if len(qa):
        per = qa.groupby(["agent_id", qa["reviewed_at"].dt.to_period("M")]).size()
        part.values["qa_samples_per_month"] = int(round(per.median()))
        g = qa.groupby("agent_id")["qa_score"]
        within = float(
            np.sqrt((g.var(ddof=1).fillna(0) * (g.size() - 1)).sum() / max((g.size() - 1).sum(), 1))
        )
        sh = shrink_means(
            g.mean().to_numpy(), within / np.sqrt(g.size().to_numpy()), grp.reindex(g.mean().index).to_numpy()
        )
        sh["group"] = grp.reindex(g.mean().index).to_numpy()
        part.values["qa"] = {
            k: {"mean": round(float(v["shrunk"].mean()), 2), "sd": round(float(v["between_sd"].iat[0]), 2)}
            for k, v in sh.groupby("group")
        }
        part.values["qa_sd"] = round(within, 3)
        part.est("all agents", "qa_sd (one review around the agent's level)", within)
    else:
        part.default("all", "qa_samples_per_month", 0, "no QA table")
    so = t["silent_orders"] if "silent_orders" in observed else pd.DataFrame()
    if len(so):
        v = so["value_cents"].to_numpy(dtype=float)
        per_day = len(so) / hours.days
        part.values["silent_orders"] = {
            "per_day": round(per_day, 2),
            "value_cents": int(round(v.mean())),
            "value_cv": round(float(v.std() / v.mean()), 3),
        }
        part.est(
            "centre",
            "silent orders per day",
            per_day,
            per_day - 1.96 * np.sqrt(per_day / hours.days),
            per_day + 1.96 * np.sqrt(per_day / hours.days),
        )
    else:
        part.default("centre", "silent_orders", "none", "no silent-orders table")
