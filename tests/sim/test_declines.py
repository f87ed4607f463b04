"""Hidden declines and off-days (``Scenario.declines``): off by default, drawn at the configured
rates, and applied where the engine uses the agent's skill."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from kpisim.errors import SpecError
from kpisim.scenario.declines import Declines
from kpisim.scenario.models import load_scenario
from kpisim.sim.declines import draw_declines
from kpisim.sim.run import simulate
from tests.sim.test_scenario_validation import BASE
from tests.simhelpers import mmn_scenario


def _fixed(days: int = 6, **declines):
    """Fixed 240 s handle time, every agent of speed 1: handle_s = 240 x the decline factor."""
    sc = mmn_scenario(
        agents=6,
        per_min=1.0,
        handle_s=240,
        patience_s=None,
        days=days,
        handle={"dist": "fixed", "mean_s": 240},
    )
    return sc.model_copy(update={"declines": Declines(**declines)}) if declines else sc


def test_declines_are_off_by_default_and_the_table_is_empty():
    sc = _fixed()
    assert not sc.declines.active
    log = simulate(sc, seed=3)
    assert log.declines.empty
    assert list(log.declines.columns)[:3] == ["scenario_id", "replication", "seed"]
    # a zero rate is the same as no declines: identical contacts
    zero = simulate(
        sc.model_copy(update={"declines": Declines(rate_per_agent_month=0.0, off_day_prob=0.0)}), seed=3
    )
    pd.testing.assert_frame_equal(zero.contacts, log.contacts)


def test_configured_rates_within_tolerance():
    """2000 agents x 30 days: declines ~ Binomial(agents, 1 - (1 - rate/30)^30) (no second decline
    while one runs), off-days ~ Binomial(worked days, off_day_prob); both within 4 sd."""
    n, days, rate, p = 2000, 30, 0.2, 0.05
    spec = Declines(rate_per_agent_month=rate, size=0.3, off_day_prob=p, off_day_size=0.4)
    att = pd.DataFrame(
        {
            "agent": np.repeat(np.arange(n), days),
            "day": np.tile(np.arange(days), n),
            "absent": np.tile(np.arange(days) % 10 == 0, n),  # 3 absent days per agent: never off-days
            "leave": False,
        }
    )
    dec = draw_declines(spec, n, days, att, np.random.default_rng(7))
    kinds = pd.DataFrame(dec.spells, columns=["agent", "kind", "first", "end", "size"])
    declines, offs = kinds[kinds["kind"] == "decline"], kinds[kinds["kind"] == "off_day"]
    q = 1 - (1 - rate / 30) ** days
    assert abs(len(declines) - n * q) < 4 * np.sqrt(n * q * (1 - q))
    assert (declines["end"] == days).all() and declines["agent"].is_unique
    worked = n * (days - 3)
    assert abs(len(offs) - worked * p) < 4 * np.sqrt(worked * p * (1 - p))
    assert not (offs["first"] % 10 == 0).any()  # absent days are never off-days
    assert (offs["end"] == offs["first"] + 1).all()
    # the factors: a decline day slows by 1.3, an off-day inside a decline by 1.3 x 1.4
    a, d = int(declines["agent"].iloc[0]), int(declines["first"].iloc[0])
    assert dec.slow[a, d] in (pytest.approx(1.3), pytest.approx(1.3 * 1.4))
    assert dec.odds[a, d] in (pytest.approx(0.7), pytest.approx(0.7 * 0.6))


def test_duration_ends_a_decline_and_another_may_follow():
    spec = Declines(rate_per_agent_month=15.0, size=0.2, duration_days=3)
    att = pd.DataFrame({"agent": [], "day": [], "absent": [], "leave": []})
    dec = draw_declines(spec, 50, 40, att, np.random.default_rng(1))
    spells = pd.DataFrame(dec.spells, columns=["agent", "kind", "first", "end", "size"])
    assert ((spells["end"] - spells["first"]) <= 3).all()
    assert spells.groupby("agent").size().max() > 1  # a new decline after the previous ended
    for _, g in spells.groupby("agent"):
        assert (g["first"].to_numpy()[1:] >= g["end"].to_numpy()[:-1]).all()  # never overlapping


def test_simulated_handle_time_follows_the_hidden_table():
    """Every answered contact's handle time is 240 s x the product of the declines and off-days
    running on the agent's answer day (exact, since base work and speed are fixed)."""
    sc = _fixed(days=8, rate_per_agent_month=3.0, size=0.25, off_day_prob=0.2, off_day_size=0.5)
    log = simulate(sc, seed=4)
    hidden = log.declines
    assert set(hidden["kind"]) == {"decline", "off_day"}
    c = log.contacts[log.contacts["answered_at"].notna()]
    factor = np.ones(len(c))
    day = c["answered_at"].dt.floor("D").to_numpy()
    agent = c["agent_id"].to_numpy()
    for row in hidden.itertuples():
        on = (
            (agent == row.agent_id)
            & (day >= row.start_at.to_datetime64())
            & (day < row.end_at.to_datetime64())
        )
        factor[on] *= 1 + row.size
    np.testing.assert_allclose(c["handle_s"].to_numpy(), 240 * factor)
    assert (factor > 1).mean() > 0.1  # the check covers slowed contacts too


def test_declines_lower_resolution():
    """A 60 % loss of resolution odds lowers the share resolved (0.8 -> odds 4 x 0.4 -> 0.615)."""
    base = mmn_scenario(
        agents=6, per_min=1.0, handle_s=240, patience_s=None, days=4, outcomes={"resolve": 0.8}
    )
    on = base.model_copy(update={"declines": Declines(off_day_prob=1.0, off_day_size=0.6)})
    r0 = simulate(base, seed=2).contacts
    r1 = simulate(on, seed=2).contacts
    p0 = r0.loc[r0["answered_at"].notna(), "resolved"].mean()
    p1 = r1.loc[r1["answered_at"].notna(), "resolved"].mean()
    assert p0 == pytest.approx(0.8, abs=0.03)
    assert p1 == pytest.approx(0.8 * 0.4 / (1 - 0.8 + 0.8 * 0.4), abs=0.03)


def test_bad_declines_name_the_field(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**BASE, "declines": {"size": 1.2}}))
    with pytest.raises(SpecError) as e:
        load_scenario(path)
    assert e.value.field == "declines.size" and "1.2" in e.value.message
    path.write_text(yaml.safe_dump({**BASE, "declines": {"rate": 0.1}}))
    with pytest.raises(SpecError, match="unknown key 'rate'"):
        load_scenario(path)
