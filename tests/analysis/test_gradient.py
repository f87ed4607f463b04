"""The batched incentive gradient equals scoring each perturbed month on its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.compare import compare
from kpisim.analysis.gradient import UNBOUNDED, incentive_gradient, metric_steps, scored_metrics
from kpisim.analysis.stats import ci_frame
from kpisim.policy import load_policy
from kpisim.policy.scoring import bounds

ROOT = Path(__file__).resolve().parents[2]


def gradient_per_row(comp) -> pd.DataFrame:
    """The original definition: one score + pay call per month and metric."""
    kt = comp.kpis
    rows = []
    for name, pol in comp.meta["policy_objects"].items():
        steps = metric_steps(kt, scored_metrics(pol), policy=pol)
        ranges = bounds(pol)
        sc = comp.scores[comp.scores["policy"] == name]
        pay = comp.pay[comp.pay["policy"] == name]
        for (rep, per), month in kt.groupby(["replication", "period"], sort=True):
            s = sc[(sc["replication"] == rep) & (sc["period"] == per)]
            p = pay[(pay["replication"] == rep) & (pay["period"] == per)]
            if s.empty:
                continue
            order = s["total"].astype(float).rank(method="first")
            med = s.loc[(order - (order.max() + 1) / 2).abs().idxmin(), "agent_id"]
            base = int(p.loc[p["agent_id"] == med, "total_cents"].iloc[0])
            idx = month.index[month["agent_id"] == med][0]
            for m, step in steps.items():
                new = month.copy()
                cur = float(pd.to_numeric(month.loc[idx, m], errors="coerce"))
                val = ranges.get(m, UNBOUNDED).clip(cur + step)
                if pd.api.types.is_integer_dtype(month[m].dtype):
                    new[m] = new[m].astype("Int64")
                    new.loc[idx, m] = int(round(val)) if np.isfinite(val) else pd.NA
                else:
                    new[m] = pd.to_numeric(new[m], errors="coerce").astype(float)
                    new.loc[idx, m] = val
                for v in [c for c in month.columns if c.startswith(f"{m}@")]:  # its definitions' variants
                    x = float(pd.to_numeric(month.loc[idx, v], errors="coerce")) + step
                    new[v] = pd.to_numeric(new[v], errors="coerce").astype(float)
                    new.loc[idx, v] = min(max(x, 0.0), 1.0) if m.endswith("_rate") else max(x, 0.0)
                p2 = pol.pay(pol.score(new), new)
                after = int(p2.loc[p2["agent_id"] == med, "total_cents"].iloc[0])
                rows.append(
                    {
                        "policy": name,
                        "metric": m,
                        "step": step,
                        "base_pay_cents": base,
                        "new_pay_cents": after,
                        "delta_pay_cents": after - base,
                    }
                )
    d = pd.DataFrame(rows)
    out = ci_frame(d, ["policy", "metric"], ["delta_pay_cents", "base_pay_cents", "new_pay_cents", "step"])
    out["per_step_pct"] = (
        100 * out["delta_pay_cents"] / out["base_pay_cents"].where(out["base_pay_cents"] != 0)
    )
    return out


@pytest.fixture(scope="module")
def real_policies_comparison(shop3):
    names = ["s1_xiyu_289", "s3_pool_tiered", "s3_team_bonus", "s3_pool_by_score", "redesign_ratio_based"]
    pols = {n: load_policy(ROOT / "scenarios" / "policies" / f"{n}.yaml") for n in names}
    return compare(shop3, pols, replications=3, seed=4, jobs=1, progress=False)


def test_batched_equals_per_row_on_stand_ins(shop_comparison):
    pd.testing.assert_frame_equal(incentive_gradient(shop_comparison), gradient_per_row(shop_comparison))


def test_batched_equals_per_row_on_bundled_policies(real_policies_comparison):
    got = incentive_gradient(real_policies_comparison)
    assert len(got) > 5
    pd.testing.assert_frame_equal(got, gradient_per_row(real_policies_comparison))
