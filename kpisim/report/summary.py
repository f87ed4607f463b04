"""The plain-language summary at the top of a comparison report: per plan, what it costs, who gains
and who loses, how well pay follows true skill, how much is luck, the behaviour it invites, and
the warnings. Reads the result tables of a comparison; computes no new results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kpisim.plots.labels import metric_label
from kpisim.policy.definitions import ALL
from kpisim.report.format import estimate, metric_value, money, pct


@dataclass
class PlanSummary:
    """What the summary says about one plan (each item a sentence, already formatted)."""

    key: str
    name: str
    colour: str
    baseline: bool
    headline: str
    points: list[tuple[str, str]] = field(default_factory=list)  # (topic, sentence)
    warnings: list[str] = field(default_factory=list)


def _row(df: pd.DataFrame, policy: str) -> pd.Series | None:
    if df is None or not len(df) or "policy" not in df:
        return None
    d = df[df["policy"] == policy]
    return None if d.empty else d.iloc[0]


def _strength(r: float) -> str:
    if pd.isna(r):
        return "cannot be measured"
    a = abs(r)
    word = "strongly" if a >= 0.7 else "moderately" if a >= 0.4 else "weakly" if a >= 0.15 else "hardly"
    return word if r >= 0 else f"{word}, and inversely,"


def cost_sentence(cost: pd.DataFrame, policy: str, baseline: str, currency: str, reps: int) -> str:
    r, b = _row(cost, policy), _row(cost, baseline)
    if r is None:
        return ""
    total = estimate(
        r["total_cents"], r.get("total_cents_lo"), r.get("total_cents_hi"), kind="money", decimals=0
    )
    s = f"Costs {money(r['total_cents'], currency, decimals=0)} a month (95 % interval {total.interval} {currency})"
    if policy != baseline and b is not None and b["total_cents"]:
        d = estimate(
            r["diff_cents"],
            r.get("diff_cents_lo"),
            r.get("diff_cents_hi"),
            kind="money",
            sign=True,
            decimals=0,
        )
        rel = r["diff_cents"] / b["total_cents"]
        s += (
            f": {money(r['diff_cents'], currency, sign=True, decimals=0)} ({pct(rel, sign=True)}) "
            f"against the baseline (interval {d.interval} {currency})"
        )
    if "p_over_budget" in r and not pd.isna(r["p_over_budget"]):
        s += f". Over the budget of {money(r['budget_cents'], currency, decimals=0)} in {pct(r['p_over_budget'], decimals=0)} of months"
    return s + "."


def winners_sentences(
    wl: pd.DataFrame, gaps: pd.DataFrame, policy: str, baseline: str, currency: str
) -> list[str]:
    """Who gains and who loses against the baseline: all agents, by score band, by role/shift."""
    out: list[str] = []
    if wl is None or not len(wl):
        return out
    d = wl[wl["policy"] == policy]
    if d.empty:
        return out
    thr = money(d["threshold_cents"].iloc[0], currency, decimals=0)
    a = d[d["band"] == 0]
    if len(a):
        a0 = a.iloc[0]
        out.append(
            f"{pct(a0['share_gain'], decimals=0)} of agents gain and {pct(a0['share_lose'], decimals=0)} lose "
            f"more than {thr} a month against the baseline; the average agent moves "
            f"{money(a0['mean_delta_cents'], currency, sign=True, decimals=0)}."
        )
    bands = d[d["band"] > 0]
    if len(bands) > 1:
        lo, hi = bands.iloc[0], bands.iloc[-1]
        out.append(
            f"By baseline score: the lowest band gains {pct(lo['share_gain'], decimals=0)} / loses "
            f"{pct(lo['share_lose'], decimals=0)}; the top band gains {pct(hi['share_gain'], decimals=0)} / "
            f"loses {pct(hi['share_lose'], decimals=0)}."
        )
    if gaps is not None and len(gaps):
        for dim in [x for x in ("role", "shift", "team") if x in set(gaps["dimension"])][:2]:
            g = gaps[gaps["dimension"] == dim].pivot_table(
                index="level", columns="policy", values="mean_pay_cents", aggfunc="first"
            )
            if policy not in g or baseline not in g:
                continue
            diff = (g[policy] - g[baseline]).sort_values()
            parts = [f"{lvl} {money(v, currency, sign=True, decimals=0)}" for lvl, v in diff.items()]
            out.append(f"Mean pay change by {dim}: " + ", ".join(parts) + ".")
    return out


def fairness_sentences(fair: pd.DataFrame, policy: str, reps: int) -> tuple[list[str], list[str]]:
    """How well pay follows true skill, and how much of it is luck (with cautions)."""
    r = _row(fair, policy)
    if r is None:
        return [], []
    say, warn = [], []
    v = estimate(
        r["validity_pay"],
        r.get("validity_pay_lo"),
        r.get("validity_pay_hi"),
        bounds=(-1, 1),
        replications=reps,
    )
    say.append(
        f"Pay follows true skill {_strength(r['validity_pay'])}: correlation {v.text} "
        f"(95 % interval {v.interval}; 1 = pay ranks agents exactly by their hidden contribution)."
    )
    if v.caution:
        warn.append(f"Pay vs true skill: {v.caution}.")
    if "luck_share" in r and not pd.isna(r["luck_share"]):
        lk = estimate(
            r["luck_share"],
            r.get("luck_share_lo"),
            r.get("luck_share_hi"),
            kind="pct",
            bounds=(0, 1),
            replications=reps,
        )
        say.append(
            f"About {lk.text} of the differences in monthly pay are luck (month-to-month noise), "
            f"95 % interval {lk.interval}."
        )
        if lk.caution:
            warn.append(f"Luck share: {lk.caution}.")
    return say, warn


def behaviour_sentences(grad: pd.DataFrame, cliffs: pd.DataFrame, policy: str, currency: str) -> list[str]:
    """What the plan pays for: the best-paid realistic step, metrics it ignores, agents at tier edges."""
    out: list[str] = []
    if grad is not None and len(grad):
        g = grad[grad["policy"] == policy]
        if len(g):
            g = g.sort_values("delta_pay_cents", ascending=False)
            top = g.iloc[0]
            out.append(
                f"It pays most for {metric_label(top['metric'], currency=currency, unit=False)}: one realistic "
                f"step better is worth {money(top['delta_pay_cents'], currency, sign=True, decimals=0)} a month "
                f"to a typical agent."
            )
            zero = [metric_label(m, unit=False) for m in g.loc[g["delta_pay_cents"].abs() < 100, "metric"]]
            if zero:
                more = f" and {len(zero) - 4} more" if len(zero) > 4 else ""
                out.append("A step better on " + ", ".join(zero[:4]) + more + " pays (almost) nothing.")
    if cliffs is not None and len(cliffs):
        c = cliffs[cliffs["policy"] == policy]
        if len(c):
            top = c.sort_values("share_within_step", ascending=False).iloc[0]
            if top["share_within_step"] >= 0.1:
                out.append(
                    f"{pct(top['share_within_step'], decimals=0)} of "
                    f"{'agents' if top.get('role', ALL) == ALL else top['role'] + ' agents'} sit just below the "
                    f"{metric_label(top['metric'], unit=False)} tier edge at "
                    f"{metric_value(str(top['metric']), top['boundary'], relative=bool(top.get('relative')))}: "
                    "a cliff that invites pushing (or gaming) that metric."
                )
    return out


def summarise(
    comp,
    *,
    cost: pd.DataFrame,
    wl: pd.DataFrame,
    fair: pd.DataFrame,
    gaps: pd.DataFrame,
    grad: pd.DataFrame,
    cliffs: pd.DataFrame,
    names: dict[str, str],
    colours: dict[str, str],
) -> list[PlanSummary]:
    """One :class:`PlanSummary` per plan of ``comp``, baseline first; tables keyed by policy key."""
    cur, reps = comp.currency, comp.replications
    filled = comp.meta.get("filled_inputs") or {}
    out = []
    order = [comp.baseline] + [p for p in comp.policies if p != comp.baseline]
    for p in order:
        base = p == comp.baseline
        s = PlanSummary(
            p, names.get(p, p), colours.get(p, "#333"), base, cost_sentence(cost, p, comp.baseline, cur, reps)
        )
        if not base:
            for t in winners_sentences(wl, gaps, p, comp.baseline, cur):
                s.points.append(("Who gains, who loses", t))
        say, warn = fairness_sentences(fair, p, reps)
        for t in say:
            s.points.append(("Pay vs true skill" if "skill" in t else "Luck", t))
        for t in behaviour_sentences(grad, cliffs, p, cur):
            s.points.append(("Behaviour it invites", t))
        s.warnings += warn
        out.append(s)
    if filled:
        note = (
            "Neutral inputs: "
            + ", ".join(f"{k} = {v}" for k, v in sorted(filled.items()))
            + " were not supplied and were set equal for every agent, so they separate nobody."
        )
        for s in out:
            s.warnings.append(note)
    return out
