"""Write an event log as a vendor-like export: every table in its own CSV with the platform's
column names, formats and value spellings, plus the roster and the column mapping that reads it
back (``docs/import.md``). Used for the bundled sample export (``scripts/make_sample_export.py``)
and for the calibration round trip (simulate -> export -> import -> calibrate).

Files written by :func:`write_export`:

- ``sessions.csv`` contacts: day-first times, Y/N flags, amounts in currency units;
- ``agent_status.csv`` agent states as intervals, times in UTC (the centre is in Asia/Shanghai);
- ``attendance.csv`` one row per agent-day, Chinese headers, 是/否 flags, hours and minutes;
- ``conduct.csv`` conduct events with Chinese labels; ``qa.csv`` QA evaluations;
- ``silent_orders.csv``; ``roster.csv``; ``mapping.yaml``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from kpisim.io.eventlog import EventLog

FMT = "%d/%m/%Y %H:%M:%S"
UTC_FMT = "%Y-%m-%d %H:%M:%S"
DATE_FMT = "%Y/%m/%d"
ID_OFFSET = 700000
CENTRE_TZ, CENTRE_UTC_OFFSET_H = "Asia/Shanghai", 8

MAPPING = """\
# Column mapping of the bundled sample export (see docs/import.md).
scenario_id: sample_shop
columns:
  Session ID: contact_id
  Customer: customer_id
  Channel: channel
  Skill Group: queue
  Agent: agent_id
  Start Time: arrival_at
  Answer Time: answered_at
  End Time: ended_at
  Wrap End: wrap_up_end_at
  Wait (s): wait_s
  Abandoned: abandoned
  Transferred: transferred
  Paid Order: converted
  Order Amount: order_value_cents
  Refunded: refunded
  Save Case: rescue_opportunity
  Saved: rescued
  Rating: csat
  NPS: nps
  Complaint: complaint
  Praise: praise
  First Response (s): first_response_s
  Response Time Total (s): response_time_sum_s
  Replies: response_count
  Customer Msgs: customer_msgs
  Agent Msgs: agent_msgs
  System Msgs: system_msgs
  Replied: replied
  Invalid: invalid
time_format: "%d/%m/%Y %H:%M:%S"
true_values: ["Y"]
false_values: ["N", ""]
money_unit: units
recode:
  channel: {"Web Chat": chat, "Phone": voice}
  queue: {QUEUES}
roster:
  columns:
    Agent: agent_id
    Team: team
    Shift: shift
    Tenure: tenure_group
    Max Chats: max_concurrency
"""

TABLES_MAPPING = """\
file: sessions.csv
tables:
  agent_states:
    file: agent_status.csv
    columns: {Agent: agent_id, Status: state, "Start (UTC)": start_at, "End (UTC)": end_at, Chats: sessions}
    time_format: "%Y-%m-%d %H:%M:%S"
    time_zone: UTC
    local_time_zone: Asia/Shanghai
    recode:
      state: {Ready: available, Busy: busy, After Call Work: wrap_up, "Not Ready - Break": break, Logged Out: offline}
  attendance:
    file: attendance.csv
    columns: {工号: agent_id, 日期: date, 排班时长(小时): scheduled_s, 在线时长(小时): logged_in_s, 小休(分钟): hangup_s,
              迟到(分钟): late_min, 早退(分钟): early_leave_min, 缺勤: absent, 请假: leave}
    date_format: "%Y/%m/%d"
    true_values: [是]
    false_values: [否, ""]
    units: {scheduled_s: h, logged_in_s: h, hangup_s: min}
  conduct:
    file: conduct.csv
    columns: {工号: agent_id, 日期: date, 事件: event}
    date_format: "%Y/%m/%d"
    recode:
      event: {违规: rule_breach, 态度差: poor_attitude, 怠慢客户: ignored_customer, 答复错误: wrong_answer,
              约定不清: unclear_agreement, 交接失误: handover_failure, 推诿工作: work_handoff,
              下班后协助: after_hours_help, 建议被采纳: adopted_idea}
  qa:
    file: qa.csv
    columns: {Agent: agent_id, Session ID: contact_id, Score: qa_score}
  silent_orders:
    file: silent_orders.csv
    columns: {Order No: order_id, Order Time: ordered_at, Amount: value_cents}
    time_format: "%d/%m/%Y %H:%M:%S"
"""

_QUEUE = {"presales": "Pre-sales", "aftersales": "After-sales", "voice_support": "Support"}
_CHANNEL = {"chat": "Web Chat", "voice": "Phone"}
_STATE = {
    "available": "Ready",
    "busy": "Busy",
    "wrap_up": "After Call Work",
    "break": "Not Ready - Break",
    "offline": "Logged Out",
}
_EVENT = {
    "rule_breach": "违规",
    "poor_attitude": "态度差",
    "ignored_customer": "怠慢客户",
    "wrong_answer": "答复错误",
    "unclear_agreement": "约定不清",
    "handover_failure": "交接失误",
    "work_handoff": "推诿工作",
    "after_hours_help": "下班后协助",
    "adopted_idea": "建议被采纳",
}


def queue_label(q: str) -> str:
    """The platform's name of a queue."""
    return _QUEUE.get(q, q.replace("_", " ").title())


