"""Outcomes driven by hidden traits: frequencies match configured probabilities, monotonicity,
repeat contacts, reproducible traits. Tolerances are ~4 binomial standard errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.sim.run import simulate
from tests.simhelpers import mmn_scenario


def _se(p, n):
    return np.sqrt(p * (1 - p) / n)


@pytest.fixture(scope="module")
def service_log():
    sc = mmn_scenario(
        agents=30,
        per_min=3.0,
        handle_s=200,
        patience_s=None,
        days=4,
        outcomes={
            "kind": "presales",
            "resolve": 0.8,
            "transfer": 0.05,
            "transfer_to": "main",
            "conversion": 0.4,
            "order_value_cents": 10000,
            "refund": 0.1,
            "survey": 0.5,
            "return_delay_h": 1,
            "max_attempts": 2,
        },
    )
    return simulate(sc, seed=21)


def test_configured_probabilities(service_log):
    c = service_log.contacts
    a = c[c["answered_at"].notna()]
    n = len(a)
    assert a["transferred"].mean() == pytest.approx(0.05, abs=4 * _se(0.05, n))
    not_tr = a[~a["transferred"]]
    assert not_tr["resolved"].mean() == pytest.approx(0.8, abs=4 * _se(0.8, len(not_tr)))
    assert a["survey_responded"].mean() == pytest.approx(0.5, abs=4 * _se(0.5, n))
    orders = a[a["converted"]]
    assert orders["refunded"].mean() == pytest.approx(0.1, abs=4 * _se(0.1, len(orders)))
    # no waiting (plenty of agents): conversion equals the configured rate
    assert a["converted"].mean() == pytest.approx(0.4, abs=4 * _se(0.4, n))
    assert orders["order_value_cents"].mean() == pytest.approx(10000, rel=0.05)


def test_unresolved_customers_come_back(service_log):
    c = service_log.contacts.sort_values("arrival_at")
    first = c[(c["attempt"] == 1) & ~c["resolved"] & ~c["transferred"] & c["answered_at"].notna()]
    repeats = c[c["attempt"] == 2]
    assert len(repeats) > 0
    assert set(repeats["customer_id"]) <= set(first["customer_id"])
    back = repeats.merge(first[["customer_id", "ended_at"]], on="customer_id", suffixes=("", "_first"))
    assert (back["arrival_at"] > back["ended_at_first"]).all()
    # mean delay 1 h (exponential); repeats landing after the horizon are dropped
    delay_h = (back["arrival_at"] - back["ended_at_first"]).dt.total_seconds() / 3600
    assert delay_h.mean() == pytest.approx(1.0, rel=0.15)
    # max_attempts = 2: nobody comes a third time
    assert c["attempt"].max() == 2


def test_transfer_creates_contact_for_same_customer(service_log):
    c = service_log.contacts
    tr = c[c["transfer_of"].notna()]
    src = c.set_index("contact_id").loc[tr["transfer_of"].astype("int64")]
    assert (src["transferred"].to_numpy()).all()
    assert (src["customer_id"].to_numpy() == tr["customer_id"].to_numpy()).all()


def _two_groups(levers_b=None, traits_b=None):
    from kpisim.io.load import validate
    from kpisim.scenario.models import Scenario

    group = {"count": 10, "skills": {"main": 1}, "shifts": {"default": {"start": "00:00", "end": "24:00"}}}
    return validate(
        Scenario,
        {
            "id": "two",
            "horizon": {"start": "2026-11-02", "days": 3, "interval_min": 60},
            "queues": {
                "main": {
                    "channel": "voice",
                    "daily_volume": 3000,
                    "handle": {"dist": "exponential", "mean_s": 240},
                    "outcomes": {
                        "kind": "presales",
                        "resolve": 0.7,
                        "conversion": 0.3,
                        "order_value_cents": 5000,
                        "survey": 1.0,
                        "refund": 0.05,
                        "complaint": 0.02,
                    },
                }
            },
            "agents": [
                {**group, "name": "a"},
                {**group, "name": "b", "levers": levers_b or {}, "traits": traits_b or {}},
            ],
        },
    )


def _by_group(log):
    c = log.contacts[log.contacts["answered_at"].notna()].copy()
    c["group"] = c["agent_id"].str.split("-").str[0]
    return c.groupby("group")


def test_more_skilled_agents_have_better_outcomes():
    log = simulate(
        _two_groups(
            traits_b={
                "resolution": {"mean": 2.0},
                "sales": {"mean": 2.0},
                "courtesy": {"mean": 0.5},
                "speed": {"mean": 0.8},
            }
        ),
        seed=4,
    )
    g = _by_group(log)
    assert g["resolved"].mean()["b"] > g["resolved"].mean()["a"] + 0.05
    assert g["converted"].mean()["b"] > g["converted"].mean()["a"] + 0.05
    assert g["csat"].mean()["b"] > g["csat"].mean()["a"]
    assert g["handle_s"].mean()["b"] < 0.9 * g["handle_s"].mean()["a"]


def test_rush_lowers_handle_time_and_resolution_push_raises_sales_and_complaints():
    rush = _by_group(
        simulate(
            _two_groups(
                levers_b={"rush_handle_factor": 0.7, "rush_resolution_odds": 0.5, "rush_csat_shift": -0.5}
            ),
            seed=4,
        )
    )
    assert rush["handle_s"].mean()["b"] == pytest.approx(0.7 * rush["handle_s"].mean()["a"], rel=0.06)
    assert rush["resolved"].mean()["b"] < rush["resolved"].mean()["a"] - 0.05
    assert rush["csat"].mean()["b"] < rush["csat"].mean()["a"]
    push = _by_group(
        simulate(_two_groups(levers_b={"sales_push_odds": 2.0, "sales_push_complaint_factor": 3.0}), seed=4)
    )
    assert push["converted"].mean()["b"] > push["converted"].mean()["a"] + 0.05
    assert push["complaint"].mean()["b"] > 2 * push["complaint"].mean()["a"]


def test_hidden_traits_reproducible_by_seed():
    sc = _two_groups(traits_b={"sales": {"mean": 1.0, "sd": 0.3}})
    a = simulate(sc, seed=8).agents
    b = simulate(sc, seed=8).agents
    c = simulate(sc, seed=9).agents
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["true_sales"].iloc[10:], c["true_sales"].iloc[10:])
    assert (a["true_sales"].iloc[:10] == 1.0).all()  # sd 0 => exactly the mean
