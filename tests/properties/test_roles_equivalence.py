"""Roles scored and paid by position (one Table for every card, pools once, no concat of whole
frames) give exactly the tables of the reference implementation they replaced
(``tests/properties/roles_reference.py``), on random KPI rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpisim.policy import load_policy
from kpisim.policy.role_models import Role, RoleMatch
from kpisim.testing.demo import synthetic_kpi_table
from tests.policyhelpers import POLICIES
from tests.properties import roles_reference as old

S3 = load_policy(POLICIES / "s3_kuaishangtong_presales.yaml")  # two roles, ranked across roles


def _variants() -> dict:
    pre, after = S3.roles
    other = Role(id="others", match=RoleMatch(other=True), unscored=True)
    only_pre = (pre, other)  # after-sales agents fall to an unscored role
    # an after-sales card without the level consequences: columns only one role has
    after_card = after.scorecard.model_copy(update={"consequences": after.scorecard.consequences[:1]})
    short = (pre, after.model_copy(update={"scorecard": after_card}))
    return {
        "across": S3,
        "within": S3.model_copy(update={"ranking": "within_role"}),
        "across_unscored": S3.model_copy(update={"roles": only_pre}),
        "within_unscored": S3.model_copy(update={"roles": only_pre, "ranking": "within_role"}),
        "across_other_columns": S3.model_copy(update={"roles": short}),
        "no_roles": S3.model_copy(update={"roles": (), "ranking": "within_role"}),
    }


VARIANTS = _variants()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(VARIANTS)),
    agents=st.integers(1, 14),
    periods=st.integers(1, 4),
    reps=st.integers(1, 2),
    seed=st.integers(0, 10_000),
    shuffle=st.booleans(),
)
def test_new_roles_equal_the_reference(name, agents, periods, reps, seed, shuffle):
    policy = VARIANTS[name]
    kt = synthetic_kpi_table(agents, periods, replications=reps, team_size=4, seed=seed)
    rng = np.random.default_rng(seed)
    kt["skill"] = rng.choice(["presales", "aftersales", "service"], size=len(kt))  # roles vary by row
    if shuffle:
        kt = kt.iloc[rng.permutation(len(kt))].reset_index(drop=True)
    new_s, ref_s = policy.score(kt), old.score(policy, kt)
    pd.testing.assert_frame_equal(new_s, ref_s, check_exact=True)
    assert new_s.attrs == ref_s.attrs
    new_p, ref_p = policy.pay(new_s, kt), old.pay(policy, ref_s, kt)
    pd.testing.assert_frame_equal(new_p, ref_p, check_exact=True)
    assert int(new_p["total_cents"].sum()) == int(ref_p["total_cents"].sum())


def test_reference_sees_both_roles_and_the_unscored_one():
    # the random rows above do exercise every path: both cards, and an unscored role
    kt = synthetic_kpi_table(8, 3, team_size=4, seed=1)
    kt["skill"] = np.resize(["presales", "aftersales", "service"], len(kt))
    s = VARIANTS["across_unscored"].score(kt)
    assert set(s["role"]) == {"presales", "others"}
    assert s.loc[s["role"] == "others", "total"].isna().all()
    assert s.loc[s["role"] == "presales", "total"].notna().all()
    pd.testing.assert_frame_equal(s, old.score(VARIANTS["across_unscored"], kt), check_exact=True)
