"""Agents respond to the plan: response model, best responses, equilibrium and its consequences.

Reads the simulator's hidden truth (agents' costs, tactics, true outcomes) by design: this is a
behaviour analysis (see ``docs/behaviour.md``).
"""

from kpisim.analysis.behaviour.respond import Response, respond

__all__ = ["Response", "respond"]
