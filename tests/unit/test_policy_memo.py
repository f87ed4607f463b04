"""A TableMemo shared by many score/pay calls on one table changes nothing in their results, even
when the policies differ in what the memo keys on (definitions, roles' matches, inputs)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd

from kpisim.policy import load_policy
from kpisim.policy.memo import TableMemo
from kpisim.policy.role_models import Role, RoleMatch
from kpisim.policy.roles import pay, score
from kpisim.testing.demo import synthetic_kpi_table
from tests.policyhelpers import POLICIES

S3 = load_policy(POLICIES / "s3_kuaishangtong_presales.yaml")


def _variants():
    pre, _after = S3.roles
    comps = S3.scorecard.components
    heavier = S3.scorecard.model_copy(
        update={"components": (comps[0].model_copy(update={"weight": comps[0].weight + 5}), *comps[1:])}
    )
    everyone_pre = (pre.model_copy(update={"match": RoleMatch(skill=("presales", "aftersales"))}),)
    other = Role(id="others", match=RoleMatch(other=True), unscored=True)
    return [
        S3,
        S3.model_copy(update={"scorecard": heavier}),  # a design trial: another weight
        S3.model_copy(update={"roles": everyone_pre}),  # other matches: other rows per role
        S3.model_copy(update={"roles": (pre, other)}),
        S3.model_copy(update={"ranking": "within_role"}),
        S3.model_copy(update={"definitions": {"fcr_rate": {"window_h": 12}}}),  # needs a variant column
        S3.model_copy(update={"roles": (), "ranking": "within_role"}),
    ]


def test_memo_gives_the_results_without_it():
    kt = synthetic_kpi_table(12, 4, replications=2, team_size=4, seed=5)
    kt["fcr_rate@window_h=12"] = np.clip(kt["fcr_rate"] - 0.1, 0, 1)
    memo = TableMemo()
    for _ in range(2):  # the second round reads everything from the memo
        for policy in _variants():
            want_s = score(policy, kt)
            got_s = score(policy, kt, memo=memo)
            pd.testing.assert_frame_equal(got_s, want_s, check_exact=True)
            pd.testing.assert_frame_equal(pay(policy, got_s, kt, memo=memo), pay(policy, want_s, kt))
    # a memo is per table: another table is read afresh, and the memo travels to workers empty
    other = kt.assign(handled=kt["handled"] * 2)
    pd.testing.assert_frame_equal(score(S3, other, memo=memo), score(S3, other), check_exact=True)
    assert pickle.loads(pickle.dumps(memo))._values == {}
    assert len(memo._values) > 0


def test_results_do_not_share_memory_with_the_memo():
    kt = synthetic_kpi_table(6, 2, team_size=3, seed=2)
    memo = TableMemo()
    first = score(S3, kt, memo=memo)
    first.loc[0, "role"] = "changed"
    first.loc[0, "total"] = -1.0
    again = score(S3, kt, memo=memo)
    assert again.loc[0, "role"] != "changed" and again.loc[0, "total"] != -1.0
    pd.testing.assert_frame_equal(again, score(S3, kt), check_exact=True)
