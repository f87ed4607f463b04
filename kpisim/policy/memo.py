"""A memo of what scoring and paying compute from a KPI table alone, for tables scored many times.

The plan designer scores the same cached months under thousands of policy variants; for a
140-row table most of a call went to work that depends only on the table and on parts of the
policy a trial does not change (the policy's definitions, which rows hold which role, whether a
metric has data, the float columns, group ids and agent-month order of :class:`Table`). Pass one
:class:`TableMemo` to ``kpisim.policy.roles.score`` / ``pay`` / ``pay_totals`` (``memo=``) for
every call on the same tables: the results are identical, only computed once.

Only for tables that are not modified afterwards (the memo keeps them, so their ids stay
theirs); a modified table would be read as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import pandas as pd

from kpisim.policy.frame import Table


class TableMemo:
    """Values computed from KPI tables, by the table's identity and a key of what else they read."""

    def __init__(self) -> None:
        self._keep: dict[int, pd.DataFrame] = {}
        self._tables: dict[int, Table] = {}
        self._values: dict[tuple, Any] = {}

    def _hold(self, kt: pd.DataFrame) -> int:
        i = id(kt)
        held = self._keep.get(i)
        if held is not kt:  # a new table (or a dead one's id reused: forget what it had)
            self._keep[i] = kt
            self._tables.pop(i, None)
            self._values = {k: v for k, v in self._values.items() if k[0] != i}
        return i

    def table(self, kt: pd.DataFrame) -> Table:
        """The :class:`Table` of ``kt`` (its caches shared by every call)."""
        i = self._hold(kt)
        got = self._tables.get(i)
        if got is None:
            got = self._tables[i] = Table(kt)
        return got

    def get(self, kt: pd.DataFrame, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()`` for ``kt`` and ``key``, computed on the first call only."""
        k = (self._hold(kt), key)
        if k not in self._values:
            self._values[k] = make()
        return self._values[k]

    def __getstate__(self) -> dict:  # sent to workers empty: ids mean nothing in another process
        return {"_keep": {}, "_tables": {}, "_values": {}}
