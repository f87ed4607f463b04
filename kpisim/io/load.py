"""YAML loading for specs: duplicate keys rejected, pydantic errors turned into ``SpecError``.

Both scenario and policy files go through ``load_yaml`` and ``validate``, so every mistake
produces one message naming the file, the field path, the bad value and what is allowed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kpisim.errors import SpecError
from kpisim.provenance import file_sha256  # noqa: F401  (defined there; importable here)

M = TypeVar("M", bound=BaseModel)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    # duplicates among the keys written in this mapping are errors; keys brought in by a
    # YAML merge (`<<: *anchor`) may be overridden, as YAML intends
    seen: set = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (each key may appear once)", key_node.start_mark
            )
        seen.add(key)
    loader.flatten_mapping(node)
    return {
        loader.construct_object(k, deep=deep): loader.construct_object(v, deep=deep) for k, v in node.value
    }


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_text(path: str | os.PathLike) -> str:
    """Read a spec file, raising ``SpecError`` if it does not exist."""
    p = Path(path)
    if not p.is_file():
        raise SpecError(str(p), "", "file not found")
    return p.read_text(encoding="utf-8")


def load_yaml(path: str | os.PathLike) -> Any:
    """Parse a YAML file safely; duplicate keys and syntax errors raise ``SpecError``."""
    text = read_text(path)
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(str(path), where, f"invalid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise SpecError(str(path), "", f"expected a mapping at the top level, got {type(data).__name__}")
    return data


def _field_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not (isinstance(p, str) and p.startswith("function-")))


def validate(model: type[M], data: Any, file: str | os.PathLike = "<object>") -> M:
    """Build ``model`` from ``data``; the first validation error becomes a ``SpecError``.

    Models raise ``ValueError`` in their validators with a message that states the bad value and
    what is allowed; pydantic's own errors (unknown key, wrong type) are reworded the same way.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        path = _field_path(tuple(err.get("loc", ())))
        kind = err.get("type", "")
        bad = err.get("input")
        if kind == "extra_forbidden":
            parent = path.rsplit(".", 1)[0] if "." in path else ""
            allowed = _allowed_keys(model, tuple(err.get("loc", ()))[:-1])
            msg = f"unknown key {path.rsplit('.', 1)[-1]!r}" + (
                f"; allowed keys: {', '.join(allowed)}" if allowed else ""
            )
            raise SpecError(str(file), parent or path, msg) from None
        if kind == "missing":
            raise SpecError(str(file), path, "required field is missing") from None
        text = err.get("msg", "invalid value")
        if text.startswith("Value error, "):
            text = text[len("Value error, ") :]
        # model-level cross checks name their own field path and bad value: "a.b.c: message"
        m = re.match(r"^([A-Za-z0-9_.\-]+): (.*)$", text, flags=re.S)
        if m and (not path or (kind == "value_error" and isinstance(bad, dict))):
            sub = m.group(1)
            raise SpecError(str(file), f"{path}.{sub}" if path else sub, m.group(2)) from None
        raise SpecError(str(file), path, f"bad value {_short(bad)}: {text}") from None


def _short(value: Any) -> str:
    s = repr(value)
    return s if len(s) <= 80 else s[:77] + "..."


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Best-effort list of field names of the sub-model at ``loc``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            if isinstance(part, int):
                continue
            return []
        f = current.model_fields.get(part)
        if f is None:
            return []
        current = _inner_model(f.annotation)
        if current is None:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _inner_model(annotation: Any) -> Any:
    """Find a BaseModel inside list[...] / dict[str, ...] / Optional[...] annotations."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
