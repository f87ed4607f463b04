"""Policies: scorecards and pay plans as data, applied to KPI tables exactly to the cent.

``load_policy(path)`` reads a YAML policy (``scenarios/policies/``); ``policy.score(kpi_table)``
gives points with their breakdown; ``policy.pay(scores, kpi_table)`` gives integer cents per pay
element. Modules: ``rules`` (vectorised scoring rules), ``scoring`` (components, categories,
deductions, bonuses, gates, totals), ``grades``, ``consequences``, ``payplan``, ``pools``,
``awards`` (team bonuses, prizes), ``money`` (half-up rounding, largest remainder),
``ranking`` (deterministic tie rules). See ``docs/policies.md``.
"""

from __future__ import annotations

from kpisim.policy.loading import load_policy, validate_policy, variant
from kpisim.policy.metrics import known_metrics
from kpisim.policy.models import Policy

__all__ = ["Policy", "known_metrics", "load_policy", "validate_policy", "variant"]
