"""Load and validate policy files; turn every mistake into one ``SpecError`` naming the field.

Field paths name list items by their id (``components[conversion]``) or, without one, by 1-based
position (``tiers[3]``); discriminator tags (``rule.type``) are left out of the path.
"""

from __future__ import annotations

import os
from typing import Any

from kpisim.io.load import load_yaml, not_a, spec_kind, validate
from kpisim.policy.models import Policy


def load_policy(path: str | os.PathLike, *, encoding: str | None = None) -> Policy:
    """Read and validate a policy YAML file.

    Args:
        path: the ``.yaml`` file.
        encoding: the file's text encoding; default UTF-8, else GB18030.

    Returns:
        The frozen, validated :class:`Policy`.

    Raises:
        SpecError: naming the file, the field path, the bad value and what is allowed.
    """
    from kpisim.provenance import mark_loaded

    data = load_yaml(path, encoding=encoding)
    if spec_kind(data) == "scenario":
        not_a(path, data, "scenario", "policy")
    return mark_loaded(validate_policy(data, file=str(path)), path)


def validate_policy(data: Any, *, file: str = "<object>") -> Policy:
    """Build a :class:`Policy` from plain data (a parsed YAML mapping).

    Raises:
        SpecError: the first problem, with ``file`` as its file name.
    """
    return validate(Policy, data, file)


def variant(policy: Policy, update: dict, /) -> Policy:
    """A validated copy of ``policy`` with ``update`` deep-merged into its YAML form.

    Unlike ``policy.model_copy(update=...)``, the result is re-checked, so a variant cannot break
    a rule (e.g. weights that no longer add up). Lists are replaced, not merged.

    Example:
        ``variant(p, {"pay": {"pools": []}, "version": "2"})``
    """
    base = policy.model_dump(by_alias=True, exclude_defaults=False, mode="python")
    return validate_policy(_merge(base, update), file=f"<variant of {policy.id}>")


def _merge(base: Any, update: Any) -> Any:
    if isinstance(base, dict) and isinstance(update, dict):
        out = dict(base)
        for k, v in update.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return update
