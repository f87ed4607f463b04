"""Grades: forced distribution over ranks (S2) or thresholds on the total.

Forced distribution: in every group (scenario_id, replication, period + ``group_by``) the scored
agents are ranked by total (then ``tie_break`` metrics, then agent_id). Grade sizes are the
largest-remainder apportionment of the number of scored agents by the band percentages
(equal remainders favour the better grade), so they always add up to the headcount. With
``ties: same_grade`` agents with equal totals all get the best grade any of them reached (so a
grade may exceed its share: one leader and nine tied agents all get A when A holds two places);
with ``ties: midrank`` they all get the grade of their middle rank (the mean of the ranks they
share, a half rounded toward the worse grade: the leader gets A, the nine tied agents at ranks
2-10 the grade of rank 6); with ``ties: break`` the strict rank decides.
``over: year`` ranks each agent's mean total over the calendar year of ``period`` (S2: forced
distribution at year end) and gives that grade to every period of the year.
Agents without a score (NaN total) get no grade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kpisim.policy.frame import Table
from kpisim.policy.money import apportion, fraction
from kpisim.policy.ranking import better_first, rank_within
from kpisim.policy.rule_models import Tier
from kpisim.policy.rules import compile_tiers, tier_index

if TYPE_CHECKING:
    from kpisim.policy.models import Grades


def grade(spec: Grades, total: np.ndarray, table: Table, directions: dict[str, str]) -> pd.Categorical:
    """Grade of every row (categories in band order, best first; NaN for no score)."""
    names = [b.grade for b in spec.bands]
    scored = ~np.isnan(total)
    if spec.method == "thresholds":
        tiers = tuple(Tier(when=b.when, points=float(i)) for i, b in enumerate(spec.bands))
        cuts, owns, pts = compile_tiers(tiers)
        codes = pts[tier_index(np.where(scored, total, 0.0), cuts, owns)].astype(np.int64)
    elif spec.over == "year":
        codes = _yearly(spec, total, table, directions)
        scored = codes >= 0
    else:
        codes = _forced(spec, total, scored, table, directions)
    codes = np.where(scored, codes, -1)
    return pd.Categorical.from_codes(codes, categories=names)


def _forced(spec: Grades, total, scored, table: Table, directions) -> np.ndarray:
    gid, g = table.groups(spec.group_by, "scorecard.grades.group_by")
    keys = [better_first(total, "higher")]
    for m in spec.tie_break:
        keys.append(better_first(table.col(m, "scorecard.grades.tie_break"), directions.get(m, "higher")))
    rank = rank_within(gid, keys, table.agent_order(), scored)
    n_scored = np.bincount(gid[scored], minlength=g).astype(np.int64)
    nb = len(spec.bands)
    # band sizes per group: largest remainder of n_scored by the band percentages
    assert all(b.pct is not None for b in spec.bands), "forced grades: every band has pct (checked)"
    fr = [fraction(b.pct) for b in spec.bands if b.pct is not None]
    den = int(np.lcm.reduce([d for _, d in fr]))
    w = np.array([n * den // d for n, d in fr], dtype=np.int64)
    bgid = np.repeat(np.arange(g, dtype=np.int64), nb)
    sizes = apportion(bgid, np.tile(w, g), n_scored, np.tile(np.arange(nb), g)).reshape(g, nb)
    bounds = np.cumsum(sizes, axis=1)  # last rank (inclusive) of each band
    r = rank[:, None]
    codes = (r > bounds[gid]).sum(axis=1).astype(np.int64)
    codes = np.minimum(codes, nb - 1)
    if spec.ties == "same_grade" and scored.any():
        idx = np.flatnonzero(scored)
        frame = pd.DataFrame({"g": gid[idx], "t": total[idx], "c": codes[idx]})
        codes[idx] = frame.groupby(["g", "t"], sort=False)["c"].transform("min").to_numpy()
    elif spec.ties == "midrank" and scored.any():
        idx = np.flatnonzero(scored)
        frame = pd.DataFrame({"g": gid[idx], "t": total[idx], "r": rank[idx]})
        mid = np.ceil(frame.groupby(["g", "t"], sort=False)["r"].transform("mean").to_numpy() - 1e-9)
        codes[idx] = np.minimum((mid[:, None] > bounds[gid[idx]]).sum(axis=1), nb - 1)
    return codes


def _yearly(spec: Grades, total, table: Table, directions) -> np.ndarray:
    """Forced grades on each agent's mean total over the calendar year (-1: no score)."""
    df = table.df
    year = pd.to_datetime(df["period"].astype(str), errors="coerce").dt.year if "period" in df else 0
    keys = [c for c in ("scenario_id", "replication") if c in df] + list(spec.group_by) + ["agent_id"]
    frame = df[keys].assign(period=year, total=total)
    for m in spec.tie_break:
        frame[m] = table.col(m, "scorecard.grades.tie_break")
    agg = frame.groupby([*keys, "period"], dropna=False, sort=False).mean().reset_index()
    t = agg["total"].to_numpy(dtype="float64")
    sub = Table(agg)
    ok = ~np.isnan(t)
    codes = np.where(ok, _forced(spec, t, ok, sub, directions), -1)
    pos = frame.merge(
        agg[[*keys, "period"]].assign(__i=np.arange(len(agg))), on=[*keys, "period"], how="left"
    )
    return codes[pos["__i"].to_numpy()]
