"""``alerts(log, rules)``: apply coaching-alert rules to a run's per-agent KPI series.

Per rule and replication: the agents' series of the rule's metric (``series.matrices``), the
baseline from the first ``baseline_periods`` periods (own or team), the standardised series
(positive = worse), team-first (a team alert where many agents move together; agents then
relative to their team), the detector, then the cool-down. Monitoring starts after the baseline
periods (rules on values without ``team_first`` need no baseline and start at once).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpisim.analysis.alerts import detectors as D
from kpisim.analysis.alerts.series import RUN_KEYS, Series, kpi_series, matrices
from kpisim.io.eventlog import EventLog
from kpisim.kpi.registry import METRICS
from kpisim.policy.alerts_models import AlertRules, Cusum, Ewma, NOfM, Threshold
from kpisim.vocab import ALERT_LEVELS

AGENT, TEAM = ALERT_LEVELS

#: columns of an alerts table
ALERT_COLUMNS = (
    *RUN_KEYS,
    "rule",
    "level",
    "team",
    "agent_id",
    "period",
    "metric",
    "value",
    "statistic",
    "limit",
)


@dataclass
class Detection:
    """One rule on one replication: what the detector saw and where it alerted.

    Attributes:
        series: the agents' values; start: first monitored period (column).
        alarm: agents x periods agent alerts; stat: the detector's statistic; limit: its limit.
        team_alarm: teams x periods team alerts (``team_names`` rows); team_share: share moving.
    """

    series: Series
    start: int
    alarm: np.ndarray
    stat: np.ndarray
    limit: float
    team_names: np.ndarray
    team_alarm: np.ndarray
    team_share: np.ndarray


def detect(s: Series, rule) -> Detection:
    """Apply ``rule`` to one replication's series ``s``."""
    x = s.values
    sign = rule.sign(METRICS[rule.metric].direction)
    needs_base = rule.uses_z or rule.team_first is not None
    start = min(rule.baseline_periods, x.shape[1]) if needs_base else 0
    team_names, team_code = np.unique(s.teams.astype(str), return_inverse=True)
    z = np.full(x.shape, np.nan)
    if needs_base:
        mean, sd = D.baseline(x, rule.baseline_periods, team_code if rule.baseline == "team" else None)
        z = D.standardise(x, mean, sd, sign)
    z[:, :start] = np.nan
    raw = sign * (x - rule.value) if getattr(rule, "value", None) is not None else z
    raw[:, :start] = np.nan
    team_alarm = np.zeros((len(team_names), x.shape[1]), bool)
    team_share = np.full(team_alarm.shape, np.nan)
    if rule.team_first is not None:
        tf = rule.team_first
        basis = z if rule.uses_z else raw
        moving = np.nan_to_num(basis, nan=-np.inf) > (tf.z if rule.uses_z else 0.0)
        for t in range(len(team_names)):
            rows = team_code == t
            n_data = np.isfinite(basis[rows]).sum(axis=0)
            n_move = moving[rows].sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                team_share[t] = np.where(n_data > 0, n_move / np.maximum(n_data, 1), np.nan)
            team_alarm[t] = (n_move >= tf.min_agents) & (n_move >= tf.share * n_data) & (n_data > 0)
            if rule.uses_z and rows.any():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # a period nobody worked: NaN
                    med = np.nanmedian(np.where(np.isfinite(z[rows]), z[rows], np.nan), axis=0)
                z[rows] -= np.nan_to_num(med)[None, :]
        team_alarm = D.cool_down(team_alarm, rule.cooldown)
    stat_in = z if rule.uses_z else raw
    limit = float(rule.z) if isinstance(rule, (Threshold, NOfM)) and rule.z is not None else 0.0
    if isinstance(rule, Threshold):
        alarm, stat = D.exceed(stat_in, limit)
    elif isinstance(rule, NOfM):
        alarm, stat = D.n_of_m(stat_in, limit, rule.n, rule.m)
        limit = float(rule.n)
    elif isinstance(rule, Ewma):
        alarm, stat = D.ewma(z, rule.weight, rule.limit, rule.clip)
        limit = rule.limit * float(np.sqrt(rule.weight / (2 - rule.weight)))
    elif isinstance(rule, Cusum):
        alarm, stat = D.cusum(z, rule.k, rule.h, rule.clip)
        limit = rule.h
    else:  # pragma: no cover - the rule union is closed
        raise TypeError(type(rule).__name__)
    if rule.team_first is not None:
        alarm &= ~team_alarm[team_code]
    alarm = D.cool_down(alarm, rule.cooldown)
    return Detection(s, start, alarm, stat, limit, team_names, team_alarm, team_share)


