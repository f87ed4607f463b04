"""Output paths are checked before any work; nothing is written half; interruption (Ctrl-C,
SIGTERM, a closed pipe) leaves no temporaries, and pool workers do not outlive their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from kpisim.cli import main
from kpisim.io.atomic import clean_stale, write_dir
from tests.sim.test_scenario_validation import BASE

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "scenarios" / "policies" / "s3_kuaishangtong_presales.yaml"


@pytest.fixture
def scenario(tmp_path) -> Path:
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    return f


@pytest.fixture
def kpi_table(tmp_path, scenario) -> Path:
    run = tmp_path / "run"
    assert main(["simulate", str(scenario), "--out", str(run)]) == 0
    return run


def _bad_outs(tmp_path: Path) -> list[tuple[str, str, str]]:
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir.csv").mkdir()
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    return [
        ("existing directory", str(tmp_path / "adir.csv"), "is a directory"),
        ("under a file", str(tmp_path / "afile" / "sub.csv"), "is a file, not a directory"),
        ("proc", "/proc/x.csv", "inside /proc"),
        ("empty", "", "an empty path"),
        ("read-only directory", str(locked / "k.csv"), "permission denied"),
    ]


CASES = ["existing directory", "under a file", "proc", "empty", "read-only directory"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", ["kpis", "score"])
def test_table_out_checked_before_work_and_no_manifest(tmp_path, capsys, kpi_table, command, case):
    if case == "read-only directory" and os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    _, out, text = next(c for c in _bad_outs(tmp_path) if c[0] == case)
    extra = ["--policy", str(POLICY)] if command == "score" else []
    assert main([command, str(kpi_table), *extra, "--out", out]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and text in err, err
    if out:
        assert not Path(f"{out}.manifest.json").exists()


@pytest.mark.parametrize("case", ["under a file", "proc", "empty"])
@pytest.mark.parametrize("command", ["simulate", "compare", "staffing"])
def test_run_dir_out_checked_before_simulating(tmp_path, capsys, scenario, command, case):
    _, out, text = next(c for c in _bad_outs(tmp_path) if c[0] == case)
    out = out.removesuffix(".csv")
    extra = ["--policy", str(POLICY)] if command == "compare" else []
    started = time.monotonic()
    assert main([command, str(scenario), *extra, "--out", out]) == 2
    assert time.monotonic() - started < 5  # refused before simulating
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and text in err, err


def test_negative_threshold_cents(tmp_path, capsys, scenario):
    out = tmp_path / "cmp"
    assert (
        main(
            ["compare", str(scenario), "--policy", str(POLICY), "--threshold-cents", "-1", "--out", str(out)]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "--threshold-cents" in err and "cents >= 0" in err and err.count("\n") == 1
    assert not out.exists()


def _run(code: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_broken_pipe_is_quiet(scenario):
    p = subprocess.run(
        f"{sys.executable} -m kpisim.cli simulate {scenario} | head -c 1",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr, p.stderr


def test_sigterm_while_writing_leaves_no_temporaries(tmp_path, scenario):
    out = tmp_path / "run"
    p = _run(
        """
        import sys, time
        import kpisim.io.eventlog as ev
        from kpisim.io.atomic import write_dir
        from kpisim.cli import main

        def slow(log, out):
            def w(tmp):
                (tmp / "manifest.json").write_text("{}")
                print("writing", flush=True)
                time.sleep(60)
            return write_dir(out, w)

        ev.save_run = slow
        sys.exit(main(["simulate", sys.argv[1], "--out", sys.argv[2]]))
        """,
        str(scenario),
        str(out),
    )
    assert p.stdout.readline().strip() == "writing"
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 143 and "terminated; nothing was written" in err, err
    assert list(tmp_path.iterdir()) == [scenario]


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    (tmp_path / f".out.{pid}.abc12345").mkdir()
    (tmp_path / f".out.old.{pid}.abc12345").mkdir()
    (tmp_path / f".out.{os.getppid()}.live1234").mkdir()  # a live process's: kept
    (tmp_path / ".other.1.abc12345").mkdir()  # another output's: kept
    write_dir(tmp_path / "out", lambda t: (t / "manifest.json").write_text("{}"))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f".out.{os.getppid()}.live1234", ".other.1.abc12345", "out"])
    assert clean_stale(tmp_path / "out") == []


def test_pool_workers_die_with_their_parent(tmp_path):
    p = _run(
        """
        import sys, time
        from kpisim.analysis.runner import run_replications
        from tests.simhelpers import mmn_scenario

        def slow(log):
            time.sleep(120)

        def pids():
            import multiprocessing
            print(" ".join(str(c.pid) for c in multiprocessing.active_children()), flush=True)

        import threading
        threading.Timer(3, pids).start()
        run_replications(
            mmn_scenario(agents=2, per_min=0.5, handle_s=60, patience_s=None),
            slow, seed=1, replications=2, jobs=2, progress=False,
        )
        """
    )
    workers = [int(x) for x in p.stdout.readline().split()]
    assert workers
    p.kill()  # SIGKILL: no clean-up code runs in the parent
    p.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (dead, not yet reaped by init) counts as gone
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False
