"""Roles (each agent on the card of its role), metric definitions written into the policy, and
the missing-data rule (no data is never full marks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.errors import DataError, SpecError
from kpisim.kpi.compute import kpis
from kpisim.kpi.variants import add_variants, variant_column
from kpisim.policy import load_policy, validate_policy
from kpisim.policy.definitions import kpi_variants, kpis_for
from kpisim.testing.synth import log_from_rows
from tests.policyhelpers import POLICIES, make_policy, policy_dict, rows

S3 = POLICIES / "s3_kuaishangtong_presales.yaml"

TIERS = {"type": "tiers", "tiers": [{"when": "x >= 0.6", "points": 100}, {"when": "x < 0.6", "points": 0}]}
SERVICE = {"components": [{"id": "fcr", "metric": "fcr_rate", "weight": 100, "rule": TIERS}]}


def two_roles(**over):
    """Pre-sales on the tiny conversion card, after-sales on an FCR card."""
    roles = [
        {"id": "presales", "match": {"team": "ps-*"}},
        {"id": "aftersales", "match": {"team": "as"}, "scorecard": SERVICE},
    ]
    return make_policy(roles=roles, **over)


def table():
    return rows(
        {"agent_id": "p1", "team": "ps-1", "conversion_rate": 0.7, "fcr_rate": 0.1},
        {"agent_id": "a1", "team": "as", "conversion_rate": 0.06, "fcr_rate": 0.9},
        {"agent_id": "p2", "team": "ps-2", "conversion_rate": 0.4, "fcr_rate": 0.9},
    )


# --- roles ------------------------------------------------------------------------------------
def test_each_agent_is_scored_on_the_card_of_its_role():
    s = two_roles().score(table())
    assert s["role"].tolist() == ["presales", "aftersales", "presales"]
    assert s["total"].tolist() == [100, 100, 50]  # a1's 6 % conversion is not on its card
    assert np.isnan(s.loc[1, "pts_conv"]) and np.isnan(s.loc[0, "pts_fcr"])
    assert s["agent_id"].tolist() == ["p1", "a1", "p2"]  # row order kept


def test_a_policy_without_roles_is_one_role_for_everyone():
    s = make_policy().score(table())
    assert (s["role"] == "all").all() and s["total"].tolist() == [100, 0, 50]


def test_an_agent_matching_no_role_is_an_error_naming_it():
    df = table()
    df.loc[1, "team"] = "night"
    with pytest.raises(DataError, match=r"1 row\(s\) match no role of policy 't': a1 \(team=night\)"):
        two_roles().score(df)


def test_an_agent_matching_two_roles_is_an_error():
    roles = [
        {"id": "x", "match": {"team": "ps-*"}},
        {"id": "y", "match": {"group": "g"}, "scorecard": SERVICE},
    ]
    df = table().assign(group="g")
    with pytest.raises(DataError, match=r"agent p1 .* matches several roles \(x, y\)"):
        make_policy(roles=roles).score(df)


def test_an_explicit_unscored_role_is_reported_and_gets_no_score():
    roles = [
        {"id": "presales", "match": {"team": "ps-*"}},
        {"id": "unscored", "match": {"other": True}, "unscored": True},
    ]
    p = make_policy(roles=roles, pay={"base_cents": 1000, "performance": {"full_cents": 500}})
    df = table()
    s = p.score(df)
    assert s["role"].tolist() == ["presales", "unscored", "presales"]
    assert np.isnan(s.loc[1, "total"])
    pay = p.pay(s, df)
    assert pay["performance_cents"].tolist() == [500, 0, 250] and pay["base_cents"].tolist() == [1000] * 3


def test_role_selectors_skill_and_roster_column():
    df = table().assign(skill=["presales", "aftersales", "presales"], post=["a", "b", "a"])
    by_skill = make_policy(
        roles=[
            {"id": "ps", "match": {"skill": "presales"}},
            {"id": "as", "match": {"skill": ["aftersales", "service"]}, "scorecard": SERVICE},
        ]
    )
    assert by_skill.score(df)["role"].tolist() == ["ps", "as", "ps"]
    by_col = make_policy(
        roles=[
            {"id": "ps", "match": {"column": "post", "values": ["a"]}},
            {"id": "as", "match": {"column": "post", "values": "b"}, "scorecard": SERVICE},
        ]
    )
    assert by_col.score(df)["role"].tolist() == ["ps", "as", "ps"]
    with pytest.raises(DataError, match=r"missing column 'skill', needed by roles\[ps\]\.match"):
        by_skill.score(table())


def test_role_checks_name_the_field():
    bad = policy_dict(roles=[{"id": "a", "match": {}}])
    with pytest.raises(SpecError, match="roles"):
        validate_policy(bad)
    dup = policy_dict(roles=[{"id": "a", "match": {"team": "x"}}, {"id": "a", "match": {"team": "y"}}])
    with pytest.raises(SpecError, match="appears twice"):
        validate_policy(dup)
    card = {"components": [{"id": "f", "metric": "nope_rate", "weight": 100, "rule": TIERS}]}
    with pytest.raises(SpecError) as info:
        validate_policy(policy_dict(roles=[{"id": "a", "match": {"team": "x"}, "scorecard": card}]))
    assert info.value.field.startswith("roles[a].scorecard.components[f]")


def test_relative_rules_rank_within_or_across_roles():
    rel = {
        "components": [
            {
                "id": "vol",
                "metric": "handled",
                "weight": 100,
                "rule": {"type": "relative", "linear": [[0, 0], [2, 100]]},
            }
        ]
    }
    roles = [
        {"id": "ps", "match": {"team": "ps-*"}, "scorecard": rel},
        {"id": "as", "match": {"team": "as"}, "scorecard": rel},
    ]
    df = table().assign(handled=[100, 400, 300])
    within = make_policy(roles=roles).score(df)
    # pre-sales average (100 + 300) / 2 = 200; the after-sales agent is alone (share 1)
    assert within["total"].tolist() == [25, 50, 75]
    across = make_policy(roles=roles, ranking="across_roles").score(df)
    # everyone's average 800 / 3
    assert across["total"].tolist() == pytest.approx(
        [100 / (800 / 3) * 50, 400 / (800 / 3) * 50, 300 / (800 / 3) * 50], abs=0.01
    )


def test_pools_rank_across_roles_when_asked():
    pool = {
        "pools": [
            {
                "id": "p",
                "base_metric": "silent_order_sales_cents",
                "rate": "1%",
                "shares": [{"rank": 1, "pct": 100}],
            }
        ]
    }
    df = table().assign(silent_order_sales_cents=100000)
    within = two_roles(pay=pool)
    pay = within.pay(within.score(df), df)
    assert pay["pool_p_cents"].tolist() == [1000, 1000, 0]  # one pool per role
    across = two_roles(pay=pool, ranking="across_roles")
    pay = across.pay(across.score(df), df)
    # one pool: p1 and a1 tie at 100 points (on different cards); agent_id breaks the tie
    assert pay["pool_p_cents"].tolist() == [0, 1000, 0]
    assert across.pool_ledger(across.score(df), df)["role"].tolist() == ["*"]


# --- definitions ------------------------------------------------------------------------------
def _fcr_log():
    """Agent A1 answers four customers; customer 7 comes back 18 h after the first contact."""

    def c(i, cust, h):
        t = pd.Timestamp("2024-03-04") + pd.Timedelta(hours=h)
        return dict(
            contact_id=i,
            customer_id=cust,
            queue="service",
            channel="voice",
            agent_id="A1",
            arrival_at=t,
            answered_at=t + pd.Timedelta(seconds=5),
        )

    return log_from_rows(contacts=[c(1, 7, 0), c(2, 7, 18), c(3, 8, 1), c(4, 9, 2)])


def test_fcr_window_12h_vs_24h_moves_the_score_as_computed_by_hand():
    lin = {"type": "linear", "points": [[0.5, 0], [1.0, 100]]}
    card = {"components": [{"id": "fcr", "metric": "fcr_rate", "weight": 100, "rule": lin}]}
    p24 = make_policy(scorecard=card)
    p12 = make_policy(scorecard={"components": [{**card["components"][0], "definition": {"window_h": 12}}]})
    assert kpi_variants(p12) == {"fcr_rate@window_h=12": ("fcr_rate", {"window_h": 12.0})}
    log = _fcr_log()
    kt = kpis_for(log, [p12, p24])
    # 24 h: contact 1 has a repeat 18 h later -> 3 of 4 resolved -> (0.75 - 0.5) / 0.5 x 100 = 50
    # 12 h: no repeat within 12 h -> 4 of 4 -> 100
    assert kt["fcr_rate"].iloc[0] == 0.75 and kt["fcr_rate@window_h=12"].iloc[0] == 1.0
    assert p24.score(kt)["total"].iloc[0] == 50
    assert p12.score(kt)["total"].iloc[0] == 100


def test_policy_wide_definition_reads_the_variant_column_everywhere():
    p = make_policy(
        definitions={"fcr_rate": {"window_h": 12}},
        scorecard={"gates": [{"id": "g", "metric": "fcr_rate", "when": "x < 0.9"}]},
    )
    kt = kpis_for(_fcr_log(), p).assign(conversion_rate=0.7)
    assert p.score(kt)["gate_g"].tolist() == [False]  # 1.0 under 12 h; the plain 24 h column says 0.75
    with pytest.raises(DataError, match=r"missing column 'fcr_rate@window_h=12'.*add_variants"):
        p.score(kt.drop(columns="fcr_rate@window_h=12"))
    own = kpis(_fcr_log(), definitions={"fcr_rate": {"window_h": 12}}).assign(conversion_rate=0.7)
    assert p.score(own)["gate_g"].tolist() == [False]  # a table computed with that definition


def test_bad_definitions_are_spec_errors_naming_the_field():
    with pytest.raises(SpecError, match="window_hours") as info:
        validate_policy(policy_dict(definitions={"fcr_rate": {"window_hours": 12}}))
    assert info.value.field == "definitions.fcr_rate"
    comp = dict(policy_dict()["scorecard"]["components"][0], definition={"queues": 3})
    with pytest.raises(SpecError) as info:
        validate_policy(policy_dict(scorecard={"components": [comp]}))
    assert info.value.field == "scorecard.components[conv].definition"


def test_variant_column_names():
    assert variant_column("fcr_rate", {"window_h": 24}) == "fcr_rate"  # the default
    assert (
        variant_column("conversion_rate", {"queues": ["presales", "vip"]})
        == "conversion_rate@queues=presales+vip"
    )
    assert variant_column("service_level", {"abandons_count": False, "threshold_s": 30}) == (
        "service_level@abandons_count=false,threshold_s=30"
    )
    log = _fcr_log()
    kt = add_variants(log, kpis(log), {"x": ("fcr_rate", {"window_h": 12})})
    assert kt.attrs["kpisim"]["variants"] == {"x": {"metric": "fcr_rate", "definition": {"window_h": 12}}}


# --- missing data -----------------------------------------------------------------------------
def _s3_kpis_without_attendance():
    """A pre-sales agent's month from an export without attendance and conduct tables."""
    t = pd.Timestamp("2024-03-04 10:00")
    contacts = [
        dict(
            contact_id=i,
            customer_id=i,
            queue="presales",
            channel="chat",
            agent_id="A1",
            arrival_at=t + pd.Timedelta(minutes=i),
            answered_at=t + pd.Timedelta(minutes=i, seconds=5),
        )
        for i in range(3)
    ]
    agents = [dict(agent_id="A1", team="t", queues="presales:1")]
    log = log_from_rows(contacts=contacts, agents=agents, observed=["contacts", "agents"])
    p = load_policy(S3)
    return p, kpis_for(log, p).assign(level="junior", reexam_failed=0, silent_order_sales_cents=0)


