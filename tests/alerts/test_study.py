"""``alert_study``: the same numbers sequentially and in worker processes, and the same as
judging the rules on the simulated log directly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kpisim.analysis.alerts import alert_study, evaluate_alerts
from kpisim.analysis.executors import LocalProcesses
from kpisim.policy.alerts_models import load_alerts
from kpisim.report import write_alert_study
from kpisim.scenario.declines import Declines
from kpisim.sim.run import simulate
from tests.simhelpers import mmn_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_study_is_executor_independent_and_matches_evaluate(tmp_path):
    sc = mmn_scenario(agents=10, per_min=0.4, handle_s=240, patience_s=None, days=14)
    dec = Declines(rate_per_agent_month=3.0, duration_days=4, off_day_prob=0.05)
    files = [load_alerts(ROOT / "scenarios" / "alerts" / f"{n}.yaml") for n in ("s4_coaching", "ewma")]
    seq = alert_study(sc, files, declines=dec, replications=2, seed=3, executor="sequential")
    with LocalProcesses(2) as ex:
        par = alert_study(sc, files, declines=dec, replications=2, seed=3, executor=ex)
    pd.testing.assert_frame_equal(seq.summary, par.summary)
    assert list(seq.summary["rules_id"]) == ["s4_coaching", "s4_coaching", "ewma", "ewma"]
    assert seq.summary["declines"].gt(0).all() and (seq.summary["replications"] == 2).all()
    log = simulate(sc.model_copy(update={"declines": dec}), seed=3, replications=2)
    direct = evaluate_alerts(log, files[1])
    got = seq.summary[seq.summary["rules_id"] == "ewma"].drop(columns="rules_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, direct)
    # the files behind the figure
    written = write_alert_study(seq, tmp_path / "study")
    assert sorted(Path(p).name for p in written.values()) == sorted(
        ["summary.csv", "exposure.csv", "declines.csv", "alert_tradeoff.png", "manifest.json"]
    )
    back = pd.read_csv(written["summary"])
    assert back["false_alarms_per_agent_month"].tolist() == pytest.approx(
        seq.summary["false_alarms_per_agent_month"].tolist()
    )
