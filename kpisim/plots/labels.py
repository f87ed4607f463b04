"""Words for figures and report tables: readable metric labels (from the KPI registry's units), one
colour per policy across every figure, and axis formatting without scientific notation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: Readable names of metric keys; a key not listed reads as its words (``late_count`` -> "late count").
NAMES: dict[str, str] = {
    "offered": "contacts offered",
    "handled": "contacts handled",
    "service_level": "service level",
    "asa_s": "average speed of answer",
    "aht_s": "average handle time",
    "acw_s": "after-contact work",
    "abandon_rate": "abandonment",
    "transfer_rate": "transfer rate",
    "fcr_rate": "first-contact resolution",
    "contacts_per_hour": "contacts per hour",
    "contacts_per_day": "contacts per day",
    "first_response_s": "first response time",
    "avg_response_s": "average response time",
    "reply_rate": "reply rate",
    "invalid_session_rate": "invalid sessions",
    "conversion_rate": "conversion rate",
    "aov_cents": "average order value",
    "sales_cents": "sales",
    "silent_order_sales_cents": "silent-order sales",
    "refund_rate": "refund rate",
    "rescue_rate": "rescue rate",
    "csat_mean": "customer satisfaction",
    "csat_positive_rate": "positive ratings",
    "rating_participation": "rating participation",
    "nps": "net promoter score",
    "complaint_rate": "complaint rate",
    "qa_mean": "quality score",
    "qa_pass_rate": "quality pass rate",
    "actual_work_rate": "actual work rate",
    "logged_in_h": "logged-in hours",
    "hangup_h": "hang-up hours",
    "avg_daily_online_h": "daily online hours",
    "relative_volume": "volume vs team average",
    "relative_online_time": "online time vs team average",
}

_UNITS = {"ratio": "%", "s": "s", "h": "h", "contacts/h": "per h", "contacts/day": "per day", "days": "days"}

#: Colour-blind-safe palette (Okabe–Ito, then tab10 tones); the n-th policy of a comparison gets the n-th.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#8c564b",
    "#7f7f7f",
)


def metric_label(key: str, *, currency: str = "CNY", unit: bool = True) -> str:
    """``sales_cents`` -> "sales (CNY)", ``fcr_rate`` -> "first-contact resolution (%)"; a key that
    is not a metric (a policy input, a component) reads as its words; a metric read with its own
    parameters (``conversion_rate@queues=presales``, ``kpisim.kpi.variants``) keeps them after
    its name: "conversion rate, queues=presales (%)"."""
    from kpisim.kpi.registry import METRICS

    base, at, params = key.partition("@")
    if at and base in METRICS:
        label = metric_label(base, currency=currency, unit=unit)
        name = metric_label(base, currency=currency, unit=False)
        return f"{name}, {params.replace(',', ', ')}" + label[len(name) :]
    m = METRICS.get(key)
    name = NAMES.get(key) or key.removesuffix("_cents").removesuffix("_s").replace("_", " ")
    if not unit or m is None:
        return name
    u = currency if m.unit == "cents" else _UNITS.get(m.unit, m.unit)
    return f"{name} ({u})" if u and u not in ("count",) else name


def policy_colours(policies: Iterable[str], given: Mapping[str, str] | None = None) -> dict[str, str]:
    """Policy -> colour: ``given`` where it names one, else the palette in the order of ``policies``
    (pass a comparison's full policy list so every figure of it uses the same colours)."""
    out: dict[str, str] = {}
    for i, p in enumerate(dict.fromkeys(policies)):
        out[p] = (given or {}).get(p) or PALETTE[i % len(PALETTE)]
    return out


def plain_axis(ax, axis: str = "y") -> None:
    """Tick labels with thousands separators and no scientific notation or offset."""
    from matplotlib.ticker import FuncFormatter

    def fmt(v, _pos):
        return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.2g}"

    for a in (ax.yaxis,) if axis == "y" else (ax.xaxis,) if axis == "x" else (ax.xaxis, ax.yaxis):
        a.set_major_formatter(FuncFormatter(fmt))
