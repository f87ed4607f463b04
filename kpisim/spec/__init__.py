"""Validated inputs (scenario and policy files); no behaviour."""