def mapping_text(queues, *, tables: bool = False) -> str:
    """The mapping YAML for an export of these queues (with the extra tables if ``tables``)."""
    labels = {queue_label(q): q for q in queues}
    for q, lab in _QUEUE.items():
        labels.setdefault(lab, q)
    rec = "{" + ", ".join(f'"{k}": {v}' for k, v in labels.items()) + "}"
    return MAPPING.replace("{QUEUES}", rec) + (TABLES_MAPPING if tables else "")


def _t(s: pd.Series, fmt: str = FMT) -> pd.Series:
    return s.dt.floor("s").dt.strftime(fmt).fillna("")


def _yn(s: pd.Series, yes: str = "Y", no: str = "N"):
    return np.where(s.to_numpy(dtype=bool), yes, no)


def _num(s: pd.Series, decimals: int) -> pd.Series:
    x = s.to_numpy(dtype=float, na_value=np.nan)
    return pd.Series([("" if np.isnan(v) else f"{v:.{decimals}f}") for v in x])


def _money(v) -> list[str]:
    return [f"{x // 100}.{x % 100:02d}" if x else "" for x in v]


def export_frame(c: pd.DataFrame) -> pd.DataFrame:
    """The vendor-style export of a contacts table (all values as text)."""
    c = c.sort_values(["arrival_at", "contact_id"], kind="stable").reset_index(drop=True)
    ints = lambda s: s.astype("Int64").astype("string").fillna("")  # noqa: E731
    return pd.DataFrame(
        {
            "Session ID": (ID_OFFSET + c["contact_id"]).astype(str),
            "Customer": "C" + c["customer_id"].astype(str).str.zfill(6),
            "Channel": c["channel"].map(_CHANNEL),
            "Skill Group": c["queue"].map(queue_label),
            "Agent": c["agent_id"].fillna(""),
            "Start Time": _t(c["arrival_at"]),
            "Answer Time": _t(c["answered_at"]),
            "End Time": _t(c["ended_at"]),
            "Wrap End": _t(c["wrap_up_end_at"]),
            "Wait (s)": _num(c["wait_s"], 1),
            "Abandoned": _yn(c["abandoned"]),
            "Transferred": _yn(c["transferred"]),
            "Paid Order": _yn(c["converted"]),
            "Order Amount": _money(c["order_value_cents"]),
            "Refunded": _yn(c["refunded"]),
            "Save Case": _yn(c["rescue_opportunity"]),
            "Saved": _yn(c["rescued"]),
            "Rating": ints(c["csat"]),
            "NPS": ints(c["nps"]),
            "Complaint": _yn(c["complaint"]),
            "Praise": _yn(c["praise"]),
            "First Response (s)": _num(c["first_response_s"], 1),
            "Response Time Total (s)": _num(c["response_time_sum_s"], 1),
            "Replies": ints(c["response_count"]),
            "Customer Msgs": ints(c["customer_msgs"]),
            "Agent Msgs": ints(c["agent_msgs"]),
            "System Msgs": ints(c["system_msgs"]),
            "Replied": _yn(c["replied"]),
            "Invalid": _yn(c["invalid"]),
            "Browser": np.where(c["contact_id"] % 3 == 0, "Chrome", "Safari"),  # not mapped: ignored
        }
    )


#: (kind, column, how to spoil the value) -- each applied to two answered rows
SPOILERS = (
    ("bad time", "Start Time", lambda r: "31/02/2026 25:61:00"),
    ("bad number", "Wait (s)", lambda r: "12,5s"),
    ("bad boolean", "Abandoned", lambda r: "maybe"),
    ("time zone", "End Time", lambda r: r["End Time"] + "+01:00"),
    ("empty required", "Start Time", lambda r: ""),
    ("out of range", "Rating", lambda r: "7"),
    ("unknown agent", "Agent", lambda r: "ghost-99"),
    ("negative duration", "Wait (s)", lambda r: "-15.0"),
    (
        "answered before arrival",
        "Answer Time",
        lambda r: (pd.to_datetime(r["Start Time"], format=FMT) - pd.Timedelta(seconds=60)).strftime(FMT),
    ),
    (
        "ended before answered",
        "End Time",
        lambda r: (pd.to_datetime(r["Answer Time"], format=FMT) - pd.Timedelta(seconds=30)).strftime(FMT),
    ),
)


