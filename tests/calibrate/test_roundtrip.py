"""The calibration round trip: simulate a bundled centre -> write it as a vendor-like export ->
import every table -> calibrate -> the recovered parameters lie within their 95 % intervals of
the truth, and simulating the calibrated scenario reproduces the export's KPIs.

The fast variant (CI) uses a week of each centre; ``pytest -m slow`` runs the full month (which
also holds the shop's Singles' Day peak)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kpisim.analysis.calibrate import fit
from kpisim.analysis.calibrate.check import reproduce
from kpisim.io.tables import import_export
from kpisim.scenario.models import load_scenario
from kpisim.sim.run import simulate
from kpisim.testing.export import write_export

ROOT = Path(__file__).resolve().parents[2]
#: simulated minus observed, in the metric's unit (percentage points or seconds / relative for AHT)
TOLERANCE = {"service_level": 4.0, "abandon_rate": 1.5, "fcr_rate": 2.0, "conversion_rate": 2.0}
AHT_REL = 0.05


def _roundtrip(tmp_path_factory, name: str, days: int):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    sc = sc.model_copy(update={"horizon": sc.horizon.model_copy(update={"days": days})})
    log = simulate(sc, seed=3)
    d = write_export(log, tmp_path_factory.mktemp(f"{name}_export"))
    imported = import_export(d, mapping=d / "mapping.yaml", agents=d / "roster.csv")
    return sc, log, imported, fit(imported)


@pytest.fixture(scope="module", params=[("phone_centre", 7), ("shop_chat", 7)], ids=["phone", "shop"])
def rt(request, tmp_path_factory):
    return _roundtrip(tmp_path_factory, *request.param)


def _est(cal, scope: str, parameter: str):
    e = cal.estimates()
    row = e[(e["scope"] == scope) & (e["parameter"] == parameter)]
    assert len(row) == 1, (scope, parameter)
    return row.iloc[0]


def _inside(row, truth: float) -> None:
    """Truth inside the estimate's interval, widened from 95 % to 99 %: a dozen intervals are
    checked per centre, so at 95 % one of them would miss by chance every other run."""
    k = 2.5758 / 1.96
    lo = row["estimate"] - k * (row["estimate"] - row["ci_low"])
    hi = row["estimate"] + k * (row["ci_high"] - row["estimate"])
    assert lo <= truth <= hi, (
        f"{row['scope']} {row['parameter']}: truth {truth:.4g} outside the 99 % interval "
        f"[{lo:.4g}, {hi:.4g}] of {row['estimate']:.4g} (95 %: [{row['ci_low']:.4g}, {row['ci_high']:.4g}])"
    )


def check_parameters(sc, log, cal) -> None:
    ans = log.contacts[log.contacts["answered_at"].notna()]
    for q, spec in sc.queues.items():
        _inside(_est(cal, q, "daily_volume"), spec.daily_volume)
        _inside(_est(cal, q, "handle.mean_s"), spec.handle.mean_s)
        _inside(_est(cal, q, "patience.mean_s"), spec.patience.mean_s)
        a = ans[ans["queue"] == q]
        _inside(_est(cal, q, "transfer rate"), a["transferred"].mean())
        _inside(_est(cal, q, "resolution rate"), a.loc[~a["transferred"], "resolved"].mean())
        assert cal.scenario.queues[q].handle.dist == spec.handle.dist
        assert cal.scenario.queues[q].patience.dist == spec.patience.dist
    truth_conc = {g.name: g.max_concurrency for g in sc.agents}
    assert {g.name: g.max_concurrency for g in cal.scenario.agents} == truth_conc
    seen = cal.parts["chat"].tables.get("chat_concurrency")
    if seen is not None and len(seen):
        cap = log.agents.set_index("agent_id")["max_concurrency"]
        assert (seen["max_sessions_at_once"].to_numpy() <= cap.reindex(seen["agent_id"]).to_numpy()).all()
        assert (seen["max_sessions_at_once"] == cap.reindex(seen["agent_id"]).to_numpy()).mean() > 0.8


def check_kpis(cal, imported) -> None:
    r = reproduce(cal.scenario, imported, seed=11)
    for row in r.itertuples():
        if row.metric == "aht_s":
            assert abs(row.difference) <= AHT_REL * row.observed, row
        elif row.metric in TOLERANCE:
            assert abs(row.difference) <= TOLERANCE[row.metric], row


def test_recovered_parameters_lie_within_their_intervals(rt):
    sc, log, _imported, cal = rt
    check_parameters(sc, log, cal)


def test_calibrated_scenario_reproduces_the_exports_kpis(rt):
    _sc, _log, imported, cal = rt
    check_kpis(cal, imported)


def test_patience_naive_mean_is_far_below_the_censored_estimate(rt):
    sc, _log, _imported, cal = rt
    for q, spec in sc.queues.items():
        naive = _est(cal, q, "naive mean wait of abandoners")["estimate"]
        assert naive < 0.7 * spec.patience.mean_s < _est(cal, q, "patience.mean_s")["ci_high"]


def test_all_tables_imported_and_groups_recovered(rt):
    sc, _log, imported, cal = rt
    assert set(imported.manifest["observed_tables"]) >= {"contacts", "agent_states", "attendance", "qa"}
    for info in imported.manifest["tables"].values():
        assert info["rows_in"] == info["rows_imported"] + info["rows_quarantined"]
    assert [g.name for g in cal.scenario.agents] == sorted(g.name for g in sc.agents)
    truth = {g.name: g for g in sc.agents}
    for g in cal.scenario.agents:
        assert g.count == truth[g.name].count
        assert set(g.skills) == set(truth[g.name].skills)
        for wd in range(7):  # the same working days, shift times within 30 minutes
            mine, theirs = g.shift_on(wd), truth[g.name].shift_on(wd)
            assert (mine is None) == (theirs is None), (g.name, wd)
            if mine is not None and theirs is not None:
                from kpisim.scenario.models import parse_clock

                assert abs(parse_clock(mine.start) - parse_clock(theirs.start)) <= 30
                assert abs(parse_clock(mine.end) - parse_clock(theirs.end)) <= 30
    assert np.isfinite(cal.defaults()["default"].astype(str).str.len()).all()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["phone_centre", "shop_chat"])
def test_roundtrip_full_month(tmp_path_factory, name):
    sc, log, imported, cal = _roundtrip(tmp_path_factory, name, 30)
    check_parameters(sc, log, cal)
    check_kpis(cal, imported)
    for m in sc.multipliers:  # promotion days are detected, with the right size
        for q in m.queues or list(sc.queues):
            _inside(_est(cal, q, f"multiplier.{m.date}"), m.factor)
