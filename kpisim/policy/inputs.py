"""Reading KPI tables and attaching user-supplied input columns (manager ratings, levels).

Inputs are joined on the key columns both tables share among (scenario_id, replication,
agent_id, period); at least ``agent_id``. An inputs file without ``period`` applies the same
values to every period. A string period such as ``2024-03`` matches a KPI table whose period is
a timestamp (the start of the month).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from kpisim.errors import DataError, KpisimError

JOIN_KEYS = ("scenario_id", "replication", "agent_id", "period")


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a ``.csv`` (UTF-8, else GB18030) or ``.parquet`` table.

    Raises:
        KpisimError: the file is missing, a directory, binary, empty, unparsable, has a column
            name twice in its header, or has another extension.
    """
    import csv
    import io

    from kpisim.io.load import decode

    p = Path(path)
    if p.is_dir():
        raise KpisimError(f"{p}: is a directory; give a .csv or .parquet file")
    if not p.is_file():
        raise KpisimError(f"{p}: file not found")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        text = decode(p.read_bytes(), str(p))
        header = next(csv.reader(io.StringIO(text)), None)
        if not header:
            raise KpisimError(f"{p}: the file is empty; expected a header line and rows")
        twice = sorted({h for h in header if header.count(h) > 1})
        if twice:
            raise KpisimError(
                f"{p}: column {twice[0]!r} appears twice in the header; each name may appear once"
            )
        try:
            return pd.read_csv(io.StringIO(text))
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise KpisimError(f"{p}: cannot read as CSV: {' '.join(str(exc).split())}") from None
    if suffix == ".parquet":
        try:
            return pd.read_parquet(p)
        except Exception as exc:  # pyarrow raises several types
            raise KpisimError(f"{p}: cannot read as Parquet: {' '.join(str(exc).split())}") from None
    raise KpisimError(f"{p}: unsupported extension {suffix!r}; use .csv or .parquet")


def attach_inputs(kpi_table: pd.DataFrame, inputs: pd.DataFrame, /, *, file: str = "inputs") -> pd.DataFrame:
    """``kpi_table`` with the extra columns of ``inputs`` joined on their shared keys.

    Args:
        kpi_table: the KPI table (row order is kept).
        inputs: one row per agent (and optionally period, scenario, replication).
        file: name used in messages.

    Raises:
        DataError: no ``agent_id``, duplicate keys, or a column already in the KPI table with
            data (an empty one, e.g. attendance metrics of an export without attendance, is
            replaced by the inputs' column).
    """
    keys = [k for k in JOIN_KEYS if k in inputs.columns and k in kpi_table.columns]
    if "agent_id" not in keys:
        raise DataError(f"{file}: needs an 'agent_id' column to join on")
    clash = [c for c in inputs.columns if c not in keys and c in kpi_table.columns]
    empty = [c for c in clash if kpi_table[c].isna().all()]  # no data (e.g. no attendance table)
    clash = [c for c in clash if c not in empty]
    if clash:
        raise DataError(
            f"{file}: column(s) {clash} already exist in the KPI table; inputs add new columns "
            "(or fill columns the KPI table has no data for)"
        )
    attrs = dict(kpi_table.attrs)
    if empty:
        kpi_table = kpi_table.drop(columns=empty)
    right = inputs.copy()
    for k in keys:
        left_dtype = kpi_table[k].dtype
        if k == "period" and pd.api.types.is_datetime64_any_dtype(left_dtype):
            try:
                right[k] = pd.to_datetime(right[k].astype(str)).astype(left_dtype)
            except (ValueError, TypeError) as exc:
                raise DataError(f"{file}: column 'period' has a value that is not a date: {exc}") from None
        elif pd.api.types.is_string_dtype(left_dtype) or pd.api.types.is_object_dtype(left_dtype):
            right[k] = right[k].astype(str).astype(left_dtype)
        else:
            right[k] = right[k].astype(left_dtype)
    _no_repeated_keys(right, keys, file)
    out = kpi_table.merge(right, on=keys, how="left", validate="many_to_one")
    out.attrs = attrs
    return out


