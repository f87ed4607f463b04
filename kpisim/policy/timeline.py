"""Policy timelines: versions of a plan with effective months (S1 revises plans quarterly, S0's
sheet changed in 2019).

A timeline file::

    kind: timeline
    id: s1_revised
    timeline:
      - {from: 2026-11, policy: s1_xiyu_289.yaml}
      - {from: 2027-02, policy: s1_v2.yaml}

Each version pays the months from its ``from`` month to the month before the next version's;
months before the first ``from`` are paid by the first version. Paths are relative to the
timeline file. Checked before anything is simulated: months increasing, files exist and are
policies, one currency. A ``Timeline`` scores and pays a KPI table month by month like a
``Policy`` (``score``, ``pay``), so two timelines compare like two policies.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kpisim.errors import SpecError
from kpisim.io.load import load_yaml
from kpisim.policy.models import Policy

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Timeline:
    """Policy versions with the first month (``YYYY-MM``) each one pays."""

    id: str
    versions: tuple[tuple[str, Policy], ...]

    @property
    def currency(self) -> str:
        return self.versions[0][1].currency

    @property
    def policies(self) -> list[Policy]:
        return [p for _, p in self.versions]

    def policy_for(self, month: str | dt.date | pd.Timestamp) -> Policy:
        """The version that pays ``month`` (a ``YYYY-MM`` string, a date or a timestamp)."""
        key = _month_key(month)
        chosen = self.versions[0][1]
        for start, pol in self.versions:
            if start <= key:
                chosen = pol
        return chosen

    def label_for(self, month: str | dt.date | pd.Timestamp) -> str:
        """``id@version`` of the version that pays ``month`` (for manifests and tables)."""
        p = self.policy_for(month)
        return f"{p.id}@{p.version}"

    def score(self, kpi_table: pd.DataFrame, /, *, fill_missing: bool = False) -> pd.DataFrame:
        """Each period scored by its version (column ``policy_version`` names it)."""
        return self._by_version(kpi_table, lambda p, kt, _: p.score(kt, fill_missing=fill_missing))

    def pay(self, scores: pd.DataFrame, kpi_table: pd.DataFrame, /) -> pd.DataFrame:
        """Each period paid by its version (column ``policy_version`` names it)."""
        return self._by_version(kpi_table, lambda p, kt, rows: p.pay(scores.loc[rows], kt), scores)

    def _by_version(self, kt: pd.DataFrame, fn, aligned: pd.DataFrame | None = None) -> pd.DataFrame:
        if "period" not in kt.columns:
            raise SpecError("<timeline>", self.id, "a timeline needs a KPI table with a 'period' column")
        labels = np.array([self.label_for(p) for p in kt["period"]], dtype=object)
        parts = []
        for label in dict.fromkeys(labels):
            rows = np.flatnonzero(labels == label)
            part = fn(self.policy_for_label(label), kt.iloc[rows].reset_index(drop=True), rows)
            part.index = kt.index[rows]
            parts.append(part.assign(policy_version=label))
        return pd.concat(parts).loc[kt.index].reset_index(drop=True) if parts else kt.iloc[0:0]

    def policy_for_label(self, label: str) -> Policy:
        for _, p in self.versions:
            if f"{p.id}@{p.version}" == label:
                return p
        raise KeyError(label)


def _month_key(month: Any) -> str:
    if isinstance(month, str):
        return month[:7]
    ts = pd.Timestamp(month)
    return f"{ts.year:04d}-{ts.month:02d}"


def timeline_of(
    versions: Sequence[tuple[str, Policy]], *, id: str = "timeline", file: str = "<object>"
) -> Timeline:
    """A checked ``Timeline`` from ``(YYYY-MM, policy)`` pairs.

    Raises:
        SpecError: no versions, a month not ``YYYY-MM``, months not increasing, or two currencies.
    """
    if not versions:
        raise SpecError(file, "timeline", "no versions; give at least one {from: YYYY-MM, policy: FILE}")
    prev = ""
    for i, (start, pol) in enumerate(versions):
        m = _MONTH.match(str(start))
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise SpecError(file, f"timeline[{i + 1}].from", f"{start!r} is not a month; expected YYYY-MM")
        if str(start) <= prev:
            raise SpecError(
                file, f"timeline[{i + 1}].from", f"{start} is not after {prev}; months must increase"
            )
        prev = str(start)
        if pol.currency != versions[0][1].currency:
            raise SpecError(
                file,
                f"timeline[{i + 1}].policy",
                f"currency {pol.currency} differs from {versions[0][1].currency}; one currency per timeline",
            )
    return Timeline(id=id, versions=tuple((str(s), p) for s, p in versions))


def load_timeline(path: str | os.PathLike, *, encoding: str | None = None) -> Timeline:
    """Read and check a timeline YAML file (see the module docstring).

    Raises:
        SpecError: naming the file, the field path, the bad value and what is allowed.
    """
    from kpisim.policy.loading import load_policy

    data = load_yaml(path, encoding=encoding)
    file = str(path)
    allowed = {"kind", "id", "name", "timeline"}
    for key in data:
        if key not in allowed:
            raise SpecError(file, str(key), f"unknown key {key!r}; allowed: {', '.join(sorted(allowed))}")
    if data.get("kind", "timeline") != "timeline":
        raise SpecError(file, "kind", f"{data.get('kind')!r}; a timeline file has kind: timeline")
    items = data.get("timeline")
    if not isinstance(items, list) or not items:
        raise SpecError(file, "timeline", "expected a list of {from: YYYY-MM, policy: FILE}")
    versions = []
    for i, item in enumerate(items):
        at = f"timeline[{i + 1}]"
        if not isinstance(item, dict) or set(item) != {"from", "policy"}:
            raise SpecError(file, at, f"{item!r}; expected exactly the keys from and policy")
        start = item["from"]
        if isinstance(start, dt.date):
            start = f"{start.year:04d}-{start.month:02d}"
        pfile = Path(path).parent / str(item["policy"])
        if not pfile.is_file():
            raise SpecError(
                file, f"{at}.policy", f"file {str(item['policy'])!r} not found (looked at {pfile})"
            )
        versions.append((str(start), load_policy(pfile)))
    return timeline_of(versions, id=str(data.get("id", Path(path).stem)), file=file)


def is_timeline_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a timeline file (a top-level ``timeline:`` key)."""
    try:
        data = load_yaml(path)
    except SpecError:
        return False
    return isinstance(data, dict) and ("timeline" in data or data.get("kind") == "timeline")


def load_plan(path: str | os.PathLike):
    """A policy file or a timeline file, whichever ``path`` is (``load_policy`` / ``load_timeline``)."""
    from kpisim.policy.loading import load_policy

    return load_timeline(path) if is_timeline_file(path) else load_policy(path)


def flat_policies(policies: Mapping[str, Any]) -> dict[str, Any]:
    """``policies`` with every timeline replaced by its versions (``name@id@version``): what the
    KPI variants and the declared inputs are collected from."""
    out: dict[str, Any] = {}
    for name, pol in policies.items():
        if isinstance(pol, Timeline):
            out.update({f"{name}@{p.id}@{p.version}": p for p in pol.policies})
        else:
            out[name] = pol
    return out
