"""The role scoring and pay of kpisim 0.x before the speed-up (every card scored and paid on the
whole table when ranked across roles, results concatenated and re-ordered), kept verbatim as the
reference the faster ``kpisim.policy.roles`` must equal."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.policy import payplan, scoring
from kpisim.policy.frame import Table
from kpisim.policy.missing import filled_label
from kpisim.policy.roles import _RESULT, _filled_column, _prepare, _unscored_scores, role_policy


def _with_role(out: pd.DataFrame, roles: np.ndarray, filled: dict) -> pd.DataFrame:
    cols = list(out.columns)
    at = next((i for i, c in enumerate(cols) if c.startswith(_RESULT)), len(cols))
    out.insert(at, "role", roles)
    if filled:
        out["filled"] = filled_label(filled)
    out.attrs["kpisim"] = {**out.attrs.get("kpisim", {}), "filled": dict(filled)}
    return out


def _combine(frames: list[tuple[np.ndarray, pd.DataFrame]], n: int) -> pd.DataFrame:
    if len(frames) == 1 and len(frames[0][0]) == n:
        return frames[0][1].reset_index(drop=True)
    pos = np.concatenate([rows for rows, _ in frames]) if frames else np.zeros(0, dtype=np.int64)
    out = pd.concat([f.reset_index(drop=True) for _, f in frames], ignore_index=True)
    order = np.argsort(pos, kind="stable")
    out = out.iloc[order].reset_index(drop=True)
    for c in out.columns:
        if c.startswith(("gate_", "flag_")):
            out[c] = out[c].fillna(False).astype(bool)
    if "flags" in out.columns:
        out["flags"] = out["flags"].fillna("")
    return out


def score(policy, kpi_table: pd.DataFrame, /, *, fill_missing: bool = False) -> pd.DataFrame:
    Table(kpi_table)
    kt, roles, parts, filled = _prepare(policy, kpi_table, fill_missing)
    frames = []
    for _rid, role, rows in parts:
        if not len(rows):
            continue
        if role is not None and role.unscored:
            frames.append((rows, _unscored_scores(kt.iloc[rows])))
            continue
        sub = role_policy(policy, role)
        if policy.ranking == "across_roles":
            frames.append((rows, scoring.score(sub, kt).iloc[rows]))
        else:
            frames.append((rows, scoring.score(sub, kt.iloc[rows].reset_index(drop=True))))
    out = _combine(frames, len(kt)) if frames else scoring.score(role_policy(policy, None), kt)
    scored = [r.scorecard or policy.scorecard for r in policy.roles if not r.unscored]
    if policy.ranking == "across_roles" and scored and scored[0].grades is not None:
        from kpisim.policy.grades import grade

        spec = scored[0].grades
        if spec is not None:
            total = out["total"].to_numpy(dtype="float64", na_value=np.nan)
            out["grade"] = grade(spec, total, Table(kt), scoring.directions(policy))
    return _with_role(out, roles, filled)


def pay(policy, scores: pd.DataFrame, kpi_table: pd.DataFrame, /) -> pd.DataFrame:
    scores = payplan._aligned(scores, kpi_table)
    before = scores.attrs.get("kpisim", {}).get("filled") or _filled_column(scores)
    kt, roles, parts, filled = _prepare(policy, kpi_table, False, filled_before=before)
    frames = []
    for _rid, role, rows in parts:
        if not len(rows):
            continue
        sub = role_policy(policy, role)
        if policy.ranking == "across_roles" and not (role is not None and role.unscored):
            frames.append((rows, payplan.pay(sub, scores, kt).iloc[rows]))
        else:
            s = scores.iloc[rows].reset_index(drop=True)
            frames.append((rows, payplan.pay(sub, s, kt.iloc[rows].reset_index(drop=True))))
    out = _combine(frames, len(kt)) if frames else payplan.pay(role_policy(policy, None), scores, kt)
    for c in out.columns:
        if c.endswith("_cents"):
            out[c] = out[c].fillna(0).astype(np.int64)
    return _with_role(out, roles, filled)
