"""The command line explains itself: help for every option, examples, --version, money in units."""

from __future__ import annotations

import argparse

import pytest

from kpisim.cli import build_parser, main


def _subparsers(p):
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            return a.choices
    return {}


def test_every_option_has_help_and_shows_in_the_help_text():
    p = build_parser()
    for name, sp in _subparsers(p).items():
        text = sp.format_help()
        assert "examples:" in text, name
        for a in sp._actions:
            if a.help == argparse.SUPPRESS:
                continue
            assert a.help, f"{name} {a.option_strings or a.dest}: no help"
            for o in a.option_strings:
                assert o in text


def test_version(capsys):
    import kpisim

    with pytest.raises(SystemExit) as e:
        build_parser().parse_args(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"kpisim {kpisim.__version__}"


def test_money_options_in_currency_units_and_the_old_cents_spellings():
    p = build_parser()
    a = p.parse_args(["compare", "s.yaml", "--policy", "a.yaml", "--out", "o", "--budget", "150000"])
    assert (a.budget_cents, a.threshold_cents) == (15_000_000, 5000)
    a = p.parse_args(["compare", "s.yaml", "--policy", "a.yaml", "--out", "o", "--threshold-cents", "700"])
    assert a.threshold_cents == 700
    a = p.parse_args(["staffing", "s.yaml", "--out", "o", "--hourly-cost", "30.5"])
    assert a.hourly_cost_cents == 3050
    assert "--budget-cents" not in p.format_help()


def test_bad_amount_is_one_clear_line(capsys):
    assert main(["compare", "s.yaml", "--policy", "a.yaml", "--out", "o", "--budget", "12.345"]) == 2
    err = capsys.readouterr().err
    assert "12.345" in err and "currency units" in err and err.count("\n") == 1


def test_progress_lines_when_not_a_terminal(capsys):
    from kpisim.analysis.runner import run_replications
    from tests.analysis.conftest import short

    sc = short("scenarios/benchmark_mmn_abandon.yaml", 1)
    run_replications(sc, _count, seed=1, replications=2, jobs=1, progress="auto", desc="simulating months")
    err = capsys.readouterr().err.splitlines()
    assert err and all(line.startswith("[") for line in err)
    assert any("simulating months: 2/2 runs (100 %)" in line for line in err)


def _count(log):
    return len(log.contacts)