def test_missing_data_is_refused_with_the_metrics_and_how_to_supply_them():
    p, kt = _s3_kpis_without_attendance()
    with pytest.raises(DataError) as info:
        p.score(kt)
    msg = str(info.value)
    for m in (
        "late_count (source attendance",
        "absence_days",
        "rule_breach (source conduct",
        "--inputs FILE",
    ):
        assert m in msg
    assert "--fill-missing" in msg


def test_explicit_fill_uses_the_declared_neutral_values_and_lists_them():
    p, kt = _s3_kpis_without_attendance()
    s = p.score(kt, fill_missing=True)
    assert s.loc[0, "cat_attendance"] == 10 and s.loc[0, "cat_execution"] == 20
    assert "late_count=0" in s.loc[0, "filled"] and "absence_days=0" in s.loc[0, "filled"]
    assert s.attrs["kpisim"]["filled"]["avg_daily_online_h"] == 8
    pay = p.pay(s, kt)
    assert "absence_days=0" in pay.loc[0, "filled"] and pay.loc[0, "fines_cents"] == 0


def test_fill_needs_a_declared_neutral_value():
    p = make_policy(scorecard={"deductions": [{"id": "late", "metric": "late_count", "points_each": 1}]})
    df = rows({"agent_id": "a", "conversion_rate": 0.7, "late_count": np.nan, "n_late_short": np.nan})
    with pytest.raises(DataError, match="no data for: late_count"):
        p.score(df)
    with pytest.raises(DataError, match="no declared neutral value"):
        p.score(df, fill_missing=True)
    ok = make_policy(
        neutral={"late_count": 0},
        scorecard={"deductions": [{"id": "late", "metric": "late_count", "points_each": 1}]},
    )
    assert ok.score(df, fill_missing=True)["filled"].tolist() == ["late_count=0"]


