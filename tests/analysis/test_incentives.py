"""Incentives: a volume-only policy pays for rushing, an FCR policy does not; gradient; cliffs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.incentives import (
    incentive_gradient,
    lever_effects,
    lever_variant,
    metric_steps,
    tier_cliffs,
)
from kpisim.errors import KpisimError, SpecError
from kpisim.report import write_comparison
from kpisim.scenario.models import LEVER_NAMES
from tests.analysis.conftest import short
from tests.analysis.standins import StandIn, fcr_policy, volume_policy

RUSH = {"rush": {"rush_handle_factor": 0.7, "rush_resolution_odds": 0.6}}


@pytest.fixture(scope="module")
def rush_effects():
    sc = short("scenarios/phone_centre.yaml", 3)
    return lever_effects(
        sc,
        {"volume": volume_policy(), "fcr": fcr_policy()},
        RUSH,
        groups=[sc.agents[0].name],
        replications=3,
        seed=2,
        jobs=1,
        progress=False,
    )


def test_volume_only_policy_rewards_the_rush_lever(rush_effects):
    r = rush_effects.set_index("policy")
    assert r.loc["volume", "delta_pay_cents_lo"] > 0  # rushing pays under volume pay ...
    assert r.loc["volume", "delta_fcr_rate_hi"] < 0  # ... while first-contact resolution drops
    assert r.loc["fcr", "delta_pay_cents_hi"] < 0  # and an FCR-based policy punishes it
    # CRN: both policies see the same simulated behaviour
    assert r.loc["volume", "delta_handled"] == r.loc["fcr", "delta_handled"]


def test_lever_variant_touches_only_named_groups(shop3):
    v = lever_variant(shop3, {"rush_handle_factor": 0.8}, groups=["as-day"])
    assert [g.levers.rush_handle_factor for g in v.agents] == [
        0.8 if g.name == "as-day" else 1.0 for g in shop3.agents
    ]
    assert shop3.agents[5].levers.rush_handle_factor == 1.0  # baseline untouched
    with pytest.raises(KpisimError, match="unknown agent group 'x'"):
        lever_variant(shop3, {"rush_handle_factor": 0.8}, groups=["x"])


@pytest.mark.parametrize(
    ("levers", "pattern"),
    [
        (
            {"rush_handle_factr": 0.8},
            r"unknown lever 'rush_handle_factr' \(did you mean rush_handle_factor\?\)",
        ),
        ({"max_concurrency": 5}, r"unknown lever 'max_concurrency'; allowed: rush_handle_factor, "),
    ],
)
def test_unknown_lever_names_are_refused_not_ignored(shop3, levers, pattern):
    # issue #11: a misspelt lever used to give a run equal to the baseline, silently
    with pytest.raises(SpecError, match=pattern) as e:
        lever_variant(shop3, levers)
    assert all(n in str(e.value) for n in LEVER_NAMES)
    with pytest.raises(SpecError, match=pattern):
        lever_variant(shop3, levers, groups=["as-day"])
    with pytest.raises(SpecError, match=rf"levers\.typo\.{next(iter(levers))}: {pattern}"):
        lever_effects(
            shop3, {"volume": volume_policy()}, {"typo": levers}, replications=1, jobs=1, progress=False
        )


def test_lever_values_are_validated(shop3):
    with pytest.raises(SpecError, match=r"rush_handle_factor: bad value -0\.5"):
        lever_variant(shop3, {"rush_handle_factor": -0.5})


def test_comparison_lever_effects_refuses_unknown_lever_names(shop_comparison):
    with pytest.raises(SpecError, match=r"did you mean rush_handle_factor\?"):
        shop_comparison.lever_effects({"rush": {"rush_handle_factr": 0.8}}, progress=False, jobs=1)


def test_incentive_gradient_of_a_linear_volume_policy_is_exact(shop_comparison):
    g = incentive_gradient(
        shop_comparison, metrics={"volume": ["handled", "fcr_rate"]}, policies={"volume": volume_policy()}
    ).set_index("metric")
    step = metric_steps(shop_comparison.kpis, ["handled"])["handled"]
    assert step >= 1 and float(step).is_integer()
    assert g.loc["handled", "delta_pay_cents"] == pytest.approx(100 * step)  # 100 cents per contact
    assert g.loc["fcr_rate", "delta_pay_cents"] == 0  # not paid for


def _hand_comparison(kt: pd.DataFrame, policies: dict):
    """A comparison of hand-built KPI rows: scores and pay straight from the policies."""
    from types import SimpleNamespace

    scores = pd.concat([p.score(kt).assign(policy=n) for n, p in policies.items()], ignore_index=True)
    pay = pd.concat([p.pay(p.score(kt), kt).assign(policy=n) for n, p in policies.items()], ignore_index=True)
    return SimpleNamespace(kpis=kt, scores=scores, pay=pay, meta={"policy_objects": policies})


def _linear(metric: str, cents_per_unit: float):
    """Stand-in paying ``cents_per_unit`` per unit of ``metric`` (negative: pays for less)."""
    pol = StandIn(
        metric, lambda k: cents_per_unit / 100 * pd.to_numeric(k[metric]).to_numpy(float), cents_per_point=100
    )
    pol.metrics = [metric]
    return pol


def _month(metric: str, values) -> pd.DataFrame:
    return pd.DataFrame(
        {"replication": 0, "period": 0, "agent_id": [f"a{i}" for i in range(len(values))], metric: values}
    )


def test_gradient_keeps_per_100_complaint_rate_unclipped():
    # issue #11: complaint_rate (complaints per 100 contacts) was clipped to 1.0 by its "_rate"
    # name, so the median agent's one step better jumped from 2.5 to 1.0 and the gain was inflated
    kt = _month("complaint_rate", [0.5, 1.5, 2.5, 3.5, 4.5])
    pol = _linear("complaint_rate", -10_000)  # -100 CNY per complaint per 100 contacts
    g = incentive_gradient(_hand_comparison(kt, {"p": pol})).set_index("metric")
    step = metric_steps(kt, ["complaint_rate"])["complaint_rate"]
    assert step == pytest.approx(-0.5 * np.std([0.5, 1.5, 2.5, 3.5, 4.5], ddof=1))  # lower is better
    assert g.loc["complaint_rate", "delta_pay_cents"] == pytest.approx(-10_000 * step, abs=1)


def test_gradient_clips_to_registry_bounds():
    # csat_mean is 1-5: a step up from 4.9 stops at 5 (it used to run past it)
    kt = _month("csat_mean", [4.1, 4.5, 4.9, 4.95, 5.0])
    g = incentive_gradient(_hand_comparison(kt, {"p": _linear("csat_mean", 1000)})).set_index("metric")
    assert g.loc["csat_mean", "new_pay_cents"] == 5000  # 5.0 x 1000 cents, not 4.9 + step
    # nps is -100..100: a step up from 99 stops at 100 (nps used to be unbounded)
    kt = _month("nps", [99.0, 99.5, 99.0, 70.0, 60.0])
    g = incentive_gradient(_hand_comparison(kt, {"p": _linear("nps", 100)})).set_index("metric")
    assert g.loc["nps", "step"] > 1 and g.loc["nps", "new_pay_cents"] == 10_000


def test_directions_and_bounds_come_from_the_registry_and_declared_inputs():
    from kpisim.kpi.registry import METRICS
    from kpisim.policy import validate_policy
    from kpisim.policy.scoring import bounds, directions

    assert directions() == {k: m.direction for k, m in METRICS.items()}
    pol = validate_policy(
        {
            "kind": "policy",
            "id": "inp",
            "name": "inp",
            "inputs": [{"name": "severe", "unit": "count", "direction": "lower", "bounds": [0, None]}],
            "scorecard": {
                "components": [
                    {
                        "id": "sev",
                        "metric": "severe",
                        "weight": 100,
                        "rule": {"type": "linear", "points": [[0, 100], [10, 0]]},
                    }
                ]
            },
        }
    )
    assert directions(pol)["severe"] == "lower" and bounds(pol)["severe"].lower == 0
    kt = _month("severe", [0, 0, 1, 2, 3]).astype({"severe": "int64"})
    assert metric_steps(kt, ["severe"], policy=pol)["severe"] == -1  # fewer is better
    assert metric_steps(kt, ["aht_s"]) == {}  # absent column


def test_steps_point_to_better():
    kt = pd.DataFrame(
        {"replication": 0, "period": 0, "aht_s": [100.0, 200, 300], "fcr_rate": [0.5, 0.6, 0.7]}
    )
    s = metric_steps(kt, ["aht_s", "fcr_rate"])
    assert s["aht_s"] < 0 < s["fcr_rate"]


def test_tier_cliffs_count_agents_just_below_a_boundary():
    from kpisim.policy import validate_policy

    pol = validate_policy(
        {
            "kind": "policy",
            "id": "tiny",
            "name": "tiny",
            "scorecard": {
                "components": [
                    {
                        "id": "fcr",
                        "metric": "fcr_rate",
                        "weight": 100,
                        "rule": {
                            "type": "tiers",
                            "tiers": [{"when": "x >= 0.8", "points": 100}, {"when": "x < 0.8", "points": 0}],
                        },
                    }
                ]
            },
        }
    )

    class C:
        kpis = pd.DataFrame(
            {
                "replication": [0] * 4 + [1] * 4,
                "period": 0,
                "fcr_rate": [0.70, 0.79, 0.81, 0.90, 0.70, 0.79, 0.81, 0.90],
            }
        )
        meta = {"policy_objects": {"tiny": pol}}

    sd = C.kpis["fcr_rate"].iloc[:4].std()
    out = tier_cliffs(C)
    row = out[out["boundary"] == 0.8].iloc[0]
    expect = np.mean(
        (0.8 - np.array([0.70, 0.79, 0.81, 0.90]) > 0)
        & (0.8 - np.array([0.70, 0.79, 0.81, 0.90]) <= 0.5 * sd)
    )
    assert row["share_within_step"] == pytest.approx(expect)
    assert 0 < row["share_within_step"] < 1


def test_comparison_lever_effects_reuse_the_baseline_months(shop3, tmp_path):
    from kpisim.analysis.compare import compare

    comp = compare(
        shop3,
        {"volume": volume_policy(), "fcr": fcr_policy()},
        replications=2,
        seed=2,
        jobs=1,
        progress=False,
    )
    lv = comp.lever_effects({"rush": RUSH["rush"]}, groups=["as-day"], jobs=1, progress=False)
    direct = lever_effects(
        shop3,
        {"volume": volume_policy(), "fcr": fcr_policy()},
        RUSH,
        groups=["as-day"],
        replications=2,
        seed=2,
        jobs=1,
        progress=False,
    )
    pd.testing.assert_series_equal(lv["delta_pay_cents"], direct["delta_pay_cents"])
    assert (lv["groups"] == "as-day").all()
    write_comparison(comp, tmp_path, levers=lv)
    assert "Behaviour levers" in (tmp_path / "report.html").read_text()
    assert (tmp_path / "lever_effects.csv").exists()


def test_pay_by_rank_follows_the_s3_pool_shares():
    """Hand-built comparison: 5 agents, 2 months, the S3 split (40 % + 200, 30 % + 100, rest evenly)."""
    from types import SimpleNamespace

    from kpisim.analysis.incentives import pay_by_rank

    pool = {0: 600_000, 1: 300_000}
    rows_s, rows_p = [], []
    for rep in (0, 1):
        totals = [90, 95, 80, 70, 85] if rep == 0 else [60, 70, 80, 90, np.nan]
        ranked = sorted((t, a) for a, t in enumerate(totals) if not np.isnan(t))[::-1]
        rest = len(ranked) - 2
        for r, (t, a) in enumerate(ranked, start=1):
            cents = {1: pool[rep] * 40 // 100 + 20_000, 2: pool[rep] * 30 // 100 + 10_000}.get(
                r, pool[rep] * 30 // 100 // rest
            )
            rows_p.append(
                {"policy": "s3", "replication": rep, "period": "m", "agent_id": f"a{a}", "total_cents": cents}
            )
            rows_s.append(
                {"policy": "s3", "replication": rep, "period": "m", "agent_id": f"a{a}", "total": t}
            )
        rows_p.append(
            {"policy": "s3", "replication": rep, "period": "m", "agent_id": "a4x", "total_cents": 0}
        )
        rows_s.append({"policy": "s3", "replication": rep, "period": "m", "agent_id": "a4x", "total": np.nan})
    comp = SimpleNamespace(pay=pd.DataFrame(rows_p), scores=pd.DataFrame(rows_s))
    t = pay_by_rank(comp).set_index("rank")
    # rank 1: (260,000 + 140,000) / 2; rank 2: (190,000 + 100,000) / 2; rank 3: (60,000 + 45,000) / 2
    assert (
        t.loc[1, "pay_cents"] == 200_000
        and t.loc[2, "pay_cents"] == 145_000
        and t.loc[3, "pay_cents"] == 52_500
    )
    assert np.isnan(t.loc[1, "step_up_cents"])
    assert t.loc[2, "step_up_cents"] == (70_000 + 40_000) / 2  # rank 2 -> 1
    assert t.loc[3, "step_up_cents"] == (130_000 + 55_000) / 2  # rank 3 -> 2: the cliff
    assert t.loc[4, "step_up_cents"] == 0  # inside the evenly shared rest
    assert t.loc[5, "n"] == 2 and t.loc[6, "n"] == 1  # unscored agents rank last
    assert t["median_rank"].iloc[0] == 2.5  # 5 and 4 ranked agents: 3 and 2
    with pytest.raises(KpisimError, match="no pay column 'nope'"):
        pay_by_rank(comp, column="nope")
    # several columns are summed; a policy without one of them counts 0 for it (NaN after concat)
    comp.pay["bonus_cents"] = np.where(comp.pay["replication"] == 0, np.nan, 1_000.0)
    t2 = pay_by_rank(comp, column=["total_cents", "bonus_cents"]).set_index("rank")
    assert t2.loc[1, "pay_cents"] == 200_500 and t2.loc[2, "step_up_cents"] == t.loc[2, "step_up_cents"]


def test_report_fails_loudly_when_the_incentive_analysis_fails(shop_comparison, tmp_path):
    # issue #11: write_dir used to drop the whole incentives section on any exception
    import dataclasses

    from kpisim.errors import DataError

    class Broken(StandIn):
        def score(self, kpi_table, /):
            raise DataError("broken policy: cannot re-score a perturbed month")

    pols = dict(shop_comparison.meta["policy_objects"])
    pols["volume"] = Broken("volume", lambda k: np.zeros(len(k)))
    comp = dataclasses.replace(shop_comparison, meta={**shop_comparison.meta, "policy_objects": pols})
    with pytest.raises(DataError, match="cannot re-score"):
        write_comparison(comp, tmp_path / "r", figures=False)
    assert not (tmp_path / "r").exists()  # nothing half-written


def test_report_says_why_incentives_are_missing(shop_comparison, tmp_path):
    import dataclasses

    meta = {k: v for k, v in shop_comparison.meta.items() if k != "policy_objects"}
    comp = dataclasses.replace(shop_comparison, meta=meta)
    write_comparison(comp, tmp_path / "r", figures=False)
    page = (tmp_path / "r" / "report.html").read_text()
    assert "Incentives not computed: this comparison holds no policy objects" in page
    assert write_comparison(shop_comparison, tmp_path / "full", figures=False)
    assert "not computed" not in (tmp_path / "full" / "report.html").read_text()


def test_tier_cliffs_read_each_role_card_on_its_own_agents():
    from kpisim.policy import validate_policy

    def card(metric, edge):
        return {
            "components": [
                {
                    "id": metric,
                    "metric": metric,
                    "weight": 100,
                    "rule": {
                        "type": "tiers",
                        "tiers": [
                            {"when": f"x >= {edge}", "points": 100},
                            {"when": f"x < {edge}", "points": 0},
                        ],
                    },
                }
            ]
        }

    pol = validate_policy(
        {
            "kind": "policy",
            "id": "two",
            "name": "two roles",
            "scorecard": card("fcr_rate", 0.8),
            "roles": [
                {"id": "sales", "match": {"group": "s*"}},
                {"id": "care", "match": {"group": "c*"}, "scorecard": card("csat_positive_rate", 0.9)},
            ],
        }
    )
    fcr = [0.70, 0.79, 0.81, 0.90, 0.75, 0.78, 0.79, 0.99]
    pos = [0.50, 0.50, 0.50, 0.50, 0.85, 0.89, 0.95, 0.99]

    class C:
        kpis = pd.DataFrame(
            {
                "replication": [0] * 8 + [1] * 8,
                "period": 0,
                "agent_id": [f"a{i}" for i in range(8)] * 2,
                "group": ["s1"] * 4 + ["c1"] * 4 + ["s1"] * 4 + ["c1"] * 4,
                "fcr_rate": fcr * 2,
                "csat_positive_rate": pos * 2,
            }
        )
        meta = {"policy_objects": {"two": pol}}

    out = tier_cliffs(C).set_index(["role", "component"])
    assert set(out.index) == {("sales", "fcr_rate"), ("care", "csat_positive_rate")}
    for role, metric, edge, x in (
        ("sales", "fcr_rate", 0.8, fcr[:4]),
        ("care", "csat_positive_rate", 0.9, pos[4:]),
    ):
        step = 0.5 * np.std(x, ddof=1)  # metric_steps: half a standard deviation between the role's agents
        gap = edge - np.array(x)
        want = np.mean((gap > 0) & (gap <= step))
        row = out.loc[(role, metric)]
        assert row["share_within_step"] == pytest.approx(want) and 0 < want < 1
        assert 0 <= row["share_within_step_lo"] <= row["share_within_step_hi"] <= 1  # a share's interval
