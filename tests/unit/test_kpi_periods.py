"""Period codes, labels and interval splitting against pandas' own calendar arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.kpi import periods as P
from kpisim.kpi.group import group_sums

TS = pd.to_datetime(
    [
        "1969-12-31 23:59:59",
        "1970-01-01 00:00:00",
        "2024-02-29 23:59:59.999",
        "2024-03-01 00:00:00",
        "2024-03-10 23:59:00",
        "2024-03-11 00:00:00",
        "2026-11-30 12:34:56",
    ],
    format="ISO8601",
)


@pytest.mark.parametrize(
    "period, freq", [("day", "D"), ("week", "W-MON"), ("month", "M"), ("interval", "30min")]
)
def test_labels_are_period_starts(period, freq):
    ns = TS.as_unit("ns").asi8
    got = pd.DatetimeIndex(P.labels(P.codes(ns, period), period))
    if period == "interval":
        want = TS.floor("30min")
    elif period == "week":
        want = (TS - pd.to_timedelta(TS.day_of_week, unit="D")).normalize()
    else:
        want = TS.to_period(freq).start_time
    assert list(got) == list(want)


def test_month_codes_fast_path_matches_numpy_cast():
    rng = np.random.default_rng(1)
    ns = rng.integers(-3 * 10**17, 3 * 10**17, 5000)  # both sides of 1970, small range: lookup table
    assert np.array_equal(
        P.codes(ns, "month"), ns.view("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
    )


def test_split_pieces_cover_the_interval():
    start = pd.to_datetime(
        ["2024-03-04 09:50", "2024-03-31 23:00", "2024-03-04 10:00", "2024-03-04 10:00"],
        format="%Y-%m-%d %H:%M",
    )
    end = pd.to_datetime(
        ["2024-03-04 11:10", "2024-04-01 01:00", "2024-03-04 10:00", "2024-03-04 09:00"],
        format="%Y-%m-%d %H:%M",
    )
    row, code, secs = P.split(start.as_unit("ns").asi8, end.as_unit("ns").asi8, "interval", 60)
    assert list(row) == [0, 0, 0, 1, 1, 2, 3]
    assert list(secs) == [600, 3600, 600, 3600, 3600, 0, 0]  # empty, or an end before the start: 0
    labels = pd.DatetimeIndex(P.labels(code, "interval", 60))
    assert labels[0] == pd.Timestamp("2024-03-04 09:00") and labels[4] == pd.Timestamp("2024-04-01 00:00")
    row, code, secs = P.split(start.as_unit("ns").asi8, end.as_unit("ns").asi8, "month")
    assert list(row) == [0, 1, 1, 2, 3] and list(secs) == [4800, 3600, 3600, 0, 0]


def test_group_sums_with_missing_labels_and_many_keys():
    keys = {
        "a": pd.Series(["x", None, "x", None], dtype="string"),
        "b": np.array([10**15, 1, 10**15, 1]),
        "c": np.array([5, 5, 5, 6]),
    }
    g = group_sums(keys, {"v": np.array([1.0, 2.0, 3.0, 4.0])}).sort_values(["v", "c"]).reset_index(drop=True)
    assert list(g["v"]) == [2.0, 4.0, 4.0] and list(g["c"]) == [5, 5, 6]
    assert g["a"].isna().tolist() == [True, False, True]
