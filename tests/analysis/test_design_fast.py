"""The designer's fast evaluation of a trial (``Months.evaluate``: pay totals only, a memo of the
months, cached definitions) gives exactly the measures of the plain path (``score`` then ``pay``
tables, no memo) on the same cached months, for random trials of the S3 space; a trial whose
plan breaks a policy rule is still refused and reported infeasible."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kpisim.analysis.design import Months, apply, load_space
from kpisim.analysis.design.search import evaluate_chunk
from kpisim.analysis.design.space import policy_data
from kpisim.errors import SpecError
from kpisim.policy import load_policy
from kpisim.policy.roles import pay, score
from kpisim.testing.demo import synthetic_kpi_table
from tests.policyhelpers import POLICIES, ROOT

S3 = load_policy(POLICIES / "s3_kuaishangtong_presales.yaml")
SPACE = load_space(ROOT / "scenarios" / "design" / "s3_space.yaml")


def _months() -> Months:
    kt = synthetic_kpi_table(14, 3, replications=2, team_size=7, seed=11)
    contribution = np.random.default_rng(3).normal(size=len(kt))
    return Months(kt, contribution, seed=11, replications=2)


def _random_values(rng: np.random.Generator) -> dict[str, float]:
    out = {}
    for name, (lo, hi, step, integer, _log) in SPACE.bounds().items():
        v = rng.uniform(lo, hi)
        if step is not None:
            v = lo + step * round((v - lo) / step)
        out[name] = float(round(v)) if integer else v
    return out


def test_fast_evaluation_equals_score_then_pay_on_the_cached_months():
    months = _months()
    data = policy_data(S3)
    rng = np.random.default_rng(7)
    budget = 5_000_000
    seen = set()
    for i in range(6):
        pol = apply(data, SPACE, _random_values(rng), policy_id=f"t{i}")
        got = months.evaluate(pol, budget_cents=budget)  # the memo is filled by the first trial
        plain = pay(pol, score(pol, months.kpis), months.kpis)
        want = months.measures(months.pay_vector(plain), budget_cents=budget)
        assert got == want  # exactly: same floats
        assert all(math.isfinite(v) for v in got.values())
        seen.add(got["cost_cents"])
    assert len(seen) == 6  # the trials differ in what they pay: the comparison means something


def test_a_trial_that_breaks_a_policy_rule_is_refused_and_infeasible():
    months = _months()
    data = policy_data(S3)
    values = dict(_random_values(np.random.default_rng(1)), conversion_top_edge=54.0)
    # moving the 60 % edge to 54 % leaves "55% <= x < 54%": an empty tier
    with pytest.raises(SpecError):
        apply(data, SPACE, values, policy_id="bad")
    (rec,) = evaluate_chunk((months, data, SPACE, S3.id, 5_000_000, [(3, values)]))
    assert rec["error"] and not rec["feasible"] and rec["_over"] == 1e18
    assert (rec["validity"], rec["luck_share"]) == (-1.0, 1.0)