def test_a_ratio_without_a_denominator_is_not_missing_data():
    # the agent answered no chat: avg_response_s is NaN, but its columns are 0 (source observed)
    p = make_policy(
        scorecard={
            "components": [
                {
                    "id": "r",
                    "metric": "avg_response_s",
                    "weight": 100,
                    "rule": {"type": "linear", "points": [[10, 100], [60, 0]]},
                }
            ]
        }
    )
    df = rows({"agent_id": "a", "avg_response_s": np.nan, "sum_response_time_s": 0.0, "n_responses": 0})
    assert p.score(df)["total"].tolist() == [0]


# --- optional inputs --------------------------------------------------------------------------
def test_an_optional_input_takes_its_default():
    p = make_policy(
        inputs=[{"name": "grade_pay_cents", "unit": "cents", "direction": "neutral", "default": 0}],
        pay={"commissions": [{"id": "g", "metric": "grade_pay_cents", "cents_each": 1}]},
    )
    df = rows({"agent_id": "a", "conversion_rate": 0.7})
    assert p.pay(p.score(df), df)["commission_g_cents"].tolist() == [0]
    df2 = df.assign(grade_pay_cents=50000)
    assert p.pay(p.score(df2), df2)["commission_g_cents"].tolist() == [50000]


# --- forced distribution: ties and year end ----------------------------------------------------
def _graded(ties, over="period", pcts=(20, 70, 10)):
    bands = [{"grade": g, "pct": p} for g, p in zip("ABC", pcts, strict=False)]
    return make_policy(scorecard={"grades": {"method": "forced", "ties": ties, "over": over, "bands": bands}})


