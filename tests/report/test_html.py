"""The comparison and staffing reports: summary first, words and units, no raw keys or e-notation."""

from __future__ import annotations

import re

import pytest

from kpisim.report import write_comparison, write_staffing


@pytest.fixture(scope="module")
def report(shop_comparison, tmp_path_factory):
    d = tmp_path_factory.mktemp("rep") / "out"
    write_comparison(shop_comparison, d, budget_cents=10_000_000)
    return (d / "report.html").read_text(encoding="utf-8")


def _visible(html: str) -> str:
    """Text outside tags and inline images."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r'src="data:[^"]*"', "", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_report_opens_with_the_summary_and_names_every_plan(report, shop_comparison):
    text = _visible(report)
    assert "e+0" not in text and "e-0" not in text
    assert "_cents" not in text
    objs = shop_comparison.meta["policy_objects"]
    for key in shop_comparison.policies:
        assert getattr(objs[key], "name", key) in text
    sections = re.findall(r'<section id="([a-z_]+)"', report)
    assert sections[0] == "summary" and "definitions" in sections
    assert report.index('id="summary"') < report.index("<table")
    assert "docs/analysis.md" not in text  # definitions are in the page


def test_report_gives_money_in_currency_units_and_shares_in_percent(report):
    text = _visible(report)
    assert re.search(r"Costs [\d,]+ CNY a month", text)
    assert "Agents gaining" in text and " %" in text
    assert "replications cannot answer this" in text or "⚠" in text


def staffing_sweep():
    """A small staffing sweep as study_staffing returns it (Erlang C blank at the lowest headcount)."""
    import pandas as pd

    from kpisim.analysis.staffing import meets_target

    sweep = pd.DataFrame(
        {
            "agents": [30, 35, 40],
            "staffed_agents": [10.0, 12.0, 14.0],
            "service_level": [0.6, 0.82, 0.9],
            "service_level_lo": [0.5, 0.78, 0.85],
            "service_level_hi": [0.7, 0.86, 1.02],
            "asa_s": [30.0, 12.0, 5.0],
            "abandon_rate": [0.1, 0.04, 0.02],
            "occupancy": [0.9, 0.8, 0.7],
            "labour_cost_cents": [15_100_000, 17_000_000, 19_000_000],
            "erlang_a_service_level": [0.55, 0.8, 0.9],
            "erlang_c_service_level": [float("nan"), 0.75, 0.88],
            "erlang_c_abandon_rate": [0.0, 0.0, 0.0],
            "n": [3, 3, 3],
        }
    )
    for c in ("asa_s", "abandon_rate", "occupancy", "labour_cost_cents"):
        sweep[f"{c}_lo"], sweep[f"{c}_hi"] = sweep[c] * 0.9, sweep[c] * 1.1
    sweep = meets_target(sweep, target_sl=0.8, max_abandon=None)
    return sweep


def test_staffing_report_states_one_recommended_headcount(tmp_path):
    sweep = staffing_sweep()
    write_staffing(sweep, tmp_path / "st", manifest={"scenario_id": "x", "replications": 3, "days": 1})
    html = (tmp_path / "st" / "staffing.html").read_text(encoding="utf-8")
    text = _visible(html)
    assert "Recommended headcount: 35 agents" in text and text.count("Recommended headcount:") == 1
    assert "e+0" not in text and "None" not in text and "_cents" not in text
    assert "<style>" in html and "left blank" in text  # Erlang C's missing point explained
    assert "151,000" in text  # labour cost per day in currency units


def test_staffing_report_pay_section_in_currency_units_under_plan_names(tmp_path):
    sweep = staffing_sweep()
    sweep["handled_per_agent"] = [40.0, 34.3, 30.0]
    sweep["handled_per_agent_lo"], sweep["handled_per_agent_hi"] = (
        sweep["handled_per_agent"] - 2,
        sweep["handled_per_agent"] + 2,
    )
    sweep["pay_per_agent_cents_vol"] = [512_345.0, 480_000.0, 455_555.0]  # 5,123.45 ... CNY
    sweep["pay_per_agent_cents_vol_lo"] = sweep["pay_per_agent_cents_vol"] - 10_000
    sweep["pay_per_agent_cents_vol_hi"] = sweep["pay_per_agent_cents_vol"] + 10_000
    files = write_staffing(
        sweep,
        tmp_path / "st",
        manifest={"scenario_id": "x", "replications": 3, "days": 30},
        plans={"vol": "Volume plan"},
    )
    html = (tmp_path / "st" / "staffing.html").read_text(encoding="utf-8")
    text = _visible(html)
    assert "Pay per agent by headcount" in text and "Volume plan: pay per agent a month, CNY" in text
    for whole, lo, hi in (
        ("5,123", "5,023", "5,223"),
        ("4,800", "4,700", "4,900"),
        ("4,556", "4,456", "4,656"),
    ):
        assert whole in text and f"{lo} to {hi}" in text  # cents shown as whole yuan with the 95 % interval
    assert "e+0" not in text and "_cents" not in text and "pay_per_agent" not in text
    assert "were simulated" not in text  # a whole month: no short-run warning
    assert files["pay.png"].endswith("staffing_pay.png") and html.count("data:image/png;base64,") == 3
