"""Rescore and pay 1 million agent-months under the S3 policy; print the seconds taken.

Usage: ``python benchmarks/bench_policy.py [--rows 1000000] [--policy PATH] [--profile]``

The KPI table is synthetic (``kpisim.testing.demo``: 100 replications x 1,000 agents x 10 months,
teams of 20) and is built before the clock starts. Timed: ``policy.score`` (components,
deductions, bonuses incl. a relative-to-team rule, categories, 3-month consequences) and
``policy.pay`` (base, fines, the ranked silent-order pool per replication and month).
Target: < 2 s on one core.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # one core

from kpisim.policy import load_policy  # noqa: E402
from kpisim.testing.demo import synthetic_kpi_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--policy", default=str(ROOT / "scenarios" / "policies" / "s3_kuaishangtong_presales.yaml")
    )
    ap.add_argument("--repeat", type=int, default=3, help="report the best of this many runs")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()

    periods, agents = 10, 1000
    reps = max(1, args.rows // (periods * agents))
    t0 = time.perf_counter()
    df = synthetic_kpi_table(agents, periods, replications=reps, team_size=20, seed=1)
    policy = load_policy(args.policy)
    print(
        f"built {len(df):,} agent-months ({reps} replications x {agents} agents x {periods} months) "
        f"in {time.perf_counter() - t0:.1f} s"
    )

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        policy.pay(policy.score(df), df)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        return

    best = cpu = None
    for _ in range(args.repeat):
        t1, c1 = time.perf_counter(), time.process_time()
        scores = policy.score(df)
        t2, c2 = time.perf_counter(), time.process_time()
        pay = policy.pay(scores, df)
        t3, c3 = time.perf_counter(), time.process_time()
        run, used = (t2 - t1, t3 - t2, t3 - t1), (c2 - c1, c3 - c2, c3 - c1)
        best = run if best is None or run[2] < best[2] else best
        cpu = used if cpu is None or used[2] < cpu[2] else cpu
    print(
        f"policy {policy.id}: score {best[0]:.2f} s + pay {best[1]:.2f} s = {best[2]:.2f} s "
        f"for {len(df):,} agent-months (best of {args.repeat}); "
        f"{len(df) / best[2] / 1e6:.2f} M rows/s; total pay {int(pay['total_cents'].sum()):,} cents"
    )
    # CPU time is what to compare on a shared machine (wall time counts the other processes)
    print(f"CPU: score {cpu[0]:.2f} s + pay {cpu[1]:.2f} s = {cpu[2]:.2f} s (best of {args.repeat})")


if __name__ == "__main__":
    main()
