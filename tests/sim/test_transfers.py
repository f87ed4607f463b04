"""Transfers wait for opening hours and stay inside the horizon (issue #11, bug 6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kpisim.kpi.compute import kpis
from kpisim.scenario import load_scenario
from kpisim.sim.run import simulate

ROOT = Path(__file__).resolve().parents[2]


START, DAYS = dt.date(2026, 11, 28), 3  # the horizon ends at a month end


@pytest.fixture(scope="module")
def shop_log():
    # chat sessions still running at midnight of the last day end after the horizon; with this
    # seed the old engine sent 2 of their transfers into December (a spurious month of KPIs)
    sc = load_scenario(ROOT / "scenarios" / "shop_chat.yaml")
    horizon = sc.horizon.model_copy(update={"start": START, "days": DAYS})
    return simulate(sc.model_copy(update={"horizon": horizon}), seed=4)


def test_transferred_contacts_arrive_in_opening_hours_and_inside_the_horizon(shop_log):
    c = shop_log.contacts
    moved = c[c["transfer_of"].notna()]
    assert len(moved) > 10
    start = pd.Timestamp(START)
    hour = (moved["arrival_at"] - moved["arrival_at"].dt.normalize()) / pd.Timedelta(hours=1)
    assert (hour >= 8).all(), moved.loc[hour < 8, "arrival_at"].head()  # shop opens 08:00-24:00
    assert (moved["arrival_at"] < start + pd.Timedelta(days=DAYS)).all()
    assert (c["arrival_at"] < start + pd.Timedelta(days=DAYS)).all()
    # every transfer that did arrive comes from a contact flagged transferred, never before it ended
    src = c.set_index("contact_id").loc[moved["transfer_of"].astype(int)]
    assert src["transferred"].all()
    assert (moved["arrival_at"].to_numpy() >= src["ended_at"].to_numpy()).all()


def test_kpis_by_month_have_exactly_the_horizons_month(shop_log):
    k = kpis(shop_log, by=(), period="month")
    assert len(k) == 1, k[["period", "offered"]] if "offered" in k else k
