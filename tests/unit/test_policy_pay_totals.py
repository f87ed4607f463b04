"""``roles.pay_totals`` (the plan designer's inner loop: score then pay without building either
table) gives exactly the ``total_cents`` of ``pay(policy, score(policy, kt), kt)``, with or
without a memo, for every bundled policy and for variants that take the other code paths
(roles ranked within their role, an unscored role, no roles, a variant column)."""

from __future__ import annotations

import numpy as np
import pytest

from kpisim.policy import load_policy
from kpisim.policy.loading import validate_policy
from kpisim.policy.memo import TableMemo
from kpisim.policy.roles import pay, pay_totals, score
from kpisim.testing.demo import synthetic_kpi_table
from tests.policyhelpers import POLICIES
from tests.unit.test_policy_memo import S3, _variants

BUNDLED = sorted(p.stem for p in POLICIES.glob("*.yaml"))


def _table():
    kt = synthetic_kpi_table(12, 4, replications=2, team_size=4, seed=5)
    kt["fcr_rate@window_h=12"] = np.clip(kt["fcr_rate"] - 0.1, 0, 1)
    # what the redesign reads beyond the bundled inputs: the agent's shift and an hourly rate
    kt["shift"] = np.where(kt["agent_id"].str[-1].isin(list("02468")), "day", "evening")
    kt["contacts_per_hour"] = np.random.default_rng(1).uniform(5, 40, len(kt)).round(1)
    return kt


def _graded_across_roles():
    """S3 with forced grades on both cards (ranked across roles) paying performance by grade."""
    d = S3.model_dump(by_alias=True, mode="json", exclude_defaults=True)
    g = {"method": "forced", "over": "period", "ties": "midrank"}
    g["bands"] = [{"grade": "A", "pct": 20}, {"grade": "B", "pct": 70}, {"grade": "C", "pct": 10}]
    d["scorecard"]["grades"] = g
    for r in d["roles"]:
        if "scorecard" in r:
            r["scorecard"]["grades"] = g
    d["pay"]["performance"] = {
        "basis": "grade",
        "full_cents": 100000,
        "grade_pct": {"A": 150, "B": 100, "C": 50},
    }
    return validate_policy(d, file="<test>")


@pytest.mark.parametrize("name", BUNDLED)
def test_pay_totals_equal_the_pay_tables_total(name):
    policy = load_policy(POLICIES / f"{name}.yaml")
    kt = _table()
    want = pay(policy, score(policy, kt), kt)["total_cents"].to_numpy()
    memo = TableMemo()
    for _ in range(2):  # the second call reads the table's preparation from the memo
        got = pay_totals(policy, kt, memo=memo)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(pay_totals(policy, kt), want)


def test_pay_totals_on_the_other_role_paths():
    kt = _table()
    memo = TableMemo()
    checked = 0
    for policy in [*_variants(), _graded_across_roles()]:
        want = pay(policy, score(policy, kt), kt)["total_cents"].to_numpy()
        np.testing.assert_array_equal(pay_totals(policy, kt, memo=memo), want)
        checked += int(want.sum() != 0)
    assert checked == len(_variants()) + 1  # every variant pays something: the comparison means something
