"""Bad exports: every bad row is quarantined with its reason (rows in = rows imported + rows
quarantined), whole-file problems fail with one clean message, nothing wraps or shifts silently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpisim.cli import main
from kpisim.errors import DataError, KpisimError
from kpisim.io.importer import import_log
from tests.unit.test_import import GOOD, HEADER

T = "2024-03-04 09:00:00,2024-03-04 09:00:10,2024-03-04 09:05:10"

# (case id, one extra data line after the three good ones, reason it must be quarantined with)
BAD_ROWS = [
    (
        "id beyond int64",
        f"99999999999999999999,A1,{T},,false,5",
        "is too large (at most 9,007,199,254,740,991",
    ),
    ("id beyond 2**53", f"9007199254740993,A1,{T},,false,5", "is too large"),
    ("negative id", f"-5,A1,{T},,false,5", "negative id -5; ids are >= 0"),
    (
        "year 3000",
        "7,A1,3000-03-04 09:00:00,3000-03-04 09:00:10,3000-03-04 09:05:10,,false,5",
        "outside the years 1900-2199",
    ),
    ("year 1066", "7,A1,1066-03-04 09:00:00,,1066-03-04 09:05:10,,true,", "outside the years 1900-2199"),
    ("missing trailing fields", f"8,A1,{T}", "has 5 field(s), the header has 8"),
    ("extra field", f"9,A1,{T},,false,5,surplus", "has 9 field(s), the header has 8"),
    ("one field", "10", "has 1 field(s), the header has 8"),
]


def _write(tmp_path: Path, lines: list[str], header: str = HEADER) -> Path:
    f = tmp_path / "export.csv"
    f.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return f


@pytest.mark.parametrize("line,reason", [c[1:] for c in BAD_ROWS], ids=[c[0] for c in BAD_ROWS])
def test_bad_row_is_quarantined(tmp_path, line, reason):
    f = _write(tmp_path, [*GOOD, line])
    with pytest.raises(DataError) as info:  # without quarantine: fails, naming row 4
        import_log(f)
    assert info.value.problems[0][0] == 4 and reason in info.value.problems[0][1], info.value.problems
    q = tmp_path / "q.csv"
    log = import_log(f, quarantine=q)
    bad = pd.read_csv(q, dtype=str, keep_default_na=False)
    assert log.manifest["rows_in"] == 4 == len(log.contacts) + len(bad)
    assert list(log.contacts["contact_id"]) == [1, 2, 3]
    assert bad["row"].tolist() == ["4"] and reason in bad["reason"].iat[0]


def test_amount_beyond_limit_is_quarantined(tmp_path):
    f = _write(tmp_path, [f"1,A1,{T},,false,5,92233720368547758.07"], header=HEADER + ",order_value_cents")
    with pytest.raises(DataError) as info:
        import_log(f)
    assert "order_value_cents: '92233720368547758.07' is too large" in str(info.value)


# (case id, file bytes, text of the one-line error)
WHOLE_FILE = [
    (
        "duplicated header",
        (HEADER.replace("csat", "wait_s") + "\n" + GOOD[0] + "\n").encode(),
        "'wait_s' appears twice",
    ),
    ("every row bad", (HEADER + "\nx,A1,2024,,,,,\ny,A2,2024,,,,,\n").encode(), "2 bad row(s) of 2"),
    ("header only", (HEADER + "\n").encode(), "no data rows (only a header)"),
    ("empty", b"", "the file is empty"),
    ("binary", bytes(range(256)), "binary file"),
]


@pytest.mark.parametrize("content,text", [c[1:] for c in WHOLE_FILE], ids=[c[0] for c in WHOLE_FILE])
def test_whole_file_problem(tmp_path, capsys, content, text):
    f = tmp_path / "export.csv"
    f.write_bytes(content)
    with pytest.raises(KpisimError) as info:
        import_log(f)
    assert text in str(info.value)
    assert main(["kpis", str(f), "--out", str(tmp_path / "k.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and text in err and "Traceback" not in err
    assert not (tmp_path / "k.csv").exists() and not (tmp_path / "k.csv.manifest.json").exists()


def test_every_row_bad_with_quarantine_fails(tmp_path, capsys):
    f = tmp_path / "export.csv"
    f.write_text(HEADER + "\nx,A1,2024,,,,,\n", encoding="utf-8")
    q = tmp_path / "q.csv"
    with pytest.raises(DataError, match=r"every row \(1\) is bad; nothing imported"):
        import_log(f, quarantine=q)
    assert len(pd.read_csv(q)) == 1  # the reasons are kept
    assert main(["kpis", str(f), "--quarantine", str(q), "--out", str(tmp_path / "k.csv")]) == 2
    assert "every row (1) is bad" in capsys.readouterr().err


def test_gb18030_export(tmp_path, capsys):
    f = tmp_path / "export.csv"
    f.write_bytes(("\n".join([HEADER, *GOOD]).replace("A1", "张三") + "\n").encode("gb18030"))
    log = import_log(f)
    assert "张三" in set(log.contacts["agent_id"].dropna())
    with pytest.raises(KpisimError, match="not valid utf-8 at byte"):
        import_log(f, encoding="utf-8")
    assert main(["kpis", str(f), "--encoding", "utf-8", "--out", str(tmp_path / "k.csv")]) == 2
    assert "not valid utf-8" in capsys.readouterr().err


def test_parquet_year_3000_and_uint64_ids(tmp_path):
    """Typed columns: a time beyond 2262 would wrap to 1831 in nanoseconds; an id beyond int64
    would wrap negative; both are quarantined."""
    f = tmp_path / "e.parquet"
    arrive = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01"])).astype("datetime64[us]")
    end = pd.Series(
        [
            np.datetime64("3000-01-01", "us"),
            np.datetime64("2024-01-01 00:01", "us"),
            np.datetime64("2024-01-01 00:02", "us"),
        ]
    )
    pd.DataFrame(
        {
            "contact_id": np.array([1, 2**63 + 5, 3], dtype=np.uint64),
            "agent_id": ["A", "B", "C"],
            "arrival_at": arrive,
            "answered_at": pd.Series([pd.NaT] * 3, dtype="datetime64[us]"),
            "ended_at": end,
        }
    ).to_parquet(f)
    log = import_log(f, quarantine=tmp_path / "q.csv")
    assert list(log.contacts["contact_id"]) == [3]
    assert log.manifest["rows_quarantined"] == 2
    reasons = pd.read_csv(tmp_path / "q.csv")["reason"].tolist()
    assert "outside the years 1900-2199" in reasons[0] and "too large" in reasons[1]
