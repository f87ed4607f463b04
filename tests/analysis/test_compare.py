"""compare: common random numbers, cost, winners/losers, parallel == sequential, output files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kpisim.analysis.compare import compare
from kpisim.errors import KpisimError
from kpisim.report import write_comparison
from tests.analysis.standins import fcr_policy, volume_policy


def test_identical_policies_differ_by_exactly_zero(shop_comparison):
    cost = shop_comparison.cost().set_index("policy")
    assert cost.loc["volume_copy", ["diff_cents", "diff_cents_lo", "diff_cents_hi"]].tolist() == [0, 0, 0]
    assert cost.loc["volume_copy", "total_cents"] == cost.loc["volume", "total_cents"]
    # a different policy does differ (so the zero above is not an artefact)
    assert cost.loc["fcr", "diff_cents"] != 0
    wl = shop_comparison.winners_losers(threshold_cents=0).set_index(["policy", "band"])
    assert (wl.loc["volume_copy", ["share_gain", "share_lose", "mean_delta_cents"]] == 0).all().all()
    assert wl.loc[("fcr", 0), "share_lose"] > 0


def test_every_row_carries_run_keys(shop_comparison):
    for name in ("scores", "pay"):
        df = getattr(shop_comparison, name)
        for col in ("scenario_id", "policy", "replication", "seed"):
            assert col in df and df[col].notna().all(), (name, col)
    assert set(shop_comparison.pay["replication"]) == {0, 1, 2, 3}
    assert shop_comparison.agents.attrs["kpisim"]["hidden_truth"] is True


def test_cost_matches_hand_computation(shop_comparison):
    pay = shop_comparison.pay
    monthly = pay[pay["policy"] == "fcr"].groupby(["replication", "period"])["total_cents"].sum()
    cost = shop_comparison.cost().set_index("policy").loc["fcr"]
    assert cost["total_cents"] == pytest.approx(monthly.mean())
    half = cost["total_cents_hi"] - cost["total_cents"]
    from scipy import stats

    assert half == pytest.approx(stats.t.ppf(0.975, 3) * monthly.std(ddof=1) / 2)
    assert cost["p5_cents"] <= cost["total_cents"] <= cost["p95_cents"]
    handled = shop_comparison.kpis.groupby(["replication", "period"])["handled"].sum().astype(float)
    assert cost["per_handled_cents"] == pytest.approx((monthly / handled).mean())


def test_budget_probability(shop_comparison):
    c0 = shop_comparison.cost(budget_cents=0).set_index("policy")
    assert (c0["p_over_budget"] == 1).all()
    big = shop_comparison.cost(budget_cents=10**12).set_index("policy")
    assert (big["p_over_budget"] == 0).all()


def test_winners_losers_bands_fixed_by_baseline(shop_comparison):
    wl = shop_comparison.winners_losers(threshold_cents=1000, bands=4)
    assert set(wl["band"]) == {0, 1, 2, 3, 4}
    # shares are shares
    for c in ("share_gain", "share_lose"):
        assert ((wl[f"{c}_lo"] >= 0) & (wl[c] >= wl[f"{c}_lo"]) & (wl[f"{c}_hi"] <= 1)).all()
    # FCR pay (<= 10,000 cents) vs volume pay: the top volume band loses most
    fcr = wl[wl["policy"] == "fcr"].set_index("band")
    assert fcr.loc[4, "mean_delta_cents"] < fcr.loc[1, "mean_delta_cents"]


def test_parallel_equals_sequential(shop3):
    pols = {"volume": volume_policy(), "fcr": fcr_policy()}
    a = compare(shop3, pols, replications=3, seed=5, jobs=1, progress=False)
    b = compare(shop3, pols, replications=3, seed=5, jobs=3, progress=False)
    pd.testing.assert_frame_equal(a.pay, b.pay)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    pd.testing.assert_frame_equal(a.agents, b.agents)


def test_bad_arguments(shop3):
    with pytest.raises(KpisimError, match="baseline 'nope'"):
        compare(shop3, {"v": volume_policy()}, baseline="nope", replications=1, progress=False)
    with pytest.raises(KpisimError, match="at least one policy"):
        compare(shop3, {}, replications=1, progress=False)
    with pytest.raises(KpisimError, match="replications must be >= 1"):
        compare(shop3, {"v": volume_policy()}, replications=0, progress=False)


def test_to_dir_writes_tables_figures_and_report(shop_comparison, tmp_path):
    files = write_comparison(shop_comparison, tmp_path / "out", budget_cents=100000, threshold_cents=1000)
    out = tmp_path / "out"
    for name in (
        "cost.csv",
        "winners_losers.csv",
        "fairness.csv",
        "pay.csv",
        "agents_hidden_truth.csv",
        "cost.png",
        "fairness.png",
        "report.html",
        "manifest.json",
    ):
        assert (out / name).stat().st_size > 0, name
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "<table" in html and "hidden true traits" in html
    assert json.loads((out / "manifest.json").read_text())["baseline"] == "volume"
    cost = pd.read_csv(out / "cost.csv")
    assert set(cost["policy"]) == {"volume", "volume_copy", "fcr", "noise"}
    assert not list(out.glob(".*"))  # no temp files left behind
    assert files["report"] == str(out / "report.html")


def test_declared_inputs_missing_from_the_data_are_filled_and_reported(shop3, tmp_path):
    from pathlib import Path

    from kpisim.policy import load_policy

    root = Path(__file__).resolve().parents[2]
    s0 = load_policy(root / "scenarios/policies/s0_songsong.yaml")
    given = {"rating_execution": 95.0}
    comp = compare(shop3, {"s0": s0}, replications=1, seed=2, jobs=1, progress=False, inputs=given)
    filled = comp.meta["filled_inputs"]
    declared = {spec.name for spec in s0.inputs}
    assert set(filled) == declared - set(given)  # everything not supplied, nothing supplied
    assert filled["rating_professionalism"] == 80.0  # points(0-100): neutral 80
    assert (comp.kpis["rating_execution"] == 95.0).all()
    write_comparison(comp, tmp_path / "r", figures=False)
    html = (tmp_path / "r" / "report.html").read_text()
    assert "rating_professionalism = 80.0" in html and "rating_execution =" not in html


def test_manifest_names_each_policy_by_content_hash(shop3, tmp_path):
    from pathlib import Path

    from kpisim.policy import load_policy
    from kpisim.policy.loading import variant

    root = Path(__file__).resolve().parents[2]
    s1 = load_policy(root / "scenarios/policies/s1_xiyu_289.yaml")
    s1b = variant(s1, {"id": "s1b"})
    comp = compare(shop3, {"a": s1, "a_again": s1, "b": s1b}, replications=1, seed=1, jobs=1, progress=False)
    h = comp.meta["policy_sha256"]
    assert h["a"] == h["a_again"] != h["b"] and len(h["a"]) == 64
    write_comparison(comp, tmp_path / "r", figures=False)
    assert json.loads((tmp_path / "r" / "manifest.json").read_text())["policy_sha256"] == h


def test_inputs_that_miss_agents_are_an_error_not_silent_nan(shop3):
    from pathlib import Path

    from kpisim.errors import DataError
    from kpisim.policy import load_policy

    root = Path(__file__).resolve().parents[2]
    s3 = load_policy(root / "scenarios/policies/s3_kuaishangtong_presales.yaml")
    wrong_case = pd.DataFrame({"agent_id": ["PS-DAY-A-01"], "reexam_failed": [1], "level": ["mid"]})
    with pytest.raises(DataError, match=r"no value of 'reexam_failed' for \d+ agent-month\(s\)"):
        compare(shop3, {"s3": s3}, replications=1, seed=1, jobs=1, progress=False, inputs=wrong_case)
