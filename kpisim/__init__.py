"""kpisim: test customer-service scorecards and bonus plans on simulated months before rollout.

The flow: ``load_scenario`` -> ``simulate`` -> event log -> ``kpis`` -> KPI table ->
``load_policy(...).score`` -> scores -> ``.pay`` -> payouts; ``compare`` runs policies side by
side on the same simulated months. Real exports enter through ``import_log``.
"""

from __future__ import annotations

import importlib
from importlib import metadata as _metadata

try:  # the version is defined once, in pyproject.toml
    __version__ = _metadata.version("kpisim")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree not installed
    __version__ = "0+unknown"

# public name -> module that defines it (imported on first use, so `import kpisim` stays light)
_PUBLIC = {
    "load_scenario": "kpisim.scenario",
    "Scenario": "kpisim.scenario",
    "simulate": "kpisim.sim.run",
    "EventLog": "kpisim.io.eventlog",
    "load_run": "kpisim.io.eventlog",
    "save_run": "kpisim.io.eventlog",
    "kpis": "kpisim.kpi.compute",
    "kpis_for": "kpisim.policy.definitions",
    "METRICS": "kpisim.kpi.registry",
    "import_log": "kpisim.io.importer",
    "import_export": "kpisim.io.tables",
    "calibrate": "kpisim.analysis.calibrate",
    "load_policy": "kpisim.policy",
    "Policy": "kpisim.policy",
    "compare": "kpisim.analysis.compare",
    "respond": "kpisim.analysis.behaviour",
    "simulate_year": "kpisim.analysis.year",
    "load_timeline": "kpisim.policy.timeline",
    "write_year": "kpisim.report.year_page",
    "Behaviour": "kpisim.scenario.behaviour",
    "load_behaviour": "kpisim.scenario.behaviour",
    "write_comparison": "kpisim.report",
    "explore": "kpisim.widgets",
    "KpisimError": "kpisim.errors",
    "SpecError": "kpisim.errors",
    "DataError": "kpisim.errors",
    "load_alerts": "kpisim.policy.alerts_models",
    "alerts": "kpisim.analysis.alerts",
    "evaluate_alerts": "kpisim.analysis.alerts",
    "alert_study": "kpisim.analysis.alerts",
    "Declines": "kpisim.scenario.declines",
}

__all__ = [*sorted(_PUBLIC), "__version__"]


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'kpisim' has no attribute {name!r}")
