"""The year report page (``year.html``): the team month by month, whether each consequence was
deserved, what turnover costs. Formats the tables of ``kpisim.analysis.year``; computes nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kpisim.report import tables
from kpisim.report.comparison_page import embed
from kpisim.report.format import money, number, pct
from kpisim.report.render import render
from kpisim.report.tables import Cell

DEFINITIONS = [
    (
        "Headcount",
        "agents who worked at least one day of the month (a leaver and the hire after them both count).",
    ),
    ("Staffed posts", "agent-days worked / days of the month: a post empty for half the month counts half."),
    ("Eliminated, resigned", "decided at the end of the month; the agent works the notice, then leaves."),
    (
        "Wrong decisions",
        "HIDDEN TRUTH: an eliminated or demoted agent whose true contribution (trained "
        "potential, standard units within the year's agents) was above the median, or a promoted one below it.",
    ),
    ("Truly weak agents", "HIDDEN TRUTH: the bottom quarter of true contribution among the year's agents."),
    (
        "Attrition",
        "voluntary resignations per year / mean staffed posts (S3 benchmark #1: industry 25 %, target 15 %).",
    ),
    (
        "Cost of turnover",
        "hiring cost per hire x hires, plus the slowness of new agents: the share of "
        "capacity a learning agent lacks (1 - 1/handle-time factor) times that agent's pay.",
    ),
]


def figures(traj: pd.DataFrame, d: Path, *, currency: str) -> dict[str, dict]:
    from kpisim import plots

    out = {}
    for name, make in (
        ("team", lambda: plots.year_team(traj)),
        ("trajectory", lambda: plots.year_trajectory(traj, currency=currency)),
    ):
        p = d / f"year_{name}.png"
        plots.save(make(), p)
        out[name] = embed(p.read_bytes())
    return out


def _n(col: str, digits: int = 3):
    return lambda r: Cell(number(r.get(col), digits=digits), "n")


def months_table(traj: pd.DataFrame, currency: str) -> tables.Table:
    return tables.build(
        traj,
        [
            ("Month", lambda r: Cell(pd.Timestamp(r["period"]).strftime("%Y-%m"))),
            ("Plan version", tables.text("policy_version")),
            ("Headcount", _n("headcount")),
            ("Staffed posts", _n("staffed_posts")),
            ("Under 3 months' tenure", _n("tenure_under_3m")),
            ("Promoted", _n("promoted")),
            ("Eliminated", _n("eliminated")),
            ("Resigned", _n("resigned")),
            ("Hires who started", _n("hires_started")),
            (
                f"Payout, {currency}",
                lambda r: Cell(money(r["payout_cents"], currency, unit=False, decimals=0), "n"),
            ),
            ("Service level", lambda r: Cell(pct(r["service_level"]), "n")),
            ("First-contact resolution", lambda r: Cell(pct(r["fcr_rate"]), "n")),
        ],
    )


def rules_table(q: pd.DataFrame) -> tables.Table:
    return tables.build(
        q,
        [
            ("Decision", tables.text("rule")),
            ("Decisions per year", _n("per_year")),
            ("Wrong decisions", lambda r: Cell(pct(r["wrong_share"], decimals=0), "n")),
            ("Wrong means", tables.text("wrong_means")),
        ],
    )


def weak_table(w: pd.DataFrame) -> tables.Table:
    return tables.build(
        w,
        [
            ("Truly weak agents", _n("truly_weak_agents")),
            ("Share eliminated within the run", lambda r: Cell(pct(r["share_eliminated"], decimals=0), "n")),
            ("Months they stayed (mean)", _n("mean_months_stayed")),
            ("Months simulated", _n("months_run")),
        ],
    )


def alerts_table(ev: pd.DataFrame) -> tables.Table:
    dash = lambda v, fmt: "-" if pd.isna(v) else fmt(v)  # noqa: E731
    return tables.build(
        ev,
        [
            ("Rule", tables.text("rule")),
            ("Metric", tables.text("metric")),
            ("Alerts on agents", _n("agent_alerts")),
            ("False alarms per agent-month", lambda r: Cell(f"{r['false_alarms_per_agent_month']:.2f}", "n")),
            ("Declines", _n("declines")),
            ("Missed", lambda r: Cell(dash(r["missed_share"], lambda v: pct(v, decimals=0)), "n")),
            ("Mean delay, days", lambda r: Cell(dash(r["mean_delay_days"], lambda v: f"{v:.1f}"), "n")),
        ],
    )


def cost_table(cost: pd.DataFrame, currency: str) -> tables.Table:
    mean = cost.drop(columns="replication").mean().to_frame().T
    m = lambda col: lambda r: Cell(money(r[col], currency, unit=False, decimals=0), "n")  # noqa: E731
    return tables.build(
        mean,
        [
            ("Eliminated", _n("eliminated")),
            ("Resigned", _n("resigned")),
            ("Attrition, per year", lambda r: Cell(pct(r["attrition_rate"], decimals=0), "n")),
            ("Hires", _n("hires")),
            (f"Hiring cost, {currency}", m("hiring_cost_cents")),
            (f"Slowness of new agents, {currency}", m("learning_cost_cents")),
            (f"Cost of turnover, {currency}", m("turnover_cost_cents")),
            ("Empty-post days", _n("vacancy_days")),
        ],
    )


def points(year, traj, q, w, cost) -> list[str]:
    cur = year.currency
    el = q.set_index("rule")
    c = cost.drop(columns="replication").mean()
    out = [
        f"Headcount went from {number(traj['headcount'].iat[0])} to {number(traj['headcount'].iat[-1])}; "
        f"{number(el.loc['eliminated', 'per_year'])} eliminations and {number(c['resigned'] * 12 / year.months)} "
        f"resignations a year (attrition {pct(c['attrition_rate'], decimals=0)}).",
    ]
    if el.loc["eliminated", "decisions"]:
        out.append(
            f"{pct(el.loc['eliminated', 'wrong_share'], decimals=0)} of the eliminated agents were truly better than "
            "the median agent: eliminated for bad luck or for being new, not for being weak."
        )
    if el.loc["promoted", "decisions"]:
        out.append(
            f"{pct(el.loc['promoted', 'wrong_share'], decimals=0)} of the promoted agents were truly below the median."
        )
    out.append(
        f"Turnover cost {money(c['turnover_cost_cents'], cur, decimals=0)} over {year.months} months "
        f"(hiring {money(c['hiring_cost_cents'], cur, decimals=0)}, new agents' slowness "
        f"{money(c['learning_cost_cents'], cur, decimals=0)}); a truly weak agent stayed "
        f"{number(w['mean_months_stayed'].iat[0])} months on average."
    )
    return out


def page(year, imgs: dict[str, dict]) -> str:
    traj, q, w, cost = year.trajectory(), year.rule_quality(), year.weak_survival(), year.turnover_cost()
    tv = year.manifest().details["timeline_versions"]
    versions = f"{tv[0][1]}, every month" if len(tv) == 1 else ", ".join(f"{v} from {s}" for s, v in tv)
    warnings = []
    if year.replications < 4:
        warnings.append(
            f"Only {year.replications} simulated year(s): the shares of wrong decisions rest on few decisions; "
            "run more replications before trusting them."
        )
    return render(
        "year.html.j2",
        title=f"kpisim year: {year.scenario.id}",
        scenario=year.scenario.id,
        lead=(
            f"{year.replications} simulated year(s) of {year.months} months, the same team carried month to month "
            f"(seed {year.seed}). Plan: {versions}. Money in {year.currency}."
        ),
        points=points(year, traj, q, w, cost),
        warnings=warnings,
        imgs={k: imgs.get(k) for k in ("team", "trajectory")},
        tables={
            "months": months_table(traj, year.currency),
            "rules": rules_table(q),
            "weak": weak_table(w),
            "cost": cost_table(cost, year.currency),
            "alerts": alerts_table(year.evaluate_alerts()) if year.alert_rules is not None else None,
        },
        alerts_note=_alerts_note(year),
        cost_note=f"Per simulated run of {year.months} months (mean over the {year.replications} run(s)).",
        definitions=DEFINITIONS,
    )


def _alerts_note(year) -> str:
    if year.alert_rules is None:
        return ""
    hidden = "the year's hidden declines and off-days (HIDDEN TRUTH)"
    if not len(year.declines):
        hidden += "; this scenario simulates none, so every alert is a false alarm"
    return (
        f"Rules {year.alert_rules.id} on each agent's daily or weekly KPIs over the whole run, judged "
        f"against {hidden}. Over a year prefer daily rules (a week straddling two months is cut in two)."
    )


def write_year(year, out, *, figures_too: bool = True) -> Path:
    """Write a year's CSV tables, figures, ``year.html`` and ``manifest.json`` into ``out``
    (built whole, then swapped in)."""

    def extra(d: Path) -> None:
        imgs = figures(year.trajectory(), d, currency=year.currency) if figures_too else {}
        (d / "year.html").write_text(page(year, imgs), encoding="utf-8")

    return year.write(out, extra=extra)
