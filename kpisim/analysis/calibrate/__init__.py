"""Calibrate a scenario from an event log (simulated, or imported from a real export).

``calibrate(log) -> Scenario``; ``fit(log) -> Calibration`` keeps every estimate with its 95 %
interval, the tables of observed vs fitted values and the parameters the log cannot identify.
Each part lives in its own module (arrivals, handle, patience, chat, outcomes, workforce); the
estimators and their limits are explained in ``docs/calibrate.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kpisim.analysis.calibrate.arrivals import fit_arrivals
from kpisim.analysis.calibrate.base import Part
from kpisim.analysis.calibrate.chat import fit_chat
from kpisim.analysis.calibrate.handle import fit_handle
from kpisim.analysis.calibrate.outcomes import fit_outcomes
from kpisim.analysis.calibrate.patience import fit_patience
from kpisim.analysis.calibrate.prep import Hours, classify, hours_from, sessions_at_answer
from kpisim.analysis.calibrate.scenario_writer import build_scenario, scenario_yaml
from kpisim.analysis.calibrate.workforce import fit_workforce
from kpisim.errors import DataError
from kpisim.io import schema
from kpisim.io.eventlog import EventLog
from kpisim.scenario.models import Scenario


@dataclass
class Calibration:
    """A calibrated scenario with the evidence for it."""

    scenario: Scenario
    parts: dict[str, Part]
    hours: Hours
    observed_tables: list[str]
    source: dict = field(default_factory=dict)

    def estimates(self) -> pd.DataFrame:
        """Every estimate: part, scope, parameter, estimate, 95 % interval, unit, method."""
        return pd.concat([p.estimates() for p in self.parts.values()], ignore_index=True)

    def defaults(self) -> pd.DataFrame:
        """Parameters the log cannot identify, with the default used and why."""
        rows = [d for p in self.parts.values() for d in p.defaults]
        return pd.DataFrame(rows, columns=["part", "scope", "parameter", "default", "why"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Observed-vs-fitted tables by name (written as CSV by ``kpisim calibrate``)."""
        out = {"estimates": self.estimates(), "defaults": self.defaults()}
        for p in self.parts.values():
            out.update(p.tables)
        return out

    def yaml(self) -> str:
        """The scenario as YAML with a header naming its source."""
        src = self.source.get("source", "an event log")
        return scenario_yaml(
            self.scenario,
            header=(
                f"Calibrated by kpisim from {src}.\n"
                f"Tables in the export: {', '.join(self.observed_tables)}.\n"
                "Every estimate with its 95 % interval, and the parameters the export could not identify\n"
                "(with the default used), are in calibration.html beside this file."
            ),
        )


def fit(
    log: EventLog,
    *,
    interval_min: int = 30,
    scenario_id: str | None = None,
    replication: int | None = None,
    customer_share: float = 1.0,
) -> Calibration:
    """Calibrate every part of a scenario from ``log`` (one replication; the first if not given).

    Args:
        customer_share: the share of the centre's customers the log holds (an export of every
            40th customer: 0.025); arrival volumes are divided by it, nothing else changes.

    Raises:
        DataError: the log has no answered contacts.
    """
    c = log.contacts
    if c.empty:
        raise DataError("cannot calibrate: the event log has no contacts")
    rep = int(c["replication"].min()) if replication is None else replication
    tables = {
        name: (df[df["replication"] == rep] if "replication" in df else df) for name, df in log.tables.items()
    }
    observed = set(log.manifest.get("observed_tables", list(schema.TABLES))) & set(tables)
    observed |= {"contacts", "agents"}
    inbound = tables["contacts"]  # outbound calls (campaigns) are not traffic to calibrate
    if "direction" in inbound:
        inbound = inbound[inbound["direction"] != "outbound"]
        tables["contacts"] = inbound
    c = classify(inbound)
    ans = c[c["answered_at"].notna()].copy()
    if ans.empty:
        raise DataError("cannot calibrate: no contact was answered")
    chat = (ans["channel"] == "chat").to_numpy()
    derive = chat.any() and bool((ans.loc[chat, "concurrency"].fillna(1) <= 1).all())
    if derive and customer_share == 1:  # a full export: the overlap of sessions shows what was held
        ans["concurrency"] = pd.array(sessions_at_answer(ans).astype("int64"), dtype="Int64")
    states = tables["agent_states"] if "agent_states" in observed else None
    hours = hours_from(c, states, interval_min)
    agents = tables["agents"]
    parts: dict[str, Part] = {}
    if not 0 < customer_share <= 1:
        raise DataError(f"customer_share must be in (0, 1], got {customer_share}")
    parts["arrivals"] = fit_arrivals(c, hours, interval_min, customer_share=customer_share)
    parts["handle"] = fit_handle(ans, agents)
    parts["patience"] = fit_patience(c)
    parts["chat"] = fit_chat(ans, parts["handle"].values["speed"])
    parts["outcomes"] = fit_outcomes(c, agents, hours)
    parts["workforce"] = fit_workforce(tables, observed, ans, hours)
    if derive and customer_share < 1:
        parts["handle"].default(
            "chat queues",
            "concurrency_stretch, chat.load_factor, chat.miss",
            0,
            "a sample of customers does not show how many sessions an agent held: the fitted handle "
            "and response times already include the stretch of the export's usual load",
        )
    sid = scenario_id or f"{log.manifest.get('scenario_id', 'export')}_calibrated"
    sid = "".join(ch if ch.isalnum() or ch in "_.-" else "_" for ch in sid)
    scenario = build_scenario(parts, c, hours, interval_min=interval_min, scenario_id=sid)
    return Calibration(scenario, parts, hours, sorted(observed), dict(log.manifest))


def calibrate(
    log: EventLog, *, interval_min: int = 30, scenario_id: str | None = None, customer_share: float = 1.0
) -> Scenario:
    """A validated scenario calibrated from ``log`` (see :func:`fit` for the evidence)."""
    return fit(
        log, interval_min=interval_min, scenario_id=scenario_id, customer_share=customer_share
    ).scenario


__all__ = ["Calibration", "calibrate", "fit"]
