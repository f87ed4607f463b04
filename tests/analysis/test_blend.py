"""``blend_sweep``: the blend threshold's trade-off, from the simulation (issue #19)."""

from __future__ import annotations

import pytest

from kpisim.analysis.blend import blend_sweep, with_keep_free
from kpisim.errors import KpisimError
from tests.sim.outbound_helpers import blended


def test_blend_sweep_trades_service_level_for_dials():
    sc = blended(days=1, campaign={})
    s = blend_sweep(sc, keep_free=[3, 0], replications=2, seed=11)
    assert list(s["keep_free"]) == [3, 0] and (s["n"] == 2).all()
    hi, lo = s.iloc[0], s.iloc[1]
    assert hi["service_level"] > lo["service_level"]
    assert hi["dial_attempts_per_day"] < lo["dial_attempts_per_day"]
    assert hi["sales_per_day"] <= lo["sales_per_day"]
    assert hi["blended_occupancy"] < lo["blended_occupancy"] <= 1
    for c in ("service_level", "dial_attempts_per_day"):
        assert (s[f"{c}_lo"] <= s[c]).all() and (s[c] <= s[f"{c}_hi"]).all()


def test_with_keep_free_changes_only_the_blend_threshold():
    sc = blended(campaign={})
    sc2 = with_keep_free(sc, 4)
    assert sc2.campaigns["sales"].blend.keep_free == 4 and sc.campaigns["sales"].blend.keep_free == 1
    assert (
        sc2.campaigns["sales"].model_copy(update={"blend": sc.campaigns["sales"].blend})
        == sc.campaigns["sales"]
    )
    with pytest.raises(KpisimError, match="campaigns are"):
        with_keep_free(blended(), 1)
