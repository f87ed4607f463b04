"""KPI tables from an event log: ``kpis(log, by=..., period=...)`` and ``reaggregate``.

How a KPI table is built (all vectorised; no Python loop per contact):

1. Every metric is a function of additive columns (``registry.COLUMNS``: counts ``n_*`` and sums
   ``sum_*``). Each event-log row contributes to them (``rows``), and they are summed per
   (scenario_id, replication, seed, entity, period) with one ``np.bincount`` per column.
2. Ratios are computed from the summed numerators and denominators, never as averages of
   per-row or per-agent ratios. **Zero-denominator rule:** a ratio whose denominator is 0 is
   NaN (e.g. ``aht_s`` of an agent who handled nothing); counts and sums are 0 when there is
   nothing to count.
3. A metric that does not apply to the level or period (``Metric.levels`` / ``periods``, e.g.
   ``abandon_rate`` per agent or attendance per 30-min interval) is NaN, and so are its columns.
   So are metrics whose source table the log does not have (an imported export lists the
   tables it really holds in ``manifest["observed_tables"]``).

Attribution to periods: contacts by ``arrival_at``; agent-state intervals are **split at period
boundaries** (a break from 11:50 to 12:10 adds 10 min to each of two hourly intervals);
attendance and conduct by ``date``; QA by ``reviewed_at``; silent orders by ``ordered_at``;
dial attempts by ``dialled_at``; calling-list records by ``added_at``.

Levels: ``by`` columns ``agent_id``; agent attributes ``team``, ``shift``, ``tenure_group``
(``group``) joined from the ``agents`` table; ``queue``; ``channel``; ``by=()`` is the whole
centre. With any agent column in ``by``, contacts that no agent answered (abandoned, blocked)
are left out: they belong to no agent. Rows at agent level also carry the agent's attributes
(so ``reaggregate(table, by=("team",))`` works), queue rows carry ``channel``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kpisim.errors import DataError, KpisimError, SpecError
from kpisim.io import schema
from kpisim.io.eventlog import EventLog
from kpisim.kpi import periods as P
from kpisim.kpi import rows
from kpisim.kpi.group import combine, factorize, group_sums
from kpisim.kpi.registry import (
    COLUMNS,
    DIMENSIONS,
    METRICS,
    applies,
    levels_of,
    resolve_definitions,
    select_metrics,
)
from kpisim.kpi.roster import QUEUES, with_skill
from kpisim.kpi.rows_outbound import dial_values, record_values
from kpisim.kpi.values import AGENT_ATTRS, RUN_KEYS, _columns_for, _extras
from kpisim.kpi.values import finish as _finish

_SOURCES = ("contacts", "agent_states", "attendance", "conduct", "qa", "dials", "call_list")
_SILENT = "sum_silent_order_cents"


def kpis(
    log: EventLog | Mapping[str, pd.DataFrame],
    by: Sequence[str] | str = ("agent_id",),
    period: str = "month",
    *,
    definitions: Mapping[str, Mapping[str, Any]] | None = None,
    metrics: Sequence[str] | None = None,
    interval_min: int = 30,
) -> pd.DataFrame:
    """Compute a KPI table from an event log.

    Args:
        log: an ``EventLog`` (or a mapping table name -> DataFrame with schema columns).
        by: grouping columns: ``agent_id``, ``team``, ``shift``, ``tenure_group``, ``queue``,
            ``channel`` (combinable); ``()`` for the whole centre.
        period: ``interval``, ``day``, ``week`` (Monday start) or ``month``.
        definitions: metric key -> {parameter: value} overriding the registry defaults, e.g.
            ``{"service_level": {"threshold_s": 30}, "fcr_rate": {"window_h": 12}}``.
        metrics: metric keys to compute (default: all, in registry order).
        interval_min: length of an ``interval`` period, minutes (must divide a day).

    Returns:
        One row per (scenario_id, replication, seed, *by, period) that has any data: the key
        columns, ``period`` (start timestamp of the period), agent attributes / channel where
        they apply, one column per metric, then the additive columns (``n_*``, ``sum_*``) the
        metrics are computed from. ``attrs["kpisim"]`` records by, period and definitions.

    Raises:
        SpecError: unknown metric, parameter, ``by`` column or period.
        DataError: a table misses a schema column or a contact has no arrival time.
    """
    by = _as_by(by)
    levels = levels_of(by)
    P.check(period, interval_min)
    defs = resolve_definitions(definitions)
    keys = select_metrics(metrics)
    tables, observed = _tables(log)
    active = [k for k in keys if applies(METRICS[k], levels, period)]
    need = _columns_for(active)
    base = _base_dims(by)
    ctx = {"base": base, "period": period, "interval_min": interval_min, "defs": defs, "tables": tables}
    parts = []
    for source in _SOURCES:
        cols = [c for c in need if COLUMNS[c].source == source]
        if cols and source in observed:
            parts.append(_AGGREGATORS[source](tables[source], cols, ctx))
    keycols = list(RUN_KEYS) + base + ["period"]
    frame = _merge_parts(parts, keycols)
    if any(DIMENSIONS[b] in ("agent", "team") for b in by):
        frame = frame[frame["agent_id"].notna()].copy()
        frame = _attach_agents(frame, tables.get("agents"))
        if "agent_id" not in by:
            keycols = (
                list(RUN_KEYS) + list(by) + [d for d in base if d != "agent_id" and d not in by] + ["period"]
            )
            frame = _sum_by(frame, keycols, [c for c in frame.columns if c in COLUMNS])
    if _SILENT in need and "silent_orders" in observed:
        frame = _attach_silent(frame, tables["silent_orders"], ctx)
    seen = [c for c in need if COLUMNS[c].source in observed]
    frame = frame.assign(**{c: 0.0 for c in seen if c not in frame})
    frame = frame.fillna({c: 0.0 for c in seen})
    frame = frame.reset_index(drop=True)
    frame["period"] = P.labels(frame["period"].to_numpy(dtype=np.int64), period, interval_min)
    out = _finish(frame, keys, levels, period, defs, by)
    out.attrs["kpisim"] = {
        "by": list(by),
        "period": period,
        "interval_min": interval_min,
        "definitions": {k: _plain(defs[k]) for k in keys if defs[k]},
    }
    return out


def reaggregate(
    table: pd.DataFrame,
    by: Sequence[str] | str = (),
    *,
    definitions: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """Re-aggregate a KPI table to a coarser ``by`` within the same periods.

    Sums the additive columns and recomputes every metric from them, so e.g. agent rows
    re-aggregated to teams equal ``kpis(log, by=("team",))`` (up to float rounding).

    Args:
        table: a KPI table from ``kpis`` (possibly read back from CSV/Parquet).
        by: new grouping columns; each must be a column of ``table``.
        definitions: only the scale parameters matter here (``complaint_rate.per``); default:
            those recorded in ``table.attrs``, else the registry defaults.

    Raises:
        SpecError: a ``by`` column the table does not have.
    """
    by = _as_by(by)
    levels = levels_of(by)
    missing = [b for b in by if b not in table.columns]
    if missing:
        raise SpecError(
            "by",
            missing[0],
            f"column {missing[0]!r} is not in the KPI table; "
            f"it has: {', '.join(c for c in table.columns if c in DIMENSIONS)}",
        )
    if definitions is None:
        definitions = table.attrs.get("kpisim", {}).get("definitions")
    defs = resolve_definitions(definitions)
    keycols = list(RUN_KEYS) + list(by) + _extras(by, table.columns) + ["period"]
    additive = [c for c in COLUMNS if c in table.columns and c != _SILENT]
    frame = _sum_by(table, keycols, additive)
    if _SILENT in table.columns:
        silent = table.groupby(keycols, dropna=False, sort=False)[_SILENT].max()
        frame = frame.merge(silent.reset_index(), on=keycols, how="left")
    keys = [k for k in METRICS if k in table.columns]
    out = _finish(frame, keys, levels, None, defs, by)
    out.attrs["kpisim"] = dict(table.attrs.get("kpisim", {}), by=list(by))
    return out


# --- arguments and inputs ---------------------------------------------------------------------
def _as_by(by: Sequence[str] | str | None) -> tuple[str, ...]:
    if by is None:
        return ()
    by = (by,) if isinstance(by, str) else tuple(by)
    if len(set(by)) != len(by):
        raise SpecError("by", "", f"bad value {list(by)!r}: each column may appear once")
    levels_of(by)
    return by


def _tables(log: Any) -> tuple[dict[str, pd.DataFrame], set[str]]:
    if isinstance(log, EventLog):
        tables, manifest = log.tables, log.manifest
    elif isinstance(log, Mapping):
        tables, manifest = dict(log), {}
    else:
        raise KpisimError(f"kpis: expected an EventLog, got {type(log).__name__}")
    observed = set(manifest.get("observed_tables", tables)) & set(tables)
    for name in observed | ({"agents"} & set(tables)):
        df = tables[name]
        need = schema.columns(name) if name != "agents" else [*list(RUN_KEYS), "agent_id"]
        miss = [c for c in need if c not in df.columns]
        if miss:
            raise DataError(f"event log table {name!r}: missing column(s) {miss}; see kpisim.io.schema")
    if "contacts" in observed and tables["contacts"]["arrival_at"].isna().any():
        n = int(tables["contacts"]["arrival_at"].isna().sum())
        raise DataError(f"event log table 'contacts': {n} contact(s) without arrival_at")
    return tables, observed


def _base_dims(by: tuple[str, ...]) -> list[str]:
    """Event-log columns to group on before agent attributes are joined."""
    base = []
    if any(DIMENSIONS[b] in ("agent", "team") for b in by):
        base.append("agent_id")
    if "queue" in by:
        base += ["queue", "channel"]
    elif "channel" in by:
        base.append("channel")
    return base


def _plain(d: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}


# --- per-source aggregation -------------------------------------------------------------------
def _run_codes(df: pd.DataFrame) -> tuple[tuple[np.ndarray, pd.Index], pd.DataFrame]:
    inv, runs = combine({k: df[k] for k in RUN_KEYS})
    return (inv, pd.RangeIndex(len(runs))), runs


def _expand(g: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Replace the ``__run`` code column by the run key columns."""
    r = runs.iloc[g["__run"].to_numpy()].reset_index(drop=True)
    return pd.concat([r, g.drop(columns="__run").reset_index(drop=True)], axis=1)


