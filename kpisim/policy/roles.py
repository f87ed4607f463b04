"""Each role on its own card: assign roles, then score and pay every role's rows on its card.

``score`` and ``pay`` here are what ``Policy.score`` / ``Policy.pay`` run; ``pay_totals`` is the
total of ``pay(score())`` without either table (the plan designer's inner loop). A policy without
``roles`` is one role, ``all``. Every output row carries ``role``. Before scoring, the policy's
``definitions`` pick the KPI columns it reads (``kpisim.policy.definitions``) and metrics without
data are refused or, with ``fill_missing``, filled (``kpisim.policy.missing``).

Ranking (``policy.ranking``): ``within_role`` scores and pays each role's rows as a table of their
own (relative-rule averages, forced grades, pools, prizes and team bonuses stay inside the
role); ``across_roles`` evaluates every card on the whole table, so averages, ranks and pools
span all roles (the roles then share pools, prizes, team bonuses and grades: checked).
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kpisim.errors import DataError
from kpisim.kpi.registry import METRICS
from kpisim.policy import payplan, scoring
from kpisim.policy.combine import as_column, combine_columns
from kpisim.policy.definitions import ALL, card_metrics, component_params, kpi_variants, plan_metrics
from kpisim.policy.frame import Table, text_column
from kpisim.policy.memo import TableMemo
from kpisim.policy.missing import check_or_fill, filled_label, has_no_data
from kpisim.policy.table_defs import with_definitions

if TYPE_CHECKING:
    from kpisim.policy.models import Policy
    from kpisim.policy.payplan import Scores
    from kpisim.policy.role_models import Role

_RESULT = ("pts_", "ded_", "bonus", "cat_", "deductions", "total", "max", "base_cents")


# --- assignment -------------------------------------------------------------------------------
def _values(kt: pd.DataFrame, column: str, role: Role) -> pd.Series:
    if column not in kt.columns:
        how = (
            "kpis() adds it from the roster's queues"
            if column == "skill"
            else "supply it with the KPI table (--inputs FILE)"
        )
        raise DataError(f"KPI table: missing column {column!r}, needed by roles[{role.id}].match; {how}")
    return kt[column].astype("string")


def _hits(s: pd.Series, patterns: tuple[str, ...]) -> np.ndarray:
    # match each distinct value once (a KPI table has few agents' values but many rows)
    codes, uniques = pd.factorize(s.fillna(""), use_na_sentinel=False)
    hit = np.array([any(fnmatch.fnmatchcase(str(v), p) for p in patterns) for v in uniques], dtype=bool)
    return hit[codes] if len(hit) else np.zeros(len(s), dtype=bool)


def assign(policy: Policy, kt: pd.DataFrame) -> np.ndarray:
    """Role id of every row (object array).

    Raises:
        DataError: rows that match no role or several roles, naming the agents.
    """
    n = len(kt)
    if not policy.roles:
        return np.full(n, ALL, dtype=object)
    masks: dict[str, np.ndarray] = {}
    other = None
    for role in policy.roles:
        m = role.match
        if m.other:
            other = role.id
            continue
        hit = np.ones(n, dtype=bool)
        for col, pats in (("group", m.group), ("team", m.team), ("skill", m.skill)):
            if pats:
                hit &= _hits(_values(kt, col, role), pats)
        if m.column is not None:
            hit &= _hits(_values(kt, m.column, role), m.values)
        masks[role.id] = hit
    count = sum((v.astype(np.int64) for v in masks.values()), np.zeros(n, dtype=np.int64))
    if (count > 1).any():
        i = int(np.flatnonzero(count > 1)[0])
        both = [r for r, v in masks.items() if v[i]]
        raise DataError(
            f"agent {_who(kt, i)} matches several roles ({', '.join(both)}); make the roles' match disjoint"
        )
    out = np.full(n, None, dtype=object)
    for r, v in masks.items():
        out[v] = r
    none = count == 0
    if none.any():
        if other is None:
            idx = np.flatnonzero(none)
            who = "; ".join(_who(kt, int(i)) for i in idx[:5])
            raise DataError(
                f"{int(none.sum())} row(s) match no role of policy {policy.id!r}: {who}"
                f"{' ...' if len(idx) > 5 else ''}. Agents are never scored on another role's card: add "
                "a role for them, or an unscored role with match: {other: true}"
            )
        out[none] = other
    return out


def _who(kt: pd.DataFrame, i: int) -> str:
    row = kt.iloc[i]
    attrs = [f"{c}={row[c]}" for c in ("group", "team", "skill") if c in kt.columns]
    return f"{row['agent_id']!s}" + (f" ({', '.join(attrs)})" if attrs else "")


# --- the card of a role ---------------------------------------------------------------------
def role_policy(policy: Policy, role: Role | None) -> Policy:
    """The single-card policy a role is scored and paid with; components with their own
    definition read their variant column."""
    from kpisim.kpi.variants import variant_column
    from kpisim.policy.metrics import known_metrics

    sc = (role.scorecard if role is not None else None) or policy.scorecard
    plan = (role.pay_plan if role is not None else None) or policy.pay_plan
    comps = []
    for c in sc.components:
        if c.definition is None or c.metric not in METRICS:
            comps.append(c)
            continue
        col = variant_column(c.metric, component_params(policy, c.metric, c.definition))
        plain = variant_column(c.metric, policy.definitions.get(c.metric))
        if col == plain:
            comps.append(c)
        else:  # read the variant column; keep the metric's direction
            direction = c.direction or known_metrics()[c.metric]
            comps.append(c.model_copy(update={"metric": col, "direction": direction}))
    sc = sc.model_copy(update={"components": tuple(comps)})
    return policy.model_copy(update={"scorecard": sc, "pay_plan": plan, "roles": (), "definitions": {}})


def _parts(policy: Policy, roles: np.ndarray) -> list[tuple[str, Role | None, np.ndarray]]:
    if not policy.roles:
        return [(ALL, None, np.arange(len(roles)))]
    return [(r.id, r, np.flatnonzero(roles == r.id)) for r in policy.roles]


def _sub(policy: Policy, role: Role | None, subs: dict | None) -> Policy:
    """``role_policy``, built once per call when the caller keeps ``subs``."""
    if subs is None:
        return role_policy(policy, role)
    key = None if role is None else role.id
    if key not in subs:
        subs[key] = role_policy(policy, role)
    return subs[key]


def _uses(policy: Policy, parts, subs: dict | None = None) -> list[tuple[str, str, str, np.ndarray]]:
    out = []
    for rid, role, rows in parts:
        if role is not None and role.unscored:
            continue
        sub = _sub(policy, role, subs)
        names = list(card_metrics(sub.scorecard)) + list(plan_metrics(sub.pay_plan))
        for name in dict.fromkeys(names):
            metric = name.split("@")[0]
            if metric in METRICS:
                out.append((rid, name, metric, rows))
    return out


def _prepare(
    policy: Policy,
    kt: pd.DataFrame,
    fill: bool,
    filled_before: dict | None = None,
    memo: TableMemo | None = None,
    subs: dict | None = None,
):
    optional = {i.name: i.default for i in policy.inputs if i.default is not None and i.name not in kt}

    def defined() -> pd.DataFrame:
        # optional inputs not supplied: their declared default
        return with_definitions(policy, kt.assign(**optional) if optional else kt)

    if memo is None:
        kt = defined()
        roles = assign(policy, kt)
        parts = _parts(policy, roles)
        no_data = None
    else:  # what depends only on the table, the definitions and the roles' matches: once
        key = (tuple(optional.items()), repr(kpi_variants(policy)), repr(policy.definitions))
        kt = memo.get(kt, ("defined", key), defined)
        match = repr([(r.id, r.match, r.unscored) for r in policy.roles])
        roles, parts = memo.get(kt, ("roles", match), lambda: _assigned(policy, kt))
        no_data = _memo_no_data(memo, match)
    if filled_before is not None:  # pay: apply the fill score used, no new checks
        kt, filled = (
            check_or_fill(
                kt,
                _uses(policy, parts, subs),
                dict(filled_before),
                fill=True,
                policy_id=policy.id,
                no_data=no_data,
            )
            if filled_before
            else (kt, {})
        )
    else:
        uses = _uses(policy, parts, subs)
        kt, filled = check_or_fill(
            kt, uses, dict(policy.neutral), fill=fill, policy_id=policy.id, no_data=no_data
        )
    return kt, roles, parts, filled


def _assigned(policy: Policy, kt: pd.DataFrame):
    roles = assign(policy, kt)
    codes, ids = pd.factorize(roles)
    return text_column(list(ids), codes), _parts(policy, roles)


def _memo_no_data(memo: TableMemo, match: str):
    def no_data(kt: pd.DataFrame, column: str, metric: str, rows: np.ndarray) -> bool:
        key = ("no_data", match, column, metric, len(rows), int(rows[0]) if len(rows) else -1)
        return memo.get(kt, key, lambda: has_no_data(kt, column, metric, rows))

    return no_data


def _with_role(out: dict, roles: np.ndarray, filled: dict) -> pd.DataFrame:
    """The result table: ``out``'s columns with ``role`` before the first result column."""
    cols = list(out)
    if "role" in out:
        raise ValueError("cannot insert role, already exists")
    at = next((i for i, c in enumerate(cols) if c.startswith(_RESULT)), len(cols))
    if isinstance(roles, np.ndarray):  # few roles, many rows: the text column by one take
        codes, ids = pd.factorize(roles)
        roles = text_column(list(ids), codes)
    data = {c: out[c] for c in cols[:at]}
    data["role"] = roles.copy()
    data.update((c, out[c]) for c in cols[at:])
    res = pd.DataFrame(data, copy=False)  # arrays as a DataFrame holds them (combine): no copy
    if filled:
        res["filled"] = filled_label(filled)
    res.attrs["kpisim"] = {"filled": dict(filled)}
    return res


