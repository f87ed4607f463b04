"""Assembling an imported export: the agents roster (given or derived) and the contacts table in
the event-log schema from the parsed, checked columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kpisim.errors import DataError
from kpisim.io import schema
from kpisim.io.eventlog import derive_customer_wrote
from kpisim.io.mapping import ImportMapping
from kpisim.io.reading import read_export as _read

#: schema columns every export must provide (directly or through the mapping)
REQUIRED: tuple[str, ...] = ("contact_id", "arrival_at", "answered_at", "ended_at", "agent_id")


def _roster(agents: Any, mapping: ImportMapping) -> pd.DataFrame:
    if isinstance(agents, pd.DataFrame):
        raw, name = agents.copy(), "<roster>"
    else:
        (raw, ragged), name = _read(Path(agents)), str(agents)
        if ragged:
            raise DataError(
                f"{name}: {len(ragged)} bad roster row(s); fix the roster", [(i + 1, r) for i, r in ragged]
            )
    ren = {src: dst for src, dst in mapping.roster.columns.items() if src in raw.columns}
    raw = raw.rename(columns=ren)
    if "agent_id" not in raw.columns:
        raise DataError(
            f"{name}: missing required column 'agent_id' (map it under roster.columns); "
            f"the file has: {', '.join(map(str, raw.columns))}"
        )
    df = pd.DataFrame({"agent_id": raw["agent_id"].astype("string").fillna("").str.strip()})
    problems = [(i + 1, "agent_id: empty") for i in np.flatnonzero((df["agent_id"] == "").to_numpy())]
    dup = df["agent_id"].duplicated().to_numpy()
    problems += [(i + 1, f"duplicate agent_id {df['agent_id'].iat[i]!r}") for i in np.flatnonzero(dup)]
    for c in ("group", "team", "shift", "tenure_group", "queues"):
        if c in schema.dtypes("agents"):
            df[c] = raw[c].astype("string").str.strip() if c in raw else pd.NA
    if "max_concurrency" in raw:
        mc = pd.to_numeric(raw["max_concurrency"], errors="coerce")
    else:
        mc = pd.Series(1, index=raw.index)
    bad = mc.isna() | (mc < 1) | (mc % 1 != 0)
    problems += [
        (i + 1, f"max_concurrency: {raw['max_concurrency'].iat[i]!r} is not a whole number >= 1")
        for i in np.flatnonzero(bad.to_numpy())
    ]
    if problems:
        raise DataError(f"{name}: {len(problems)} bad roster row(s); fix the roster", sorted(problems))
    df["max_concurrency"] = mc.fillna(1).astype(np.int64)
    for c in schema.dtypes("agents"):
        if c not in df and c.startswith("true_"):
            df[c] = np.nan  # hidden truth is unknown for real data
    return df


#: values for columns an export lacks (or leaves empty) that are not derived from other columns
DEFAULTS: dict[str, Any] = {
    "channel": "voice",
    "direction": "inbound",
    "queue": "default",
    "attempt": 1,
    "order_value_cents": 0,
    "response_time_sum_s": 0.0,
    "response_count": 0,
    "customer_msgs": 0,
    "agent_msgs": 0,
    "system_msgs": 0,
}


def _assemble(out: dict[str, Any], good: np.ndarray, mapping: ImportMapping) -> pd.DataFrame:
    """The contacts table of the good rows, with derived and default columns (docs/import.md)."""
    n = int(good.sum())
    g = {
        k: (v[good] if isinstance(v, np.ndarray) else v[good].reset_index(drop=True)) for k, v in out.items()
    }
    df = pd.DataFrame({k: v for k, v in g.items() if k != "customer_id"}, index=pd.RangeIndex(n))
    dtypes = schema.dtypes("contacts")

    def fill(c: str, derived: Any) -> None:
        """Keep the export's value where it has one, else ``derived``."""
        derived = pd.Series(derived, index=df.index) if not isinstance(derived, pd.Series) else derived
        df[c] = derived if c not in df else df[c].where(df[c].notna(), derived)

    for c, v in {**DEFAULTS, **mapping.defaults}.items():
        fill(c, v)
    ans = df["answered_at"].notna().to_numpy()
    arr, end = df["arrival_at"], df["ended_at"]
    fill("blocked", False)
    fill("abandoned", ~ans & ~df["blocked"].to_numpy(dtype=bool))
    wait = np.where(ans, (df["answered_at"] - arr).dt.total_seconds(), (end - arr).dt.total_seconds())
    fill("wait_s", np.where(df["blocked"].to_numpy(dtype=bool), 0.0, wait))
    fill("handle_s", np.where(ans, (end - df["answered_at"]).dt.total_seconds(), np.nan))
    df["handle_s"] = df["handle_s"].where(ans)
    if "wrap_up_end_at" in df:
        fill("wrap_up_s", (df["wrap_up_end_at"] - end).dt.total_seconds())
    fill("wrap_up_s", np.where(ans, 0.0, np.nan))
    df["wrap_up_s"] = df["wrap_up_s"].where(ans)
    fill("wrap_up_end_at", (end + pd.to_timedelta(df["wrap_up_s"], unit="s")).where(ans))
    fill("queued", df["wait_s"].to_numpy() > 0)
    fill("replied", ans)
    fill("customer_wrote", derive_customer_wrote(df))
    fill("concurrency", np.where(ans, 1.0, np.nan))
    df["concurrency"] = df["concurrency"].where(ans)
    fill("converted", df["order_value_cents"].to_numpy(dtype=float) > 0)
    for c in ("csat", "nps"):
        fill(c, np.nan)
    fill("survey_responded", df["csat"].notna() | df["nps"].notna())
    df["customer_id"] = _customer_ids(g.get("customer_id"), df["contact_id"].to_numpy(dtype=np.int64))
    for c, t in dtypes.items():
        if c not in df:
            df[c] = False if t == "bool" else (np.nan if t == "float64" else pd.NA)
        if t in ("Int64",):
            df[c] = pd.array(df[c].to_numpy(dtype=float, na_value=np.nan), dtype="Float64").astype("Int64")
        elif t == "bool":
            df[c] = df[c].astype(bool)
    return df


def _customer_ids(cust: pd.Series | None, contact_ids: np.ndarray) -> np.ndarray:
    """Integer customer ids: integers as given, text ids coded 1, 2, ... by first appearance;
    an empty id makes the contact its own customer (id = -contact_id)."""
    if cust is None:
        return -contact_ids.astype(np.int64)
    num = pd.to_numeric(cust, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    empty = cust.isna().to_numpy()
    if np.all(empty | (~np.isnan(num) & (num == np.rint(num)))):
        ids = np.where(empty, -contact_ids, np.nan_to_num(num)).astype(np.int64)
    else:
        codes, _ = pd.factorize(cust)
        ids = np.where(empty, -contact_ids, codes + 1).astype(np.int64)
    return ids