def spoil(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Damage a few answered rows (two per kind) and duplicate two Session IDs."""
    rng = np.random.default_rng(seed)
    df = df.copy()
    answered = np.flatnonzero((df["Answer Time"] != "").to_numpy())
    rows = rng.choice(answered, size=2 * len(SPOILERS) + 2, replace=False)
    for k, (_, col, how) in enumerate(SPOILERS):
        for i in rows[2 * k : 2 * k + 2]:
            df.loc[i, col] = how(df.loc[i])
    for i in rows[-2:]:  # a later row re-uses an earlier Session ID (re-exported session)
        df.loc[i, "Session ID"] = df.loc[max(i - 5, 0), "Session ID"]
    return df


def roster_frame(agents: pd.DataFrame, *, group: bool = False) -> pd.DataFrame:
    cols = {"Agent": agents["agent_id"]}
    if group:
        cols["Group"] = agents["group"]
    cols |= {
        "Team": agents["team"],
        "Shift": agents["shift"],
        "Tenure": agents["tenure_group"],
        "Max Chats": agents["max_concurrency"],
    }
    return pd.DataFrame(cols).sort_values("Agent").reset_index(drop=True)


def table_frames(log: EventLog) -> dict[str, pd.DataFrame]:
    """The vendor-style files of the tables besides contacts (all values as text)."""
    st = log.agent_states.sort_values(["agent_id", "start_at"], kind="stable")
    to_utc = pd.Timedelta(hours=CENTRE_UTC_OFFSET_H)
    att, con, qa, so = log.attendance, log.conduct, log.qa, log.silent_orders
    hours = lambda s: _num(s / 3600, 4)  # noqa: E731
    return {
        "agent_status.csv": pd.DataFrame(
            {
                "Agent": st["agent_id"].to_numpy(),
                "Status": st["state"].map(_STATE).to_numpy(),
                "Start (UTC)": _t(st["start_at"] - to_utc, UTC_FMT).to_numpy(),
                "End (UTC)": _t(st["end_at"] - to_utc, UTC_FMT).to_numpy(),
                "Chats": st["sessions"].to_numpy(),
            }
        ),
        "attendance.csv": pd.DataFrame(
            {
                "工号": att["agent_id"],
                "日期": att["date"].dt.strftime(DATE_FMT),
                "排班时长(小时)": hours(att["scheduled_s"]),
                "在线时长(小时)": hours(att["logged_in_s"]),
                "小休(分钟)": _num(att["hangup_s"] / 60, 2),
                "迟到(分钟)": _num(att["late_min"], 1),
                "早退(分钟)": _num(att["early_leave_min"], 1),
                "缺勤": _yn(att["absent"], "是", "否"),
                "请假": _yn(att["leave"], "是", "否"),
            }
        ),
        "conduct.csv": pd.DataFrame(
            {
                "工号": con["agent_id"],
                "日期": con["date"].dt.strftime(DATE_FMT),
                "事件": con["event"].map(_EVENT),
            }
        ),
        "qa.csv": pd.DataFrame(
            {
                "Agent": qa["agent_id"],
                "Session ID": (ID_OFFSET + qa["contact_id"]).astype(str),
                "Score": _num(qa["qa_score"], 0),
            }
        ),
        "silent_orders.csv": pd.DataFrame(
            {
                "Order No": so["order_id"].astype(str),
                "Order Time": _t(so["ordered_at"]),
                "Amount": _money(so["value_cents"]),
            }
        ),
    }


def write_export(log: EventLog, out_dir: str | os.PathLike, *, replication: int | None = None) -> Path:
    """Write one replication of ``log`` as a vendor-like export directory (see the module doc);
    inbound contacts only (an inbound phone system's export).

    Returns:
        The directory; read it back with
        ``import_export(dir, mapping=dir / "mapping.yaml", agents=dir / "roster.csv")``.
    """
    rep = int(log.contacts["replication"].min()) if replication is None else replication
    one = EventLog({k: v[v["replication"] == rep] for k, v in log.tables.items()}, log.manifest)
    # the inbound system's export: outbound campaigns' calls and dials are not in it
    one.tables["contacts"] = one.contacts[one.contacts["direction"] != "outbound"]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    export_frame(one.contacts).to_csv(out / "sessions.csv", index=False, lineterminator="\n")
    for name, df in table_frames(one).items():
        df.to_csv(out / name, index=False, lineterminator="\n")
    roster_frame(one.agents, group=True).to_csv(out / "roster.csv", index=False, lineterminator="\n")
    text = mapping_text(sorted(one.contacts["queue"].unique()), tables=True)
    text = text.replace(
        "    Agent: agent_id\n    Team: team", "    Agent: agent_id\n    Group: group\n    Team: team"
    )
    sid = str(one.contacts["scenario_id"].iat[0]) if len(one.contacts) else "export"
    (out / "mapping.yaml").write_text(
        text.replace("scenario_id: sample_shop", f"scenario_id: {sid}_export"), encoding="utf-8"
    )
    return out
