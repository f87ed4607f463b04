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
    assert STREAMS[18:] == (
        "dials",
        "outbound",
        "declines",
    )  # outbound campaigns, then hidden declines (appended)


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


def test_year_streams_are_their_own_append_only_order():
    from kpisim.rng import YEAR_STREAMS, month_streams

    assert YEAR_STREAMS == ("turnover", "hires")
    a, b = month_streams(SEED, 0, 0), month_streams(SEED, 0, 1)
    assert set(a) == set(STREAMS) | set(YEAR_STREAMS)
    one_month = streams(SEED, 0)
    draws = {k: a[k].random() for k in a}
    assert draws["arrivals"] != one_month["arrivals"].random()  # not replication 0's month
    assert draws["turnover"] != b["turnover"].random() and len(set(draws.values())) == len(draws)


def test_one_month_runs_are_bit_identical_to_before_the_year_streams():
    """The year's streams (turnover, hires: YEAR_STREAMS) and the roster/rngs options of simulate_one
    changed nothing: hashes of a tiny run's tables as computed before them (issue #17)."""
    import kpisim
    from kpisim.provenance import frame_sha256
    from tests.behaviour.conftest import tiny_shop

    log = kpisim.simulate(tiny_shop(days=2, k=4), seed=5, replications=2)
    tables = dict(log.tables)
    # contacts.direction (#19, all "inbound" here) came later; every column that existed then is unchanged
    assert (tables["contacts"]["direction"] == "inbound").all()
    tables["contacts"] = tables["contacts"].drop(columns=["direction"])
    want = {
        "contacts": "a55c42969f8d5842529ef234a5d83b2acd10b3efd1c5fcccd7ae46d003219386",
        "agents": "66620cebe376fae276a41f7585ba5e86bd3ade1793f4838c74f63194eb43a00b",
        "attendance": "e2c4d08e7c13927c0efa0d5aa88a4b4c3dc5b4009c17a5af3b0c07f74af33c65",
        "qa": "cbbe7dc457222c4ad3ac57d2526fe7757fb77517e0b2bfb1810286d7e2cc3b56",
    }
    assert {t: frame_sha256(tables[t]) for t in want} == want