def _dims(df: pd.DataFrame, base: list[str], take: np.ndarray | None = None) -> dict[str, Any]:
    out = {}
    for d in base:
        codes, labels = factorize(df[d])
        out[d] = (codes if take is None else codes[take], labels)
    return out


def _agg_contacts(df: pd.DataFrame, cols: list[str], ctx: dict) -> pd.DataFrame:
    run, runs = _run_codes(df)
    vals = rows.contact_values(df, run[0], cols, ctx["defs"])
    code = P.codes(rows.ns(df["arrival_at"]), ctx["period"], ctx["interval_min"])
    g = group_sums({"__run": run, **_dims(df, ctx["base"]), "period": code}, vals)
    return _expand(g, runs)


def _agg_states(df: pd.DataFrame, cols: list[str], ctx: dict) -> pd.DataFrame:
    """Agent-state columns: pieces split at period boundaries, seconds summed per (group,
    state) with one bincount, then combined per column."""
    row, code, secs = P.split(
        rows.ns(df["start_at"]), rows.ns(df["end_at"]), ctx["period"], ctx["interval_min"]
    )
    run, runs = _run_codes(df)
    st_codes, st_labels = pd.factorize(df["state"])
    dims = _dims(df, [d for d in ctx["base"] if d == "agent_id"], row)
    inv, groups = combine({"__run": (run[0][row], run[1]), **dims, "period": code})
    g, n_states = len(groups), len(st_labels) + 1
    sc = st_codes[row]
    sc = np.where(sc < 0, n_states - 1, sc)
    per_state = np.bincount(inv * n_states + sc, weights=secs, minlength=g * n_states).reshape(g, n_states)
    busy_weighted = None
    if ctx["defs"]["occupancy"]["partial_chat"] and "sum_occ_work_s" in cols:
        weight = _session_weight(df, run, runs, ctx["tables"].get("agents"))[row]
        busy = np.array([u == "busy" for u in st_labels] + [False])[sc]
        busy_weighted = np.bincount(inv, weights=np.where(busy, secs * weight, 0.0), minlength=g)
    vals = rows.state_values(pd.Index(st_labels), per_state, busy_weighted, cols, ctx["defs"])
    out = pd.concat([groups, pd.DataFrame(vals, index=groups.index)], axis=1)
    return _expand(out, runs)


