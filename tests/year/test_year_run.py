"""A team carried month to month: the roster changes only through consequences, leavers and hires.

Fast: the tiny shop (7 agents) with short months (``month_days``); the full shop over 12 months
is in ``test_year_slow.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.year import simulate_year
from kpisim.policy.timeline import timeline_of
from kpisim.rng import population_rng
from kpisim.sim.population import draw_traits
from tests.year.conftest import s3_with


def with_turnover(sc, **kw):
    return sc.model_copy(update={"turnover": sc.turnover.model_copy(update=kw)})


@pytest.fixture(scope="module")
def everyone_out(tiny, tmp_path_factory):
    """Everyone is 'below 1000' -> eliminated in the 3rd month; no voluntary leavers."""
    pol = s3_with(tmp_path_factory.mktemp("p"), eliminate_when="x < 1000")
    sc = with_turnover(tiny, enabled=False, notice_days=0, hiring_delay_days=2)
    return simulate_year(sc, pol, months=4, seed=4, month_days=5)


def test_eliminated_agents_leave_the_next_month_and_are_replaced_after_the_delay(everyone_out, tiny):
    y = everyone_out
    first = set(y.roster.loc[y.roster["month"] == 0, "agent_id"])
    assert len(first) == tiny.n_agents
    for m in (1, 2):  # the same people, month after month
        assert set(y.roster.loc[y.roster["month"] == m, "agent_id"]) == first
    el = y.events[y.events["event"] == "eliminated"]
    assert set(el["agent_id"]) == first and (el["month"] == 2).all()  # the third month, exactly
    assert (el["day"] == 15).all()  # gone from day 15 (3 months x 5 days, notice 0)
    m3 = y.roster[y.roster["month"] == 3]
    assert not (set(m3["agent_id"]) & first)  # gone from the next month's roster
    assert len(m3) == tiny.n_agents and (m3["active_days"] == 3).all()  # 5 days - 2 days' delay
    hired = y.events[y.events["event"] == "hired"]
    assert (hired["day"] == 17).all() and sorted(hired["detail"]) == sorted(f"replaces {a}" for a in first)
    # a hire takes the post of the agent replaced: same group, team and skills
    ag = y.agents.set_index("agent_id")
    for h, r in zip(hired["agent_id"], hired["detail"].str.removeprefix("replaces "), strict=True):
        assert ag.loc[h, "group"] == ag.loc[r, "group"] and ag.loc[h, "queues"] == ag.loc[r, "queues"]
    # new hires work at tenure ~0: slower than their trained potential (S3 #8)
    new = m3.set_index("agent_id")["true_speed"]
    assert (new > ag.loc[new.index, "true_speed"]).all()
    assert y.turnover_cost()["hires"].tolist() == [tiny.n_agents]


def test_notice_keeps_the_agent_working_until_it_ends(tiny, tmp_path):
    pol = s3_with(tmp_path, eliminate_when="x < 1000")
    sc = with_turnover(tiny, enabled=False, notice_days=7, hiring_delay_days=1)
    y = simulate_year(sc, pol, months=5, seed=4, month_days=5)
    r = y.roster
    a = y.events.loc[y.events["event"] == "eliminated", "agent_id"].iloc[0]
    mine = r[r["agent_id"] == a].set_index("month")
    # decided at the end of month 2 (day 15); works days 15-21 of the notice; leaves on day 22
    assert mine.loc[3, "status"] == "notice" and mine.loc[3, "active_days"] == 5
    assert mine.loc[4, "active_days"] == 2 and 5 not in mine.index
    h = y.events[(y.events["event"] == "hired") & (y.events["detail"] == f"replaces {a}")]
    assert h["day"].tolist() == [23]  # 22 + 1 day's delay


def test_the_first_month_is_the_fixed_population_of_simulate(everyone_out, tiny):
    drawn = draw_traits(tiny, population_rng(4)).set_index("agent_id")
    m0 = everyone_out.roster[everyone_out.roster["month"] == 0].set_index("agent_id")
    for col in ("true_speed", "true_resolution", "true_sales"):
        assert np.allclose(m0[col], drawn.loc[m0.index, col])


def test_same_seed_same_year_and_attrition_switch(tiny, s3):
    sc = with_turnover(tiny, annual_attrition=6.0, notice_days=0, hiring_delay_days=1)  # 50 %/month
    a = simulate_year(sc, s3, months=3, seed=9, month_days=3)
    b = simulate_year(sc, s3, months=3, seed=9, month_days=3)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.pay, b.pay)
    assert (a.events["event"] == "resigned").sum() >= 4  # 7 agents x 3 months at 50 %: ~10
    off = simulate_year(with_turnover(sc, enabled=False), s3, months=3, seed=9, month_days=3)
    assert not (off.events["event"] == "resigned").any()


def test_a_timeline_pays_each_month_with_its_version_and_the_manifest_says_so(tiny, s3, tmp_path):
    v2 = s3_with(tmp_path, version="2021.1")
    v2 = v2.model_copy(update={"pay_plan": v2.pay_plan.model_copy(update={"base_cents": 400000})})
    tl = timeline_of([("2026-11", s3), ("2027-01", v2)], id="s3_raise")
    y = simulate_year(tiny, tl, months=3, seed=4, month_days=3)
    want = {
        "2026-11": "s3_kuaishangtong_presales@2020.2",
        "2026-12": "s3_kuaishangtong_presales@2020.2",
        "2027-01": "s3_kuaishangtong_presales@2021.1",
    }
    assert y.policy_by_month() == want
    base = y.pay.groupby("month")["base_cents"].unique()
    assert [list(v) for v in base] == [[350000], [350000], [400000]]
    out = y.write(tmp_path / "year")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["policy_by_month"] == want and manifest["command"] == "year"
    assert set(manifest["policy_sha256"]) == set(want.values())
    for name in ("trajectory", "rule_quality", "weak_survival", "turnover_cost", "events", "roster"):
        assert (out / f"{name}.csv").is_file()


def test_trajectory_counts_add_up(everyone_out, tiny):
    t = everyone_out.trajectory()
    assert t["headcount"].tolist() == [tiny.n_agents] * 4
    # month 3: every post empty for the 2 days' hiring delay of 5 days
    assert t["staffed_posts"].tolist() == pytest.approx([7, 7, 7, 7 * 3 / 5])
    assert t["eliminated"].tolist() == [0, 0, tiny.n_agents, 0] and t["hires_started"].tolist() == [
        0,
        0,
        0,
        tiny.n_agents,
    ]
    tenure = t[["tenure_under_3m", "tenure_3_to_12m", "tenure_over_12m"]].sum(axis=1)
    assert (tenure == t["headcount"]).all()
    assert (t["payout_cents"] > 0).all() and t["service_level"].between(0, 1).all()
    q = everyone_out.rule_quality().set_index("rule")
    # everyone eliminated: half of the agents are above the median -> wrong share ~ 1/2
    assert q.loc["eliminated", "decisions"] == tiny.n_agents
    assert q.loc["eliminated", "wrong_share"] == pytest.approx(3 / 7)


def test_a_promotion_raises_pay_from_the_next_month(tiny, s3):
    from kpisim.policy.loading import variant

    raise_ = variant(s3, {"pay": {"level_cents": {"junior": 0, "mid": 30000, "senior": 60000}}})
    y = simulate_year(with_turnover(tiny, enabled=False), raise_, months=4, seed=3, month_days=4)
    up = y.events[y.events["event"] == "promoted"]
    assert len(up) and (up["detail"] == "junior->mid").all()
    pay = y.pay.set_index(["agent_id", "month"])["level_cents"]
    for a, m in zip(up["agent_id"], up["month"], strict=True):
        assert pay[(a, m)] == 0  # the month that earned it is paid at the old level
        if m + 1 < y.months:
            assert pay[(a, m + 1)] == 30000  # mid: +300 yuan
    roster = y.roster.set_index(["agent_id", "month"])["level"]
    assert all(roster[(a, m)] == "mid" for a, m in zip(up["agent_id"], up["month"], strict=True))


def test_weak_survival_counts_the_months_worked(everyone_out):
    """Everyone eliminated after month 2 (notice 0): an original agent worked 3 months, a hire 1."""
    from kpisim.analysis.year.quality import _truth

    y = everyone_out
    t = _truth(y)
    weak = t[t["truly_weak"]]
    original = ~weak["agent_id"].str.contains("-h")
    w = y.weak_survival().iloc[0]
    assert w["truly_weak_agents"] == len(weak) >= 3  # a quarter of 14 agents
    assert w["share_eliminated"] == pytest.approx(original.mean())
    assert w["mean_months_stayed"] == pytest.approx(np.where(original, 3, 1).mean())


def test_a_partial_month_pays_base_and_level_pay_for_the_days_employed(tiny, tmp_path):
    pol = s3_with(tmp_path, eliminate_when="x < 1000")
    sc = with_turnover(tiny, enabled=False, notice_days=0, hiring_delay_days=2)
    kw = {"months": 4, "seed": 4, "month_days": 5}
    y, full = simulate_year(sc, pol, **kw), simulate_year(sc, pol, prorate=False, **kw)
    key = ["month", "agent_id"]
    days = y.roster.set_index(key)["active_days"]
    p = y.pay.set_index(key).sort_index()
    f = full.pay.set_index(key).sort_index()
    d = days.reindex(p.index).to_numpy()
    assert (d == 3).sum() == tiny.n_agents and (d == 5).sum() == len(d) - tiny.n_agents  # the hires
    moved = 0
    for col in [c for c in ("base_cents", "level_cents") if c in f]:
        want = (2 * f[col].to_numpy() * d + 5) // 10  # x days / 5, half up (hand-computed)
        assert (p[col].to_numpy() == want).all() and (want[d == 5] == f[col].to_numpy()[d == 5]).all()
        moved += want - f[col].to_numpy()
    # everything else is the plan's own result; the total moves by the fixed pay's cents only
    assert (p["total_cents"].to_numpy() == f["total_cents"].to_numpy() + moved).all()
    assert (moved[d == 3] < 0).all() and p["performance_cents"].equals(f["performance_cents"])
    assert y.team["payout_cents"].sum() == p["total_cents"].sum()
