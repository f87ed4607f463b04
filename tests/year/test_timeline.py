"""Policy timelines: versions with effective months, checked before anything is simulated."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from kpisim.errors import SpecError
from kpisim.policy.timeline import load_timeline, timeline_of
from tests.year.conftest import S1, S3, s3_with


def write(tmp_path, body: str):
    p = tmp_path / "plan.yaml"
    p.write_text(body, encoding="utf-8")
    return p


def test_effective_months_pick_the_version(tmp_path, s3):
    v2 = s3_with(tmp_path, eliminate_when="x < 70", version="2021.1")
    tl = timeline_of([("2026-11", s3), ("2027-02", v2)], id="s3_revised")
    assert tl.label_for("2026-10") == "s3_kuaishangtong_presales@2020.2"  # before the first: first
    assert (
        tl.label_for("2026-11")
        == tl.label_for(pd.Timestamp("2027-01-31"))
        == "s3_kuaishangtong_presales@2020.2"
    )
    assert (
        tl.label_for("2027-02")
        == tl.label_for(pd.Timestamp("2027-12-01"))
        == "s3_kuaishangtong_presales@2021.1"
    )


def test_load_timeline_reads_files_relative_to_it(tmp_path):
    shutil.copy(S1, tmp_path / "s1.yaml")
    shutil.copy(S3, tmp_path / "s3.yaml")
    p = write(
        tmp_path,
        "kind: timeline\nid: switch\ntimeline:\n  - {from: 2026-11, policy: s1.yaml}\n  - {from: 2027-04, policy: s3.yaml}\n",
    )
    tl = load_timeline(p)
    assert tl.id == "switch" and [s for s, _ in tl.versions] == ["2026-11", "2027-04"]
    assert (
        tl.policy_for("2027-03").id == "s1_xiyu_289"
        and tl.policy_for("2027-04").id == "s3_kuaishangtong_presales"
    )


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        (
            "timeline:\n  - {from: 2027-04, policy: s1.yaml}\n  - {from: 2027-01, policy: s1.yaml}\n",
            "timeline[2].from",
            "months must increase",
        ),
        ("timeline:\n  - {from: 2027-13, policy: s1.yaml}\n", "timeline[1].from", "expected YYYY-MM"),
        ("timeline:\n  - {from: 2027-01, policy: missing.yaml}\n", "timeline[1].policy", "not found"),
        (
            "timeline:\n  - {from: 2027-01, policy: s1.yaml}\n  - {from: 2027-02, policy: usd.yaml}\n",
            "timeline[2].policy",
            "one currency",
        ),
        ("timeline:\n  - {from: 2027-01, polcy: s1.yaml}\n", "timeline[1]", "from and policy"),
        ("timelines: []\n", "timelines", "unknown key"),
        ("timeline: []\n", "timeline", "expected a list"),
    ],
)
def test_bad_timelines_are_refused_with_the_field(tmp_path, body, field, says):
    shutil.copy(S1, tmp_path / "s1.yaml")
    (tmp_path / "usd.yaml").write_text(
        S1.read_text(encoding="utf-8").replace("currency: CNY", "currency: USD")
    )
    with pytest.raises(SpecError) as e:
        load_timeline(write(tmp_path, body))
    assert e.value.field == field and says in str(e.value) and "plan.yaml" in str(e.value)


def test_a_timeline_scores_each_month_with_its_version(tmp_path, s3):
    """Each period's rows are scored by the version of that month, exactly as that version alone."""
    import kpisim
    from kpisim.analysis.year.run import simulate_year  # noqa: F401 - the year package imports cleanly
    from tests.behaviour.conftest import tiny_shop

    v2 = s3_with(tmp_path, version="2021.1")
    v2 = v2.model_copy(update={"pay_plan": v2.pay_plan.model_copy(update={"base_cents": 400000})})
    log = kpisim.simulate(tiny_shop(days=2, k=4), seed=2)
    kt = kpisim.kpis_for(log, s3)
    two = pd.concat([kt, kt.assign(period=pd.Timestamp("2027-02-01"))], ignore_index=True)
    two = two.assign(level="junior", reexam_failed=0)
    tl = timeline_of([("2026-11", s3), ("2027-02", v2)])
    s = tl.score(two)
    p = tl.pay(s, two)
    assert list(p["policy_version"].unique()) == [
        "s3_kuaishangtong_presales@2020.2",
        "s3_kuaishangtong_presales@2021.1",
    ]
    first, second = p.iloc[: len(kt)], p.iloc[len(kt) :]
    assert (first["base_cents"] == 350000).all() and (second["base_cents"] == 400000).all()
    alone = s3.pay(s3.score(two.iloc[: len(kt)]), two.iloc[: len(kt)])
    assert first["total_cents"].tolist() == alone["total_cents"].tolist()


