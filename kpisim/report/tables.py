"""Formatted tables of the reports: headers in words with units, money in currency units, shares in
%, intervals clipped to each quantity's range, a caution under a table whose intervals cannot
answer. Each builder takes a result table (policy names already the display names) and returns a
:class:`Table` the templates render; nothing is computed here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from kpisim.plots.labels import metric_label
from kpisim.policy.definitions import ALL
from kpisim.report.format import estimate, metric_value, money, number, pct


@dataclass
class Cell:
    text: str
    cls: str = ""
    title: str = ""
    sub: str = ""  # a second, smaller line (the 95 % interval)


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)


#: column spec: (header, function of a row -> Cell)
Col = tuple[str, Callable[[pd.Series], Cell]]


def text(col: str) -> Callable[[pd.Series], Cell]:
    return lambda r: Cell("" if pd.isna(r.get(col)) else str(r.get(col)))


def ci(
    col: str,
    *,
    kind: str = "number",
    currency: str = "CNY",
    bounds=(None, None),
    reps: int | None = None,
    sign: bool = False,
    scale: float = 1.0,
) -> Callable[[pd.Series], Cell]:
    """A cell "estimate [lo to hi]" (interval clipped to ``bounds``; a wide one marked ⚠)."""

    def f(r: pd.Series) -> Cell:
        v = r.get(col)
        lo, hi = r.get(f"{col}_lo"), r.get(f"{col}_hi")
        k = (lambda x: None if x is None or pd.isna(x) else float(x) * scale) if scale != 1 else (lambda x: x)
        e = estimate(
            k(v), k(lo), k(hi), kind=kind, currency=currency, bounds=bounds, replications=reps, sign=sign
        )
        txt = f"{e.text} ⚠" if e.caution else e.text
        return Cell(txt, "n c" if e.caution else "n", e.caution, f"[{e.interval}]" if e.interval else "")

    return f


def build(df: pd.DataFrame, cols: Sequence[Col]) -> Table:
    """A :class:`Table` of ``df``'s rows; the cautions of its cells are listed once under it."""
    t = Table([h for h, _ in cols])
    seen: dict[str, None] = {}
    for _, r in df.iterrows():
        cells = [f(r) for _, f in cols]
        t.rows.append(cells)
        for h, c in zip(t.headers, cells, strict=True):
            if c.title:
                seen.setdefault(f"{h} ({r.get('policy', '')}): {c.title}.", None)
    t.cautions = list(seen)
    return t


def cost_table(cost: pd.DataFrame, currency: str) -> Table:
    m = {"kind": "money", "currency": currency}
    cols: list[Col] = [
        ("Plan", text("policy")),
        (f"Total per month, {currency} [95 % interval]", ci("total_cents", **m)),
        (
            f"Months range P5–P95, {currency}",
            lambda r: Cell(
                f"{money(r['p5_cents'], currency, unit=False, decimals=0)} – {money(r['p95_cents'], currency, unit=False, decimals=0)}",
                "n",
            ),
        ),
        (f"Per agent, {currency}", ci("per_agent_cents", **m)),
        (f"Per handled contact, {currency}", ci("per_handled_cents", **m)),
        ("Share of sales", ci("pct_of_sales", kind="pct", scale=0.01, bounds=(0, None))),
        (
            f"Change vs baseline, {currency}",
            lambda r: (
                Cell("baseline")
                if r.get("diff_cents") == 0 and r.get("diff_cents_lo") == r.get("diff_cents_hi") == 0
                else ci("diff_cents", sign=True, **m)(r)
            ),
        ),
    ]
    if "p_over_budget" in cost:
        cols.append(("Months over budget", lambda r: Cell(pct(r["p_over_budget"], decimals=0), "n")))
    return build(cost, cols)


def winners_table(wl: pd.DataFrame, currency: str, reps: int) -> Table:
    share = {"kind": "pct", "bounds": (0, 1), "reps": reps}
    m = {"kind": "money", "currency": currency, "sign": True}
    cols: list[Col] = [
        ("Plan", text("policy")),
        (
            "Baseline score band",
            lambda r: Cell("all agents" if r["band"] == 0 else f"{int(r['band'])} (score {r['band_range']})"),
        ),
        ("Agents gaining", ci("share_gain", **share)),
        ("Agents losing", ci("share_lose", **share)),
        (f"Mean gain of winners, {currency}", ci("mean_gain_cents", **m)),
        (f"Mean loss of losers, {currency}", ci("mean_loss_cents", **m)),
        (f"Mean change, {currency}", ci("mean_delta_cents", **m)),
    ]
    if "role" in wl:
        cols.insert(1, ("Role", text("role")))
    return build(wl, cols)