def _unscored_scores(kt: pd.DataFrame) -> pd.DataFrame:
    n = len(kt)
    out = dict(Table(kt).keys())
    out.update(
        {"total": np.full(n, np.nan), "max": np.full(n, np.nan), "flags": np.full(n, "", dtype=object)}
    )
    return pd.DataFrame(out)


# --- score and pay ----------------------------------------------------------------------------
def score(
    policy: Policy, kpi_table: pd.DataFrame, /, *, fill_missing: bool = False, memo: TableMemo | None = None
) -> pd.DataFrame:
    """Score every row on its role's card (columns of ``kpisim.policy.scoring.score`` plus
    ``role``, and ``filled`` when neutral values were filled).

    Raises:
        DataError: a row matches no role or several; a needed metric has no data (unless
            ``fill_missing`` and the policy declares its neutral value); see also scoring.
    """
    return _with_role(*_score(policy, kpi_table, fill_missing, memo))


def _score(policy: Policy, kpi_table: pd.DataFrame, fill_missing: bool, memo, keep=None, subs=None):
    """``score``'s columns (only those ``keep`` accepts), the rows' roles and what was filled
    (``subs``: each role's card, when the caller keeps them)."""
    Table(kpi_table)  # the usual checks of the table itself first
    subs = {} if subs is None else subs  # each role's card, built once
    kt, roles, parts, filled = _prepare(policy, kpi_table, fill_missing, memo=memo, subs=subs)
    across = policy.ranking == "across_roles"
    # across roles every card reads the whole table: one Table, so its float columns, group ids
    # and agent-month order are computed once for all cards (and for every call, with a memo)
    t = (Table(kt) if memo is None else memo.table(kt)) if across else None
    frames = []
    for _rid, role, rows in parts:
        if not len(rows):
            continue
        if role is not None and role.unscored:
            frames.append((rows, _unscored_scores(kt.iloc[rows]), False))
            continue
        sub = _sub(policy, role, subs)
        if across:
            frames.append((rows, scoring.score_columns(sub, kt, table=t), True))
        else:
            frames.append((rows, scoring.score_columns(sub, kt.iloc[rows].reset_index(drop=True)), False))
    if not frames:
        frames = [(np.arange(len(kt)), scoring.score_columns(role_policy(policy, None), kt), True)]
    out = combine_columns(frames, kt, t, keep=keep)
    scored = [r.scorecard or policy.scorecard for r in policy.roles if not r.unscored]
    if policy.ranking == "across_roles" and scored and scored[0].grades is not None:
        from kpisim.policy.grades import grade

        spec = scored[0].grades  # the same on every card (checked)
        if spec is not None and (keep is None or keep("grade")):
            total = pd.Series(out["total"], copy=False).to_numpy(dtype="float64", na_value=np.nan)
            out["grade"] = as_column(grade(spec, total, t or Table(kt), scoring.directions(policy)))
    return out, roles, filled


