"""Importing every table of an export: value maps, units, time zones, and one broken row per
failure class quarantined with its reason; rows in = rows imported + rows quarantined."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpisim.errors import DataError, SpecError
from kpisim.io.mapping import load_mapping
from kpisim.io.tables import import_export
from kpisim.kpi.compute import kpis

CONTACTS = """contact_id,agent_id,arrival_at,answered_at,ended_at
1,A1,2024-03-04 09:00:00,2024-03-04 09:00:10,2024-03-04 09:05:10
2,A2,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30
"""

# (table, file text with a good first row, then one bad row per failure class -> reason substring)
TABLES = {
    "agent_states": (
        "Agent,Status,Start,End,Chats\n"
        "A1,Ready,2024-03-04 01:00:00,2024-03-04 01:30:00,0\n"
        "A1,Busy,2024-03-04 01:30:00,2024-03-04 01:40:00,1\n",
        [
            (
                "A2,Ready,2024-03-04 25:00:00,2024-03-04 01:30:00,0",
                "cannot read '2024-03-04 25:00:00' as a time",
            ),
            (
                "A2,Ready,2024-03-04 01:00:00+08:00,2024-03-04 01:30:00,0",
                "time zone offsets are not supported",
            ),
            ("A2,Lunch,2024-03-04 01:00:00,2024-03-04 01:30:00,0", "'Lunch' is not one of available"),
            ("A2,Ready,2024-03-04 02:00:00,2024-03-04 01:30:00,0", "is before start_at"),
            (
                "A1,Break,2024-03-04 01:35:00,2024-03-04 01:50:00,0",
                "overlaps the agent's previous state (row 2)",
            ),
            (
                "ghost,Ready,2024-03-04 01:00:00,2024-03-04 01:30:00,0",
                "agent_id 'ghost' is not in the roster",
            ),
            ("A2,Ready,,2024-03-04 01:30:00,0", "Start (start_at): empty; a value is required"),
            ("A2,Ready,2024-03-04 03:00:00,2024-03-04 03:30:00,-1", "negative value -1"),
            ("A2,Ready,2024-03-04 04:00:00,2024-03-04 04:30:00,1.5", "'1.5' is not a whole number"),
        ],
    ),
    "attendance": (
        "工号,日期,排班时长(小时),在线时长(小时),小休(分钟),迟到(分钟),缺勤,请假\n"
        "A1,2024/03/04,8,7.5,30,0,否,否\n",
        [
            ("A2,2024/13/04,8,7.5,30,0,否,否", "cannot read '2024/13/04' as a time"),
            ("A2,2024/03/04,8,7.5,30,0,也许,否", "cannot read '也许' as true/false"),
            ("A2,2024/03/05,8,7.5,30,-5,否,否", "negative value -5"),
            ("A1,2024/03/04,8,7.5,30,0,否,否", "duplicate agent_id + date"),
            ("A2,2024/03/06,八,7.5,30,0,否,否", "cannot read '八' as a number"),
        ],
    ),
    "conduct": (
        "工号,日期,事件\nA1,2024/03/04,违规\n",
        [
            ("A2,2024/03/04,迟到早退", "'迟到早退' is not one of rule_breach"),
            (",2024/03/04,违规", "工号 (agent_id): empty; a value is required"),
        ],
    ),
    "qa": (
        "Agent,Session ID,Score\nA1,1,95\n",
        [
            ("A2,2,120", "qa_score: 120 outside 0-100"),
            ("A2,99,90", "contact_id 99 is not in the contacts table"),
            ("A2,2,good", "cannot read 'good' as a number"),
        ],
    ),
    "silent_orders": (
        "Order No,Order Time,Amount\n7,04/03/2024 10:00:00,129.90\n",
        [
            ("7,04/03/2024 11:00:00,10.00", "duplicate order_id"),
            ("8,04/03/2024 11:00:00,1.005", "is not an amount with at most 2 decimals"),
            ("9,04/03/2024 12:00:00,-3.00", "negative value -300"),
        ],
    ),
}

MAPPING = {
    "tables": {
        "agent_states": {
            "file": "agent_states.csv",
            "columns": {
                "Agent": "agent_id",
                "Status": "state",
                "Start": "start_at",
                "End": "end_at",
                "Chats": "sessions",
            },
            "time_zone": "UTC",
            "local_time_zone": "Asia/Shanghai",
            "recode": {"state": {"Ready": "available", "Busy": "busy", "Break": "break"}},
        },
        "attendance": {
            "file": "attendance.csv",
            "columns": {
                "工号": "agent_id",
                "日期": "date",
                "排班时长(小时)": "scheduled_s",
                "在线时长(小时)": "logged_in_s",
                "小休(分钟)": "hangup_s",
                "迟到(分钟)": "late_min",
                "缺勤": "absent",
                "请假": "leave",
            },
            "date_format": "%Y/%m/%d",
            "true_values": ["是"],
            "false_values": ["否", ""],
            "units": {"scheduled_s": "h", "logged_in_s": "h", "hangup_s": "min"},
        },
        "conduct": {
            "file": "conduct.csv",
            "columns": {"工号": "agent_id", "日期": "date", "事件": "event"},
            "date_format": "%Y/%m/%d",
            "recode": {"event": {"违规": "rule_breach"}},
        },
        "qa": {
            "file": "qa.csv",
            "columns": {"Agent": "agent_id", "Session ID": "contact_id", "Score": "qa_score"},
        },
        "silent_orders": {
            "file": "silent_orders.csv",
            "time_format": "%d/%m/%Y %H:%M:%S",
            "columns": {"Order No": "order_id", "Order Time": "ordered_at", "Amount": "value_cents"},
        },
    }
}


def _export(tmp_path: Path, tables=TABLES, bad: bool = True) -> Path:
    (tmp_path / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    (tmp_path / "roster.csv").write_text("agent_id,team\nA1,T\nA2,T\n", encoding="utf-8")
    for name, (good, rows) in tables.items():
        text = good + "".join(r + "\n" for r, _ in rows) if bad else good
        (tmp_path / MAPPING["tables"][name]["file"]).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("table", list(TABLES))
def test_one_broken_row_per_failure_class_is_quarantined_with_its_reason(tmp_path, table):
    d = _export(tmp_path)
    log = import_export(d, mapping=MAPPING, agents=d / "roster.csv", quarantine=d / "bad.csv")
    info = log.manifest["tables"][table]
    good, rows = TABLES[table]
    n_good = good.count("\n") - 1
    assert info["rows_in"] == n_good + len(rows) == info["rows_imported"] + info["rows_quarantined"]
    assert info["rows_imported"] == n_good and len(log.tables[table]) == n_good
    q = pd.read_csv(d / f"bad.{table}.csv", dtype=str, keep_default_na=False)
    assert list(q["row"].astype(int)) == list(range(n_good + 1, n_good + len(rows) + 1))
    for (_row, why), reason in zip(rows, q["reason"], strict=True):
        assert why in reason, (why, reason)
    assert table in log.manifest["observed_tables"]


def test_bad_rows_fail_the_import_without_quarantine(tmp_path):
    d = _export(tmp_path)
    with pytest.raises(DataError, match=r"bad row\(s\) of .* in table agent_states") as err:
        import_export(d, mapping=MAPPING, agents=d / "roster.csv")
    assert err.value.problems[0][0] == 3


def test_values_maps_units_and_time_zones(tmp_path):
    d = _export(tmp_path, bad=False)
    log = import_export(d, mapping=MAPPING, agents=d / "roster.csv")
    st = log.agent_states
    assert list(st["state"]) == ["available", "busy"]
    assert st["start_at"].iat[0] == pd.Timestamp("2024-03-04 09:00:00")  # 01:00 UTC in Shanghai
    att = log.attendance.iloc[0]
    assert att["scheduled_s"] == 8 * 3600 and att["logged_in_s"] == 7.5 * 3600 and att["hangup_s"] == 1800
    assert not att["absent"] and att["date"] == pd.Timestamp("2024-03-04")
    assert log.conduct["event"].iat[0] == "rule_breach"
    assert log.qa["reviewed_at"].iat[0] == pd.Timestamp("2024-03-04 09:00:00")  # the contact's arrival
    assert log.silent_orders["value_cents"].iat[0] == 12990
    assert log.manifest["observed_tables"] == ["contacts", *MAPPING["tables"]]


def test_without_agent_states_occupancy_is_missing_not_zero(tmp_path):
    d = _export(tmp_path, bad=False)
    partial = {"tables": {k: v for k, v in MAPPING["tables"].items() if k != "agent_states"}}
    without = kpis(import_export(d, mapping=partial, agents=d / "roster.csv"), by=("agent_id",))
    assert without["occupancy"].isna().all() and without["utilisation"].isna().all()
    with_states = kpis(import_export(d, mapping=MAPPING, agents=d / "roster.csv"), by=("agent_id",))
    assert np.isfinite(with_states.loc[with_states["agent_id"] == "A1", "occupancy"]).all()
    assert without["qa_mean"].notna().any()  # QA was imported


def test_mapping_mistakes_are_spec_errors():
    with pytest.raises(SpecError, match="unknown table 'shifts'"):
        load_mapping({"tables": {"shifts": {"file": "x.csv"}}})
    with pytest.raises(SpecError, match="unknown schema column 'status'"):
        load_mapping({"tables": {"agent_states": {"file": "x.csv", "columns": {"Status": "status"}}}})
    with pytest.raises(SpecError, match="unknown time zone"):
        load_mapping(
            {"tables": {"qa": {"file": "x.csv", "time_zone": "Mars/Base", "local_time_zone": "UTC"}}}
        )
    with pytest.raises(SpecError, match="go together"):
        load_mapping({"tables": {"qa": {"file": "x.csv", "time_zone": "UTC"}}})


def test_missing_required_column_names_the_table(tmp_path):
    d = _export(tmp_path, bad=False)
    (d / "qa.csv").write_text("Agent,Score\nA1,95\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"missing required column.* of table qa: contact_id"):
        import_export(d, mapping=MAPPING, agents=d / "roster.csv")
