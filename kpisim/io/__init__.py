"""Files in and out: YAML loading (duplicate keys refused), the event log as Parquet, imports of
real exports with their mappings, and atomic writes. No simulation, no KPIs."""
