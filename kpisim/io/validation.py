"""Validation of spec models: pydantic's errors become one ``SpecError`` with the user's field path.

The one pipeline for scenarios, policies and import mappings (``validate``), plus the checks every
spec model shares (``reject_bools``). Field paths name list items by id or name, else by 1-based
position (``agents[day].shifts.default.end``, ``queues.q.profile[1]``); pydantic's own labels
(``list[float]``, model names, union tags) never appear.
"""

from __future__ import annotations

import difflib
import os
import re
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kpisim.errors import SpecError

M = TypeVar("M", bound=BaseModel)


# --- shared field checks of every spec model --------------------------------------------------
def _takes_int(annotation: Any) -> bool:
    """Does a field's annotation hold ``int`` (and not ``bool``)?"""
    if annotation is bool:
        return False
    if annotation is int:
        return True
    args = typing.get_args(annotation)
    return bool(args) and bool not in args and any(_takes_int(a) for a in args)


_INT_KEYS: dict[type[BaseModel], tuple[str, ...]] = {}


def reject_bools(model: type[BaseModel], data: Any) -> Any:
    """For a ``model_validator(mode="before")``: YAML ``true`` is not the number 1 in a field (or
    a mapping or list of such fields) that takes whole numbers."""
    if not isinstance(data, dict):
        return data
    int_keys = _INT_KEYS.get(model)
    if int_keys is None:  # once per model class (policy variants validate thousands of times)
        int_keys = _INT_KEYS[model] = tuple(
            field.alias or name for name, field in model.model_fields.items() if _takes_int(field.annotation)
        )
    for key in int_keys:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, dict):
            items = [(f"{key}.{k}", v) for k, v in value.items()]
        elif isinstance(value, list):
            items = [(f"{key}[{i + 1}]", v) for i, v in enumerate(value)]
        else:
            items = [(key, value)]
        for where, v in items:
            if isinstance(v, bool):
                raise ValueError(f"{where}: bad value {v!r}: expected a whole number, not a boolean")
    return data


