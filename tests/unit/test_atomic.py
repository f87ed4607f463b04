"""Atomic output: complete or absent, never half-written; an existing file survives a failure."""

from __future__ import annotations

import pandas as pd
import pytest

from kpisim.atomic import replacing, write_dir, write_table
from kpisim.errors import KpisimError


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("old\n")
    with pytest.raises(RuntimeError):
        with replacing(out) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_write_table_by_extension(tmp_path):
    df = pd.DataFrame({"a": [1, 2]})
    assert pd.read_csv(write_table(df, tmp_path / "x.csv"))["a"].tolist() == [1, 2]
    assert pd.read_parquet(write_table(df, tmp_path / "x.parquet"))["a"].tolist() == [1, 2]
    with pytest.raises(KpisimError, match=r"x\.xlsx: unsupported extension '\.xlsx'; use \.csv or \.parquet"):
        write_table(df, tmp_path / "x.xlsx")


def test_write_dir_is_all_or_nothing(tmp_path):
    def broken(d):
        (d / "a.csv").write_text("a")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_dir(tmp_path / "out", broken)
    assert list(tmp_path.iterdir()) == []
    write_dir(tmp_path / "out", lambda d: (d / "a.csv").write_text("a"))
    assert (tmp_path / "out" / "a.csv").read_text() == "a"