def test_forced_distribution_ties_never_put_everyone_in_the_top_grade():
    r = [{"agent_id": "lead", "conversion_rate": 0.7}] + [
        {"agent_id": f"a{i}", "conversion_rate": 0.5} for i in range(9)
    ]
    assert _graded("midrank").score(rows(*r))["grade"].astype(str).tolist() == ["A"] + ["B"] * 9
    assert _graded("same_grade").score(rows(*r))["grade"].astype(str).tolist() == ["A"] * 10  # the old rule
    assert _graded("break").score(rows(*r))["grade"].astype(str).tolist() == ["A", "A"] + ["B"] * 7 + ["C"]
    # two tied at the top with two A places: middle rank 1.5 -> A for both
    two = [{"agent_id": "x", "conversion_rate": 0.7}, {"agent_id": "y", "conversion_rate": 0.7}]
    two += [{"agent_id": f"a{i}", "conversion_rate": 0.5} for i in range(8)]
    assert _graded("midrank").score(rows(*two))["grade"].astype(str).tolist()[:3] == ["A", "A", "B"]


def test_forced_distribution_over_the_year_ranks_annual_means():
    p = _graded("midrank", over="year", pcts=(50, 50, 0))
    r = [
        {"agent_id": a, "period": per, "conversion_rate": v}
        for a, per, v in [
            ("x", "2024-01", 0.7),  # 100, then 0: mean 50
            ("x", "2024-02", 0.1),
            ("y", "2024-01", 0.5),  # 50, 50: mean 50 -> tie with x: middle rank 1.5 -> B
            ("y", "2024-02", 0.5),
            ("z", "2024-01", 0.7),  # 100, 100 -> A
            ("z", "2024-02", 0.7),
            ("w", "2024-01", 0.1),  # 0, 0 -> B
            ("w", "2024-02", 0.1),
        ]
    ]
    s = p.score(rows(*r))
    assert s["grade"].astype(str).tolist() == ["B", "B", "B", "B", "A", "A", "B", "B"]
    monthly = _graded("midrank", pcts=(50, 50, 0)).score(rows(*r))
    assert monthly["grade"].astype(str).tolist()[:2] == ["A", "B"]  # x and z share January's two A places


