"""Repeat and transferred contacts draw from their own streams, not from ``returns`` (issue #11,
bug 7): the ``returns`` stream decides only whether and when a customer comes back."""

from __future__ import annotations

import numpy as np

from kpisim.rng import STREAMS, population_rng, streams
from kpisim.sim.arrivals import draw_arrivals
from kpisim.sim.distributions import draw
from kpisim.sim.engine import Engine
from kpisim.sim.population import build_calendar, draw_traits
from tests.simhelpers import mmn_scenario

SEED = 11


def scenario(return_delay_h: float):
    """Unresolved customers come back (two attempts more at most), with handle, wrap and patience."""
    return mmn_scenario(
        agents=6,
        per_min=1.0,
        handle_s=240,
        patience_s=120,
        days=2,
        wrap_up={"dist": "lognormal", "mean_s": 30, "cv": 0.5},
        outcomes={"resolve": 0.6, "return_prob": 0.9, "return_delay_h": return_delay_h},
    )


def run(sc) -> Engine:
    rngs = streams(SEED, 0)
    roster = draw_traits(sc, population_rng(SEED))
    calendar = build_calendar(sc, roster, rngs["attendance"])
    eng = Engine(sc, roster, calendar.blocks, rngs)
    eng.run(*draw_arrivals(sc, rngs["arrivals"]))
    return eng


def test_streams_are_appended_not_inserted():
    assert STREAMS[:12] == (
        "arrivals",
        "handle",
        "patience",
        "outcomes",
        "traits",
        "attendance",
        "conduct",
        "returns",
        "chat",
        "qa",
        "silent",
        "wrap",
    )
    assert STREAMS[12:16] == ("return_handle", "return_patience", "return_wrap", "return_outcomes")
    assert STREAMS[16:18] == ("tactics", "detection")  # agents' behaviour (appended)
    assert STREAMS[18:] == ("turnover", "hires")  # runs of several months (appended)


def test_repeat_contacts_draw_from_the_return_streams():
    sc = scenario(1.0)
    eng = run(sc)
    rec, n0 = eng.contacts, eng.n_customers
    k = len(rec) - n0
    assert k > 100 and (np.asarray(rec.attempt[n0:]) > 1).all()
    spec = sc.queues["main"]
    fresh = streams(SEED, 0)
    want = {
        "work_s": [draw(spec.handle, 1, fresh["return_handle"])[0] for _ in range(k)],
        "patience_s": [draw(spec.patience, 1, fresh["return_patience"])[0] for _ in range(k)],
        "wrap_s": [draw(spec.wrap_up, 1, fresh["return_wrap"])[0] for _ in range(k)],
    }
    u = np.array([fresh["return_outcomes"].random(2) for _ in range(k)])
    for field, values in want.items():
        np.testing.assert_array_equal(getattr(rec, field)[n0:], values, err_msg=field)
    np.testing.assert_array_equal(rec.u_resolve[n0:], u[:, 0])
    np.testing.assert_array_equal(rec.u_transfer[n0:], u[:, 1])


def test_changing_the_return_delay_keeps_the_other_draws():
    """Common random numbers: only the return delays move; first contacts keep their work and
    patience, and the k-th repeat contact gets the same draws whenever it comes back."""
    a, b = run(scenario(1.0)), run(scenario(3.0))
    n0 = a.n_customers
    assert b.n_customers == n0
    for field in ("arrival_s", "work_s", "patience_s", "wrap_s", "u_resolve", "u_transfer"):
        assert getattr(a.contacts, field)[:n0] == getattr(b.contacts, field)[:n0], field
    k = min(len(a.contacts), len(b.contacts)) - n0
    assert k > 100
    for field in ("work_s", "patience_s", "wrap_s", "u_resolve", "u_transfer"):
        assert getattr(a.contacts, field)[n0 : n0 + k] == getattr(b.contacts, field)[n0 : n0 + k], field
    # ...while the return delays themselves did change
    assert a.contacts.arrival_s[n0:] != b.contacts.arrival_s[n0:]