def test_score_cli_pays_each_month_by_its_version(tmp_path, capsys, s3):
    import json

    import kpisim
    from kpisim.cli import main
    from tests.behaviour.conftest import tiny_shop

    log = kpisim.simulate(tiny_shop(days=2, k=4), seed=2)
    kt = kpisim.kpis_for(log, s3)
    two = pd.concat([kt, kt.assign(period=pd.Timestamp("2027-02-01"))], ignore_index=True)
    two = two.assign(level="junior", reexam_failed=0)
    table = tmp_path / "kpis.parquet"
    two.to_parquet(table)
    shutil.copy(S3, tmp_path / "s3.yaml")
    (tmp_path / "s3b.yaml").write_text(
        S3.read_text(encoding="utf-8")
        .replace('version: "2020.2"', 'version: "2021.1"')
        .replace("base_cents: 350000", "base_cents: 400000")
    )
    tl = write(
        tmp_path, "timeline:\n  - {from: 2026-11, policy: s3.yaml}\n  - {from: 2027-02, policy: s3b.yaml}\n"
    )
    out = tmp_path / "scored.csv"
    assert main(["score", str(table), "--policy", str(tl), "--out", str(out)]) == 0
    got = pd.read_csv(out)
    assert got.groupby("policy_version")["base_cents"].unique().to_dict() == {
        "s3_kuaishangtong_presales@2020.2": [350000],
        "s3_kuaishangtong_presales@2021.1": [400000],
    }
    m = json.loads((tmp_path / "scored.csv.manifest.json").read_text())
    assert m["policy_by_month"] == {
        "2026-11": "s3_kuaishangtong_presales@2020.2",
        "2027-02": "s3_kuaishangtong_presales@2021.1",
    }
    assert "timeline" in capsys.readouterr().out


def test_two_timelines_compare_like_two_policies(tiny, s3):
    """A timeline that pays November by S3 costs what S3 alone costs on the same months."""
    import kpisim
    from kpisim.analysis.compare import compare

    s1 = kpisim.load_policy(S1)
    only_s1 = timeline_of([("2026-11", s1)], id="s1_only")
    s1_then_s3 = timeline_of([("2026-10", s1), ("2026-11", s3)], id="s1_then_s3")
    c = compare(tiny, {"a": only_s1, "b": s1_then_s3, "s3": s3}, replications=2, jobs=1, progress=False)
    cost = c.cost().set_index("policy")["total_cents"]
    assert cost["b"] == cost["s3"] != cost["a"]
    assert set(c.pay.loc[c.pay["policy"] == "b", "policy_version"]) == {"s3_kuaishangtong_presales@2020.2"}


@pytest.mark.slow  # a whole compare report (~15 s); the logic is in the test above
def test_compare_cli_takes_timelines(tiny, tmp_path, capsys):
    import yaml

    from kpisim.cli import main

    sc = tmp_path / "tiny.yaml"
    sc.write_text(yaml.safe_dump({**tiny.model_dump(mode="json"), "multipliers": []}), encoding="utf-8")
    shutil.copy(S1, tmp_path / "s1.yaml")
    shutil.copy(S3, tmp_path / "s3.yaml")
    (tmp_path / "only_s1.yaml").write_text("timeline:\n  - {from: 2026-11, policy: s1.yaml}\n")
    (tmp_path / "to_s3.yaml").write_text(
        "timeline:\n  - {from: 2026-10, policy: s1.yaml}\n  - {from: 2026-11, policy: s3.yaml}\n"
    )
    out = tmp_path / "cmp"
    args = [
        "compare",
        str(sc),
        "--policy",
        str(tmp_path / "only_s1.yaml"),
        "--policy",
        str(tmp_path / "to_s3.yaml"),
    ]
    assert main([*args, "--replications", "2", "--jobs", "1", "--quiet", "--out", str(out)]) == 0
    pay = pd.read_csv(out / "pay.csv")
    assert pay.groupby("policy")["policy_version"].unique().map(list).to_dict() == {
        "only_s1": ["s1_xiyu_289@2022.2"],
        "to_s3": ["s3_kuaishangtong_presales@2020.2"],
    }
