"""KPI engine: metric registry and vectorised computation from an event log."""
