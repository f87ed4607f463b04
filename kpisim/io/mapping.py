"""The column mapping of a real export (``docs/import.md``): which export column is which schema
column, how times, booleans and money are written, and defaults for what the export lacks.

A mapping is a YAML file or a dict::

    columns:                    # export column -> contacts schema column
      Session ID: contact_id
      Start Time: arrival_at
    time_format: "%d/%m/%Y %H:%M:%S"   # strftime codes; omit for ISO 8601; no time zones
    true_values: [Y, yes, "1"]
    false_values: [N, no, "0", ""]
    money_unit: units           # order values written as 129.90 (units) or 12990 (cents)
    recode: {channel: {Phone: voice, Web chat: chat}}
    defaults: {queue: presales}
    roster: {columns: {Agent: agent_id, Team: team}}
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from kpisim.errors import SpecError
from kpisim.io import schema
from kpisim.io.load import load_yaml, validate

CONTACT_COLUMNS: tuple[str, ...] = tuple(c for c, _, _ in schema.TABLES["contacts"])
AGENT_COLUMNS: tuple[str, ...] = tuple(c for c, _, _ in schema.TABLES["agents"])


def _check_targets(columns: dict[str, str], allowed: tuple[str, ...]) -> dict[str, str]:
    seen: dict[str, str] = {}
    for src, dst in columns.items():
        if dst not in allowed:
            raise ValueError(f"{src}: unknown schema column {dst!r}; allowed: {', '.join(allowed)}")
        if dst in seen:
            raise ValueError(
                f"{src}: {dst!r} is already mapped from {seen[dst]!r}; map each schema column once"
            )
        seen[dst] = src
    return columns


class RosterMapping(BaseModel):
    """Columns of the agents roster file: roster column -> agents schema column."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    columns: dict[str, str] = {}

    @field_validator("columns")
    @classmethod
    def _targets(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_targets(v, AGENT_COLUMNS)


#: event-log tables besides contacts and agents that an export may bring (``tables:`` section)
EXTRA_TABLES: tuple[str, ...] = ("agent_states", "attendance", "conduct", "qa", "silent_orders")


class TableMapping(BaseModel):
    """How to read one more table of an export (agent states, attendance, conduct, QA, silent
    orders): its file, column names, value maps, units, time format and time zone."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str
    columns: dict[str, str] = {}
    time_format: str | None = None
    date_format: str | None = None
    time_zone: str | None = None
    local_time_zone: str | None = None
    true_values: tuple[str, ...] = ("true", "t", "yes", "y", "1")
    false_values: tuple[str, ...] = ("false", "f", "no", "n", "0", "")
    money_unit: Literal["units", "cents"] = "units"
    units: dict[str, Literal["s", "min", "h"]] = {}
    recode: dict[str, dict[str, str]] = {}

    @field_validator("time_format", "date_format")
    @classmethod
    def _fmt(cls, v: str | None) -> str | None:
        if v is not None and ("%z" in v or "%Z" in v):
            raise ValueError(f"bad value {v!r}: give the zone as time_zone, not in the format")
        return v

    @model_validator(mode="after")
    def _zones(self) -> TableMapping:
        if (self.time_zone is None) != (self.local_time_zone is None):
            raise ValueError("time_zone and local_time_zone go together (the export's zone and the centre's)")
        for z in (self.time_zone, self.local_time_zone):
            if z is not None:
                try:
                    from zoneinfo import ZoneInfo

                    ZoneInfo(z)
                except Exception:
                    raise ValueError(
                        f"unknown time zone {z!r}; use an IANA name such as UTC or Asia/Shanghai"
                    ) from None
        both = sorted(
            {v.strip().lower() for v in self.true_values} & {v.strip().lower() for v in self.false_values}
        )
        if both:
            raise ValueError(f"true_values: {both[0]!r} is also in false_values")
        return self


class ImportMapping(BaseModel):
    """How to read one export into the ``contacts`` table (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    columns: dict[str, str] = {}
    time_format: str | None = None
    true_values: tuple[str, ...] = ("true", "t", "yes", "y", "1")
    false_values: tuple[str, ...] = ("false", "f", "no", "n", "0", "")
    money_unit: Literal["units", "cents"] = "units"
    recode: dict[str, dict[str, str]] = {}
    defaults: dict[str, str | int | float | bool] = {}
    scenario_id: str | None = None
    roster: RosterMapping = RosterMapping()
    file: str | None = None  # the contacts file inside an export directory
    tables: dict[str, TableMapping] = {}

    @field_validator("tables")
    @classmethod
    def _tables(cls, v: dict[str, TableMapping]) -> dict[str, TableMapping]:
        for name, t in v.items():
            if name not in EXTRA_TABLES:
                raise ValueError(f"unknown table {name!r}; allowed: {', '.join(EXTRA_TABLES)}")
            allowed = tuple(c for c, _, _ in schema.TABLES[name])
            _check_targets(t.columns, allowed)
            for k in (*t.units, *t.recode):
                if k not in allowed:
                    raise ValueError(f"{name}: unknown column {k!r}; allowed: {', '.join(allowed)}")
        return v

    @field_validator("columns")
    @classmethod
    def _targets(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_targets(v, CONTACT_COLUMNS)

    @field_validator("defaults", "recode")
    @classmethod
    def _known(cls, v: dict) -> dict:
        for k in v:
            if k not in CONTACT_COLUMNS:
                raise ValueError(f"{k}: unknown schema column {k!r}; allowed: {', '.join(CONTACT_COLUMNS)}")
        return v

    @field_validator("time_format")
    @classmethod
    def _fmt(cls, v: str | None) -> str | None:
        if v is not None and ("%z" in v or "%Z" in v):
            raise ValueError(f"bad value {v!r}: time zones are not supported; export naive local times")
        return v

    @model_validator(mode="after")
    def _spellings(self) -> ImportMapping:
        t = {s.strip().lower() for s in self.true_values}
        f = {s.strip().lower() for s in self.false_values}
        both = sorted(t & f)
        if both:
            raise ValueError(f"true_values: {both[0]!r} is also in false_values")
        return self

    def source_of(self, export_columns: list[str]) -> dict[str, str]:
        """Schema column -> export column: mapped columns, plus export columns already named
        like a schema column (unless that name is mapped elsewhere)."""
        out = {dst: src for src, dst in self.columns.items() if src in export_columns}
        for c in export_columns:
            if c in CONTACT_COLUMNS and c not in out and c not in self.columns:
                out[c] = c
        return out


def load_mapping(mapping: ImportMapping | Mapping[str, Any] | str | os.PathLike | None) -> ImportMapping:
    """An ``ImportMapping`` from a model, a dict, a YAML path or None (identity mapping).

    Raises:
        SpecError: the file is missing or invalid (naming the file and field).
    """
    if mapping is None:
        return ImportMapping()
    if isinstance(mapping, ImportMapping):
        return mapping
    if isinstance(mapping, Mapping):
        return validate(ImportMapping, dict(mapping), "<mapping>")
    path = Path(mapping)
    data = load_yaml(path)
    return validate(ImportMapping, data, str(path))


__all__ = ["EXTRA_TABLES", "ImportMapping", "RosterMapping", "SpecError", "TableMapping", "load_mapping"]
