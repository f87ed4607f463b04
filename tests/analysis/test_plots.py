"""Figures: each function returns a figure with a title and labelled axes; core never imports matplotlib."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd


def test_core_does_not_import_matplotlib():
    code = (
        "import sys, kpisim, kpisim.analysis.compare, kpisim.analysis.staffing, kpisim.analysis.incentives;"
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_figures_have_titles_and_units(shop_comparison, tmp_path):
    from kpisim import plots

    figs = [
        plots.cost_bars(shop_comparison.cost(), currency="CNY", budget_cents=100000),
        plots.fairness_bars(shop_comparison.fairness()),
        plots.pay_gap_bars(shop_comparison.pay_gaps()),
        plots.winners_losers_bars(shop_comparison.winners_losers(threshold_cents=1000)),
    ]
    sweep = pd.DataFrame(
        {
            "agents": [10, 12],
            "service_level": [0.6, 0.8],
            "service_level_lo": [0.55, 0.75],
            "service_level_hi": [0.65, 0.85],
            "erlang_a_service_level": [0.61, 0.79],
        }
    )
    figs.append(plots.staffing_curves(sweep))
    for fig in figs:
        axes = [a for a in fig.axes if a.has_data()]
        assert axes
        assert fig._suptitle is not None or all(a.get_title() for a in axes)
        assert all(a.get_ylabel() for a in axes)  # every panel says its unit
    plots.save(figs[0], tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "CNY" in figs[0].axes[0].get_ylabel()


def test_breakdown_cliff_lever_and_incentive_figures(shop_comparison):
    from kpisim import plots
    from kpisim.analysis.breakdown import score_breakdown
    from kpisim.policy import validate_policy
    from tests.analysis.test_breakdown import POLICY, _comparison

    tiny = _comparison(validate_policy(POLICY))
    levers = pd.DataFrame(
        {
            "lever": ["rush", "rush"],
            "policy": ["a", "b"],
            "delta_pay_cents": [1000.0, -500.0],
            "delta_pay_cents_lo": [500.0, -900.0],
            "delta_pay_cents_hi": [1500.0, -100.0],
            "delta_fcr_rate": [-0.04, -0.04],
            "delta_fcr_rate_lo": [-0.06, -0.06],
            "delta_fcr_rate_hi": [-0.02, -0.02],
        }
    )
    cliffs = pd.DataFrame(
        {
            "policy": ["a", "a"],
            "component": ["c", "d"],
            "boundary": [0.5, 1.2],
            "relative": [False, True],
            "share_within_step": [0.3, 0.1],
            "share_within_step_lo": [0.2, 0.0],
            "share_within_step_hi": [0.4, 0.2],
        }
    )
    figs = {
        "breakdown": plots.score_breakdown_bars(score_breakdown(tiny)),
        "breakdown_hue": plots.score_breakdown_bars(score_breakdown(tiny, by=("shift",)), hue="shift"),
        "levers": plots.lever_effect_bars(levers),
        "cliffs": plots.tier_cliff_bars(cliffs),
        "incentives": plots.incentive_bars(shop_comparison.incentive_gradient()),
    }
    for name, fig in figs.items():
        axes = [a for a in fig.axes if a.get_visible() and a.has_data()]
        assert axes, name
        assert fig._suptitle is not None or all(a.get_title() for a in axes), name
        assert all(a.get_xlabel() or a.get_ylabel() for a in axes), name
    assert "CNY" in figs["levers"].axes[0].get_ylabel()
    assert "CNY" in figs["incentives"].axes[0].get_xlabel()
    # breakdown: one bar per part that adds up to the total, plus the grey maximum bars
    parts = score_breakdown(tiny).query("in_total")["item"].tolist()
    labels = [t.get_text() for t in figs["breakdown"].axes[0].get_yticklabels()]
    assert [lab.split(" (")[0] for lab in labels] == parts
    hue_ax = figs["breakdown_hue"].axes[0]
    assert {t.get_text() for t in hue_ax.get_legend().get_texts()} == {
        "maximum",
        "shift: day",
        "shift: evening",
    }
    assert "× avg" in figs["cliffs"].axes[0].get_yticklabels()[0].get_text()  # smallest share drawn first


def test_losers_error_bar_spans_their_interval():
    from kpisim import plots

    wl = pd.DataFrame(
        {
            "policy": ["p"],
            "band": [0],
            "band_range": ["all"],
            "threshold_cents": [5000],
            "baseline": ["b"],
            "share_gain": [0.1],
            "share_gain_lo": [0.05],
            "share_gain_hi": [0.15],
            "share_lose": [0.8],
            "share_lose_lo": [0.5],
            "share_lose_hi": [0.9],
        }
    )
    ax = plots.winners_losers_bars(wl).axes[0]
    spans = sorted(sorted(seg[:, 1]) for c in ax.collections for seg in c.get_segments())
    assert spans == [[-90.0, -50.0], [5.0, 15.0]]  # losers drawn below 0 from -hi to -lo, in %


def test_rank_pay_and_concentration_figures(shop_comparison):
    import pytest

    from kpisim import plots
    from kpisim.analysis.incentives import pay_by_rank

    by_rank = pay_by_rank(shop_comparison)
    figs = [
        plots.rank_pay_curves(by_rank, currency="CNY"),
        plots.concentration_bars(shop_comparison.fairness()),
    ]
    for fig in figs:
        axes = [a for a in fig.axes if a.has_data()]
        assert len(axes) == 2 and all(a.get_title() and a.get_ylabel() for a in axes)
    left = figs[0].axes[0]
    assert "CNY" in left.get_ylabel()
    assert len([ln for ln in left.get_lines() if ln.get_label() in shop_comparison.policies]) == len(
        shop_comparison.policies
    )
    heights = [p.get_height() for p in figs[1].axes[1].patches]
    assert heights == pytest.approx(list(100 * shop_comparison.fairness()["top10_share"]))  # in percent


def test_pay_scatter_pairs_agents():
    from kpisim import plots

    a = pd.DataFrame(
        {
            "agent_id": ["x", "y", "z"],
            "period": "m",
            "team": ["t1", "t1", "t2"],
            "total_cents": [100_000, 200_000, 300_000],
        }
    )
    b = a.assign(total_cents=[150_000, 200_000, 250_000]).iloc[::-1]
    fig = plots.pay_scatter(a, b, names=("S1", "S3"), hue="team")
    ax = fig.axes[0]
    assert "S1" in ax.get_xlabel() and "CNY" in ax.get_ylabel() and ax.get_title()
    pts = sorted(tuple(p) for c in ax.collections for p in c.get_offsets())
    assert pts == [(1000.0, 1500.0), (2000.0, 2000.0), (3000.0, 2500.0)]  # paired by agent, in yuan
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["same pay", "t1", "t2"]


def test_comparison_figure_methods(shop_comparison):
    import matplotlib.pyplot as plt

    for name in ("plot_cost", "plot_winners_losers", "plot_fairness", "plot_pay_gaps", "plot_incentives"):
        fig = getattr(shop_comparison, name)()
        assert fig._suptitle is not None or any(a.get_title() for a in fig.axes), name
        assert any(a.has_data() for a in fig.axes), name
        plt.close(fig)


def test_incentive_compare_bars_share_one_axis():
    from kpisim import plots

    grad = pd.DataFrame(
        {
            "policy": ["a", "a", "b", "b"],
            "metric": ["m1", "m2", "m1", "m2"],
            "delta_pay_cents": [1000.0, 0.0, 0.0, -500.0],
        }
    )
    fig = plots.incentive_compare_bars(grad, currency="CNY")
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and "CNY" in ax.get_xlabel() and ax.get_title()
    assert sorted(round(b.get_width(), 6) for b in ax.patches) == [-5.0, 0.0, 0.0, 10.0]  # yuan
    assert [t.get_text() for t in ax.get_yticklabels()] == ["m1", "m2"]


def test_agent_month_pay_orders_agents_by_truth(shop_comparison):
    import matplotlib.pyplot as plt

    from kpisim import plots

    ap = shop_comparison.agent_pay()
    fig = plots.agent_month_pay(ap[ap["policy"].isin(["volume", "noise"])])
    panels = [a for a in fig.axes if a.get_visible()]
    assert [a.get_title() for a in panels] == ["volume", "noise"]
    bars = panels[0].patches
    n_agents = ap["agent_id"].nunique()
    assert len(bars) == n_agents
    # one dot per agent-month of that policy
    assert len(panels[0].collections[0].get_offsets()) == int((ap["policy"] == "volume").sum())
    plt.close(fig)


def test_staffing_figures_have_titles_units_and_data():
    import matplotlib.pyplot as plt

    from kpisim import plots

    start = pd.date_range("2026-11-02 08:00", periods=4, freq="30min")
    required = pd.DataFrame(
        {
            "start": start,
            "volume": [60.0, 120.0, 90.0, 0.0],
            "required_agents": [11, 20, 16, 0],
            "planned_agents": [14.0, 14.5, 9.0, 0.0],
        }
    )
    required.attrs["headcount"] = 37
    fig = plots.required_staff_profile(required, target="80% in 20 s")
    top, bot = fig.axes
    assert [b.get_height() for b in top.patches] == [60.0, 120.0, 90.0, 0.0]
    assert len(bot.get_lines()) == 2 and "37" in bot.get_legend().get_texts()[1].get_text()
    assert "80% in 20 s" in fig._suptitle.get_text() and all(a.get_ylabel() for a in fig.axes)
    plt.close(fig)

    sweep = pd.DataFrame(
        {
            "agents": [30, 36],
            "service_level": [0.7, 0.8],
            "service_level_lo": [0.65, 0.78],
            "service_level_hi": [0.75, 0.82],
            "labour_cost_cents": [700_000, 840_000],
        }
    )
    fig = plots.staffing_cost_curve(sweep, target_sl=0.8, days=7, currency="CNY")
    ax = fig.axes[0]
    assert "CNY per day" in ax.get_xlabel() and "%" in ax.get_ylabel() and ax.get_title()
    x, y = ax.get_lines()[0].get_data()
    assert list(x) == [1000.0, 1200.0] and list(y) == [70.0, 80.0]  # cents over 7 days -> yuan a day
    assert [t.get_text() for t in ax.texts] == ["30 agents", "36 agents"]
    plt.close(fig)

    pay = pd.DataFrame(
        {
            "agents": [30, 42],
            "handled_per_agent": [1500.0, 1200.0],
            "volume_points": [33.0, 27.0],
            "pay_per_agent_cents_s4": [432_500, 432_000],
            "pay_per_agent_cents_s4_lo": [431_000, 432_000],
            "pay_per_agent_cents_s4_hi": [434_000, 432_000],
        }
    )
    fig = plots.staffing_pay(pay, currency="CNY", points="volume_points", points_label="S4 volume points")
    assert len(fig.axes) == 3 and all(a.get_ylabel() and a.get_title() for a in fig.axes)
    assert "CNY" in fig.axes[2].get_ylabel()
    assert list(fig.axes[2].get_lines()[0].get_ydata()) == [4325.0, 4320.0]  # cents -> yuan
    assert fig.axes[2].get_ylim()[0] == 0  # a flat line looks flat
    assert fig.axes[2].get_ylim()[1] > 1.1 * 4340  # ... and is not drawn on the top frame
    plt.close(fig)
