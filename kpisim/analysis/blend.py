"""Blended agents: what the blend threshold trades between inbound service and outbound volume.

``blend_sweep`` simulates a scenario with an outbound campaign at several values of the
campaign's blend threshold (``blend.keep_free``: agents kept free for inbound) on the same seed,
so every value sees the same callers and the same calling list (common random numbers), and
reports per value the inbound service level and the outbound work of the blended groups, with
95 % t intervals over replications.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kpisim.analysis.stats import ci_frame
from kpisim.errors import KpisimError
from kpisim.kpi.compute import kpis, reaggregate
from kpisim.scenario.models import Scenario
from kpisim.sim.run import simulate

#: the columns ``blend_sweep`` reports (each with ``_lo`` / ``_hi``)
BLEND_COLUMNS = (
    "service_level",
    "abandon_rate",
    "asa_s",
    "dial_attempts_per_day",
    "outbound_calls_per_day",
    "sales_per_day",
    "blended_occupancy",
)


def with_keep_free(scenario: Scenario, keep_free: int, *, campaign: str | None = None) -> Scenario:
    """A copy of ``scenario`` whose campaign keeps ``keep_free`` agents free for inbound."""
    name = _campaign(scenario, campaign)
    c = scenario.campaigns[name]
    c2 = c.model_copy(update={"blend": c.blend.model_copy(update={"keep_free": int(keep_free)})})
    return scenario.model_copy(update={"campaigns": {**scenario.campaigns, name: c2}})


def blend_sweep(
    scenario: Scenario,
    *,
    keep_free: Sequence[int] = (0, 1, 2, 3, 4),
    campaign: str | None = None,
    replications: int = 2,
    seed: int = 1,
    threshold_s: float = 20.0,
) -> pd.DataFrame:
    """Inbound service level vs outbound volume per blend threshold.

    Args:
        keep_free: values of the campaign's ``blend.keep_free`` to simulate.
        campaign: the campaign to vary (default: the scenario's only campaign).
        threshold_s: the service level's answer-time threshold (seconds).

    Returns:
        One row per ``keep_free``: ``service_level``, ``abandon_rate``, ``asa_s`` (inbound, whole
        centre), ``dial_attempts_per_day`` (per day worked by an agent of the campaign's groups),
        ``outbound_calls_per_day`` and ``sales_per_day`` (whole campaign per simulated day),
        ``blended_occupancy`` (the campaign's groups), each with ``_lo`` / ``_hi`` (95 % t
        interval over replications), and ``n`` (replications).

    Raises:
        KpisimError: the scenario has no such campaign.
    """
    name = _campaign(scenario, campaign)
    groups = set(scenario.campaigns[name].groups)
    days = scenario.horizon.days
    defs = {"service_level": {"threshold_s": threshold_s}}
    rows = []
    for k in keep_free:
        log = simulate(with_keep_free(scenario, k, campaign=name), seed=seed, replications=replications)
        centre = _whole_horizon(kpis(log, by=(), period="month", definitions=defs), ())
        team = _whole_horizon(kpis(log, by=("group",), period="month", definitions=defs), ("group",))
        team = team[team["group"].isin(groups)]
        team = reaggregate(team, by=())
        for r in sorted(centre["replication"].unique()):
            c = centre[centre["replication"] == r].iloc[0]
            t = team[team["replication"] == r].iloc[0]
            rows.append(
                {
                    "keep_free": int(k),
                    "replication": int(r),
                    "service_level": c["service_level"],
                    "abandon_rate": c["abandon_rate"],
                    "asa_s": c["asa_s"],
                    "dial_attempts_per_day": t["dial_attempts_per_day"],
                    "outbound_calls_per_day": c["outbound_calls"] / days,
                    "sales_per_day": c["n_outbound_sales"] / days,
                    "blended_occupancy": t["occupancy"],
                }
            )
    shares = {c: (0.0, 1.0) for c in ("service_level", "abandon_rate", "blended_occupancy")}
    return ci_frame(pd.DataFrame(rows), ["keep_free"], BLEND_COLUMNS, bounds=shares)


def _campaign(scenario: Scenario, campaign: str | None) -> str:
    names = list(scenario.campaigns)
    if campaign is None and len(names) == 1:
        return names[0]
    if campaign not in names:
        raise KpisimError(f"campaign {campaign!r}: the scenario's campaigns are {names or 'none'}")
    return campaign


def _whole_horizon(table: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    """Monthly rows -> one row per replication (and ``by``) over the whole horizon."""
    table = table.assign(period=table["period"].min())
    return reaggregate(table, by=by)