def test_inputs_file_supplies_metrics_without_data():
    from kpisim.policy.inputs import attach_inputs

    p, kt = _s3_kpis_without_attendance()
    cols = [
        "late_count@count=events,include_long=true",
        "long_late_count",
        "absence_days",
        "leave_days",
        "short_online_days",
        "avg_daily_online_h",
        "rule_breach",
        "poor_attitude",
        "ignored_customer",
        "wrong_answer",
        "unclear_agreement",
        "work_handoff",
        "handover_failure",
        "after_hours_help",
        "adopted_idea",
    ]
    hr = pd.DataFrame(
        [{"agent_id": "A1", **dict.fromkeys(cols, 0), "absence_days": 1, "avg_daily_online_h": 8.0}]
    )
    s = p.score(attach_inputs(kt, hr))
    assert s.loc[0, "cat_attendance"] == 7 and "filled" not in s.columns


def test_forced_grades_across_roles_rank_everyone_together():
    grades = {
        "method": "forced",
        "ties": "break",
        "bands": [{"grade": "A", "pct": 34}, {"grade": "B", "pct": 66}],
    }
    svc = {**SERVICE, "grades": grades}
    roles = [
        {"id": "ps", "match": {"team": "ps-*"}},
        {"id": "as", "match": {"team": "as"}, "scorecard": svc},
    ]
    df = table()  # totals: p1 100, a1 100, p2 50
    within = make_policy(roles=roles, scorecard={"grades": grades}).score(df)
    assert within["grade"].astype(str).tolist() == ["A", "B", "B"]  # a1 alone: quotas 0.34 / 0.66 -> B
    across = make_policy(roles=roles, scorecard={"grades": grades}, ranking="across_roles").score(df)
    assert across["grade"].astype(str).tolist() == ["B", "A", "B"]  # one A place of three; a1 first by id
    with pytest.raises(SpecError, match="same grades"):
        make_policy(roles=roles, ranking="across_roles")