def _session_weight(df: pd.DataFrame, run, runs: pd.DataFrame, agents: pd.DataFrame | None) -> np.ndarray:
    """Share of the agent's session slots in use: sessions / max_concurrency, clipped to [0, 1]
    (max_concurrency 1 if the roster lacks it). The simulator records a voice call as all slots in
    use (``AgentGroup.slots``), so time on a call counts fully, as for a voice-only agent."""
    codes, labels = factorize(df["agent_id"])
    maxc = np.ones((len(runs), max(len(labels), 1)))
    if agents is not None and len(agents) and "max_concurrency" in agents:
        on = ["scenario_id", "replication"]
        r = runs.reset_index(drop=True).rename_axis("__run").reset_index()[["__run", *on]]
        a = agents[[*on, "agent_id", "max_concurrency"]].merge(r.drop_duplicates(on), on=on)
        agent = pd.Index(labels).get_indexer(a["agent_id"])
        ok = agent >= 0
        mc = a["max_concurrency"].to_numpy(dtype=float, na_value=1.0)[ok]
        maxc[a["__run"].to_numpy()[ok], agent[ok]] = np.maximum(mc, 1.0)
    sessions = df["sessions"].to_numpy(dtype=float, na_value=0.0)
    return np.clip(sessions / maxc[run[0], codes], 0.0, 1.0)


