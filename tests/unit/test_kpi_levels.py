"""Levels, periods, not-applicable NaNs, re-aggregation and the registry's definition checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kpisim
from kpisim.errors import DataError, KpisimError, SpecError
from kpisim.kpi import docs
from kpisim.kpi.compute import kpis, reaggregate
from kpisim.kpi.registry import COLUMNS, METRICS, resolve_definitions
from kpisim.testing.synth import log_from_rows, synthetic_log

# The keys agreed with the policy engineer (formerly kpisim/kpi/registry_keys.txt): key -> direction.
AGREED = dict(
    [
        ("offered", "neutral"),
        ("handled", "higher"),
        ("abandoned", "lower"),
        ("blocked", "lower"),
        ("service_level", "higher"),
        ("asa_s", "lower"),
        ("aht_s", "lower"),
        ("talk_s", "lower"),
        ("acw_s", "lower"),
        ("abandon_rate", "lower"),
        ("avg_time_to_abandon_s", "lower"),
        ("queue_placement_rate", "neutral"),
        ("occupancy", "neutral"),
        ("utilisation", "neutral"),
        ("actual_work_rate", "higher"),
        ("transfer_rate", "lower"),
        ("fcr_rate", "higher"),
        ("contacts_per_hour", "higher"),
        ("contacts_per_day", "higher"),
        ("first_response_s", "lower"),
        ("avg_response_s", "lower"),
        ("reply_rate", "higher"),
        ("invalid_session_rate", "lower"),
        ("conversion_rate", "higher"),
        ("orders", "higher"),
        ("aov_cents", "higher"),
        ("sales_cents", "higher"),
        ("refund_rate", "lower"),
        ("rescue_rate", "higher"),
        ("csat_mean", "higher"),
        ("csat_positive_rate", "higher"),
        ("rating_participation", "higher"),
        ("nps", "higher"),
        ("complaints", "lower"),
        ("complaint_rate", "lower"),
        ("praise", "higher"),
        ("qa_mean", "higher"),
        ("qa_pass_rate", "higher"),
        ("qa_reviews", "neutral"),
        ("late_count", "lower"),
        ("long_late_count", "lower"),
        ("absence_days", "lower"),
        ("leave_days", "lower"),
        ("days_worked", "neutral"),
        ("logged_in_h", "higher"),
        ("avg_daily_online_h", "higher"),
        ("hangup_h", "lower"),
        ("short_online_days", "lower"),
        ("relative_volume", "higher"),
        ("relative_online_time", "higher"),
        ("rule_breach", "lower"),
        ("poor_attitude", "lower"),
        ("ignored_customer", "lower"),
        ("wrong_answer", "lower"),
        ("unclear_agreement", "lower"),
        ("handover_failure", "lower"),
        ("work_handoff", "lower"),
        ("after_hours_help", "higher"),
        ("adopted_idea", "higher"),
        ("silent_order_sales_cents", "neutral"),
    ]
)
AGREED_DEFAULTS = {
    ("service_level", "threshold_s"): 20,
    ("service_level", "short_abandon_s"): 0,
    ("service_level", "abandons_count"): True,
    ("fcr_rate", "window_h"): 24,
    ("complaint_rate", "per"): 100,
    ("csat_positive_rate", "positive_min"): 4,
    ("qa_pass_rate", "pass_mark"): 97,
    ("late_count", "long_min"): 15,
    ("short_online_days", "min_online_h"): 7.5,
    ("short_online_days", "max_hangup_h"): 1.5,
    ("sales_cents", "net"): True,
    ("relative_volume", "group"): "team",
}


@pytest.fixture(scope="module")
def log():
    return synthetic_log(3000, n_agents=12, n_teams=3, days=40, seed=5)


def test_registry_keeps_every_agreed_key_and_direction():
    assert {k: METRICS[k].direction for k in AGREED} == AGREED


def test_registry_agreed_defaults():
    defs = resolve_definitions()
    assert {kp: defs[kp[0]][kp[1]] for kp in AGREED_DEFAULTS} == AGREED_DEFAULTS


def test_registry_columns_are_known_and_have_row_rules(log):
    for m in METRICS.values():
        assert all(c in COLUMNS for c in m.columns), m.key
        if m.kind == "relative":
            assert m.base in METRICS
    k = kpis(log, by=())
    assert all(c in k.columns for c in COLUMNS)


def test_public_names():
    assert kpisim.kpis is kpis and kpisim.METRICS is METRICS


def test_every_metric_has_typed_bounds():
    from kpisim.kpi.registry import SHARE, Bounds

    special = {"nps": Bounds(-100.0, 100.0), "csat_mean": Bounds(1.0, 5.0), "qa_mean": Bounds(0.0, 100.0)}
    for k, m in METRICS.items():
        assert isinstance(m.bounds, Bounds), k
        if k in special:
            assert m.bounds == special[k], k
        elif m.unit == "ratio" and m.kind == "ratio":
            assert m.bounds == SHARE, k  # shares of a count
        else:  # counts, durations, money, per-N rates, relative values
            assert m.bounds == Bounds(0.0, None), k
    # issue #11: complaints per 100 contacts is not a share, whatever its name says
    assert METRICS["complaint_rate"].bounds.upper is None
    assert METRICS["relative_volume"].bounds.upper is None
    assert Bounds(0.0, 1.0).clip(1.7) == 1.0 and Bounds(None, None).clip(-3.0) == -3.0
    with pytest.raises(ValueError, match="lower 2 must be below upper 1"):
        Bounds(2, 1)


def test_docs_metrics_md_is_up_to_date():
    assert docs.DOC_PATH.read_text(encoding="utf-8") == docs.render(), (
        "docs/metrics.md is stale: run `python -m kpisim.kpi.docs`"
    )


@pytest.mark.parametrize(
    "defs, match",
    [
        ({"service_levle": {}}, r"unknown metric 'service_levle'; allowed: .*service_level"),
        (
            {"service_level": {"treshold_s": 30}},
            r"service_level.treshold_s: unknown parameter 'treshold_s'; "
            r"allowed: abandons_count, short_abandon_s, threshold_s",
        ),
        ({"handled": {"x": 1}}, r"handled.x: unknown parameter 'x'; allowed: \(none"),
        ({"service_level": {"threshold_s": "30s"}}, r"threshold_s: bad value '30s': expected a number"),
        ({"service_level": {"threshold_s": -1}}, r"threshold_s: bad value -1: must be >= 0"),
        ({"service_level": {"abandons_count": 1}}, r"abandons_count: bad value 1: expected true or false"),
        (
            {"occupancy": {"work_states": ["busy", "lunch"]}},
            r"work_states: bad value 'lunch': allowed: available, busy",
        ),
        (
            {"complaint_rate": {"base": "calls"}},
            r"complaint_rate.base: bad value 'calls': allowed: handled, orders",
        ),
        ({"csat_positive_rate": {"positive_min": 4.5}}, r"positive_min: bad value 4.5: expected an integer"),
        ({"fcr_rate": 12}, r"fcr_rate: bad value 12: expected a mapping"),
    ],
)
def test_bad_definitions(defs, match):
    with pytest.raises(SpecError, match=match):
        resolve_definitions(defs)


def test_bad_arguments(log):
    with pytest.raises(SpecError, match=r"unknown metric 'csat'; allowed"):
        kpis(log, metrics=["csat"])
    with pytest.raises(SpecError, match=r"by: site: unknown column 'site'; allowed: agent_id, channel"):
        kpis(log, by=("site",))
    with pytest.raises(SpecError, match=r"unknown period 'quarter'; allowed: interval, day, week, month"):
        kpis(log, period="quarter")
    with pytest.raises(SpecError, match=r"interval_min.*bad value 7"):
        kpis(log, period="interval", interval_min=7)
    with pytest.raises(KpisimError, match="expected an EventLog, got list"):
        kpis([1, 2])


def test_missing_column_and_missing_arrival_are_data_errors(log):
    tables = dict(log.tables)
    tables["contacts"] = log.contacts.drop(columns=["wait_s"])
    with pytest.raises(DataError, match=r"'contacts': missing column\(s\) \['wait_s'\]"):
        kpis(tables)
    tables["contacts"] = log.contacts.assign(arrival_at=pd.NaT)
    with pytest.raises(DataError, match="3000 contact\\(s\\) without arrival_at"):
        kpis(tables)


def test_metrics_selection_keeps_only_their_columns(log):
    k = kpis(log, metrics=["aht_s", "relative_volume"])
    assert [c for c in k.columns if c in METRICS] == ["aht_s", "relative_volume"]
    assert {"sum_handle_wrap_s", "n_handled"} <= set(k.columns)
    assert "n_offered" not in k.columns
    full = kpis(log)
    assert np.allclose(k["aht_s"], full["aht_s"], equal_nan=True)
    assert np.allclose(k["relative_volume"], full["relative_volume"], equal_nan=True)


@pytest.mark.parametrize(
    "by, nan, real",
    [
        (
            ("agent_id",),
            ["offered", "service_level", "abandon_rate", "n_offered"],
            ["aht_s", "occupancy", "late_count"],
        ),
        (("team",), ["relative_volume", "abandoned"], ["handled", "utilisation", "absence_days"]),
        (
            ("queue",),
            ["occupancy", "late_count", "contacts_per_hour", "relative_volume"],
            ["service_level", "qa_mean"],
        ),
        (("channel",), ["utilisation", "rule_breach"], ["offered", "fcr_rate"]),
        ((), ["relative_volume"], ["offered", "occupancy", "rule_breach", "silent_order_sales_cents"]),
    ],
)
def test_not_applicable_is_nan(log, by, nan, real):
    k = kpis(log, by=by)
    for c in nan:
        assert k[c].isna().all(), c
    for c in real:
        assert k[c].notna().any(), c


def test_one_row_per_key_and_carried_attributes(log):
    k = kpis(log, by=("agent_id",), period="week")
    assert not k.duplicated(["scenario_id", "replication", "agent_id", "period"]).any()
    assert k["team"].notna().all() and (k["period"].dt.day_of_week == 0).all()
    q = kpis(log, by=("queue",), period="day")
    assert set(zip(q["queue"], q["channel"], strict=False)) == {
        ("presales", "chat"),
        ("aftersales", "chat"),
        ("voice_support", "voice"),
    }


def test_week_starts_monday_and_months_split():
    base = dict(queue="q", channel="voice", agent_id="A1")
    rows = [
        dict(
            contact_id=1, arrival_at="2024-03-10 23:59", answered_at="2024-03-10 23:59:30", **base
        ),  # Sunday
        dict(contact_id=2, arrival_at="2024-03-11 00:01", answered_at="2024-03-11 00:01:30", **base),
        dict(contact_id=3, arrival_at="2024-03-31 10:00", answered_at="2024-03-31 10:00:30", **base),
    ]
    w = kpis(log_from_rows(contacts=rows), by=(), period="week")
    assert list(w["period"]) == [
        pd.Timestamp("2024-03-04"),
        pd.Timestamp("2024-03-11"),
        pd.Timestamp("2024-03-25"),
    ]
    i = kpis(log_from_rows(contacts=rows), by=(), period="interval", interval_min=15)
    assert list(i["period"]) == [
        pd.Timestamp("2024-03-10 23:45"),
        pd.Timestamp("2024-03-11 00:00"),
        pd.Timestamp("2024-03-31 10:00"),
    ]
    m = kpis(log_from_rows(contacts=rows), by=(), period="month")
    assert list(m["handled"]) == [3]


def test_unassigned_contacts_only_above_agent_level(log):
    a = kpis(log, by=("agent_id",))
    c = kpis(log, by=())
    assert a["n_handled"].sum() == c["n_handled"].sum() == log.contacts["answered_at"].notna().sum()
    assert c["n_offered"].sum() == len(log.contacts)


def test_replications_are_separate_rows():
    one = synthetic_log(500, n_agents=4, days=5, seed=1)
    two = synthetic_log(500, n_agents=4, days=5, seed=1, replication=1)
    both = {n: pd.concat([one.tables[n], two.tables[n]], ignore_index=True) for n in one.tables}
    k = kpis(both, by=())
    assert list(k["replication"]) == [0, 1]
    assert k.iloc[0]["handled"] == kpis(one, by=()).iloc[0]["handled"]


def _plain(s: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in s.astype(object)]


def _same(a: pd.DataFrame, b: pd.DataFrame):
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        x, y = a[c], b[c]
        if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
            assert np.allclose(
                x.to_numpy(float, na_value=np.nan),
                y.to_numpy(float, na_value=np.nan),
                rtol=1e-9,
                equal_nan=True,
            ), c
        else:
            assert _plain(x) == _plain(y), c


@pytest.mark.parametrize("period", ["day", "month"])
@pytest.mark.parametrize("target", [("team",), ("shift",), ()])
def test_reaggregate_agent_to_coarser_equals_direct(log, period, target):
    agents = kpis(log, by=("agent_id",), period=period)
    direct = kpis(log, by=target, period=period)
    re = reaggregate(agents, by=target)
    if target == ():  # agent rows hold no unassigned contacts: queue-only metrics stay NaN
        assert re["offered"].isna().all()
        cols = [
            c
            for c in direct.columns
            if c in re.columns and not direct[c].isna().all() and re[c].notna().any()
        ]
        _same(direct[cols], re[cols])
    else:
        _same(direct, re)


def test_reaggregate_queue_to_channel_and_from_csv(log, tmp_path):
    q = kpis(log, by=("queue",), period="day", definitions={"complaint_rate": {"per": 1000}})
    direct = kpis(log, by=("channel",), period="day", definitions={"complaint_rate": {"per": 1000}})
    _same(direct, reaggregate(q, by=("channel",)))
    p = tmp_path / "q.csv"
    q.to_csv(p, index=False)
    back = pd.read_csv(p, parse_dates=["period"])
    re = reaggregate(back, by=("channel",), definitions={"complaint_rate": {"per": 1000}})
    _same(direct.drop(columns=["scenario_id", "channel"]), re.drop(columns=["scenario_id", "channel"]))


def test_reaggregate_needs_the_column(log):
    with pytest.raises(SpecError, match="column 'queue' is not in the KPI table"):
        reaggregate(kpis(log, by=("agent_id",)), by=("queue",))


def test_unobserved_tables_give_nan_not_zero():
    rows = [
        dict(
            contact_id=1,
            queue="q",
            channel="voice",
            agent_id="A1",
            arrival_at="2024-03-04 09:00",
            answered_at="2024-03-04 09:00:10",
        )
    ]
    seen = kpis(log_from_rows(contacts=rows), by=("agent_id",))
    assert seen.iloc[0]["rule_breach"] == 0 and seen.iloc[0]["logged_in_h"] == 0
    unseen = kpis(log_from_rows(contacts=rows, observed=["contacts", "agents"]), by=("agent_id",))
    assert pd.isna(unseen.iloc[0]["rule_breach"]) and pd.isna(unseen.iloc[0]["logged_in_h"])
    assert unseen.iloc[0]["handled"] == 1
