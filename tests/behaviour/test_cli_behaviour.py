"""`kpisim compare --behaviour equilibrium` writes behaviour.csv and consequences.csv."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kpisim.cli import main
from kpisim.vocab import TACTICS
from tests.behaviour.conftest import tiny_shop

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # ~1 min: compare + respond on a 2-day shop
def test_cli_compare_behaviour_equilibrium(tmp_path, capsys):
    sc = tmp_path / "tiny.yaml"
    shop = tiny_shop()
    # a file may not hold multipliers dated outside its horizon (the 2-day copy keeps Singles' Day)
    end = shop.horizon.start + dt.timedelta(days=shop.horizon.days)
    shop = shop.model_copy(
        update={"multipliers": [m for m in shop.multipliers if shop.horizon.start <= m.date < end]}
    )
    sc.write_text(yaml.safe_dump(shop.model_dump(mode="json"), sort_keys=False), encoding="utf-8")
    params = tmp_path / "behaviour.yaml"
    params.write_text("costs: {gaming_cents: 5000}\n", encoding="utf-8")
    out = tmp_path / "out"
    pol = ROOT / "scenarios/policies/s4_callcentre.yaml"
    args = ["compare", str(sc), "--policy", str(pol), "--replications", "2", "--jobs", "1"]
    rc = main([*args, "--behaviour", "equilibrium", "--behaviour-params", str(params), "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    assert "behaviour s4_callcentre:" in capsys.readouterr().out
    b = pd.read_csv(out / "behaviour.csv")
    assert list(b.columns[:5]) == ["policy", "role", "tactic", "share_using", "share_lo"]
    assert set(b["tactic"]) == set(TACTICS)
    c = pd.read_csv(out / "consequences.csv")
    assert {"true_fcr", "company_cost_cents", "csat_inflation"} <= set(c["measure"])
    assert (out / "report.html").exists() or any(out.glob("*.html"))


def test_bad_behaviour_params_are_one_clear_error(tmp_path, capsys):
    params = tmp_path / "b.yaml"
    params.write_text("costs: {gaming_cents: -1}\n", encoding="utf-8")
    import pytest

    from kpisim.errors import SpecError
    from kpisim.scenario.behaviour import load_behaviour

    with pytest.raises(SpecError, match="gaming_cents"):
        load_behaviour(params)


def test_behaviour_options_are_checked_before_simulating(tmp_path, capsys):
    sc = ROOT / "scenarios/shop_chat.yaml"
    pol = ROOT / "scenarios/policies/s4_callcentre.yaml"
    params = tmp_path / "b.yaml"
    params.write_text("costs: {gaming_cents: -1}\n", encoding="utf-8")
    base = ["compare", str(sc), "--policy", str(pol), "--out", str(tmp_path / "out")]
    assert main([*base, "--behaviour-params", str(params)]) == 2
    assert "--behaviour-params needs --behaviour equilibrium" in capsys.readouterr().err
    assert main([*base, "--behaviour-rounds", "5"]) == 2
    assert "--behaviour-rounds needs --behaviour equilibrium" in capsys.readouterr().err
    assert main([*base, "--behaviour", "equilibrium", "--behaviour-rounds", "0"]) == 2
    assert "--behaviour-rounds" in capsys.readouterr().err
    assert main([*base, "--behaviour", "equilibrium", "--replications", "1"]) == 2
    assert "--replications >= 2" in capsys.readouterr().err
    assert main([*base, "--behaviour", "equilibrium", "--behaviour-params", str(params)]) == 2
    assert "gaming_cents" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing simulated, nothing written
