"""``import_export``: every table of a real export -> an ``EventLog`` (see ``docs/import.md``).

The contacts file goes through :func:`kpisim.io.importer.import_log`; the other tables (agent
states, attendance, conduct, QA evaluations, silent orders) are read here, each as declared in the
mapping's ``tables:`` section: its file, column names, value maps (e.g. ``是``/``否``), units
(``s``, ``min``, ``h``), time and date formats and time zone. Every row is checked; a bad row is
quarantined with its 1-based data row number and reason (or fails the import without a
quarantine path), and rows in = rows imported + rows quarantined for every table.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kpisim.errors import DataError
from kpisim.io import schema
from kpisim.io.atomic import write_bytes
from kpisim.io.eventlog import EventLog, conform, empty_table
from kpisim.io.importer import _TZ, _read, import_log
from kpisim.io.load import file_sha256
from kpisim.io.mapping import ImportMapping, TableMapping, load_mapping
from kpisim.vocab import CONDUCT_EVENTS, STATES

REQUIRED: dict[str, tuple[str, ...]] = {
    "agent_states": ("agent_id", "state", "start_at", "end_at"),
    "attendance": ("agent_id", "date"),
    "conduct": ("agent_id", "date", "event"),
    "qa": ("agent_id", "contact_id", "qa_score"),
    "silent_orders": ("order_id", "ordered_at", "value_cents"),
}
_ENUMS = {"state": STATES, "event": CONDUCT_EVENTS}
_DATES = ("date",)
_NONNEG = ("scheduled_s", "logged_in_s", "hangup_s", "late_min", "early_leave_min", "sessions", "value_cents")
_FACTOR = {"s": 1.0, "min": 60.0, "h": 3600.0}


class _Rows:
    def __init__(self, n: int) -> None:
        self.n, self.why = n, {}

    def add(self, mask, msg) -> None:
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            self.why.setdefault(int(i), []).append(msg(int(i)) if callable(msg) else msg)

    def bad(self) -> np.ndarray:
        b = np.zeros(self.n, dtype=bool)
        b[list(self.why)] = True
        return b

    def problems(self) -> list[tuple[int, str]]:
        return [(i + 1, "; ".join(r)) for i, r in sorted(self.why.items())]


def _parse_col(col: str, dtype: str, raw: pd.Series, t: TableMapping, src: str, rows: _Rows) -> Any:
    name = src if src == col else f"{src} ({col})"
    txt = raw.astype(object).where(raw.notna(), "").astype(str).str.strip()
    if col in t.recode:
        txt = txt.replace(t.recode[col])
    if dtype.startswith("datetime"):
        tz = txt.str.contains(_TZ) & (txt != "")
        rows.add(
            tz,
            lambda i: (
                f"{name}: time zone offsets are not supported ({txt.iat[i]!r}); set time_zone in the mapping"
            ),
        )
        fmt = (t.date_format or t.time_format) if col in _DATES else t.time_format
        out = pd.to_datetime(txt.where(~tz, ""), format=fmt or "ISO8601", errors="coerce")
        rows.add(
            out.isna() & (txt != "") & ~tz,
            lambda i: f"{name}: cannot read {txt.iat[i]!r} as a time (format {fmt or 'ISO 8601'})",
        )
        if t.time_zone and col not in _DATES:
            out = (
                out.dt.tz_localize(t.time_zone, ambiguous="NaT", nonexistent="NaT")
                .dt.tz_convert(t.local_time_zone)
                .dt.tz_localize(None)
            )
        if col in _DATES:
            out = out.dt.normalize()
        return out.to_numpy(dtype="datetime64[ns]")
    if dtype == "bool":
        low = txt.str.lower()
        yes = low.isin([v.strip().lower() for v in t.true_values]).to_numpy()
        no = low.isin([v.strip().lower() for v in t.false_values]).to_numpy()
        allowed = ", ".join(repr(v) for v in t.true_values + t.false_values)
        rows.add(
            ~yes & ~no, lambda i: f"{name}: cannot read {txt.iat[i]!r} as true/false (allowed: {allowed})"
        )
        return yes
    if dtype in ("int64", "Int64", "float64"):
        x = pd.to_numeric(txt, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = (np.isnan(x) & (txt != "").to_numpy()) | np.isinf(x)
        rows.add(bad, lambda i: f"{name}: cannot read {txt.iat[i]!r} as a number")
        x = np.where(bad, np.nan, x) * _FACTOR[t.units.get(col, "s")]
        if col.endswith("_cents") and t.money_unit == "units":
            x = x * 100
        if dtype != "float64":
            frac = np.abs(x - np.rint(x)) > 1e-6
            rows.add(
                frac,
                lambda i: (
                    f"{name}: {txt.iat[i]!r} is not {'an amount with at most 2 decimals' if col.endswith('_cents') else 'a whole number'}"
                ),
            )
            x = np.where(frac, np.nan, np.rint(x))
        rows.add(
            np.nan_to_num(x) < 0 if col in _NONNEG else np.zeros(len(x), bool),
            lambda i: f"{name}: negative value {x[i]:g}",
        )
        return x
    out = txt.astype("string").replace("", pd.NA)
    if col in _ENUMS:
        ok = out.isna() | out.isin(_ENUMS[col])
        rows.add(
            ~ok.to_numpy(dtype=bool),
            lambda i: f"{name}: {txt.iat[i]!r} is not one of {', '.join(_ENUMS[col])} (map it under recode)",
        )
    return out


def import_table(
    name: str,
    path: Path,
    t: TableMapping,
    *,
    known_agents: set[str] | None = None,
    contacts: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, _Rows]:
    """Read one extra table: (good rows in schema columns, the raw table, the bad-row report)."""
    raw = _read(path)
    cols = {c: tp for c, tp in schema.dtypes(name).items() if c not in ("scenario_id", "replication", "seed")}
    source = {dst: src for src, dst in t.columns.items() if src in raw.columns}
    source.update({c: c for c in raw.columns if c in cols and c not in source and c not in t.columns})
    missing = [c for c in REQUIRED[name] if c not in source and not (name == "qa" and c == "reviewed_at")]
    if missing:
        raise DataError(
            f"{path}: missing required column(s) of table {name}: {', '.join(missing)}; "
            f"the file has: {', '.join(map(str, raw.columns))}; map them under tables.{name}.columns"
        )
    rows = _Rows(len(raw))
    out: dict[str, Any] = {c: _parse_col(c, cols[c], raw[s], t, s, rows) for c, s in source.items()}
    for c in REQUIRED[name]:
        v = out[c]
        empty = (
            pd.isna(v)
            if not isinstance(v, np.ndarray)
            else (
                np.isnat(v)
                if v.dtype.kind == "M"
                else np.isnan(v)
                if v.dtype.kind == "f"
                else np.zeros(len(v), bool)
            )
        )
        label = source[c] if source[c] == c else f"{source[c]} ({c})"
        rows.add(np.asarray(empty, dtype=bool), f"{label}: empty; a value is required")
    _checks(name, out, rows, known_agents, contacts)
    good = ~rows.bad()
    df = pd.DataFrame(
        {
            c: (v[good] if isinstance(v, np.ndarray) else v[good].reset_index(drop=True))
            for c, v in out.items()
        }
    )
    for c, tp in cols.items():
        if c not in df:
            df[c] = (
                False if tp == "bool" else (0 if c == "sessions" else np.nan if tp == "float64" else pd.NA)
            )
    if name == "qa" and contacts is not None and df["reviewed_at"].isna().any():
        arr = contacts.set_index("contact_id")["arrival_at"]
        df["reviewed_at"] = df["reviewed_at"].fillna(df["contact_id"].map(arr))
    return df, raw, rows


def _checks(name: str, out: dict, rows: _Rows, known: set[str] | None, contacts: pd.DataFrame | None) -> None:
    ts = lambda a, i: str(pd.Timestamp(a[i]))  # noqa: E731
    if known is not None and "agent_id" in out:
        ag = out["agent_id"]
        rows.add(
            (ag.notna() & ~ag.isin(known)).to_numpy(dtype=bool, na_value=False),
            lambda i: f"agent_id {ag.iat[i]!r} is not in the roster",
        )
    if name == "agent_states":
        s, e = out["start_at"], out["end_at"]
        rows.add(
            ~np.isnat(s) & ~np.isnat(e) & (e < s),
            lambda i: f"end_at {ts(e, i)} is before start_at {ts(s, i)}",
        )
        d = (
            pd.DataFrame({"a": out["agent_id"], "s": s, "e": e, "i": np.arange(len(s))})
            .dropna()
            .sort_values(["a", "s", "i"])
        )
        prev_e = d.groupby("a")["e"].shift()
        prev_i = d.groupby("a")["i"].shift()
        ov = (d["s"] < prev_e).to_numpy()
        bad_i = d["i"].to_numpy()[ov]
        pi = prev_i.to_numpy()[ov]
        mask = np.zeros(len(s), bool)
        mask[bad_i] = True
        first = dict(zip(bad_i, pi, strict=True))
        rows.add(mask, lambda i: f"overlaps the agent's previous state (row {int(first[i]) + 1})")
    if name == "qa":
        v = out["qa_score"]
        rows.add(~np.isnan(v) & ((v < 0) | (v > 100)), lambda i: f"qa_score: {v[i]:g} outside 0-100")
        if contacts is not None:
            cid = out["contact_id"]
            rows.add(
                ~np.isnan(cid) & ~np.isin(cid, contacts["contact_id"].to_numpy()),
                lambda i: f"contact_id {int(cid[i])} is not in the contacts table",
            )
    keys = {"attendance": ("agent_id", "date"), "silent_orders": ("order_id",)}.get(name)
    if keys:
        k = pd.DataFrame({c: out[c] for c in keys})
        dup = k.duplicated(keep="first").to_numpy() & k.notna().all(axis=1).to_numpy()
        rows.add(dup, lambda i: f"duplicate {' + '.join(keys)} {tuple(k.iloc[i])} ")


def _quarantine_path(base: str | os.PathLike, name: str) -> Path:
    b = Path(base)
    return b.with_name(f"{b.stem}.{name}{b.suffix or '.csv'}")


def import_export(
    path: str | os.PathLike,
    *,
    mapping: ImportMapping | dict | str | os.PathLike | None = None,
    agents: str | os.PathLike | pd.DataFrame | None = None,
    quarantine: str | os.PathLike | None = None,
    scenario_id: str | None = None,
) -> EventLog:
    """Import every table of an export: contacts (``import_log``) plus the mapping's ``tables:``.

    Args:
        path: the contacts file, or a directory holding the export's files (the contacts file is
            then the mapping's ``file``); the other tables' files are relative to its directory.
        quarantine: CSV for the contacts' bad rows; each other table's go beside it as
            ``<name>.<table>.csv``. Without it any bad row fails the import.
    """
    p = Path(path)
    m = load_mapping(mapping)
    folder = p if p.is_dir() else p.parent
    contacts_file = folder / (m.file or "contacts.csv") if p.is_dir() else p
    log = import_log(contacts_file, mapping=m, agents=agents, quarantine=quarantine, scenario_id=scenario_id)
    known = set(log.agents["agent_id"].dropna()) if agents is not None else None
    keys = {
        k: log.contacts[k].iat[0] if len(log.contacts) else v
        for k, v in (("scenario_id", scenario_id or ""), ("replication", 0), ("seed", -1))
    }
    tables, info = dict(log.tables), {}
    for name, t in m.tables.items():
        f = folder / t.file
        df, raw, rows = import_table(name, f, t, known_agents=known, contacts=log.contacts)
        bad = rows.bad()
        if bad.any() and quarantine is None:
            raise DataError(
                f"{f}: {int(bad.sum())} bad row(s) of {len(raw)} in table {name}; nothing imported "
                "(fix them, or set them aside with quarantine=PATH / --quarantine PATH)",
                rows.problems(),
            )
        q = None
        if quarantine is not None:
            qd = raw[bad].copy()
            qd.insert(0, "row", np.flatnonzero(bad) + 1)
            qd["reason"] = [r for _, r in rows.problems()]
            q = write_bytes(_quarantine_path(quarantine, name), qd.to_csv(index=False).encode("utf-8"))
        tables[name] = conform(name, df.assign(**keys)) if len(df) else empty_table(name)
        assert len(tables[name]) + int(bad.sum()) == len(raw), f"{name}: rows in != imported + quarantined"
        info[name] = {
            "source": str(f),
            "source_sha256": file_sha256(f),
            "rows_in": len(raw),
            "rows_imported": len(tables[name]),
            "rows_quarantined": int(bad.sum()),
            "quarantine": str(q) if q else None,
        }
    manifest = {**log.manifest, "observed_tables": ["contacts", *m.tables], "tables": info}
    return EventLog(tables, manifest)
