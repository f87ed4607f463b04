"""The event log: tables of a simulated (or imported) run, Parquet save/load with a manifest.

A run directory holds one Parquet file per table (``contacts.parquet``, ...) and
``manifest.json`` (a :class:`kpisim.provenance.Manifest`: scenario content hash and source path,
seed, replications, kpisim version). Writing is atomic: the
files go to a temporary sibling directory that replaces the run directory only when complete.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kpisim.errors import DataError
from kpisim.io import schema
from kpisim.provenance import MANIFEST, Manifest


@dataclass
class EventLog:
    """All tables of one or more replications of a run (see ``kpisim.io.schema``).

    Attributes:
        tables: table name -> DataFrame with the columns of ``schema.TABLES[name]``.
        manifest: provenance, the flat JSON form of a :class:`kpisim.provenance.Manifest`
            (``scenario_id``, ``scenario_sha256``, ``source_path``, ``seed``, ``replications``,
            ``kpisim_version``; for imports ``input_files`` and the row counts).
    """

    tables: dict[str, pd.DataFrame]
    manifest: dict = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self.tables.items())
        return f"EventLog({self.manifest.get('scenario_id', '?')}: {sizes})"


def empty_table(name: str) -> pd.DataFrame:
    """An empty DataFrame with the schema's columns and dtypes for table ``name``."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema.dtypes(name).items()})


def derive_customer_wrote(contacts: pd.DataFrame) -> pd.Series:
    """``customer_wrote`` for contacts that lack it (logs written before the column existed,
    exports without it): answered, unless marked ``invalid`` with no customer message (the
    simulator's "customer never wrote"). Exact for simulated logs; without ``invalid`` and
    ``customer_msgs`` every answered contact counts as written."""
    idx = contacts.index
    answered = contacts["answered_at"].notna().to_numpy()
    invalid = (
        contacts["invalid"].to_numpy(dtype=bool, na_value=False)
        if "invalid" in contacts
        else np.zeros(len(idx), bool)
    )
    msgs = (
        pd.to_numeric(contacts["customer_msgs"]).fillna(0).to_numpy(float)
        if "customer_msgs" in contacts
        else np.zeros(len(idx))
    )
    return pd.Series(answered & ~(invalid & (msgs == 0)), index=idx, dtype=bool)


def derive_direction(contacts: pd.DataFrame) -> pd.Series:
    """``direction`` for contacts that lack it (logs and exports from before outbound campaigns):
    every such contact is inbound."""
    return pd.Series("inbound", index=contacts.index, dtype="string")


#: columns added to the schema after logs were first written: table -> column -> derivation
ADDED_COLUMNS = {"contacts": {"customer_wrote": derive_customer_wrote, "direction": derive_direction}}


def conform(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the schema's columns, in order, cast to the schema dtypes.

    A column added to the schema later (``ADDED_COLUMNS``) is derived if ``df`` lacks it, so
    older run directories stay readable.

    Raises:
        DataError: a required column is missing.
    """
    want = schema.dtypes(name)
    added = {c: f for c, f in ADDED_COLUMNS.get(name, {}).items() if c not in df.columns}
    if added:
        df = df.assign(**{c: f(df) for c, f in added.items()})
    missing = [c for c in want if c not in df.columns]
    if missing:
        raise DataError(f"table {name!r}: missing column(s) {missing}; expected {list(want)}")
    out = df[list(want)]  # selecting a list of columns already copies: no second copy
    for c, t in want.items():
        if str(out[c].dtype) != t:
            out[c] = out[c].astype(t)
    out.index = pd.RangeIndex(len(out))
    return out


def concat(logs: list[EventLog]) -> EventLog:
    """Stack replications of the same scenario into one log."""
    if len(logs) == 1:
        return logs[0]
    tables = {name: pd.concat([lg.tables[name] for lg in logs], ignore_index=True) for name in logs[0].tables}
    manifest = dict(logs[0].manifest)
    manifest["replications"] = sorted({r for lg in logs for r in lg.manifest.get("replications", [])})
    return EventLog(tables, manifest)


def save_run(log: EventLog, out_dir: str | os.PathLike) -> Path:
    """Write ``log`` to ``out_dir`` as Parquet files + ``manifest.json``, atomically.

    An existing ``out_dir`` is replaced only after the new run is completely written, and only if
    it is an earlier kpisim output or empty (see :func:`kpisim.io.atomic.write_dir`).

    Raises:
        KpisimError: ``out_dir`` is a file or a non-empty directory without ``manifest.json``.
    """
    from kpisim.io.atomic import write_dir

    manifest = Manifest.from_dict(log.manifest).to_json_bytes()  # checked before anything is written

    def write(tmp: Path) -> None:
        for name, df in log.tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / MANIFEST).write_bytes(manifest)

    return write_dir(out_dir, write)


def load_run(run_dir: str | os.PathLike) -> EventLog:
    """Read a run directory written by ``save_run`` / ``kpisim simulate``."""
    d = Path(run_dir)
    if not (d / MANIFEST).is_file():
        raise DataError(f"{d}: not a kpisim run directory (no {MANIFEST})")
    manifest = json.loads((d / MANIFEST).read_text())
    tables = {}
    for name in schema.TABLES:
        p = d / f"{name}.parquet"
        if p.is_file():
            tables[name] = conform(name, pd.read_parquet(p))
        else:
            tables[name] = empty_table(name)
    return EventLog(tables, manifest)
