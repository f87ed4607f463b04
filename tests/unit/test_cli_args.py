"""Every number the CLI takes is range-checked by one shared argparse type (kpisim.cli_args):
a bad value is one line on stderr naming the option and the value, exit code 2, nothing run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kpisim.cli import build_parser, main

BAD = [
    ("simulate", "--seed", "-1", "0 to 2**63 - 1"),
    ("simulate", "--seed", str(2**63), "0 to 2**63 - 1"),
    ("simulate", "--seed", "1.5", "0 to 2**63 - 1"),
    ("simulate", "--replications", "0", ">= 1"),
    ("kpis", "--interval-min", "0", ">= 1"),
    ("compare", "--seed", "-1", "0 to 2**63 - 1"),
    ("compare", "--replications", "-2", ">= 1"),
    ("compare", "--jobs", "0", ">= 1"),
    ("compare", "--budget-cents", "-1", "cents >= 0"),
    ("compare", "--threshold-cents", "12.5", "cents >= 0"),
    ("staffing", "--seed", "-1", "0 to 2**63 - 1"),
    ("staffing", "--replications", "0", ">= 1"),
    ("staffing", "--jobs", "0", ">= 1"),
    ("staffing", "--days", "0", ">= 1"),
    ("staffing", "--headcounts", "30,0", ">= 1"),
    ("staffing", "--headcounts", ",", ">= 1"),
    ("staffing", "--target-sl", "1.5", "(0, 1)"),
    ("staffing", "--target-sl", "nan", "(0, 1)"),
    ("staffing", "--max-abandon", "0", "(0, 1)"),
    ("staffing", "--threshold-s", "0", "seconds > 0"),
    ("staffing", "--threshold-s", "inf", "seconds > 0"),
    ("staffing", "--hourly-cost-cents", "-1", "cents >= 0"),
]
REQUIRED = {"simulate": [], "kpis": ["--out", "k.csv"], "compare": ["--policy", "p.yaml", "--out", "o"]}
REQUIRED["staffing"] = ["--out", "o"]


@pytest.mark.parametrize("command, option, value, allowed", BAD)
def test_bad_number_is_one_line_naming_the_option(tmp_path, capsys, command, option, value, allowed):
    argv = [command, str(tmp_path / "missing.yaml"), *REQUIRED[command], f"{option}={value}"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"kpisim: error: {command}: argument {option}: ")
    assert repr(value.split(",")[-1] or value) in err and allowed in err
    assert list(tmp_path.iterdir()) == []


def test_limits_are_accepted():
    p = build_parser()
    a = p.parse_args(["simulate", "s.yaml", "--seed", str(2**63 - 1), "--replications", "1"])
    assert (a.seed, a.replications) == (2**63 - 1, 1)
    a = p.parse_args(["staffing", "s.yaml", "--out", "o", "--headcounts", " 3, 4 ,", "--seed", "0"])
    assert (a.headcounts, a.seed, a.threshold_s, a.target_sl) == ([3, 4], 0, 20.0, None)
    a = p.parse_args(["compare", "s.yaml", "--policy", "p", "--out", "o", "--budget-cents", "0"])
    assert (a.budget_cents, a.threshold_cents, a.jobs) == (0, 5000, None)


def test_negative_seed_from_the_shell_is_exit_2_without_traceback(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "kpisim.cli", "simulate", "scenarios/shop_chat.yaml", "--seed", "-1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [
        "kpisim: error: simulate: argument --seed: '-1' is not allowed; give an integer from 0 to 2**63 - 1"
    ]


def test_a_missing_required_option_is_one_line_too(capsys):
    assert main(["score", "kpi.csv"]) == 2
    err = capsys.readouterr().err
    assert err == "kpisim: error: score: the following arguments are required: --policy, --out\n"


def test_version_is_the_installed_package_version():
    from importlib.metadata import version

    import kpisim

    assert kpisim.__version__ == version("kpisim") != "0+unknown"
