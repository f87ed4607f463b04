"""What a simulated year shows: the team's trajectory, the quality of each consequence rule and
the cost of turnover (definitions in docs/time.md).

``rule_quality`` and ``weak_survival`` read the HIDDEN TRUTH (each agent's trained potential,
``kpisim.analysis.fairness.contribution`` within the replication's agents); no KPI does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kpisim.analysis.fairness import contribution

if TYPE_CHECKING:
    from kpisim.analysis.year.result import Year

#: tenure bands of the tenure mix (months): label -> [lo, hi)
TENURE_BANDS = {"under_3m": (0.0, 3.0), "3_to_12m": (3.0, 12.0), "over_12m": (12.0, np.inf)}
#: what counts as a wrong decision of each action (by the agent's true contribution)
WRONG_IF = {"eliminated": "above", "demoted": "above", "promoted": "below"}


def _event_month(year: Year, day: pd.Series) -> pd.Series:
    """The month (0-based) holding run day ``day`` (months = the run's; later days: -1)."""
    b = year.bounds()
    starts = [d0 for _, d0, _ in b]
    end = b[-1][1] + b[-1][2]
    m = np.searchsorted(np.array(starts), day.to_numpy(float), side="right") - 1
    return pd.Series(np.where(day.to_numpy(float) < end, m, -1), index=day.index)


def trajectory(year: Year) -> pd.DataFrame:
    """Per month (mean over replications): headcount (agents who worked), staffed posts (agent-days
    worked / days: a post empty for half the month counts half), tenure mix, new agents,
    promotions, demotions, eliminations and resignations decided, hires who started, leavers who
    left, payout (cents), service level and FCR, and the policy version paid."""
    r = year.roster[year.roster["active_days"] > 0]
    g = r.groupby(["replication", "month"])
    out = g.size().rename("headcount").to_frame()
    days = pd.Series([n for _, _, n in year.bounds()])
    months = out.index.get_level_values("month")
    out["staffed_posts"] = g["active_days"].sum().to_numpy() / days.reindex(months).to_numpy()
    for name, (lo, hi) in TENURE_BANDS.items():
        out[f"tenure_{name}"] = g["tenure_months"].apply(
            lambda t, lo=lo, hi=hi: int(((t >= lo) & (t < hi)).sum())
        )
    ev = year.events
    decided = ev.groupby(["replication", "month", "event"]).size().unstack(fill_value=0)
    for e in ("promoted", "demoted", "eliminated", "resigned"):
        out[e] = decided[e].reindex(out.index, fill_value=0) if e in decided else 0
    hired = ev[ev["event"] == "hired"].assign(at=lambda d: _event_month(year, d["day"]))
    out["hires_started"] = (
        hired.groupby(["replication", "at"]).size().reindex(out.index, fill_value=0).to_numpy()
    )
    left = ev[ev["event"].isin(["eliminated", "resigned"])].assign(
        at=lambda d: _event_month(year, d["day"] - 1)
    )
    out["leavers_left"] = (
        left.groupby(["replication", "at"]).size().reindex(out.index, fill_value=0).to_numpy()
    )
    team = year.team.set_index(["replication", "month"])
    for c in ("payout_cents", "service_level", "fcr_rate"):
        out[c] = team[c].reindex(out.index).to_numpy()
    out = out.reset_index()
    mean = out.drop(columns="replication").groupby("month").mean()
    pv = year.team.drop_duplicates("month").set_index("month")
    mean.insert(0, "period", pv["period"].reindex(mean.index))
    mean["policy_version"] = pv["policy_version"].reindex(mean.index)
    mean["replications"] = out.groupby("month").size()
    return mean.reset_index()


def _truth(year: Year) -> pd.DataFrame:
    a = year.agents.copy()
    a["true_contribution"] = contribution(a)
    med = a.groupby("replication")["true_contribution"].transform("median")
    q25 = a.groupby("replication")["true_contribution"].transform(lambda x: x.quantile(0.25))
    a["above_median"] = a["true_contribution"] > med
    a["truly_weak"] = a["true_contribution"] <= q25
    return a


def rule_quality(year: Year) -> pd.DataFrame:
    """Per consequence (``eliminated``, ``demoted``, ``promoted``): decisions per year and the
    share that were wrong by the hidden truth: eliminated or demoted agents whose true
    contribution was above the median of the year's agents (false eliminations), promoted ones
    below it."""
    a = _truth(year)[["replication", "agent_id", "above_median"]]
    ev = year.events.merge(a, on=["replication", "agent_id"], how="left")
    rows = []
    for e, wrong in WRONG_IF.items():
        d = ev[ev["event"] == e]
        bad = d["above_median"] if wrong == "above" else ~d["above_median"].astype(bool)
        rows.append(
            {
                "rule": e,
                "decisions": len(d),
                "per_year": len(d) / year.replications * 12 / year.months,
                "wrong_share": float(bad.mean()) if len(d) else np.nan,
                "wrong_means": f"true contribution {wrong} the median",
            }
        )
    return pd.DataFrame(rows)


def weak_survival(year: Year) -> pd.DataFrame:
    """Truly weak agents (bottom quarter of true contribution among the year's agents): how many,
    the share eliminated within the run, and the mean months they worked (months on the roster,
    notice included; an agent still there at the end counts the months so far)."""
    a = _truth(year)
    a = a[a["truly_weak"]]
    idx = pd.MultiIndex.from_frame(a[["replication", "agent_id"]])
    worked = (
        year.roster[year.roster["active_days"] > 0].groupby(["replication", "agent_id"])["month"].nunique()
    )
    months = worked.reindex(idx)
    el = year.events[year.events["event"] == "eliminated"].set_index(["replication", "agent_id"]).index
    n = int(months.notna().sum())
    return pd.DataFrame(
        [
            {
                "truly_weak_agents": n,
                "share_eliminated": float(idx.isin(el).sum() / max(1, n)),
                "mean_months_stayed": float(months.mean()) if n else np.nan,
                "months_run": year.months,
            }
        ]
    )


def turnover_cost(year: Year) -> pd.DataFrame:
    """Per replication: leavers (eliminated, resigned), hires, hiring cost, the cost of new agents'
    slowness (the share of capacity a learning agent lacks, ``1 - 1/speed_factor(tenure)``, times
    that agent's pay that month) and empty-post days; the attrition rate (resignations per year /
    mean headcount, comparable with ``turnover.annual_attrition``). Money in integer cents."""
    sc = year.scenario
    ev = year.events
    r = year.roster.merge(
        year.pay[["replication", "month", "agent_id", "total_cents"]],
        on=["replication", "month", "agent_id"],
        how="left",
    )
    lack = 1.0 - 1.0 / np.array([sc.tenure.speed_factor(t) for t in r["tenure_months"]])
    r["learning_cents"] = lack * r["total_cents"].fillna(0).to_numpy(float)
    days = sum(n for _, _, n in year.bounds())
    rows = []
    for rep in range(year.replications):
        e = ev[ev["replication"] == rep]
        rr = r[r["replication"] == rep]
        hires = int((e["event"] == "hired").sum())
        resigned = int((e["event"] == "resigned").sum())
        heads = rr.groupby("month")["active_days"].sum().sum() / days
        rows.append(
            {
                "replication": rep,
                "eliminated": int((e["event"] == "eliminated").sum()),
                "resigned": resigned,
                "hires": hires,
                "hiring_cost_cents": hires * sc.turnover.hiring_cost_cents,
                "learning_cost_cents": int(round(float(rr["learning_cents"].sum()))),
                "vacancy_days": int(sc.n_agents * days - rr["active_days"].sum()),
                "attrition_rate": resigned * 12 / year.months / heads if heads else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    out["turnover_cost_cents"] = out["hiring_cost_cents"] + out["learning_cost_cents"]
    return out
