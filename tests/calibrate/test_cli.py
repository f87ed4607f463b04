"""``kpisim calibrate`` on the bundled sample export and on a round-trip export directory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import kpisim
from kpisim.cli import main
from kpisim.scenario.models import load_scenario
from kpisim.sim.run import simulate
from kpisim.testing.export import write_export

DATA = Path(kpisim.__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]


def test_calibrate_the_bundled_sample_export(tmp_path, capsys):
    out = tmp_path / "cal" / "scenario.yaml"
    rc = main(
        [
            "calibrate",
            str(DATA / "sample_export.csv"),
            "--mapping",
            str(DATA / "sample_mapping.yaml"),
            "--roster",
            str(DATA / "sample_roster.csv"),
            "--quarantine",
            str(tmp_path / "bad.csv"),
            "--customer-share",
            "0.025",
            "--check-replications",
            "0",
            "--out",
            str(out),
        ]
    )
    assert rc == 0, capsys.readouterr().err
    sc = load_scenario(out)  # a valid scenario file
    assert set(sc.queues) == {"presales", "aftersales"} and sc.n_agents == 35
    assert 3000 < sc.queues["presales"].daily_volume < 4000  # every 40th customer, scaled back up
    page = (out.parent / "calibration.html").read_text(encoding="utf-8")
    for heading in (
        "1. Arrivals",
        "2. Handle time",
        "3. Patience",
        "4. Chat",
        "5. Outcomes",
        "Not identified",
    ):
        assert heading in page
    est = pd.read_csv(out.parent / "calibration_estimates.csv")
    assert {"part", "scope", "parameter", "estimate", "ci_low", "ci_high"} <= set(est.columns)
    defaults = pd.read_csv(out.parent / "calibration_defaults.csv")
    assert "shifts" in set(defaults["parameter"])  # no agent-states table in the sample export


def test_calibrate_a_roundtrip_export_directory_with_the_check(tmp_path, capsys):
    sc = load_scenario(ROOT / "scenarios" / "phone_centre.yaml")
    sc = sc.model_copy(update={"horizon": sc.horizon.model_copy(update={"days": 3})})
    d = write_export(simulate(sc, seed=5), tmp_path / "export")
    out = tmp_path / "cal" / "phone.yaml"
    rc = main(
        [
            "calibrate",
            str(d),
            "--mapping",
            str(d / "mapping.yaml"),
            "--roster",
            str(d / "roster.csv"),
            "--out",
            str(out),
            "--no-figures",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "service_level" in printed and "abandon_rate" in printed
    check = pd.read_csv(out.parent / "calibration_kpi_check.csv")
    assert set(check["metric"]) >= {"service_level", "abandon_rate", "aht_s", "fcr_rate"}
    cal = load_scenario(out)
    assert [g.name for g in cal.agents] == ["early", "late", "weekend"]


def test_calibrate_refuses_a_non_yaml_out(tmp_path, capsys):
    rc = main(
        [
            "calibrate",
            str(DATA / "sample_export.csv"),
            "--mapping",
            str(DATA / "sample_mapping.yaml"),
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "use a .yaml file name" in err
