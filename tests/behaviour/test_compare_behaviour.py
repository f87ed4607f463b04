"""``compare(..., behaviour=...)``: the equilibrium inside a Comparison and its report section."""

from __future__ import annotations

import pandas as pd
import pytest

from kpisim.errors import KpisimError
from kpisim.scenario.behaviour import Behaviour, Costs
from kpisim.vocab import TACTICS
from tests.analysis.standins import volume_policy
from tests.behaviour.conftest import flat, tiny_shop

T = {t: i for i, t in enumerate(TACTICS)}
#: Everyone games cheaply (2,000 cents at intensity 1, nobody refuses to game).
CHEAP = Behaviour(costs=Costs(gaming_cents=2_000, never_game=0.0))


@pytest.fixture(scope="module")
def comp():
    from kpisim import compare

    pols = {"volume": volume_policy(), "flat": flat()}
    return compare(tiny_shop(days=1), pols, replications=2, seed=3, jobs=1, progress=False, behaviour=CHEAP)


def test_compare_holds_the_equilibrium_of_every_policy(comp):
    r = comp.behaviour
    assert set(r.equilibria) == {"volume", "flat"}
    assert r.equilibria["flat"].x.max() == 0  # flat pay buys nothing
    # volume pay, cheap gaming: everyone speeds up (rush or early release), as respond() alone finds
    x = r.equilibria["volume"].x
    assert (x[:, [T["rush"], T["early_release"]]].max(axis=1) > 0.5).all()
    assert r.meta["seed"] == comp.seed and r.meta["replications"] == comp.replications


def test_compare_without_behaviour_has_none_and_bad_values_are_refused():
    from kpisim import compare

    with pytest.raises(KpisimError, match="behaviour must be None, 'equilibrium'"):
        compare(tiny_shop(days=1), {"flat": flat()}, replications=2, behaviour="nash")
    with pytest.raises(KpisimError, match="replications >= 2"):
        compare(tiny_shop(days=1), {"flat": flat()}, replications=1, behaviour="equilibrium")


def test_the_report_has_the_behaviour_section_figure_and_tables(comp, tmp_path):
    from kpisim.report import write_comparison

    files = write_comparison(comp, tmp_path / "out")
    for name in ("behaviour", "consequences", "convergence", "prediction"):
        pd.testing.assert_frame_equal(
            pd.read_csv(files[name]), getattr(comp.behaviour, name), check_dtype=False, atol=1e-9
        )
    assert (tmp_path / "out" / "behaviour.png").stat().st_size > 10_000
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="behaviour"' in html and "Tactics used at equilibrium" in html
    assert "true first-contact resolution" in html and "company cost a month" in html
    # the change in true FCR of the volume plan, as the table prints it (points of %)
    c = comp.behaviour.consequences.query("policy == 'volume' and measure == 'true_fcr'").iloc[0]
    assert f"{100 * c['difference']:+.1f} pts".replace("-", "−") in html


def test_a_report_without_behaviour_has_no_such_section(comp, tmp_path):
    from dataclasses import replace

    from kpisim.report import write_comparison

    files = write_comparison(replace(comp, behaviour=None), tmp_path / "out", figures=False)
    assert "behaviour" not in files
    assert 'id="behaviour"' not in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_behaviour_options_reach_respond_and_bad_ones_are_refused_first(comp, monkeypatch):
    from kpisim import compare
    from kpisim.analysis import compare as compare_module

    assert comp.behaviour.convergence.set_index("policy").loc["volume", "rounds"] > 1
    pols = {"volume": volume_policy(), "flat": flat()}
    one = compare(
        tiny_shop(days=1), pols, replications=2, seed=3, jobs=1, progress=False, behaviour=CHEAP,
        behaviour_options={"max_rounds": 1},
    )  # fmt: skip
    assert (one.behaviour.convergence["rounds"] <= 1).all()

    def no_simulation(*a, **k):
        raise AssertionError("simulated before checking the options")

    monkeypatch.setattr(compare_module, "run_replications", no_simulation)
    with pytest.raises(KpisimError, match=r"unknown option\(s\) rounds; allowed: costs, max_rounds"):
        compare(tiny_shop(days=1), pols, replications=2, behaviour=CHEAP, behaviour_options={"rounds": 3})
    with pytest.raises(KpisimError, match="behaviour_options need behaviour='equilibrium'"):
        compare(tiny_shop(days=1), pols, replications=2, behaviour_options={"max_rounds": 3})
