"""YAML loading for specs: duplicate keys rejected, pydantic errors turned into ``SpecError``.

Both scenario and policy files go through ``load_yaml`` and ``validate``, so every mistake
produces one message naming the file, the field path, the bad value and what is allowed.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

from kpisim.errors import SpecError
from kpisim.io.validation import reject_bools, validate  # noqa: F401  (the one pipeline; importable here)
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
