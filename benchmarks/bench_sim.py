"""Simulator throughput: kpisim vs a minimal hand-written SimPy loop of the same M/M/n+M model.

Runs the bundled M/M/n+M benchmark (50 agents, 9 arrivals/min, exp. handle 5 min, exp.
patience 3 min) for about 200 000 contacts on one core, once with kpisim (all features:
routing, shifts, outcomes, chat detail, event-log tables) and once with the reference loop below
(one SimPy process per customer, a Resource, `req | timeout(patience)`), and prints contacts/s for
both and their ratio. Also reports the full shop and phone scenarios.

    python benchmarks/bench_sim.py [--contacts 200000]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import simpy

from kpisim.scenario.models import load_scenario
from kpisim.sim.run import simulate

ROOT = Path(__file__).resolve().parents[1]


def reference_loop(
    n_contacts: int, *, agents=50, per_min=9.0, handle_s=300.0, patience_s=180.0, seed=1
) -> int:
    """Minimal SimPy M/M/n+M: returns the number of contacts simulated."""
    rng = np.random.default_rng(seed)
    inter = rng.exponential(60.0 / per_min, n_contacts)
    handle = rng.exponential(handle_s, n_contacts)
    patience = rng.exponential(patience_s, n_contacts)
    env = simpy.Environment()
    staff = simpy.Resource(env, capacity=agents)
    served = [0]

    def customer(i):
        with staff.request() as req:
            res = yield req | env.timeout(patience[i])
            if req in res:
                yield env.timeout(handle[i])
                served[0] += 1

    def source():
        for i in range(n_contacts):
            yield env.timeout(inter[i])
            env.process(customer(i))

    env.process(source())
    env.run()
    return n_contacts


def _time(fn):
    t = time.perf_counter()
    n = fn()
    return n, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--contacts", type=int, default=200_000)
    ap.add_argument("--skip-scenarios", action="store_true")
    args = ap.parse_args()
    sc = load_scenario(ROOT / "scenarios" / "benchmark_mmn_abandon.yaml")
    days = math.ceil(args.contacts / (9 * 1440))
    sc = sc.model_copy(update={"horizon": sc.horizon.model_copy(update={"days": days})})

    n_ref, t_ref = _time(lambda: reference_loop(args.contacts))
    n_k, t_k = _time(lambda: len(simulate(sc, seed=1).contacts))
    ref_rate, k_rate = n_ref / t_ref, n_k / t_k
    print(f"reference SimPy loop : {n_ref:>8d} contacts in {t_ref:6.2f} s = {ref_rate:>9,.0f} contacts/s")
    print(f"kpisim (M/M/n+M)     : {n_k:>8d} contacts in {t_k:6.2f} s = {k_rate:>9,.0f} contacts/s")
    print(f"ratio kpisim / reference = {k_rate / ref_rate:.2f}  (target >= 0.5)")
    if not args.skip_scenarios:
        for name in ("shop_chat", "phone_centre"):
            s = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
            n, t = _time(lambda s=s: len(simulate(s, seed=1).contacts))
            print(
                f"kpisim {name:<14}: {n:>8d} contacts in {t:6.2f} s = {n / t:>9,.0f} contacts/s "
                f"(ratio to reference {n / t / ref_rate:.2f})"
            )


if __name__ == "__main__":
    main()
