"""Reading an export or roster file (CSV or Parquet) as it is, before any column is parsed.

A CSV is decoded (UTF-8, else GB18030, or the encoding given) and split with the ``csv`` module,
so a row with fewer or more fields than the header is reported (and can be quarantined) instead of
being padded with defaults or failing the whole file; a column name that appears twice in the
header is refused (pandas would rename it and the mapping would silently miss it).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from kpisim.errors import DataError
from kpisim.io.load import decode


def read_export(path: Path, encoding: str | None = None) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """The export as a frame of text (CSV) or typed columns (Parquet), and its ragged rows
    (0-based data row, reason): rows with fewer or more fields than the header. A ragged row
    keeps its first fields (padded with empty ones) so it can be quarantined with the rest."""
    if path.is_dir():
        raise DataError(f"{path}: is a directory; give a CSV or Parquet file")
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        try:
            text = decode(path.read_bytes(), str(path), encoding=encoding)
        except OSError as exc:
            raise DataError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
        return _read_csv(text, path)
    if suffix in (".parquet", ".pq"):
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types
            raise DataError(f"{path}: cannot read as Parquet: {' '.join(str(exc).split())}") from None
        _check_header([str(c) for c in df.columns], path)
        return df, []
    raise DataError(f"{path}: unsupported file type {suffix!r}; use .csv or .parquet")


def _read_csv(text: str, path: Path) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if r]  # blank lines skipped
    except csv.Error as exc:
        raise DataError(f"{path}: cannot read as CSV: {exc}") from None
    if not rows:
        raise DataError(f"{path}: the file is empty; expected a header line and data rows")
    header = [h if h.strip() else f"Unnamed: {i}" for i, h in enumerate(rows[0])]  # as pandas names them
    _check_header(header, path)
    width = len(header)
    ragged: list[tuple[int, str]] = []
    data = []
    for i, r in enumerate(rows[1:]):
        if len(r) != width:
            ragged.append((i, f"has {len(r)} field(s), the header has {width}"))
            r = (r + [""] * width)[:width]
        data.append(r)
    return pd.DataFrame(data, columns=header, dtype=object).astype(str), ragged


def _check_header(header: list[str], path: Path) -> None:
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in seen:
            raise DataError(
                f"{path}: column {h!r} appears twice in the header (columns {seen[h] + 1} and {i + 1}); "
                "each column name may appear once"
            )
        seen[h] = i