def neutral_inputs(policies: Mapping[str, Any]) -> dict[str, Any]:
    """Neutral constant per declared policy input: the lowest staff level for a level column,
    0 for lower-is-better inputs (counts of bad events, flags) and money (``cents``), 80 for
    ``points(0-100)`` ratings, 1.0 otherwise (ratios)."""
    out: dict[str, Any] = {}
    for pol in policies.values():
        levels = getattr(getattr(pol, "scorecard", None), "levels", None)
        for spec in getattr(pol, "inputs", ()) or ():
            if spec.name in out:
                continue
            if levels is not None and levels.column == spec.name:
                out[spec.name] = levels.bands[0].name
            elif spec.direction == "lower" or spec.unit in ("bool", "flag", "boolean", "cents"):
                out[spec.name] = 0.0
            elif "0-100" in spec.unit:
                out[spec.name] = 80.0
            else:
                out[spec.name] = 1.0
    return out


def attach_policy_inputs(
    kt: pd.DataFrame, policies: Mapping[str, Any], inputs
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The KPI table with the policies' declared inputs, and the inputs filled with a neutral
    constant (name -> value), which the report lists."""
    if isinstance(inputs, pd.DataFrame):
        kt = attach_inputs(kt, inputs)
        declared = [c for c in neutral_inputs(policies) if c in inputs.columns]
        for col in declared:
            gap = kt[col].isna()
            if gap.any():
                ids = sorted(kt.loc[gap, "agent_id"].astype(str).unique())
                raise DataError(
                    f"inputs: no value of {col!r} for {int(gap.sum())} agent-month(s), agent_id "
                    f"{', '.join(map(repr, ids[:3]))}{' ...' if len(ids) > 3 else ''}; the inputs must cover "
                    f"every agent of the scenario (check the ids: the KPI table has e.g. "
                    f"{kt['agent_id'].astype(str).iloc[0]!r})"
                )
    elif inputs:
        kt = kt.assign(**dict(inputs))
    fill = {k: v for k, v in neutral_inputs(policies).items() if k not in kt}
    return (kt.assign(**fill) if fill else kt), fill


def check_inputs(
    inputs: pd.DataFrame,
    policies: Mapping[str, Any],
    /,
    *,
    file: str = "inputs",
    agent_ids: Sequence[str] | None = None,
) -> None:
    """Refuse, before anything is simulated, an inputs table the policies cannot use: no
    ``agent_id`` column, a column that is neither a key (``JOIN_KEYS``) nor an input some policy
    declares, keys given twice, or (with ``agent_ids``, the agents the simulation will have) an
    agent without a row.

    Raises:
        DataError: the first problem, naming the file, the column or agent and what is allowed.
    """
    declared = list(neutral_inputs(policies))
    if "agent_id" not in inputs.columns:
        raise DataError(f"{file}: needs an 'agent_id' column to join on; it has {list(inputs.columns)}")
    unknown = [c for c in inputs.columns if c not in JOIN_KEYS and c not in declared]
    if unknown:
        raise DataError(
            f"{file}: column {unknown[0]!r} is not an input any policy declares; allowed: the keys "
            f"{', '.join(JOIN_KEYS)} and the declared inputs {', '.join(declared) or '(none)'}"
        )
    keys = [k for k in JOIN_KEYS if k in inputs.columns]
    _no_repeated_keys(inputs, keys, file)
    if agent_ids is not None:
        have = set(inputs["agent_id"].astype(str))
        lack = [a for a in agent_ids if a not in have]
        if lack:
            raise DataError(
                f"{file}: no row for {len(lack)} agent(s) the simulation will have, agent_id "
                f"{', '.join(map(repr, lack[:3]))}{' ...' if len(lack) > 3 else ''}; the inputs must "
                "cover every agent (ids are <group>-<n>, e.g. "
                f"{agent_ids[0]!r})"
            )


def _no_repeated_keys(table: pd.DataFrame, keys: list[str], file: str) -> None:
    """Refuse a table with two rows for the same keys, naming the first repeated row."""
    dup = table.duplicated(keys)
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise DataError(
            f"{file}: row {i + 1} repeats the keys {dict(table[keys].iloc[i])}; one row per "
            f"{', '.join(keys)} is expected"
        )
