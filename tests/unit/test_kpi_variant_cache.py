"""``kpi.variants.changed`` keeps what it resolved: the kept answers are the fresh ones, values
that compare equal but validate differently (1, 1.0, True) are told apart, and callers cannot
change what is kept."""

from __future__ import annotations

import pytest

from kpisim.errors import SpecError
from kpisim.kpi import variants
from kpisim.kpi.variants import changed, variant_column


def test_kept_answers_equal_fresh_ones_and_bad_values_still_fail(monkeypatch):
    monkeypatch.setattr(variants, "_CHANGED", {})
    cases = [
        ("fcr_rate", {"window_h": 12}),
        ("fcr_rate", {"window_h": 24}),  # the default: nothing changed
        ("conversion_rate", {"queues": ["presales"]}),
        ("service_level", None),
    ]
    fresh = [changed(m, p) for m, p in cases]
    assert fresh[0] == {"window_h": 12} and fresh[1] == {} and fresh[3] == {}
    assert fresh[2] == {"queues": ("presales",)}
    assert len(variants._CHANGED) == len(cases)
    assert [changed(m, p) for m, p in cases] == fresh
    assert variant_column("fcr_rate", {"window_h": 12}) == "fcr_rate@window_h=12"
    # True == 1 in Python, but a boolean is not a number of hours: still refused after 1 was kept
    assert changed("fcr_rate", {"window_h": 1}) == {"window_h": 1}
    with pytest.raises(SpecError, match="window_h"):
        changed("fcr_rate", {"window_h": True})
    with pytest.raises(SpecError, match="unknown parameter"):
        changed("fcr_rate", {"no_such": 1})


def test_callers_cannot_change_the_kept_answer(monkeypatch):
    monkeypatch.setattr(variants, "_CHANGED", {})
    got = changed("fcr_rate", {"window_h": 12})
    got["window_h"] = 99
    assert changed("fcr_rate", {"window_h": 12}) == {"window_h": 12}
