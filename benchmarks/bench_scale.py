"""Scaling benchmarks of issue #18, each a ratio against a reference measured in the same run.

    python benchmarks/bench_scale.py [--only compare,luck,centre,design,memory] [--replications 20]

* compare: the shop, 5 policies x R replications, in one process (jobs=1, CPU time): the whole
  comparison incl. cost, winners/losers, fairness (luck table) and incentive gradient, against
  its own simulation time (target <= 1.2x);
* luck: the luck table (luck / position / person shares, rank stability, all with jackknife
  CIs) of 1,000 months x 35 agents (target: seconds);
* centre: CPU of one shop replication scaled x4 and x10 (agents and volume) against x1
  (target x10 <= 11x);
* design: plan evaluations per CPU second on the shop's cached 4 months x 35 agents (target
  >= 100 / s);
* memory: peak memory of one shop x10 replication above the imports, per contact, in a fresh
  process (target <= 600 B).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from kpisim.scenario.models import load_scenario

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ["s3_kuaishangtong_presales", "s3_pool_tiered", "s3_team_bonus", "s3_pool_by_score", "s1_xiyu_289"]


def scaled(sc, k: int, days: int | None = None):
    """The scenario with k times the agents of every group and k times the volume."""
    qs = {n: q.model_copy(update={"daily_volume": q.daily_volume * k}) for n, q in sc.queues.items()}
    ag = [g.model_copy(update={"count": g.count * k}) for g in sc.agents]
    so = sc.silent_orders.model_copy(update={"per_day": sc.silent_orders.per_day * k})
    hz = sc.horizon if days is None else sc.horizon.model_copy(update={"days": days})
    return sc.model_copy(update={"queues": qs, "agents": ag, "silent_orders": so, "horizon": hz})


def cpu(fn):
    t = time.process_time()
    out = fn()
    return out, time.process_time() - t


def bench_compare(replications: int) -> None:
    from kpisim.analysis.compare import compare
    from kpisim.analysis.runner import run_replications, summarise_for_compare
    from kpisim.policy import load_policy

    sc = load_scenario(ROOT / "scenarios" / "shop_chat.yaml")
    pols = {n: load_policy(ROOT / "scenarios" / "policies" / f"{n}.yaml") for n in POLICIES}
    opts = {"kpi_by": ("agent_id",), "period": "month"}
    _, t_sim = cpu(
        lambda: run_replications(
            sc, summarise_for_compare, seed=1, replications=replications, jobs=1, progress=False, options=opts
        )
    )

    def full():
        comp = compare(sc, pols, replications=replications, seed=1, jobs=1, progress=False)
        comp.cost()
        comp.winners_losers()
        comp.fairness()
        comp.incentive_gradient()
        comp.tier_cliffs()
        return comp

    _, t_all = cpu(full)
    print(
        f"compare shop, {len(pols)} policies x {replications} replications (CPU): simulation {t_sim:.1f} s, "
        f"everything {t_all:.1f} s = {t_all / t_sim:.2f}x its simulation (target <= 1.2)"
    )


def bench_luck(months: int = 1000, agents: int = 35) -> None:
    from kpisim.analysis.luck import luck_table

    rng = np.random.default_rng(1)
    skill = rng.normal(size=agents)
    pay = np.tile(skill, months) * 1000 + rng.normal(size=agents * months) * 800 + 20000
    df = pd.DataFrame(
        {
            "policy": "p",
            "replication": np.repeat(np.arange(months), agents),
            "period": "2026-01",
            "agent_id": np.tile([f"a{i:02d}" for i in range(agents)], months),
            "pay_cents": pay.round(),
            "total": pay / 100,
            "group": np.tile(np.arange(agents) % 4, months).astype(str),
            "true_skill": np.tile(skill, months),
        }
    )
    _, t = cpu(lambda: luck_table(df))
    print(f"luck table, {months} months x {agents} agents: {t:.2f} s CPU (target: seconds)")


def bench_centre(days: int, repeats: int = 2) -> None:
    from kpisim.sim.run import simulate_one

    sc = load_scenario(ROOT / "scenarios" / "shop_chat.yaml")
    base = None
    for k in (1, 4, 10):
        s = scaled(sc, k, days)
        t = min(cpu(lambda s=s: simulate_one(s, seed=1, replication=0))[1] for _ in range(repeats))
        base = base or t
        print(f"shop x{k:<2d} ({days} days): {t:6.2f} s CPU = {t / base:5.2f}x the x1 run")


def bench_design(trials: int = 200) -> None:
    from kpisim.analysis.design import load_space, search, simulate_months
    from kpisim.policy import load_policy

    sc = load_scenario(ROOT / "scenarios" / "shop_chat.yaml")
    base = load_policy(ROOT / "scenarios" / "policies" / "s3_kuaishangtong_presales.yaml")
    space = load_space(ROOT / "scenarios" / "design" / "s3_space.yaml")
    months = simulate_months(sc, {"base": base}, replications=4, seed=1, jobs=1, progress=False)
    _, t_one = cpu(lambda: [months.evaluate(base) for _ in range(50)])
    res, t = cpu(lambda: search(months, base, space, budget_cents=15_000_000, trials=trials, seed=1))
    print(
        f"design search, {len(months.kpis)} agent-months cached: {trials / t:.0f} plan evaluations per CPU s "
        f"(score + pay + measures alone: {50 / t_one:.0f} / s; {res.trials['feasible'].mean():.0%} feasible)"
    )


_MEMORY_CHILD = """
import resource, sys
sys.path.insert(0, {bench!r})
from bench_scale import scaled
from kpisim.scenario.models import load_scenario
from kpisim.sim.run import simulate_one
s = scaled(load_scenario({scenario!r}), {k}, {days})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
log = simulate_one(s, seed=1, replication=0)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
n = len(log.contacts)
tables = sum(int(df.memory_usage(deep=True).sum()) for df in log.tables.values())
print(f"shop x{k} ({days} days), {{n:,}} contacts: peak {{(peak - base) * 1024 / n:,.0f}} B per contact "
      f"above imports (target <= 600); final tables {{tables / n:,.0f}} B per contact")
"""


def bench_memory(days: int, k: int = 10) -> None:
    import subprocess
    import sys

    code = _MEMORY_CHILD.format(
        bench=str(ROOT / "benchmarks"), scenario=str(ROOT / "scenarios" / "shop_chat.yaml"), k=k, days=days
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # a fresh process: its own peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="compare,luck,centre,design,memory")
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--days", type=int, default=7, help="days of the centre-size runs")
    args = ap.parse_args()
    todo = args.only.split(",")
    if "luck" in todo:
        bench_luck()
    if "design" in todo:
        bench_design()
    if "centre" in todo:
        bench_centre(args.days)
    if "memory" in todo:
        bench_memory(args.days)
    if "compare" in todo:
        bench_compare(args.replications)


if __name__ == "__main__":
    main()
