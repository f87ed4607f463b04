"""Load and validate policy files; turn every mistake into one ``SpecError`` naming the field.

Field paths name list items by their id (``components[conversion]``) or, without one, by 1-based
position (``tiers[3]``); discriminator tags (``rule.type``) are left out of the path.
"""

from __future__ import annotations

import os
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from kpisim.errors import SpecError
from kpisim.io.load import load_yaml
from kpisim.policy.models import Policy

_RULE_TYPES = "tiers, linear, relative, percent_of_target, direct"


def load_policy(path: str | os.PathLike) -> Policy:
    """Read and validate a policy YAML file.

    Args:
        path: the ``.yaml`` file.

    Returns:
        The frozen, validated :class:`Policy`.

    Raises:
        SpecError: naming the file, the field path, the bad value and what is allowed.
    """
    from kpisim.provenance import mark_loaded

    data = load_yaml(path)
    return mark_loaded(validate_policy(data, file=str(path)), path)


def validate_policy(data: Any, *, file: str = "<object>") -> Policy:
    """Build a :class:`Policy` from plain data (a parsed YAML mapping).

    Raises:
        SpecError: the first problem, with ``file`` as its file name.
    """
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise _to_spec_error(exc, data, file) from None
    except SpecError as exc:
        raise SpecError(file, exc.field, exc.message) from None


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


# --- error formatting -------------------------------------------------------------------------
def _to_spec_error(exc: ValidationError, data: Any, file: str) -> SpecError:
    errors = exc.errors(include_url=False)
    # a misspelt key also makes the real key "missing": report the unknown key, it is the cause
    err = next((e for e in errors if e.get("type") == "extra_forbidden"), errors[0])
    loc = tuple(p for p in err.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-")))
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        path = _render(loc[:-1], data)
        allowed = _allowed_keys(loc[:-1], data)
        msg = f"unknown key {loc[-1]!r}" + (f"; allowed keys: {', '.join(allowed)}" if allowed else "")
        return SpecError(file, path, msg)
    path = _render(loc, data)
    if kind == "missing":
        return SpecError(file, path, "required field is missing")
    if kind == "union_tag_invalid":
        tag = (err.get("ctx") or {}).get("tag")
        return SpecError(file, path, f"unknown rule type {tag!r}; allowed: {_RULE_TYPES}")
    if kind == "union_tag_not_found":
        return SpecError(file, path, f"a rule needs a type: one of {_RULE_TYPES}")
    text = err.get("msg", "invalid value")
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    return SpecError(file, path, f"bad value {_short(err.get('input'))}: {text}")


def _short(value: Any) -> str:
    s = repr(value)
    return s if len(s) <= 80 else s[:77] + "..."


def _label(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in ("id", "name", "grade"):
            if isinstance(item.get(key), str):
                return item[key]
    return str(index + 1)


def _render(loc: tuple, data: Any) -> str:
    """Dotted path for ``loc``, with ``[id]`` / ``[n]`` for list items and tags removed."""
    out = ""
    cur = data
    for i, part in enumerate(loc):
        if isinstance(part, int):
            item = cur[part] if isinstance(cur, (list, tuple)) and 0 <= part < len(cur) else None
            out += f"[{_label(item, part)}]"
            cur = item
            continue
        if _is_tag(cur, part, loc[i + 1 :]):
            continue  # a discriminator tag, not a key of the file
        out += f".{part}" if out else str(part)
        cur = cur.get(part) if isinstance(cur, dict) else None
    return out


def _is_tag(cur: Any, part: Any, rest: tuple) -> bool:
    """Is ``part`` the union tag pydantic inserts (the rule's ``type``), not a key of the file?"""
    if not (isinstance(cur, dict) and cur.get("type") == part):
        return False
    return part not in cur or (bool(rest) and rest[0] == part)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def _allowed_keys(loc: tuple, data: Any) -> list[str]:
    """Keys allowed by the model at ``loc`` (the mapping that had an unknown key)."""
    model: type[BaseModel] | None = Policy
    cur = data
    for i, part in enumerate(loc):
        if model is None:
            return []
        if isinstance(part, int):
            cur = cur[part] if isinstance(cur, (list, tuple)) and 0 <= part < len(cur) else None
            continue
        if _is_tag(cur, part, loc[i + 1 :]):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return []
        cur = cur.get(part) if isinstance(cur, dict) else None
        models = _models_in(field.annotation)
        model = _pick(models, cur)
    if model is None:
        return []
    return [f.alias or n for n, f in model.model_fields.items()]


def _pick(models: list[type[BaseModel]], cur: Any) -> type[BaseModel] | None:
    if not models:
        return None
    if len(models) == 1:
        return models[0]
    probe = cur[0] if isinstance(cur, (list, tuple)) and cur else cur
    tag = probe.get("type") if isinstance(probe, dict) else None
    for m in models:
        f = m.model_fields.get("type")
        if f is not None and tag in typing.get_args(f.annotation):
            return m
    return None