def series_tables(log: EventLog, rules: AlertRules) -> dict[str, pd.DataFrame]:
    """Period -> the per-agent KPI table of the rules watching that period (``kpi_series``)."""
    return {
        p: kpi_series(log, [r.metric for r in rules.rules if r.period == p], p)
        for p in sorted({r.period for r in rules.rules})
    }


def detections(
    log: EventLog | None, rules: AlertRules, *, tables: dict[str, pd.DataFrame] | None = None
) -> dict[str, list[Detection]]:
    """Rule name -> one ``Detection`` per replication (KPI tables computed once per period, or
    ``tables`` as ``series_tables`` makes them, e.g. stacked over the months of a year)."""
    if tables is None:
        assert log is not None
        tables = series_tables(log, rules)
    return {
        r.name: [detect(s, r) for s in matrices(tables[r.period], r.metric, r.period)] for r in rules.rules
    }


def alerts(log: EventLog, rules: AlertRules) -> pd.DataFrame:
    """Every alert the rules raise on ``log``, one row per (rule, agent or team, period).

    Reads only the KPI engine's per-agent tables, never the hidden truth.

    Returns:
        Columns ``ALERT_COLUMNS``: run keys, ``rule``, ``level`` (``agent`` or ``team``), ``team``,
        ``agent_id`` (<NA> for a team alert), ``period`` (start of the day or week),
        ``metric``, ``value`` (the agent's value, or the team's mean), ``statistic`` (what the
        detector compared: z, count, EWMA, CUSUM, or the share of the team moving) and ``limit``.
    """
    found = detections(log, rules)
    rows = [_rows(d, rule) for rule in rules.rules for d in found[rule.name]]
    rows = [r for r in rows if len(r)]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ALERT_COLUMNS})
    out = pd.concat(rows, ignore_index=True)
    order = {r.name: i for i, r in enumerate(rules.rules)}
    out = out.sort_values(
        ["replication", "period", "rule", "level", "team", "agent_id"],
        key=lambda c: c.map(order) if c.name == "rule" else c,
        kind="stable",
    )
    return out.reset_index(drop=True)[list(ALERT_COLUMNS)]


def _rows(d: Detection, rule) -> pd.DataFrame:
    s = d.series
    r, c = np.nonzero(d.alarm)
    agent = pd.DataFrame(
        {
            "level": AGENT,
            "team": s.teams[r],
            "agent_id": s.agents[r],
            "period": s.periods[c],
            "value": s.values[r, c],
            "statistic": d.stat[r, c],
            "limit": d.limit,
        }
    )
    tr, tc = np.nonzero(d.team_alarm)
    team_code = np.unique(s.teams.astype(str), return_inverse=True)[1]
    team_mean = np.array([np.nanmean(s.values[team_code == t, k]) for t, k in zip(tr, tc, strict=True)])
    team = pd.DataFrame(
        {
            "level": TEAM,
            "team": d.team_names[tr],
            "agent_id": None,
            "period": s.periods[tc],
            "value": team_mean,
            "statistic": d.team_share[tr, tc],
            "limit": rule.team_first.share if rule.team_first is not None else np.nan,
        }
    )
    out = (
        pd.concat([x for x in (agent, team) if len(x)], ignore_index=True)
        if len(agent) + len(team)
        else agent
    )
    keys = dict(zip(RUN_KEYS, s.keys, strict=True))
    out = out.assign(**keys, rule=rule.name, metric=rule.metric)
    out["agent_id"] = out["agent_id"].astype("string")
    return out