def pay(
    policy: Policy, scores: pd.DataFrame, kpi_table: pd.DataFrame, /, *, memo: TableMemo | None = None
) -> pd.DataFrame:
    """Money per row on its role's pay plan (columns of ``kpisim.policy.payplan.pay`` plus
    ``role``). Unscored roles' agents have no score: base pay, commissions and fines only."""
    scores = payplan._aligned(scores, kpi_table)
    before = scores.attrs.get("kpisim", {}).get("filled") or _filled_column(scores)
    return _with_role(*_pay(policy, scores, kpi_table, before, memo))


def _pay(policy: Policy, scores: Scores, kpi_table: pd.DataFrame, before, memo, keep=None, subs=None):
    """``pay``'s columns (only those ``keep`` accepts) from ``scores`` in the table's row order
    (a table, or its columns by name: only ``total``, ``grade`` and the ``gate_`` columns are
    read), the roles and the fill."""
    subs = {} if subs is None else subs
    kt, roles, parts, filled = _prepare(policy, kpi_table, False, filled_before=before, memo=memo, subs=subs)
    across = policy.ranking == "across_roles"
    t = (Table(kt) if memo is None else memo.table(kt)) if across else None
    shared: dict = {}  # across roles: pools, team bonuses and prizes (equal on every card) once
    frames = []
    for _rid, role, rows in parts:
        if not len(rows):
            continue
        sub = _sub(policy, role, subs)
        if across and not (role is not None and role.unscored):
            frames.append(
                (rows, payplan.pay_columns(sub, scores, kt, table=t, shared=shared, aligned=True), True)
            )
        else:
            s = payplan.score_rows(scores, rows)
            ktr = kt.iloc[rows].reset_index(drop=True)
            frames.append((rows, payplan.pay_columns(sub, s, ktr, aligned=True), False))
    if not frames:
        frames = [
            (
                np.arange(len(kt)),
                payplan.pay_columns(role_policy(policy, None), scores, kt, aligned=True),
                True,
            )
        ]
    out = combine_columns(frames, kt, t, keep=keep)
    for c, x in out.items():
        if c.endswith("_cents") and x.dtype != np.int64:
            out[c] = pd.Series(x, copy=False).fillna(0).astype(np.int64).to_numpy()
    return out, roles, filled