# --- validation errors -> SpecError: the one pipeline for scenarios, policies and mappings --------
def validate(model: type[M], data: Any, file: str | os.PathLike = "<object>") -> M:
    """Build ``model`` from ``data``; the first problem becomes a ``SpecError``.

    Models raise ``ValueError`` (or ``SpecError`` from whole-spec checks) with a message that
    states the bad value and what is allowed; pydantic's own errors (unknown key, wrong type) are
    reworded the same way. Field paths are the user's: list items by id or name, else 1-based
    position (``agents[day].shifts.default.end``, ``queues.q.profile[1]``), never pydantic's
    union labels.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise spec_error(model, exc, data, str(file)) from None
    except SpecError as exc:  # whole-spec checks raise with file "<object>"
        raise SpecError(str(file), exc.field, exc.message) from None
    except RecursionError:
        raise SpecError(str(file), "", "nesting too deep") from None


def spec_error(model: type[BaseModel], exc: ValidationError, data: Any, file: str) -> SpecError:
    """The ``SpecError`` for the most telling error of ``exc``."""
    errors = exc.errors(include_url=False)
    # a misspelt key also makes the real key "missing": report the unknown key, it is the cause
    err = next((e for e in errors if e.get("type") == "extra_forbidden"), errors[0])
    loc = tuple(p for p in err.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-")))
    kind = err.get("type", "")
    bad = err.get("input")
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, loc[:-1], data)
        return SpecError(file, render_path(loc[:-1], data), unknown_key_message(loc[-1], allowed))
    path = render_path(loc, data)
    if kind == "missing":
        return SpecError(file, path, "required field is missing")
    if kind == "union_tag_invalid":
        tag = (err.get("ctx") or {}).get("tag")
        return SpecError(
            file, path, f"unknown rule type {_short(tag)}; allowed: {', '.join(_tags_at(model, loc, data))}"
        )
    if kind == "union_tag_not_found":
        return SpecError(file, path, f"a rule needs a type: one of {', '.join(_tags_at(model, loc, data))}")
    if kind == "model_type" or kind == "dict_type":
        return SpecError(file, path, f"bad value {_short(bad)}: expected a mapping (key: value lines)")
    if kind in ("finite_number",):
        return SpecError(file, path, f"bad value {_short(bad)}: must be a finite number (not .nan or .inf)")
    text = err.get("msg", "invalid value")
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    text = " ".join(text.split())
    # model-level cross checks name their own field path and bad value: "a.b[c]: message"
    m = re.match(r"^([A-Za-z0-9_\-]+(?:\[[^\]]*\]|\.[A-Za-z0-9_\-]+)*): (.*)$", text, flags=re.S)
    if m and kind == "value_error" and isinstance(bad, dict):
        sub = m.group(1)
        return SpecError(file, f"{path}.{sub}" if path else sub, m.group(2))
    return SpecError(file, path, f"bad value {_short(bad)}: {text}")


def unknown_key_message(key: Any, allowed: list[str]) -> str:
    """``unknown key 'scorcard', did you mean 'scorecard'; allowed keys: ...``."""
    msg = f"unknown key {_short(key)}"
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.75) if allowed else []
    if close:
        msg += f", did you mean {close[0]!r}"
    return msg + (f"; allowed keys: {', '.join(allowed)}" if allowed else "")


def _short(value: Any) -> str:
    try:
        s = repr(value)
    except Exception:  # pragma: no cover - an object with a broken __repr__
        s = f"<{type(value).__name__}>"
    s = " ".join(s.split())
    return s if len(s) <= 80 else s[:77] + "..."


def _label(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in ("id", "name", "grade"):
            v = item.get(key)
            if isinstance(v, str) and v and re.fullmatch(r"[^\[\]\n]{1,64}", v):
                return v
    return str(index + 1)


def _is_tag(cur: Any, part: Any, rest: tuple) -> bool:
    """Is ``part`` the union tag pydantic inserts (a rule's ``type``), not a key of the file?"""
    if not (isinstance(cur, dict) and cur.get("type") == part):
        return False
    return part not in cur or (bool(rest) and rest[0] == part)


def _is_label(cur: Any, part: Any, rest: tuple) -> bool:
    """Is ``part`` a name pydantic put in the path (``list[float]``, ``Shift``, a union tag)?"""
    if not isinstance(part, str):
        return False
    if _is_tag(cur, part, rest):
        return True
    if not isinstance(cur, dict):
        return True  # a key can only name an entry of a mapping
    return part not in cur and bool(rest)  # a missing field is always the last part


def render_path(loc: tuple, data: Any) -> str:
    """The user's field path for pydantic's ``loc``: ``a.b[label].c``."""
    out = ""
    cur = data
    for i, part in enumerate(loc):
        rest = loc[i + 1 :]
        if isinstance(part, int) and isinstance(cur, (list, tuple)):
            item = cur[part] if 0 <= part < len(cur) else None
            out += f"[{_label(item, part)}]"
            cur = item
            continue
        if _is_label(cur, part, rest):
            continue
        out += f".{part}" if out else str(part)
        cur = cur.get(part) if isinstance(cur, dict) else None
    return out


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def _walk(model: type[BaseModel], loc: tuple, data: Any) -> tuple[type[BaseModel] | None, Any]:
    """The model (and the data) at ``loc``."""
    current: type[BaseModel] | None = model
    cur = data
    for i, part in enumerate(loc):
        if current is None:
            return None, None
        if isinstance(part, int) or (isinstance(cur, dict) and part in cur and not _is_field(current, part)):
            cur = cur[part] if _indexable(cur, part) else None
            continue
        if _is_label(cur, part, loc[i + 1 :]):
            continue
        field = _field(current, part)
        if field is None:
            return None, None
        cur = cur.get(part) if isinstance(cur, dict) else None
        current = _pick(_models_in(field.annotation), cur)
    return current, cur


def _indexable(cur: Any, part: Any) -> bool:
    if isinstance(cur, dict):
        return part in cur
    return isinstance(cur, (list, tuple)) and isinstance(part, int) and 0 <= part < len(cur)


def _field(model: type[BaseModel], part: Any):
    return next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)


def _is_field(model: type[BaseModel], part: Any) -> bool:
    return _field(model, part) is not None


def allowed_keys(model: type[BaseModel], loc: tuple, data: Any) -> list[str]:
    """Keys allowed by the model at ``loc`` (the mapping that had an unknown key)."""
    current, _ = _walk(model, loc, data)
    if current is None:
        return []
    return [f.alias or n for n, f in current.model_fields.items() if not f.exclude]


def _tags_at(model: type[BaseModel], loc: tuple, data: Any) -> list[str]:
    current, _ = _walk(model, loc[:-1], data) if loc else (model, data)
    field = _field(current, loc[-1]) if current is not None and loc else None
    tags: list[str] = []
    for m in _models_in(field.annotation) if field is not None else []:
        f = m.model_fields.get("type")
        if f is not None:
            tags += [str(t) for t in typing.get_args(f.annotation)]
    return tags


def _pick(models: list[type[BaseModel]], cur: Any) -> type[BaseModel] | None:
    if not models:
        return None
    if len(models) == 1:
        return models[0]
    probe = cur[0] if isinstance(cur, (list, tuple)) and cur else cur
    if isinstance(probe, dict) and not isinstance(cur, (list, tuple)):
        probe = next(iter(probe.values()), None) if "type" not in probe else probe
    tag = probe.get("type") if isinstance(probe, dict) else None
    for m in models:
        f = m.model_fields.get("type")
        if f is not None and tag in typing.get_args(f.annotation):
            return m
    return None
