"""Benchmark: equilibrium behaviour for the bundled shop (30 days) under five policies.

    python benchmarks/bench_behaviour.py [--jobs 2] [--replications 4]

Default settings of ``kpisim.respond``; prints wall time per stage, the convergence table and the
CPU time (user + sys of this process and its workers: on a shared machine the wall time depends
on the other jobs, the CPU time much less).
Target (issue #13): within 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from kpisim import load_policy, load_scenario, respond

ROOT = Path(__file__).resolve().parents[1]
POLICIES = (
    "s0_songsong",
    "s1_xiyu_289",
    "s3_kuaishangtong_presales",
    "s4_callcentre",
    "redesign_ratio_based",
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--replications", type=int, default=4)
    ap.add_argument("--policies", type=int, default=len(POLICIES))
    args = ap.parse_args()
    sc = load_scenario(ROOT / "scenarios/shop_chat.yaml")
    pols = {p: load_policy(ROOT / f"scenarios/policies/{p}.yaml") for p in POLICIES[: args.policies]}
    t0 = time.perf_counter()
    r = respond(sc, pols, replications=args.replications, seed=1, jobs=args.jobs)
    dt = time.perf_counter() - t0
    print(r.convergence.to_string(index=False))
    print(r.meta.get("timings_s"))
    cpu = sum(
        u.ru_utime + u.ru_stime
        for u in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    print(
        f"shop_chat, {len(pols)} policies, {args.replications} replications, jobs={args.jobs}: "
        f"{dt:.0f} s wall, {cpu:.0f} s CPU (user + sys, this process and its workers)"
    )


if __name__ == "__main__":
    main()