def pay_totals(policy: Policy, kpi_table: pd.DataFrame, /, *, memo: TableMemo | None = None) -> np.ndarray:
    """``total_cents`` of ``pay(policy, score(policy, kpi_table), kpi_table)`` per row of
    ``kpi_table`` (int64), without building the score and pay tables: only the columns pay
    reads and the total are assembled (the plan designer's inner loop)."""
    wanted = lambda c: c in ("total", "grade") or c.startswith("gate_")  # noqa: E731
    subs: dict = {}  # each role's card, built once for both
    scores, _roles, filled = _score(policy, kpi_table, False, memo, keep=wanted, subs=subs)
    out, _roles, _filled = _pay(
        policy, scores, kpi_table, filled, memo, keep=lambda c: c == "total_cents", subs=subs
    )
    return np.asarray(out["total_cents"], dtype=np.int64)


def pool_ledger(policy: Policy, scores: pd.DataFrame, kpi_table: pd.DataFrame, /) -> pd.DataFrame:
    """One row per pool, group and role (``role`` column; ``*`` when ranked across roles)."""
    scores = payplan._aligned(scores, kpi_table)
    before = scores.attrs.get("kpisim", {}).get("filled") or _filled_column(scores)
    kt, _roles, parts, _ = _prepare(policy, kpi_table, False, filled_before=before)
    frames = []
    for rid, role, rows in parts:
        if (role is not None and role.unscored) or not len(rows):
            continue
        sub = role_policy(policy, role)
        if policy.ranking == "across_roles" and policy.roles:
            return payplan.pool_ledger(sub, scores, kt).assign(role="*")
        s = scores.iloc[rows].reset_index(drop=True)
        led = payplan.pool_ledger(sub, s, kt.iloc[rows].reset_index(drop=True))
        if len(led):
            frames.append(led.assign(role=rid))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _filled_column(scores: pd.DataFrame) -> dict[str, float]:
    if "filled" not in scores.columns or not len(scores):
        return {}
    text = str(scores["filled"].iloc[0] or "")
    return {k: float(v) for k, v in (p.split("=") for p in text.split(";") if p)}
