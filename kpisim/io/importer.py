"""``import_log``: a real contact export (CSV or Parquet) -> an ``EventLog`` (see ``docs/import.md``).

Every row of the export ends up either in the ``contacts`` table or in the report of bad rows,
never silently dropped: rows in = rows imported + rows quarantined. By default a bad row makes
the import fail with a ``DataError`` listing every bad row (1-based data row number = line in
the file minus the header line) and why; with ``quarantine=PATH`` the bad rows are written to
that CSV (original values, ``row`` and ``reason``) and the rest is imported.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kpisim.errors import DataError
from kpisim.io import schema
from kpisim.io.assemble import _assemble, _roster
from kpisim.io.atomic import write_bytes
from kpisim.io.eventlog import EventLog, conform, empty_table
from kpisim.io.mapping import ImportMapping, load_mapping
from kpisim.io.reading import read_export as _read
from kpisim.provenance import InputFile, Manifest

#: schema columns every export must provide (directly or through the mapping)
REQUIRED: tuple[str, ...] = ("contact_id", "arrival_at", "answered_at", "ended_at", "agent_id")
_TZ = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_DURATIONS = ("wait_s", "handle_s", "wrap_up_s", "first_response_s", "response_time_sum_s")
_COUNTS = ("response_count", "customer_msgs", "agent_msgs", "system_msgs", "attempt")
_RANGES = {"csat": (1, 5), "nps": (0, 10)}
_CHANNELS = ("voice", "chat")
#: whole numbers (ids, counts, cents) must be exact in float64 and far inside int64
MAX_WHOLE = 2**53 - 1
MAX_CENTS = 10**12
#: times outside these years are typos (3000 for 2030) or would overflow nanosecond timestamps
FIRST_TIME, LAST_TIME = np.datetime64("1900-01-01"), np.datetime64("2200-01-01")


class _Report:
    """Reasons per bad row (0-based index -> list of messages)."""

    def __init__(self) -> None:
        self.rows: dict[int, list[str]] = {}

    def add(self, mask: np.ndarray, message) -> None:
        for i in np.flatnonzero(mask):  # bad rows only
            self.rows.setdefault(int(i), []).append(message(int(i)) if callable(message) else message)

    def bad(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        out[list(self.rows)] = True
        return out

    def problems(self) -> list[tuple[int, str]]:
        return [(i + 1, "; ".join(r)) for i, r in sorted(self.rows.items())]


def _text(s: pd.Series) -> pd.Series | None:
    """Stripped strings ("" for missing) if ``s`` holds text; None if it is already typed."""
    if pd.api.types.is_string_dtype(s) or s.dtype == object:
        return s.astype(object).where(s.notna(), "").astype(str).str.strip()
    return None


class _Parser:
    """Parses mapped export columns into schema types, reporting unreadable values."""

    def __init__(self, raw: pd.DataFrame, source: dict[str, str], mapping: ImportMapping, report: _Report):
        self.raw, self.source, self.m, self.report = raw, source, mapping, report
        self.n = len(raw)
        self.failed: dict[str, np.ndarray] = {}  # column -> rows whose value could not be read

    def fail(self, col: str, mask: np.ndarray, message) -> None:
        self.failed[col] = self.failed.get(col, np.zeros(self.n, dtype=bool)) | mask
        self.report.add(mask, message)

    def name(self, col: str) -> str:
        src = self.source[col]
        return src if src == col else f"{src} ({col})"

    def text(self, col: str) -> pd.Series | None:
        t = _text(self.raw[self.source[col]])
        rec = self.m.recode.get(col)
        if t is not None and rec:
            t = t.replace(rec)
        return t

    def time(self, col: str) -> np.ndarray:
        s = self.raw[self.source[col]]
        if pd.api.types.is_datetime64_any_dtype(s):
            if getattr(s.dtype, "tz", None) is not None:
                raise DataError(f"column {self.name(col)}: time zone-aware times; export naive local times")
            ok = s.isna() | ((s >= pd.Timestamp(FIRST_TIME)) & (s < pd.Timestamp(LAST_TIME)))
            far = ~ok.to_numpy(dtype=bool)
            self.fail(col, far, lambda i: f"{self.name(col)}: {s.iat[i]!r} is outside the years 1900-2199")
            x = s.where(ok).astype("datetime64[ns]")
            return x.to_numpy(dtype="datetime64[ns]")
        t = self.text(col)
        tz = t.str.contains(_TZ) & (t != "")
        self.fail(
            col,
            tz.to_numpy(),
            lambda i: (
                f"{self.name(col)}: time zone offsets are not supported "
                f"({t.iat[i]!r}); export naive local times"
            ),
        )
        fmt = self.m.time_format or "ISO8601"
        out = pd.to_datetime(t.where(~tz, ""), format=fmt, errors="coerce")
        bad = (out.isna() & (t != "") & ~tz).to_numpy()
        self.fail(col, bad, lambda i: f"{self.name(col)}: cannot read {t.iat[i]!r} as a time (format {fmt})")
        return self._in_range(col, out.to_numpy(dtype="datetime64[ns]"), t)

    def _in_range(self, col: str, x: np.ndarray, shown: pd.Series) -> np.ndarray:
        far = ~np.isnat(x) & ((x < FIRST_TIME) | (x >= LAST_TIME))
        self.fail(
            col,
            far,
            lambda i: f"{self.name(col)}: {shown.iat[i]!r} is outside the years 1900-2199",
        )
        return np.where(far, np.datetime64("NaT"), x)

    def number(self, col: str, *, integer: bool = False, money: bool = False) -> np.ndarray:
        s = self.raw[self.source[col]]
        t = self.text(col)
        if t is None:
            x = s.to_numpy(dtype=np.float64, na_value=np.nan)
            shown = s.astype(str)
        else:
            x = pd.to_numeric(t, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            shown = t
            bad = (np.isnan(x) & (t != "").to_numpy()) | np.isinf(x)
            self.fail(col, bad, lambda i: f"{self.name(col)}: cannot read {shown.iat[i]!r} as a number")
            x = np.where(bad, np.nan, x)
        if money and self.m.money_unit == "units":
            x = x * 100
        if integer or money:
            limit = MAX_CENTS if money else MAX_WHOLE
            big = np.abs(np.nan_to_num(x)) > limit
            self.fail(
                col,
                big,
                lambda i: f"{self.name(col)}: {shown.iat[i]!r} is too large (at most {limit:,} in magnitude)",
            )
            x = np.where(big, np.nan, x)
            frac = np.abs(x - np.rint(x)) > 1e-6
            what = (
                "an amount with at most 2 decimals"
                if money and self.m.money_unit == "units"
                else "a whole number"
            )
            self.fail(col, frac, lambda i: f"{self.name(col)}: {shown.iat[i]!r} is not {what}")
            x = np.where(frac, np.nan, np.rint(x))
        return x

    def boolean(self, col: str) -> np.ndarray:
        s = self.raw[self.source[col]]
        t = self.text(col)
        if t is None:
            return s.to_numpy(dtype=bool, na_value=False)
        low = t.str.lower()
        yes = low.isin([v.strip().lower() for v in self.m.true_values]).to_numpy()
        no = low.isin([v.strip().lower() for v in self.m.false_values]).to_numpy()
        allowed = ", ".join(repr(v) for v in self.m.true_values + self.m.false_values)
        self.fail(
            col,
            ~yes & ~no,
            lambda i: f"{self.name(col)}: cannot read {t.iat[i]!r} as true/false (allowed: {allowed})",
        )
        return yes

    def string(self, col: str) -> pd.Series:
        t = self.text(col)
        if t is None:
            t = self.raw[self.source[col]].astype(str)
        return t.astype("string").replace("", pd.NA)


def _parse(
    raw: pd.DataFrame, source: dict[str, str], mapping: ImportMapping, report: _Report
) -> dict[str, Any]:
    p = _Parser(raw, source, mapping, report)
    dtypes = schema.dtypes("contacts")
    out: dict[str, Any] = {}
    for col in source:
        t = dtypes[col]
        if col == "customer_id":
            out[col] = p.string(col)  # ids may be text; coded to integers later
        elif t.startswith("datetime"):
            out[col] = p.time(col)
        elif t == "bool":
            out[col] = p.boolean(col)
        elif t in ("int64", "Int64"):
            out[col] = p.number(col, integer=True, money=col == "order_value_cents")
        elif t == "float64":
            out[col] = p.number(col)
        else:
            out[col] = p.string(col)
    for col in ("contact_id", "arrival_at", "ended_at"):
        v = out[col]
        empty = np.isnan(v) if v.dtype.kind == "f" else np.isnat(v)
        report.add(
            empty & ~p.failed.get(col, np.zeros(len(v), dtype=bool)),
            f"{p.name(col)}: empty; a value is required",
        )
    for col, (lo, hi) in _RANGES.items():
        if col in out:
            v = out[col]
            report.add(
                ~np.isnan(v) & ((v < lo) | (v > hi)),
                lambda i, c=col, v=v, lo=lo, hi=hi: f"{p.name(c)}: {v[i]:g} outside {lo}-{hi}",
            )
    ids = out["contact_id"]
    report.add(ids < 0, lambda i: f"{p.name('contact_id')}: negative id {ids[i]:.0f}; ids are >= 0")
    if "customer_id" in out:
        cust = out["customer_id"]
        num = pd.to_numeric(cust, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        report.add(
            (num < 0) | (np.abs(np.nan_to_num(num)) > MAX_WHOLE),
            lambda i: f"{p.name('customer_id')}: {cust.iat[i]!r} is not an id from 0 to {MAX_WHOLE:,}",
        )
    for col in _DURATIONS + _COUNTS:
        if col in out:
            v = out[col]
            report.add(v < 0, lambda i, c=col, v=v: f"{p.name(c)}: negative value {v[i]:g}")
    if "channel" in out:
        ch = out["channel"].str.lower()
        out["channel"] = ch
        report.add(
            (ch.notna() & ~ch.isin(_CHANNELS)).to_numpy(dtype=bool, na_value=False),
            lambda i: f"{p.name('channel')}: {ch.iat[i]!r} is not voice or chat",
        )
    _check_order(out, p, report)
    return out


def _check_order(out: dict[str, Any], p: _Parser, report: _Report) -> None:
    arr, ans, end = out["arrival_at"], out["answered_at"], out["ended_at"]
    fmt = lambda a, i: str(pd.Timestamp(a[i]))  # noqa: E731
    report.add(
        ~np.isnat(ans) & ~np.isnat(arr) & (ans < arr),
        lambda i: f"answered_at {fmt(ans, i)} is before arrival_at {fmt(arr, i)}",
    )
    report.add(
        ~np.isnat(ans) & ~np.isnat(end) & (end < ans),
        lambda i: f"ended_at {fmt(end, i)} is before answered_at {fmt(ans, i)}",
    )
    report.add(
        np.isnat(ans) & ~np.isnat(end) & ~np.isnat(arr) & (end < arr),
        lambda i: f"ended_at {fmt(end, i)} is before arrival_at {fmt(arr, i)}",
    )
    if "wrap_up_end_at" in out:
        w = out["wrap_up_end_at"]
        report.add(
            ~np.isnat(w) & ~np.isnat(end) & (w < end),
            lambda i: f"wrap_up_end_at {fmt(w, i)} is before ended_at {fmt(end, i)}",
        )
    agent = out["agent_id"]
    report.add(~np.isnat(ans) & agent.isna().to_numpy(), "answered_at is set but agent_id is empty")


def _check_ids(out: dict[str, Any], report: _Report) -> None:
    ids = out["contact_id"]
    valid = ~np.isnan(ids)
    s = pd.Series(ids).where(valid)
    dup = s.duplicated(keep="first").to_numpy() & valid
    if dup.any():
        first = {v: i for i, v in reversed(list(enumerate(ids))) if valid[i]}
        report.add(dup, lambda i: f"duplicate contact_id {int(ids[i])} (first at row {first[ids[i]] + 1})")


def _write_quarantine(raw: pd.DataFrame, bad: np.ndarray, report: _Report, path: str | os.PathLike) -> Path:
    """The rejected rows (1-based ``row``, original columns, ``reason``) as CSV, atomically."""
    q = raw[bad].copy()
    q.insert(0, "row", np.flatnonzero(bad) + 1)
    q["reason"] = [r for _, r in report.problems()]
    return write_bytes(path, q.to_csv(index=False).encode("utf-8"))


def import_log(
    path: str | os.PathLike,
    *,
    mapping: ImportMapping | Mapping[str, Any] | str | os.PathLike | None = None,
    agents: str | os.PathLike | pd.DataFrame | None = None,
    quarantine: str | os.PathLike | None = None,
    scenario_id: str | None = None,
    encoding: str | None = None,
) -> EventLog:
    """Read a contact export into an ``EventLog`` (tables ``contacts`` and ``agents``).

    Args:
        path: CSV (UTF-8, header line) or Parquet export, one row per contact.
        mapping: column mapping (``ImportMapping``, dict or YAML path); default: the export
            already uses schema column names.
        agents: optional roster (CSV/Parquet path or DataFrame) with ``agent_id`` and
            optionally ``team``, ``shift``, ``tenure_group``, ``queues``, ``max_concurrency``;
            when given, contacts handled by an agent not in it are bad rows.
        quarantine: CSV path for bad rows; without it any bad row fails the import.
        scenario_id: run key of the imported log (default: mapping's, else the file stem).
        encoding: the CSV's text encoding; default UTF-8 (a byte-order mark is dropped), else
            GB18030 (Chinese Excel exports).

    Raises:
        DataError: missing required columns, a repeated or empty column name in the header,
            a bad roster, no data rows, bad rows without ``quarantine``, or every row bad
            (``.problems`` lists ``(row, reason)``, 1-based data rows).
        SpecError: an invalid mapping.
    """
    path = Path(path)
    m = load_mapping(mapping)
    raw, ragged = _read(path, encoding)
    n_in = len(raw)
    if n_in == 0:
        raise DataError(f"{path}: no data rows (only a header); nothing to import")
    source = m.source_of(list(raw.columns))
    missing = [c for c in REQUIRED if c not in source]
    if missing:
        mapped = {dst: src for src, dst in m.columns.items()}
        hint = "; ".join(
            f"{c} (mapped from {mapped[c]!r}, not in the file)" if c in mapped else c for c in missing
        )
        raise DataError(
            f"{path}: missing required column(s): {hint}; required: {', '.join(REQUIRED)}; "
            f"the file has: {', '.join(map(str, raw.columns))}; give a mapping "
            "(export column -> schema column) with --mapping"
        )
    report = _Report()
    for i, why in ragged:  # read as far as its fields go; reported first
        report.rows.setdefault(i, []).append(why)
    out = _parse(raw, source, m, report)
    _check_ids(out, report)
    roster = _roster(agents, m) if agents is not None else None
    if roster is not None:
        known = set(roster["agent_id"])
        ag = out["agent_id"]
        unknown = (ag.notna() & ~ag.isin(known)).to_numpy(dtype=bool, na_value=False)
        where = "" if isinstance(agents, pd.DataFrame) else f" {agents}"
        report.add(unknown, lambda i: f"agent_id {ag.iat[i]!r} is not in the roster{where}")
    bad = report.bad(n_in)
    if bad.any() and quarantine is None:
        raise DataError(
            f"{path}: {int(bad.sum())} bad row(s) of {n_in}; nothing imported (fix them, or "
            "set them aside with quarantine=PATH / --quarantine PATH)",
            report.problems(),
        )
    qpath = _write_quarantine(raw, bad, report, quarantine) if quarantine is not None else None
    if bad.all():
        raise DataError(
            f"{path}: every row ({n_in}) is bad; nothing imported (the reasons are in {qpath})",
            report.problems(),
        )
    contacts = _assemble(out, ~bad, m)
    sid = scenario_id or m.scenario_id or path.stem
    keys = {"scenario_id": sid, "replication": 0, "seed": -1}
    contacts = conform("contacts", contacts.assign(**keys))
    assert len(contacts) + int(bad.sum()) == n_in, "rows in != rows imported + quarantined"
    if roster is None:
        ids = contacts["agent_id"].dropna().unique()
        roster = pd.DataFrame({"agent_id": pd.array(sorted(ids), dtype="string"), "max_concurrency": 1})
    agents_t = roster.copy()
    for c, t in schema.dtypes("agents").items():
        if c not in agents_t:
            agents_t[c] = np.nan if t == "float64" else (1 if t == "int64" else pd.NA)
    tables = {name: empty_table(name) for name in schema.TABLES}
    tables["contacts"] = contacts
    tables["agents"] = conform("agents", agents_t.assign(**keys))
    files = {"source": InputFile.of(path)}
    if agents is not None and not isinstance(agents, pd.DataFrame):
        files["roster"] = InputFile.of(agents)
    if isinstance(mapping, (str, os.PathLike)):
        files["mapping"] = InputFile.of(mapping)
    manifest = Manifest(
        command="import",
        scenario_id=sid,
        seed=-1,
        replications=[0],
        input_files=files,
        details={
            "rows_in": n_in,
            "rows_imported": len(contacts),
            "rows_quarantined": int(bad.sum()),
            "quarantine": str(qpath) if qpath else None,
            "observed_tables": ["contacts"],
            "mapping": m.model_dump(mode="json"),
        },
    )
    return EventLog(tables, manifest.to_dict())
