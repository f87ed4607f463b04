"""The scenario: validated, frozen models of a contact centre (queues, traffic, agents, shifts,
hidden skills, behaviour levers). Data only; the simulator reads it."""

from __future__ import annotations

from kpisim.scenario.models import Scenario, load_scenario

__all__ = ["Scenario", "load_scenario"]
