"""Benchmark: equilibrium behaviour for the bundled shop (30 days) under five policies.

    python benchmarks/bench_behaviour.py [--jobs 2] [--replications 4]

Default settings of ``kpisim.respond``; prints wall time per stage and the convergence table.
Target (issue #13): within 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
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
    print(f"shop_chat, {len(pols)} policies, {args.replications} replications, jobs={args.jobs}: {dt:.0f} s")


if __name__ == "__main__":
    main()
