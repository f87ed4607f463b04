"""YAML loading for specs: duplicate keys rejected, pydantic errors turned into ``SpecError``.

Both scenario and policy files go through ``load_yaml`` and ``validate``, so every mistake
produces one message naming the file, the field path, the bad value and what is allowed.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kpisim.errors import SpecError

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


#: every spec is a small hand-written document; these bound what a file may make the loader do
MAX_BYTES = 10_000_000
MAX_DEPTH = 64
MAX_NODES = 1_000_000
ENCODINGS = ("utf-8", "gb18030")


def read_text(path: str | os.PathLike, *, encoding: str | None = None) -> str:
    """Read a text file (a spec, a mapping) as ``str``; every failure is a ``SpecError``.

    Without ``encoding`` the file is read as UTF-8 (a byte-order mark is dropped) and, failing
    that, as GB18030 (Chinese exports from Excel); a binary file (NUL bytes) is refused.
    """
    p = Path(path)
    if p.is_dir():
        raise SpecError(str(p), "", "is a directory; give a file")
    if not p.exists():
        raise SpecError(str(p), "", "file not found")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise SpecError(str(p), "", f"file is {size:,} bytes; a spec file may have at most {MAX_BYTES:,}")
        raw = p.read_bytes()
    except OSError as exc:
        raise SpecError(str(p), "", f"cannot read the file ({exc.strerror or exc})") from None
    return decode(raw, str(p), encoding=encoding)


def decode(raw: bytes, file: str, *, encoding: str | None = None) -> str:
    """``raw`` as text: ``encoding`` if given, else UTF-8 (BOM dropped), then GB18030."""
    if b"\x00" in raw[:65536]:
        raise SpecError(file, "", "binary file (it holds NUL bytes); expected a UTF-8 text file")
    if encoding is not None:
        try:
            return raw.decode(encoding).removeprefix("\ufeff")
        except LookupError:
            raise SpecError(file, "", f"unknown encoding {encoding!r}; e.g. utf-8 or gb18030") from None
        except UnicodeDecodeError as exc:
            raise SpecError(
                file, "", f"not valid {encoding} at byte {exc.start}; expected {encoding} text"
            ) from None
    for enc in ENCODINGS:
        try:
            return raw.decode(enc).removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
    raise SpecError(file, "", "cannot decode the text; expected UTF-8 (or GB18030): save the file as UTF-8")


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes (used in manifests)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


_QUOTED_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|#[^\n]*")
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _flow_depth(text: str) -> int:
    """Deepest nesting of ``[`` / ``{`` outside quotes and comments (PyYAML's scanner is
    quadratic in it: 5,000 levels take seconds before any error)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for ch in _NOT_BRACKET.sub("", _QUOTED_OR_COMMENT.sub("", text)):
        depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML text safely: duplicate keys, syntax errors, deep nesting and documents that
    expand (through aliases) to more than ``MAX_NODES`` values raise ``SpecError``."""
    if _flow_depth(text) > MAX_DEPTH:
        raise SpecError(file, "", f"nesting too deep; at most {MAX_DEPTH} levels are allowed")
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        problem = " ".join(str(problem).split())
        raise SpecError(file, where, f"invalid YAML: {problem}") from None
    except RecursionError:
        raise SpecError(file, "", f"nesting too deep; at most {MAX_DEPTH} levels are allowed") from None
    except (ValueError, OverflowError, TypeError) as exc:  # e.g. a timestamp like 2026-02-30
        raise SpecError(file, "", f"invalid YAML value: {' '.join(str(exc).split())}") from None
    _check_size(data, file)
    return data


def _check_size(data: Any, file: str) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` and alias bombs, without recursion."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, int, bool]] = [(data, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise SpecError(file, "", f"nesting too deep; at most {MAX_DEPTH} levels are allowed")
        kids = list(node.values()) if isinstance(node, dict) else node
        if done:
            sizes[id(node)] = 1 + sum(sizes.get(id(k), 1) for k in kids)
            if sizes[id(node)] > MAX_NODES:
                raise SpecError(file, "", f"the document expands to more than {MAX_NODES:,} values")
            continue
        if id(node) in sizes:
            continue
        stack.append((node, depth, True))
        stack.extend((k, depth + 1, False) for k in kids if isinstance(k, (dict, list)))


def load_yaml(path: str | os.PathLike, *, encoding: str | None = None) -> Any:
    """Parse a YAML file whose top level is a mapping; every problem raises ``SpecError``."""
    data = parse_yaml(read_text(path, encoding=encoding), str(path))
    if data is None:
        raise SpecError(str(path), "", "the file is empty; expected a YAML mapping (key: value lines)")
    if not isinstance(data, dict):
        raise SpecError(
            str(path), "", f"expected a mapping (key: value lines) at the top level, got a {_kind(data)}"
        )
    return data


#: top-level keys only a policy or only a scenario has (tests check them against the models);
#: listed here so that loading needs neither model
POLICY_KEYS = ("scorecard", "pay", "inputs", "version")
SCENARIO_KEYS = ("horizon", "queues", "agents", "multipliers", "silent_orders", "qa_samples_per_month")


def spec_kind(data: dict) -> str | None:
    """``"policy"`` or ``"scenario"`` judged by content: an explicit ``kind:``, else the top-level
    keys only one of them has (also when misspelt, e.g. ``scorcard``); None when undecided."""
    kind = data.get("kind")
    if kind in ("policy", "scenario"):
        return kind
    votes = {"policy": 0, "scenario": 0}
    for key in map(str, data):
        for k, keys in (("policy", POLICY_KEYS), ("scenario", SCENARIO_KEYS)):
            if key in keys or difflib.get_close_matches(key, keys, n=1, cutoff=0.75):
                votes[k] += 1
    if votes["policy"] != votes["scenario"]:
        return max(votes, key=lambda k: votes[k])
    return None


def not_a(path: str | os.PathLike, data: dict, kind: str, wanted: str) -> None:
    """Raise the ``SpecError`` for a ``kind`` file (judged by content) given as a ``wanted``."""
    keys = POLICY_KEYS if kind == "policy" else SCENARIO_KEYS
    seen = [
        str(k) for k in data if str(k) in keys or difflib.get_close_matches(str(k), keys, n=1, cutoff=0.75)
    ]
    raise SpecError(
        str(path),
        "",
        f"looks like a {kind} file (it has {', '.join(map(repr, seen)) or repr('kind')}), not a {wanted}; "
        f"check it with: kpisim validate {path}",
    )


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


# --- shared field checks of every spec model --------------------------------------------------
def _takes_int(annotation: Any) -> bool:
    """Does a field's annotation hold ``int`` (and not ``bool``)?"""
    if annotation is bool:
        return False
    if annotation is int:
        return True
    args = typing.get_args(annotation)
    return bool(args) and bool not in args and any(_takes_int(a) for a in args)


def reject_bools(model: type[BaseModel], data: Any) -> Any:
    """For a ``model_validator(mode="before")``: YAML ``true`` is not the number 1 in a field (or
    a mapping or list of such fields) that takes whole numbers."""
    if not isinstance(data, dict):
        return data
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key not in data or not _takes_int(field.annotation):
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
        allowed = ", ".join(_tags_at(model, loc, data))
        return SpecError(file, path, f"unknown rule type {_short(tag)}; allowed: {allowed}")
    if kind == "union_tag_not_found":
        allowed = ", ".join(_tags_at(model, loc, data))
        return SpecError(file, path, f"a rule needs a type: one of {allowed}")
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
