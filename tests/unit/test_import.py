"""Importing real exports: checks with their messages, quarantine, defaults, the sample export
through import -> kpis -> CLI."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpisim
from kpisim.cli import main
from kpisim.errors import DataError, SpecError
from kpisim.io.eventlog import save_run
from kpisim.io.importer import import_log
from kpisim.kpi.compute import kpis
from kpisim.testing.synth import synthetic_log

DATA = Path(kpisim.__file__).parent / "data"
EXPORT, MAPPING, ROSTER = DATA / "sample_export.csv", DATA / "sample_mapping.yaml", DATA / "sample_roster.csv"

HEADER = "contact_id,agent_id,arrival_at,answered_at,ended_at,wait_s,abandoned,csat"
GOOD = [
    "1,A1,2024-03-04 09:00:00,2024-03-04 09:00:10,2024-03-04 09:05:10,,false,5",
    "2,A2,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30,30,false,",
    "3,,2024-03-04 09:02:00,,2024-03-04 09:02:40,,true,",
]


def write(tmp_path: Path, lines: list[str], header: str = HEADER, name: str = "export.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return p


def roster(tmp_path: Path, agents=("A1", "A2")) -> Path:
    return write(tmp_path, [f"{a},T1" for a in agents], header="agent_id,team", name="roster.csv")


def test_good_export_with_schema_names_needs_no_mapping(tmp_path):
    log = import_log(write(tmp_path, GOOD), scenario_id="demo")
    c = log.contacts
    assert list(c["contact_id"]) == [1, 2, 3] and (c["scenario_id"] == "demo").all()
    assert list(c["wait_s"]) == [10.0, 30.0, 40.0]  # derived from times; given value kept
    assert c["handle_s"].iloc[0] == 300.0 and np.isnan(c["handle_s"].iloc[2])
    assert list(c["abandoned"]) == [False, False, True]
    assert c["wrap_up_s"].iloc[0] == 0.0 and np.isnan(c["wrap_up_s"].iloc[2])
    assert (c["channel"] == "voice").all() and (c["queue"] == "default").all()  # documented defaults
    assert c["csat"].iloc[0] == 5 and c["csat"].iloc[1:].isna().all()
    assert list(c["survey_responded"]) == [True, False, False]
    assert list(c["customer_id"]) == [-1, -2, -3]  # no customer column: each its own customer
    assert log.manifest["rows_in"] == 3 and log.manifest["rows_quarantined"] == 0
    assert log.manifest["observed_tables"] == ["contacts"]
    assert list(log.agents["agent_id"]) == ["A1", "A2"]


# one bad row (data row 2) per kind of check -> the message it must produce
BAD_ROWS = [
    (
        "2,A2,04/03/2024 09:01,2024-03-04 09:01:30,2024-03-04 09:03:30,,false,",
        r"arrival_at: cannot read '04/03/2024 09:01' as a time \(format ISO8601\)",
    ),
    (
        "2,A2,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30,thirty,false,",
        r"wait_s: cannot read 'thirty' as a number",
    ),
    (
        "2,A2,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30,,perhaps,",
        r"abandoned: cannot read 'perhaps' as true/false \(allowed: 'true', 't', 'yes'",
    ),
    (
        "2.5,A2,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30,,false,",
        r"contact_id: '2.5' is not a whole number",
    ),
    (
        "2,A2,2024-03-04 09:01:00,2024-03-04 09:00:30,2024-03-04 09:03:30,,false,",
        r"answered_at 2024-03-04 09:00:30 is before arrival_at 2024-03-04 09:01:00",
    ),
    (
        "2,A2,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:01:00,,false,",
        r"ended_at 2024-03-04 09:01:00 is before answered_at 2024-03-04 09:01:30",
    ),
    (
        "2,,2024-03-04 09:01:00,,2024-03-04 09:00:00,,true,",
        r"ended_at 2024-03-04 09:00:00 is before arrival_at 2024-03-04 09:01:00",
    ),
    (
        "1,A2,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30,,false,",
        r"duplicate contact_id 1 \(first at row 1\)",
    ),
    (
        "2,A9,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30,,false,",
        r"agent_id 'A9' is not in the roster .*roster.csv",
    ),
    (
        "2,A2,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30,-4,false,",
        r"wait_s: negative value -4",
    ),
    (
        "2,A2,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30+08:00,,false,",
        r"ended_at: time zone offsets are not supported \('2024-03-04 09:03:30\+08:00'\)",
    ),
    ("2,A2,,2024-03-04 09:01:30,2024-03-04 09:03:30,,false,", r"arrival_at: empty; a value is required"),
    ("2,A2,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30,,false,6", r"csat: 6 outside 1-5"),
    (
        "2,,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30,,false,",
        r"answered_at is set but agent_id is empty",
    ),
]


@pytest.mark.parametrize("line, message", BAD_ROWS)
def test_each_bad_row_kind_fails_with_its_message(tmp_path, line, message):
    path = write(tmp_path, [GOOD[0], line, GOOD[2]])
    with pytest.raises(DataError) as err:
        import_log(path, agents=roster(tmp_path))
    assert len(err.value.problems) == 1
    row, reason = err.value.problems[0]
    assert row == 2 and re.search(message, reason), reason
    assert "1 bad row(s) of 3; nothing imported" in str(err.value) and str(path) in str(err.value)


@pytest.mark.parametrize("line, message", BAD_ROWS[:3])
def test_quarantine_sets_bad_rows_aside(tmp_path, line, message):
    q = tmp_path / "out" / "bad.csv"
    log = import_log(write(tmp_path, [GOOD[0], line, GOOD[2]]), quarantine=q)
    assert list(log.contacts["contact_id"]) == [1, 3]
    bad = pd.read_csv(q, dtype=str, keep_default_na=False)
    assert list(bad["row"]) == ["2"] and re.search(message, bad["reason"].iloc[0])
    assert bad.drop(columns=["row", "reason"]).iloc[0].tolist() == line.split(",")  # original values
    assert log.manifest["rows_in"] == 3 and log.manifest["rows_quarantined"] == 1


def test_several_problems_in_one_row_are_joined(tmp_path):
    line = "2,A2,2024-03-04 09:01:00,2024-03-04 09:01:30,2024-03-04 09:03:30,-1,maybe,9"
    with pytest.raises(DataError) as err:
        import_log(write(tmp_path, [GOOD[0], line]))
    ((row, reason),) = err.value.problems
    assert row == 2 and reason.count("; ") == 2
    assert "negative value -1" in reason and "'maybe'" in reason and "9 outside 1-5" in reason


def test_missing_required_column_names_file_and_column(tmp_path):
    path = write(
        tmp_path,
        ["1,A1,2024-03-04 09:00:00,2024-03-04 09:05:00"],
        header="contact_id,agent_id,arrival_at,ended_at",
    )
    with pytest.raises(
        DataError,
        match=r"export.csv: missing required column\(s\): answered_at; required: "
        r"contact_id, arrival_at, answered_at, ended_at, agent_id",
    ):
        import_log(path)
    with pytest.raises(DataError, match=r"answered_at \(mapped from 'Answer', not in the file\)"):
        import_log(path, mapping={"columns": {"Answer": "answered_at"}})


def test_mapping_errors_name_the_field(tmp_path):
    with pytest.raises(SpecError, match=r"<mapping>: columns.*unknown schema column 'start'"):
        import_log(write(tmp_path, GOOD), mapping={"columns": {"Start": "start"}})
    bad = tmp_path / "m.yaml"
    bad.write_text("columns: {A: contact_id, B: contact_id}\n")
    with pytest.raises(SpecError, match=r"m.yaml: columns.*'contact_id' is already mapped from 'A'"):
        import_log(write(tmp_path, GOOD), mapping=bad)
    with pytest.raises(SpecError, match=r"unknown key 'time_fmt'"):
        import_log(write(tmp_path, GOOD), mapping={"time_fmt": "%d"})


def test_mapping_features(tmp_path):
    header = "ID,Who,Start,Answered,End,Wrap End,Flag,Amount,Cust,Kind,Extra"
    lines = [
        "7,A1,04.03.2024 09:00,04.03.2024 09:01,04.03.2024 09:06,04.03.2024 09:07,J,12.50,c-9,Web,x",
        "8,A1,04.03.2024 10:00,04.03.2024 10:00,04.03.2024 10:02,,N,,c-9,Web,y",
        "9,A1,04.03.2024 11:00,04.03.2024 11:00,04.03.2024 11:02,,N,,c-3,Tel,z",
    ]
    mapping = {
        "columns": {
            "ID": "contact_id",
            "Who": "agent_id",
            "Start": "arrival_at",
            "Answered": "answered_at",
            "End": "ended_at",
            "Wrap End": "wrap_up_end_at",
            "Flag": "transferred",
            "Amount": "order_value_cents",
            "Cust": "customer_id",
            "Kind": "channel",
        },
        "time_format": "%d.%m.%Y %H:%M",
        "true_values": ["J"],
        "false_values": ["N"],
        "recode": {"channel": {"Web": "chat", "Tel": "voice"}},
        "defaults": {"queue": "presales"},
    }
    c = import_log(write(tmp_path, lines, header=header), mapping=mapping).contacts
    assert list(c["transferred"]) == [True, False, False]
    assert list(c["order_value_cents"]) == [1250, 0, 0] and list(c["converted"]) == [True, False, False]
    assert list(c["customer_id"]) == [1, 1, 2]  # text ids coded by first appearance
    assert list(c["channel"]) == ["chat", "chat", "voice"] and (c["queue"] == "presales").all()
    assert c["wrap_up_s"].iloc[0] == 60.0 and c["wrap_up_s"].iloc[1] == 0.0
    k = kpis(import_log(write(tmp_path, lines, header=header), mapping=mapping), by=())
    assert k["fcr_rate"].iloc[0] == pytest.approx(
        2 / 3
    )  # 7 was transferred (and c-9 came back); 8, 9 resolved


def test_money_with_too_many_decimals_and_cents_mode(tmp_path):
    header = "contact_id,agent_id,arrival_at,answered_at,ended_at,order_value_cents"
    line = "1,A1,2024-03-04 09:00:00,2024-03-04 09:00:10,2024-03-04 09:05:10,{}"
    with pytest.raises(
        DataError, match=r"order_value_cents: '1.005' is not an amount with at most 2 decimals"
    ):
        import_log(write(tmp_path, [line.format("1.005")], header=header))
    c = import_log(
        write(tmp_path, [line.format("1005")], header=header), mapping={"money_unit": "cents"}
    ).contacts
    assert c["order_value_cents"].iloc[0] == 1005


def test_roster_problems_fail_the_import(tmp_path):
    r = write(tmp_path, ["A1,T1", "A1,T2"], header="agent_id,team", name="roster.csv")
    with pytest.raises(DataError, match=r"roster.csv: 1 bad roster row\(s\).*row 2: duplicate agent_id 'A1'"):
        import_log(write(tmp_path, GOOD), agents=r)
    r = write(tmp_path, ["A1,T1"], header="Name,team", name="roster2.csv")
    with pytest.raises(DataError, match=r"roster2.csv: missing required column 'agent_id'"):
        import_log(write(tmp_path, GOOD), agents=r)


def test_roster_gives_teams(tmp_path):
    log = import_log(write(tmp_path, GOOD), agents=roster(tmp_path))
    t = kpis(log, by=("team",))
    assert list(t["team"]) == ["T1"] and t["handled"].iloc[0] == 2


def test_parquet_export_with_typed_columns(tmp_path):
    df = pd.DataFrame(
        {
            "contact_id": [1, 2],
            "agent_id": ["A1", None],
            "arrival_at": pd.to_datetime(["2024-03-04 09:00", "2024-03-04 09:10"]),
            "answered_at": pd.to_datetime(["2024-03-04 09:00:20", None]),
            "ended_at": pd.to_datetime(["2024-03-04 09:04:20", "2024-03-04 09:11:00"]),
            "abandoned": [False, True],
            "csat": [4.0, np.nan],
        }
    )
    p = tmp_path / "e.parquet"
    df.to_parquet(p)
    c = import_log(p).contacts
    assert list(c["wait_s"]) == [20.0, 60.0] and list(c["abandoned"]) == [False, True]
    assert c["csat"].iloc[0] == 4 and pd.isna(c["csat"].iloc[1])


def test_unreadable_and_unknown_files(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        import_log(tmp_path / "nope.csv")
    (tmp_path / "e.xlsx").write_text("x")
    with pytest.raises(DataError, match=r"unsupported file type '.xlsx'; use .csv or .parquet"):
        import_log(tmp_path / "e.xlsx")


# --- the bundled sample export ----------------------------------------------------------------
KINDS = [
    "cannot read '31/02/2026 25:61:00' as a time",
    "cannot read '12,5s' as a number",
    "cannot read 'maybe' as true/false",
    "time zone offsets are not supported",
    "empty; a value is required",
    "7 outside 1-5",
    "'ghost-99' is not in the roster",
    "negative value -15",
    "answered_at .* is before arrival_at",
    "ended_at .* is before answered_at",
    "duplicate contact_id",
]


def test_sample_export_fails_by_default_with_every_kind_of_bad_row():
    with pytest.raises(DataError) as err:
        import_log(EXPORT, mapping=MAPPING, agents=ROSTER)
    reasons = [r for _, r in err.value.problems]
    assert len(reasons) == 22
    for kind in KINDS:
        assert sum(bool(re.search(kind, r)) for r in reasons) == 2, kind


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    q = tmp_path_factory.mktemp("q") / "quarantine.csv"
    return import_log(EXPORT, mapping=MAPPING, agents=ROSTER, quarantine=q), q


def test_sample_export_counts_add_up(sample):
    log, q = sample
    n_lines = len(EXPORT.read_text(encoding="utf-8").splitlines()) - 1
    bad = pd.read_csv(q, dtype=str, keep_default_na=False)
    assert log.manifest["rows_in"] == n_lines == len(log.contacts) + len(bad)
    assert len(bad) == 22 and log.manifest["scenario_id"] == "sample_shop"
    lines = EXPORT.read_text(encoding="utf-8").splitlines()
    for r, sid in zip(
        bad["row"].astype(int), bad["Session ID"], strict=False
    ):  # row n = line n + 1 of the file
        assert lines[r].split(",")[0] == sid


def test_sample_export_kpis(sample):
    log, _ = sample
    k = kpis(log, by=("agent_id",), period="month")
    assert k["team"].notna().all() and k["handled"].sum() == log.contacts["answered_at"].notna().sum()
    assert k["fcr_rate"].between(0.5, 1).all() and k["logged_in_h"].isna().all()
    c = kpis(log, by=(), period="day")
    assert len(c) == 30 and c["service_level"].between(0, 1).all()


def test_cli_on_sample_export(tmp_path, capsys):
    out = tmp_path / "k.csv"
    args = ["kpis", str(EXPORT), "--mapping", str(MAPPING), "--roster", str(ROSTER), "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("kpisim: error: ") and err.count("\n") == 1 and "22 bad row(s)" in err
    assert not out.exists()
    q = tmp_path / "q.csv"
    assert main([*args, "--quarantine", str(q), "--by", "team", "--period", "week"]) == 0
    assert "quarantined 22 bad row(s)" in capsys.readouterr().out
    table = pd.read_csv(out)
    assert set(table["team"]) == set(pd.read_csv(ROSTER)["Team"]) and "aht_s" in table


def test_cli_errors(tmp_path, capsys):
    assert main(["kpis", str(EXPORT), "--out", str(tmp_path / "k.csv")]) == 2
    assert "missing required column(s)" in capsys.readouterr().err
    assert main(["kpis", str(EXPORT), "--out", str(tmp_path / "k.xlsx")]) == 2
    assert "unsupported extension '.xlsx'" in capsys.readouterr().err
    assert main(["kpis", str(tmp_path), "--out", str(tmp_path / "k.csv")]) == 2
    assert "not a run directory" in capsys.readouterr().err


def test_cli_on_run_directory_matches_api(tmp_path, capsys):
    log = synthetic_log(800, n_agents=6, n_teams=2, days=10, seed=3)
    run = save_run(log, tmp_path / "run")
    defs = tmp_path / "defs.yaml"
    defs.write_text("service_level: {threshold_s: 30}\n")
    out = tmp_path / "k.parquet"
    assert (
        main(
            [
                "kpis",
                str(run),
                "--by",
                "queue",
                "--period",
                "day",
                "--definitions",
                str(defs),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    got = pd.read_parquet(out)
    want = kpis(log, by=("queue",), period="day", definitions={"service_level": {"threshold_s": 30}})
    assert got.shape == want.shape
    assert np.allclose(got["service_level"], want["service_level"], equal_nan=True)
    assert (
        main(["kpis", str(run), "--by", "centre", "--metric", "aht_s", "--out", str(tmp_path / "c.csv")]) == 0
    )
    c = pd.read_csv(tmp_path / "c.csv")
    assert len(c) == 1 and "aht_s" in c and "fcr_rate" not in c
    import json

    m = json.loads((tmp_path / "k.parquet.manifest.json").read_text())
    assert m["by"] == ["queue"] and m["definitions"] == {"service_level": {"threshold_s": 30}}
    assert (
        m["source_manifest"]["seed"] == log.manifest["seed"]
        and len(m["input_files"]["source"]["sha256"]) == 64
    )
    assert main(["kpis", str(run), "--mapping", "m.yaml", "--out", str(tmp_path / "x.csv")]) == 2
    assert "--mapping applies to exports" in capsys.readouterr().err


def test_channel_and_wrap_up_checks(tmp_path):
    header = "contact_id,agent_id,arrival_at,answered_at,ended_at,wrap_up_end_at,channel"
    lines = [
        "1,A1,2024-03-04 09:00:00,2024-03-04 09:00:10,2024-03-04 09:05:10,2024-03-04 09:05:00,chat",
        "2,A1,2024-03-04 09:00:00,2024-03-04 09:00:10,2024-03-04 09:05:10,,Email",
    ]
    with pytest.raises(DataError) as err:
        import_log(write(tmp_path, lines, header=header))
    assert [r for r, _ in err.value.problems] == [1, 2]
    assert (
        "wrap_up_end_at 2024-03-04 09:05:00 is before ended_at 2024-03-04 09:05:10"
        in err.value.problems[0][1]
    )
    assert "channel: 'email' is not voice or chat" in err.value.problems[1][1]


def test_quarantine_file_written_even_without_bad_rows(tmp_path):
    q = tmp_path / "q.csv"
    log = import_log(write(tmp_path, GOOD), quarantine=q)
    assert len(log.contacts) == 3
    assert q.read_text().splitlines() == ["row," + HEADER + ",reason"]


def test_customer_wrote_is_an_optional_column_and_reply_rate_uses_it(tmp_path):
    """issue #11: reply_rate = replied / customers who wrote; exports may give customer_wrote."""
    header = "contact_id,agent_id,channel,arrival_at,answered_at,ended_at,replied,invalid,customer_msgs"
    t = "2024-03-04 09:0{m}:00"
    lines = [
        f"1,A1,chat,{t.format(m=0)},{t.format(m=0)},{t.format(m=5)},true,false,3",  # wrote, replied
        f"2,A1,chat,{t.format(m=1)},{t.format(m=1)},{t.format(m=5)},false,true,2",  # wrote, missed
        f"3,A1,chat,{t.format(m=2)},{t.format(m=2)},{t.format(m=5)},false,true,0",  # never wrote
    ]
    log = import_log(write(tmp_path, lines, header=header), scenario_id="d")
    assert list(log.contacts["customer_wrote"]) == [True, True, False]  # derived
    assert kpis(log, by=())["reply_rate"].iloc[0] == pytest.approx(1 / 2)
    # given explicitly (here: contact 2's customer did not write either), the export wins
    lines = [ln + (",false" if ln.startswith(("2,", "3,")) else ",true") for ln in lines]
    log = import_log(
        write(tmp_path, lines, header=header + ",customer_wrote", name="e2.csv"), scenario_id="d"
    )
    assert list(log.contacts["customer_wrote"]) == [True, False, False]
    assert kpis(log, by=())["reply_rate"].iloc[0] == 1.0
    # no chat detail at all: every answered chat counts as written (replied / answered chats)
    bare = [f"{i},A1,chat,{t.format(m=i)},{t.format(m=i)},{t.format(m=5)}" for i in (1, 2)]
    log = import_log(
        write(tmp_path, bare, header=",".join(header.split(",")[:6]), name="e3.csv"), scenario_id="d"
    )
    assert log.contacts["customer_wrote"].all()
