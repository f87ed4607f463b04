"""Hypothesis properties of policies: tiers agree with a naive reference, scores are monotone in
each metric along its direction, money splits conserve every cent, tie-breaks are deterministic
and independent of row order."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kpisim.policy import load_policy, variant
from kpisim.policy.checks import check_tiers
from kpisim.policy.money import apportion, mul_div_half_up
from kpisim.policy.rule_models import Tier
from kpisim.policy.rules import tiers
from kpisim.policy.scoring import directions
from kpisim.testing.demo import synthetic_kpi_table
from tests.policyhelpers import POLICIES, half_up, make_policy, rows

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BUNDLED = ["s0_songsong", "s1_xiyu_289", "s3_kuaishangtong_presales", "s4_callcentre"]
_LOADED = {name: load_policy(POLICIES / f"{name}.yaml") for name in BUNDLED}


# --- tiers ----------------------------------------------------------------------------------
@st.composite
def tier_tables(draw):
    cuts = sorted(set(draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=0, max_size=6))))
    owns_low = [draw(st.booleans()) for _ in cuts]  # does the lower band include the cut?
    pts = sorted(draw(st.lists(st.floats(0, 100), min_size=len(cuts) + 1, max_size=len(cuts) + 1)))
    out = []
    for i in range(len(cuts) + 1):
        lo = f"{cuts[i - 1]!r} {'<' if owns_low[i - 1] else '<='} " if i > 0 else ""
        hi = f" {'<=' if owns_low[i] else '<'} {cuts[i]!r}" if i < len(cuts) else ""
        # a table without cuts is one band: write it as two bands with equal points
        text = f"{lo}x{hi}" if (lo or hi) else None
        out += (
            [Tier(when=text, points=pts[i])]
            if text
            else [Tier(when="x <= 0", points=pts[i]), Tier(when="x > 0", points=pts[i])]
        )
    if draw(st.booleans()):
        out.reverse()
    return cuts, owns_low, pts, tuple(out)


@SETTINGS
@given(tier_tables(), st.lists(st.floats(-2e6, 2e6, allow_nan=False), max_size=30))
def test_tiers_match_naive_reference(table, values):
    cuts, owns_low, pts, tt = table
    check_tiers(tt, "t", direction="higher", scale=100)  # a valid, monotone table
    xs = np.array(values + cuts, dtype=float)
    got = tiers(xs, tt)
    for x, g in zip(xs, got, strict=False):
        band = 0
        for i, c in enumerate(cuts):
            if x > c or (x == c and not owns_low[i]):
                band = i + 1
        assert g == pts[band]


# --- monotonicity ---------------------------------------------------------------------------
def _metric_uses(policy):
    sc = policy.scorecard
    out = {}
    dirs = directions(policy)
    for item in (*sc.components, *sc.deductions, *sc.bonuses):
        d = getattr(item, "direction", None) or dirs.get(item.metric, "neutral")
        if d != "neutral":
            out[item.metric] = d
    return out


@SETTINGS
@given(st.sampled_from(BUNDLED), st.data(), st.integers(0, 10_000))
def test_total_is_monotone_in_each_metric_along_its_direction(name, data, seed):
    p = _LOADED[name]
    uses = _metric_uses(p)
    metric = data.draw(st.sampled_from(sorted(uses)))
    df = synthetic_kpi_table(8, 1, seed=seed, team_size=4)
    # the policy's own scorecard is its pre-sales card where it has roles
    i = data.draw(st.sampled_from([int(j) for j in np.flatnonzero(df["skill"] == "presales")]))
    x = float(df.at[i, metric])
    step = data.draw(st.floats(0.0, 1.0)) * max(abs(x), 1.0)
    if float(x).is_integer():  # counts stay whole numbers
        step = float(np.ceil(step))
    better = x + step if uses[metric] == "higher" else max(x - step, 0.0)
    base = p.score(df)
    moved = df.copy()
    moved.at[i, metric] = better
    after = p.score(moved)
    assert after["total"].iloc[i] >= base["total"].iloc[i] - 1e-9, (metric, x, better)
    for comp in p.scorecard.components:
        if comp.metric == metric:
            assert after[f"pts_{comp.id}"].iloc[i] >= base[f"pts_{comp.id}"].iloc[i] - 1e-9


# --- money ----------------------------------------------------------------------------------
@SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 50)), min_size=1, max_size=40),
    st.lists(st.integers(0, 10**13), min_size=5, max_size=5),
    st.data(),
)
def test_apportion_conserves_and_stays_within_a_cent(rows_, amounts, data):
    gid = np.array([g for g, _ in rows_], dtype=np.int64)
    w = np.array([w for _, w in rows_], dtype=np.int64)
    prio = np.array(data.draw(st.permutations(range(len(rows_)))), dtype=np.int64)
    amounts = np.array(amounts, dtype=np.int64)
    out = apportion(gid, w, amounts, prio)
    for g in range(5):
        m = gid == g
        wsum = int(w[m].sum())
        assert int(out[m].sum()) == (int(amounts[g]) if wsum > 0 else 0)
        for got, wi in zip(out[m], w[m], strict=False):
            if wsum:
                assert abs(Fraction(int(amounts[g]) * int(wi), wsum) - int(got)) < 1
    assert (out >= 0).all()


@SETTINGS
@given(
    st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=20),
    st.integers(0, 10**6),
    st.integers(1, 10**6),
)
def test_mul_div_half_up_matches_fractions(xs, num, den):
    got = mul_div_half_up(np.array(xs, dtype=np.int64), num, den)
    assert [int(v) for v in got] == [half_up(Fraction(x * num, den)) for x in xs]


@st.composite
def pool_setups(draw):
    n = draw(st.integers(0, 25))
    totals = draw(
        st.lists(st.sampled_from([np.nan, 60.0, 70.0, 80.0, 80.5, 90.0, 100.0]), min_size=n, max_size=n)
    )
    sales = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    k = draw(st.integers(1, 3))
    pcts = draw(st.lists(st.integers(0, 60), min_size=k, max_size=k))
    assume(sum(pcts) <= 100)
    plus = draw(st.lists(st.integers(0, 30000), min_size=k, max_size=k))
    base = draw(st.integers(0, 10**12))
    mode = draw(st.sampled_from(["company", "redistribute"]))
    rate = draw(st.sampled_from(["0.6%", "1%", "0.123%", "7.5%"]))
    return totals, sales, pcts, plus, base, mode, rate


def _pool_policy(pcts, plus, mode, rate):
    shares = [
        {"rank": i + 1, "pct": p, "plus_cents": c} for i, (p, c) in enumerate(zip(pcts, plus, strict=False))
    ]
    return make_policy(
        inputs=[{"name": "v"}],
        scorecard={
            "components": [
                {"id": "c", "metric": "v", "weight": 100, "rule": {"type": "direct"}, "missing": "nan"}
            ]
        },
        pay={
            "pools": [
                {
                    "id": "p",
                    "base_metric": "silent_order_sales_cents",
                    "rate": rate,
                    "shares": shares,
                    "rest_pct": 100 - sum(pcts),
                    "unclaimed": mode,
                    "tie_break": ["sales_cents"],
                }
            ]
        },
    )


@SETTINGS
@given(pool_setups())
def test_pools_conserve_money_exactly(setup):
    totals, sales, pcts, plus, base, mode, rate = setup
    p = _pool_policy(pcts, plus, mode, rate)
    df = rows(
        *[
            {"agent_id": f"a{i:02d}", "v": t, "sales_cents": s}
            for i, (t, s) in enumerate(zip(totals, sales, strict=False))
        ],
        silent_order_sales_cents=base,
    )
    if not len(df):
        return
    s = p.score(df)
    pay = p.pay(s, df)["pool_p_cents"]
    ledger = p.pool_ledger(s, df).iloc[0]
    pool = half_up(Fraction(base) * Fraction(rate.rstrip("%")) / 100)
    assert ledger["pool_cents"] == pool
    assert ledger["shares_cents"] + ledger["unclaimed_cents"] == pool
    assert pay.sum() == ledger["shares_cents"] + ledger["fixed_cents"]
    assert (pay >= 0).all() and (pay[s["total"].isna()] == 0).all()
    # redistribute pays the whole pool whenever a ranked agent holds a slot with a positive share
    held = sum(pcts[: int(ledger["ranked"])]) + (100 - sum(pcts)) * (ledger["ranked"] > len(pcts))
    if mode == "redistribute" and held > 0:
        assert ledger["unclaimed_cents"] == 0


@SETTINGS
@given(pool_setups(), st.randoms(use_true_random=False))
def test_tie_breaks_are_deterministic_and_order_independent(setup, rnd):
    totals, sales, pcts, plus, base, mode, rate = setup
    assume(len(totals) > 0)
    p = _pool_policy(pcts, plus, mode, rate)
    p = variant(
        p,
        {
            "scorecard": {
                "grades": {
                    "method": "forced",
                    "ties": "break",
                    "tie_break": ["sales_cents"],
                    "bands": [{"grade": "A", "pct": 30}, {"grade": "B", "pct": 70}],
                }
            }
        },
    )
    df = rows(
        *[
            {"agent_id": f"a{i:02d}", "v": t, "sales_cents": s}
            for i, (t, s) in enumerate(zip(totals, sales, strict=False))
        ],
        silent_order_sales_cents=base,
    )
    order = list(range(len(df)))
    rnd.shuffle(order)
    shuffled = df.iloc[order].reset_index(drop=True)

    def result(frame):
        s = p.score(frame)
        pay = p.pay(s, frame)
        return {
            a: (g if isinstance(g, str) else None, int(c))
            for a, g, c in zip(
                frame["agent_id"], s["grade"].astype(object), pay["pool_p_cents"], strict=False
            )
        }

    first = result(df)
    assert first == result(df)
    assert first == result(shuffled)
    scored = [t for t in totals if not np.isnan(t)]
    grades = [g for g, _ in first.values() if g is not None]
    assert len(grades) == len(scored)


@SETTINGS
@given(st.integers(0, 60), st.lists(st.integers(0, 100), min_size=2, max_size=4), st.integers(0, 1000))
def test_forced_grade_sizes_add_up(n, raw, seed):
    assume(sum(raw) > 0)
    pct = [Fraction(r * 100, sum(raw)) for r in raw]
    pct = [round(float(x), 2) for x in pct]
    pct[-1] = round(100 - sum(pct[:-1]), 2)
    assume(pct[-1] >= 0)
    bands = [{"grade": f"G{i}", "pct": v} for i, v in enumerate(pct)]
    p = make_policy(
        inputs=[{"name": "v"}],
        scorecard={
            "components": [{"id": "c", "metric": "v", "weight": 100, "rule": {"type": "direct"}}],
            "grades": {"method": "forced", "ties": "break", "bands": bands},
        },
    )
    rng = np.random.default_rng(seed)
    df = rows(*[{"agent_id": f"a{i}", "v": float(rng.integers(0, 5))} for i in range(n)])
    if not n:
        return
    g = p.score(df)["grade"].astype(str).value_counts().to_dict()
    assert sum(g.values()) == n
    for i, v in enumerate(pct):
        assert abs(g.get(f"G{i}", 0) - n * v / 100) < 1 + 1e-9
