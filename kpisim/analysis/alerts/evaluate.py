"""How good is an alert rule? Measured against the simulator's hidden declines.

This module READS HIDDEN TRUTH (the event log's ``declines`` table); the alerts themselves never
do. Per rule:

- false alarms per agent-month: agent alerts in periods that overlap no sustained decline of
  that agent (an alert on an off-day is a false alarm: S4 says not to act on it), per 30
  monitored agent-days outside declines;
- detection delay: days from a decline's start to the end of the period of the first agent
  alert on that agent (when the period's data exist), for declines starting after the baseline
  periods;
- missed share: such declines with no agent alert before they end (or the run ends).
Team alerts are counted, not judged (the simulator has no team-wide declines).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.analysis.alerts.apply import Detection, detections
from kpisim.analysis.alerts.series import RUN_KEYS
from kpisim.io.eventlog import EventLog
from kpisim.policy.alerts_models import PERIOD_DAYS, AlertRules
from kpisim.scenario.declines import DAYS_PER_MONTH
from kpisim.vocab import DECLINE_KINDS

DECLINE, OFF_DAY = DECLINE_KINDS
_DAY = np.timedelta64(1, "D")


def measure(log: EventLog, rules: AlertRules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw counts per rule and replication, and one row per sustained decline and rule.

    Returns:
        ``(exposure, declines)``: exposure has run keys, ``rule``, ``agent_months``,
        ``agent_alerts``, ``false_alarms``, ``false_alarms_on_off_days``, ``team_alerts``;
        declines has run keys, ``rule``, ``agent_id``, ``start_at``, ``watched`` (started after
        the baseline periods), ``detected`` and ``delay_days`` (NaN if missed or not watched).
    """
    return _measure(detections(log, rules), log.declines, rules)


def _measure(found: dict, hidden: pd.DataFrame, rules: AlertRules) -> tuple[pd.DataFrame, pd.DataFrame]:
    exp_rows, dec_rows = [], []
    for rule in rules.rules:
        for d in found[rule.name]:
            rep = d.series.keys[1]
            h = hidden[hidden["replication"] == rep] if "replication" in hidden else hidden
            e, rows = _judge(d, PERIOD_DAYS[rule.period], h)
            keys = dict(zip(RUN_KEYS, d.series.keys, strict=True))
            exp_rows.append({**keys, "rule": rule.name, **e})
            dec_rows += [{**keys, "rule": rule.name, **r} for r in rows]
    exposure = pd.DataFrame(exp_rows, columns=[*RUN_KEYS, "rule", *_EXPOSURE])
    declines = pd.DataFrame(
        dec_rows, columns=[*RUN_KEYS, "rule", "agent_id", "start_at", "watched", "detected", "delay_days"]
    )
    return exposure, declines


_EXPOSURE = ("agent_months", "agent_alerts", "false_alarms", "false_alarms_on_off_days", "team_alerts")


def _judge(d: Detection, period_days: int, hidden: pd.DataFrame) -> tuple[dict, list[dict]]:
    s = d.series
    starts = s.periods.to_numpy()
    ends = starts + period_days * _DAY
    n, m = s.values.shape
    in_decline = np.zeros((n, m), bool)
    off = np.zeros((n, m), bool)
    row = {a: i for i, a in enumerate(s.agents)}
    spells = []
    for h in hidden.itertuples(index=False):
        i = row.get(h.agent_id)
        if i is None:
            continue
        over = (starts < h.end_at.to_datetime64()) & (ends > h.start_at.to_datetime64())
        if h.kind == DECLINE:
            in_decline[i] |= over
            spells.append((i, h.agent_id, h.start_at.to_datetime64(), h.end_at.to_datetime64()))
        elif h.kind == OFF_DAY:
            off[i] |= over
    watched_cols = np.arange(m) >= d.start
    false = d.alarm & ~in_decline
    exposure = {
        "agent_months": float((watched_cols[None, :] & ~in_decline).sum() * period_days / DAYS_PER_MONTH),
        "agent_alerts": int(d.alarm.sum()),
        "false_alarms": int(false.sum()),
        "false_alarms_on_off_days": int((false & off).sum()),
        "team_alerts": int(d.team_alarm.sum()),
    }
    first_watched = starts[d.start] if d.start < m else np.datetime64("NaT")
    rows = []
    for i, agent, t0, t1 in spells:
        watched = bool(d.start < m and t0 >= first_watched)
        hit = np.flatnonzero(d.alarm[i] & (ends > t0) & (starts < t1)) if watched else np.array([], int)
        delay = float((ends[hit[0]] - t0) / _DAY) if hit.size else np.nan
        rows.append(
            {
                "agent_id": agent,
                "start_at": t0,
                "watched": watched,
                "detected": bool(hit.size),
                "delay_days": delay,
            }
        )
    return exposure, rows


def summarise(exposure: pd.DataFrame, declines: pd.DataFrame, rules: AlertRules) -> pd.DataFrame:
    """Per rule over all replications: false alarms per agent-month, declines, missed share, delay.

    Returns:
        One row per rule (file order): ``rule``, ``type``, ``metric``, ``period``,
        ``replications``, ``agent_months``, ``agent_alerts``, ``false_alarms``,
        ``false_alarms_per_agent_month``, ``false_alarms_on_off_days``, ``team_alerts``,
        ``declines`` (watched), ``detected``, ``missed_share``, ``mean_delay_days``,
        ``median_delay_days``.
    """
    out = []
    for rule in rules.rules:
        e = exposure[exposure["rule"] == rule.name]
        w = declines[(declines["rule"] == rule.name) & declines["watched"].astype(bool)]
        months = float(e["agent_months"].sum())
        delays = w.loc[w["detected"].astype(bool), "delay_days"].to_numpy(float)
        out.append(
            {
                "rule": rule.name,
                "type": rule.type,
                "metric": rule.metric,
                "period": rule.period,
                "replications": int(e["replication"].nunique()),
                "agent_months": months,
                "agent_alerts": int(e["agent_alerts"].sum()),
                "false_alarms": int(e["false_alarms"].sum()),
                "false_alarms_per_agent_month": float(e["false_alarms"].sum()) / months if months else np.nan,
                "false_alarms_on_off_days": int(e["false_alarms_on_off_days"].sum()),
                "team_alerts": int(e["team_alerts"].sum()),
                "declines": len(w),
                "detected": int(delays.size),
                "missed_share": 1 - delays.size / len(w) if len(w) else np.nan,
                "mean_delay_days": float(delays.mean()) if delays.size else np.nan,
                "median_delay_days": float(np.median(delays)) if delays.size else np.nan,
            }
        )
    return pd.DataFrame(out)


def evaluate_alerts(log: EventLog, rules: AlertRules) -> pd.DataFrame:
    """Judge every rule on ``log`` against its hidden declines (READS HIDDEN TRUTH).

    Returns:
        The per-rule table of :func:`summarise`.
    """
    return summarise(*measure(log, rules), rules)


def evaluate_series(tables: dict[str, pd.DataFrame], hidden: pd.DataFrame, rules: AlertRules) -> pd.DataFrame:
    """:func:`evaluate_alerts` on per-agent KPI tables already computed (``apply.series_tables``,
    e.g. stacked over the months of a year) against the ``hidden`` declines table (READS HIDDEN
    TRUTH)."""
    return summarise(*_measure(detections(None, rules, tables=tables), hidden, rules), rules)
