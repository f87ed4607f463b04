"""``kpisim alerts RUN --rules R.yaml [--out DIR]``: lists alerts, judges them when the run has
hidden declines, writes whole outputs; bad input is one line on stderr and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kpisim.analysis.alerts import alerts
from kpisim.cli import main
from kpisim.io.eventlog import load_run, save_run
from kpisim.policy.alerts_models import load_alerts
from kpisim.scenario.declines import Declines
from kpisim.scenario.models import load_scenario
from kpisim.sim.run import simulate

ROOT = Path(__file__).resolve().parents[2]
S4 = ROOT / "scenarios" / "alerts" / "s4_coaching.yaml"


def _run(path: Path, declines: Declines | None) -> Path:
    sc = load_scenario(ROOT / "scenarios" / "phone_centre.yaml")
    sc = sc.model_copy(update={"horizon": sc.horizon.model_copy(update={"days": 16})})
    if declines is not None:
        sc = sc.model_copy(update={"declines": declines})
    return save_run(simulate(sc, seed=2), path)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("alerts_runs")
    return _run(d / "plain", None), _run(
        d / "declines", Declines(rate_per_agent_month=1.0, off_day_prob=0.05)
    )


def test_lists_alerts_and_writes_them_whole(runs, tmp_path, capsys):
    _, run = runs
    out = tmp_path / "out"
    assert main(["alerts", str(run), "--rules", str(S4), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    expected = alerts(load_run(run), load_alerts(S4))
    assert text.startswith(f"{len(expected)} alert(s) from 2 rule(s) of s4_coaching")
    assert "Against the run's hidden declines" in text and "false alarms per agent-month" in text
    assert sorted(p.name for p in out.iterdir()) == [
        "alert_tradeoff.png",
        "alerts.csv",
        "evaluation.csv",
        "manifest.json",
    ]
    written = pd.read_csv(out / "alerts.csv")
    assert len(written) == len(expected) and list(written.columns) == list(expected.columns)
    assert set(pd.read_csv(out / "evaluation.csv")["rule"]) == {"handle_time_cusum", "fcr_4_of_5"}


def test_a_run_without_hidden_declines_is_not_judged(runs, tmp_path, capsys):
    run, _ = runs
    out = tmp_path / "out"
    assert main(["alerts", str(run), "--rules", str(S4), "--out", str(out)]) == 0
    assert "hidden declines" not in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["alerts.csv", "manifest.json"]


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("missing rules", "none.yaml: file not found"),
        ("bad metric", "rules.yaml: rules[r].metric: unknown metric 'aht'"),
        ("not a run", "not a kpisim run directory"),
        ("out is a file", "exists and is not a directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(runs, tmp_path, capsys, case, text):
    run, _ = runs
    rules, out = S4, tmp_path / "out"
    if case == "missing rules":
        rules = tmp_path / "none.yaml"
    elif case == "bad metric":
        rules = tmp_path / "rules.yaml"
        rules.write_text("id: x\nrules:\n  - {name: r, type: cusum, metric: aht}\n")
    elif case == "not a run":
        run = tmp_path
    else:
        out.write_text("keep")
    assert main(["alerts", str(run), "--rules", str(rules), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert text in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert (not out.exists()) or out.read_text() == "keep"


def test_validate_knows_alert_rules(tmp_path, capsys):
    assert main(["validate", str(S4)]) == 0
    assert capsys.readouterr().out.strip() == f"{S4}: valid alert rules"
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: alerts\nid: x\nrules:\n  - {name: r, type: ewma, metric: aht_s, weight: 2}\n")
    assert main(["validate", str(bad)]) == 2
    assert "bad.yaml: rules[r].weight: bad value 2" in capsys.readouterr().err