def _agg_daily(source: str):
    def agg(df: pd.DataFrame, cols: list[str], ctx: dict) -> pd.DataFrame:
        run, runs = _run_codes(df)
        if source == "attendance":
            vals = rows.attendance_values(df, cols, ctx["defs"])
        else:
            vals = rows.conduct_values(df, cols)
        code = P.codes(rows.ns(df["date"]), ctx["period"], ctx["interval_min"])
        dims = _dims(df, [d for d in ctx["base"] if d == "agent_id"])
        return _expand(group_sums({"__run": run, **dims, "period": code}, vals), runs)

    return agg


def _agg_qa(df: pd.DataFrame, cols: list[str], ctx: dict) -> pd.DataFrame:
    extra = [d for d in ctx["base"] if d in ("queue", "channel")]
    if extra:  # QA rows get the reviewed contact's queue / channel
        c = ctx["tables"].get("contacts")
        on = ["scenario_id", "replication", "contact_id"]
        if c is None:
            c = pd.DataFrame({k: pd.Series(dtype=t) for k, t in schema.dtypes("contacts").items()})
        c = c[on + extra].drop_duplicates(on)
        df = df.merge(c, on=on, how="left")
    run, runs = _run_codes(df)
    vals = rows.qa_values(df, cols, ctx["defs"])
    code = P.codes(rows.ns(df["reviewed_at"]), ctx["period"], ctx["interval_min"])
    return _expand(group_sums({"__run": run, **_dims(df, ctx["base"]), "period": code}, vals), runs)


def _agg_outbound(values, time_col: str):
    """Dials / calling-list records: the campaign is their ``queue``, on channel voice."""

    def agg(df: pd.DataFrame, cols: list[str], ctx: dict) -> pd.DataFrame:
        df = df.assign(queue=df["campaign"], channel="voice")
        run, runs = _run_codes(df)
        code = P.codes(rows.ns(df[time_col]), ctx["period"], ctx["interval_min"])
        g = group_sums({"__run": run, **_dims(df, ctx["base"]), "period": code}, values(df, cols))
        return _expand(g, runs)

    return agg


_AGGREGATORS = {
    "contacts": _agg_contacts,
    "agent_states": _agg_states,
    "attendance": _agg_daily("attendance"),
    "conduct": _agg_daily("conduct"),
    "qa": _agg_qa,
    "dials": _agg_outbound(dial_values, "dialled_at"),
    "call_list": _agg_outbound(record_values, "added_at"),
}


def _attach_silent(frame: pd.DataFrame, df: pd.DataFrame, ctx: dict) -> pd.DataFrame:
    run, runs = _run_codes(df)
    code = P.codes(rows.ns(df["ordered_at"]), ctx["period"], ctx["interval_min"])
    g = _expand(group_sums({"__run": run, "period": code}, rows.silent_values(df, [_SILENT])), runs)
    frame = frame.drop(columns=[_SILENT], errors="ignore")
    return frame.merge(g, on=[*list(RUN_KEYS), "period"], how="left")


# --- combining --------------------------------------------------------------------------------
def _merge_parts(parts: list[pd.DataFrame], keycols: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(
            {
                k: pd.Series(dtype="int64" if k in ("replication", "seed", "period") else "string")
                for k in keycols
            }
        )
    if len(parts) == 1:
        return parts[0]
    both = pd.concat(parts, ignore_index=True)
    return _sum_by(both, keycols, [c for c in both.columns if c not in keycols])


def _sum_by(frame: pd.DataFrame, keycols: list[str], cols: list[str]) -> pd.DataFrame:
    out = frame.groupby(keycols, dropna=False, sort=False)[cols].sum(min_count=1)
    return out.reset_index()


def _attach_agents(frame: pd.DataFrame, agents: pd.DataFrame | None) -> pd.DataFrame:
    frame = frame.drop(columns=[a for a in AGENT_ATTRS if a in frame.columns])
    on = ["scenario_id", "replication", "agent_id"]
    if agents is None or not len(agents):
        for a in AGENT_ATTRS:
            frame[a] = pd.Series(pd.NA, index=frame.index, dtype="string")
        return frame
    have = [c for c in AGENT_ATTRS if c in agents.columns]
    out = frame.merge(
        with_skill(agents[on + have + QUEUES[: "queues" in agents]].drop_duplicates(on)), on=on, how="left"
    )
    for a in AGENT_ATTRS:
        if a not in out:
            out[a] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out
