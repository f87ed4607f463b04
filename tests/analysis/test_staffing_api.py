"""The staffing decisions live in kpisim.analysis.staffing, so Python users get the CLI's answer:
default headcounts, default target, chat fallback, meets-target and the recommended headcount."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from kpisim.analysis import staffing as S
from kpisim.cli import main
from kpisim.errors import KpisimError
from tests.analysis.conftest import ROOT, short

PHONE = str(ROOT / "scenarios/phone_centre.yaml")


def test_python_api_and_cli_recommend_the_same_headcount(tmp_path, capsys):
    rc = main(
        ["staffing", PHONE, "--days", "1", "--replications", "1", "--jobs", "1", "--out", str(tmp_path / "o")]
    )
    out = capsys.readouterr().out
    assert rc == 0
    study = S.study_staffing(
        short("scenarios/phone_centre.yaml", 1), replications=1, seed=1, jobs=1, progress=False
    )
    said = re.search(r"^recommended headcount: (\w+)", out, flags=re.M).group(1)
    assert said == str(study.recommended) and study.recommended is not None
    assert out.count("recommended headcount:") == 1  # one answer, the Erlang headcount is a cross-check
    swept = [int(m) for m in re.findall(r"^(\d+)(?: \*)?\s", out, flags=re.M)]
    assert swept == study.headcounts == S.default_headcounts(study.scenario, study.erlang_headcount)
    assert study.target_sl == 0.8 and study.no_erlang == ""
    assert f"a headcount of {study.erlang_headcount} meets the target" in out
    saved = pd.read_csv(tmp_path / "o" / "staffing_sweep.csv")
    assert saved["mean_meets_target"].tolist() == study.sweep["mean_meets_target"].tolist()


def test_default_headcounts_span_today_and_the_erlang_requirement():
    sc = short("scenarios/phone_centre.yaml", 1)  # 42 agents in 3 groups
    assert S.default_headcounts(sc) == [25, 32, 39, 45, 52, 59]  # 60-140 % of today's
    assert S.default_headcounts(sc, 50) == [34, 39, 45, 51, 57, 62]  # 80 % of 42 .. 125 % of 50
    assert min(S.default_headcounts(sc, 1)) == 3  # every group keeps one agent


def test_meets_target_and_recommend():
    sweep = pd.DataFrame(
        {"agents": [10, 12, 14], "service_level": [0.7, 0.85, 0.9], "abandon_rate": [0.1, 0.06, 0.02]}
    )
    both = S.meets_target(sweep, target_sl=0.8, max_abandon=0.05)
    assert both["mean_meets_target"].tolist() == [False, False, True] and S.recommend(both) == 14
    sl = S.meets_target(sweep, target_sl=0.8, max_abandon=None)
    assert S.recommend(sl) == 12 and sl["max_abandon"].isna().all()
    assert S.recommend(S.meets_target(sweep, target_sl=0.95, max_abandon=None)) is None


def test_headcounts_and_days_are_checked_before_simulating():
    sc = short("scenarios/phone_centre.yaml", 2)
    with pytest.raises(
        KpisimError, match=r"headcount 2 is not allowed; give integers >= 3 \(scenario 'phone_centre'"
    ):
        S.study_staffing(sc, headcounts=[30, 2], progress=False)
    with pytest.raises(KpisimError, match=r"3 days is not allowed; give an integer from 1 to 2"):
        S.shorten(sc, 3)
    assert S.shorten(sc, 1).horizon.days == 1


def test_chat_falls_back_to_the_sweep_but_voice_fails(monkeypatch):
    def no_erlang(*a, **k):
        raise KpisimError("not covered")

    monkeypatch.setattr(S, "required_staff", no_erlang)
    with pytest.raises(KpisimError, match="not covered"):
        S.study_staffing(short("scenarios/phone_centre.yaml", 1), headcounts=[30], progress=False)
    shop = short("scenarios/shop_chat.yaml", 1)
    assert not S.voice_only(shop)
    study = S.study_staffing(shop, headcounts=[24], replications=1, jobs=1, max_abandon=0.05, progress=False)
    assert study.no_erlang == "not covered" and study.required is None and study.headcounts == [24]
    assert (study.target_sl, study.max_abandon) == (None, 0.05)
