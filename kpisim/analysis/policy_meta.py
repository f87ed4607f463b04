"""What a comparison records about its policies: roles, metric definitions, filled data.

``compare`` puts these into ``Comparison.meta`` (and so into every manifest and report):
``roles`` (policy -> role ids and how many agent-months each holds), ``policy_definitions`` (policy ->
variant column -> metric and definition) and ``filled_metrics`` (policy -> metric -> the neutral
value filled because the data had none; empty unless ``fill_missing``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from kpisim.policy.definitions import definitions_used
from kpisim.policy.definitions import needed_variants as _needed
from kpisim.provenance import content_sha256, frame_sha256


def needed_variants(policies: Mapping[str, Any]) -> dict:
    """Variant KPI columns the policies read (``kpisim.policy.definitions.kpi_variants``)."""
    return _needed(policies)


def policy_meta(policies: Mapping[str, Any], scores: Sequence[pd.DataFrame]) -> dict[str, Any]:
    """``roles``, ``policy_definitions`` and ``filled_metrics`` per policy (``scores`` in policy order)."""
    roles: dict[str, dict[str, int]] = {}
    defs: dict[str, dict] = {}
    filled: dict[str, dict] = {}
    for (name, pol), s in zip(policies.items(), scores, strict=False):
        if "role" in s.columns:
            roles[name] = {str(k): int(v) for k, v in s["role"].value_counts(sort=False).items()}
        if hasattr(pol, "definitions") and hasattr(pol, "roles"):
            defs[name] = definitions_used(pol)
        got = (s.attrs.get("kpisim") or {}).get("filled") or {}
        if got:
            filled[name] = dict(got)
    return {"roles": roles, "policy_definitions": defs, "filled_metrics": filled}


def describe_inputs(inputs) -> str | dict | None:
    """The policy inputs of a comparison for its manifest: a DataFrame as ``"DataFrame (<n> rows,
    sha256 of its CSV <hex>)"``, a mapping as a plain dict, None as None."""
    if inputs is None:
        return None
    if isinstance(inputs, pd.DataFrame):
        return f"DataFrame ({len(inputs)} rows, sha256 of its CSV {frame_sha256(inputs)})"
    return dict(inputs)


def policy_hashes(policies: Mapping[str, Any]) -> dict[str, str]:
    """:func:`kpisim.provenance.content_sha256` of each policy, for the manifest."""
    return {name: content_sha256(pol) for name, pol in policies.items() if hasattr(pol, "model_dump")}
