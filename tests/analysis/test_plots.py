"""Figures: each function returns a figure with a title and labelled axes; core never imports matplotlib."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd


def test_core_does_not_import_matplotlib():
    code = ("import sys, kpisim, kpisim.analysis.compare, kpisim.analysis.staffing, kpisim.analysis.incentives;"
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_figures_have_titles_and_units(shop_comparison, tmp_path):
    from kpisim import plots

    figs = [plots.cost_bars(shop_comparison.cost(), currency="CNY", budget_cents=100000),
            plots.fairness_bars(shop_comparison.fairness()),
            plots.pay_gap_bars(shop_comparison.pay_gaps()),
            plots.winners_losers_bars(shop_comparison.winners_losers(threshold_cents=1000))]
    sweep = pd.DataFrame({"agents": [10, 12], "service_level": [0.6, 0.8], "service_level_lo": [0.55, 0.75],
                          "service_level_hi": [0.65, 0.85], "erlang_a_service_level": [0.61, 0.79]})
    figs.append(plots.staffing_curves(sweep))
    for fig in figs:
        axes = [a for a in fig.axes if a.has_data()]
        assert axes
        assert fig._suptitle is not None or all(a.get_title() for a in axes)
        assert all(a.get_ylabel() for a in axes)  # every panel says its unit
    plots.save(figs[0], tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "CNY" in figs[0].axes[0].get_ylabel()