def validity_table(fair: pd.DataFrame, reps: int) -> Table:
    r = {"bounds": (-1, 1), "reps": reps}
    return build(
        fair,
        [
            ("Plan", text("policy")),
            ("Pay vs true skill (correlation)", ci("validity_pay", **r)),
            ("Score vs true skill (correlation)", ci("validity_score", **r)),
            ("Pay vs true skill (rank, Kendall τ)", ci("tau_truth", **r)),
            ("Best agent ranked first", ci("best_gets_top", kind="pct", bounds=(0, 1), reps=reps)),
            ("Rank stability month to month (τ)", ci("rank_stability", **r)),
        ],
    )


def spread_table(fair: pd.DataFrame, reps: int) -> Table:
    s = {"kind": "pct", "bounds": (0, 1), "reps": reps}
    return build(
        fair,
        [
            ("Plan", text("policy")),
            ("Gini of pay (0 = equal)", ci("gini", bounds=(0, 1), reps=reps)),
            ("Pay to the best-paid 10 %", ci("top10_share", **s)),
            ("Pay variance: luck", ci("luck_share", **s)),
            ("… position (shift, team)", ci("position_share", **s)),
            ("… person", ci("person_share", **s)),
        ],
    )


def gaps_table(gaps: pd.DataFrame, currency: str) -> Table:
    m = {"kind": "money", "currency": currency}
    return build(
        gaps,
        [
            ("Plan", text("policy")),
            ("Group", lambda r: Cell(f"{str(r['dimension']).replace('_', ' ')}: {r['level']}")),
            (f"Mean pay per month, {currency}", ci("mean_pay_cents", **m)),
            (f"Gap vs all agents, {currency}", ci("gap_cents", sign=True, **m)),
        ],
    )


def incentive_table(grad: pd.DataFrame, currency: str) -> Table:
    def step(r):
        k = str(r["metric"])
        if k.endswith("_cents"):
            return Cell(money(r["step"], currency, sign=True), "n")
        if k.endswith("_rate") or k in ("service_level", "occupancy", "utilisation"):
            return Cell(f"{100 * float(r['step']):+.1f} points", "n")
        return Cell(number(r["step"]).join(("+" if r["step"] > 0 else "", "")), "n")

    return build(
        grad,
        [
            ("Plan", text("policy")),
            ("Metric", lambda r: Cell(metric_label(str(r["metric"]), currency=currency))),
            ("One realistic step better", step),
            (
                f"Pay change, {currency}/month [95 % interval]",
                ci("delta_pay_cents", kind="money", currency=currency, sign=True),
            ),
            (
                "Change vs typical pay",
                lambda r: Cell(pct(r.get("per_step_pct", float("nan")) / 100, sign=True), "n"),
            ),
        ],
    )


def cliffs_table(cliffs: pd.DataFrame, reps: int) -> Table:
    return build(
        cliffs,
        [
            ("Plan", text("policy")),
            ("Role", lambda r: Cell("" if r.get("role", ALL) == ALL else str(r["role"]))),
            ("Component", text("component")),
            ("Metric", lambda r: Cell(metric_label(str(r["metric"])))),
            (
                "Tier edge",
                lambda r: Cell(
                    metric_value(str(r["metric"]), r["boundary"], relative=bool(r.get("relative"))), "n"
                ),
            ),
            ("Agents within one step below", ci("share_within_step", kind="pct", bounds=(0, 1), reps=reps)),
        ],
    )


def levers_table(levers: pd.DataFrame, currency: str) -> Table:
    cols: list[Col] = [
        ("Lever", text("lever")),
        ("Plan", text("policy")),
        (
            f"Pay change per agent-month, {currency}",
            ci("delta_pay_cents", kind="money", currency=currency, sign=True),
        ),
    ]
    for k in ("handled", "fcr_rate", "csat_mean", "sales_cents", "complaints"):
        if f"delta_{k}" in levers:
            kind = "money" if k == "sales_cents" else "pct" if k.endswith("_rate") else "number"
            cols.append(
                (
                    f"Change in {metric_label(k, currency=currency)}",
                    ci(f"delta_{k}", kind=kind, currency=currency, sign=True),
                )
            )
    return build(levers, cols)
