"""Fuzzing the loaders: random documents, mutated bundled files, random bytes (non-UTF-8, NULs,
deep nesting) and random exports. The only exceptions allowed are kpisim's own
(``KpisimError``: ``SpecError``, ``DataError``); anything else is a bug.

The short variants run in CI (a few seconds in all); the ``slow`` ones run thousands of examples:
``pytest -m slow tests/fuzz``.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpisim.errors import KpisimError
from kpisim.io.importer import import_log
from kpisim.io.load import validate
from kpisim.io.mapping import load_mapping
from kpisim.policy import load_policy, validate_policy
from kpisim.scenario.models import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
    (ROOT / "scenarios" / "policies").glob("*.yaml")
)
MAPPING = ROOT / "kpisim" / "data" / "sample_mapping.yaml"
EXPORT = ROOT / "kpisim" / "data" / "sample_export.csv"
SAMPLE_LINES = EXPORT.read_text(encoding="utf-8").splitlines()[:40]

FAST = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
LONG = settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))

# --- strategies ---------------------------------------------------------------------------------
KEYS = st.sampled_from(
    [
        "id",
        "name",
        "horizon",
        "queues",
        "agents",
        "scorecard",
        "pay",
        "components",
        "tiers",
        "when",
        "points",
        "count",
        "daily_volume",
        "start",
        "days",
        "shifts",
        "default",
        "mon",
        "handle",
        "mean_s",
        "cv",
        "dist",
        "weight",
        "metric",
        "rule",
        "type",
        "base_cents",
        "kind",
        "columns",
        "defaults",
    ]
) | st.text(max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "x >= 0.6",
            "08:00",
            "24:00",
            "off",
            "closed",
            "tiers",
            "direct",
            "voice",
            "chat",
            "2026-11-02",
            "9999-12-31",
            "1e12",
            ".nan",
            "50%",
            "exponential",
        ]
    )
    | st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
)
DOCS = st.recursive(
    SCALARS,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(KEYS, kids, max_size=5),
    max_leaves=25,
)


def _bundled_docs() -> list[tuple[Path, dict]]:
    return [(p, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in BUNDLED]


BUNDLED_DOCS = _bundled_docs()


def _paths(node, prefix=()):
    """Every path into a parsed document (keys and list indices)."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


@st.composite
def mutated_bundled(draw):
    """A bundled scenario or policy with one to three nodes replaced, removed or renamed."""
    import copy

    path, doc = draw(st.sampled_from(BUNDLED_DOCS))
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        where = draw(st.sampled_from(paths))
        parent = doc
        for k in where[:-1]:
            parent = parent[k]
        key = where[-1]
        action = draw(st.sampled_from(["replace", "delete", "rename", "nest"]))
        if action == "replace":
            parent[key] = draw(DOCS)
        elif action == "delete":
            del parent[key]
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(KEYS)] = parent.pop(key)
        else:
            parent[key] = [parent[key]] if draw(st.booleans()) else {"x": parent[key]}
    return path, doc


@st.composite
def mutated_bytes(draw, source: bytes):
    """``source`` with random byte-level edits: inserts (incl. NUL, invalid UTF-8), deletes, cuts."""
    data = bytearray(source)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "cut", "deep"]))
        if kind == "insert":
            data[at:at] = draw(
                st.binary(min_size=1, max_size=8)
                | st.sampled_from(
                    [b"\x00", b"\xff\xfe", b"\xc3", b"\t", b"&a", b"*a", b"{", b"[", b": ", b"- "]
                )
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        elif kind == "cut":
            del data[at:]
        else:
            n = draw(st.integers(1, 6000))
            data[at:at] = b"[" * n + b"]" * n
    return bytes(data)


def _check(fn, *args, **kw):
    try:
        fn(*args, **kw)
    except KpisimError as exc:
        assert "\n" not in str(exc) or isinstance(exc, KpisimError), exc  # one line (DataError may list rows)
        assert str(exc)


def _as_file(data: bytes, suffix: str = ".yaml") -> Path:
    d = Path(tempfile.mkdtemp(prefix="kpisim-fuzz-"))
    f = d / f"f{suffix}"
    f.write_bytes(data)
    return f


def _dump(doc) -> bytes:
    try:
        return yaml.safe_dump(doc, allow_unicode=True).encode("utf-8")
    except (yaml.YAMLError, UnicodeEncodeError):  # e.g. lone surrogates from st.text
        return yaml.safe_dump(doc).encode("utf-8", "surrogatepass")


# --- the checks (each used by a fast and a slow test) -------------------------------------------------
def _doc_as_data(doc):
    _check(validate, Scenario, doc, "<fuzz>")
    _check(validate_policy, doc, file="<fuzz>")
    if isinstance(doc, dict) or doc is None:
        _check(load_mapping, doc or {})


def _doc_as_file(doc):
    f = _as_file(_dump(doc))
    for load in (load_scenario, load_policy, load_mapping):
        _check(load, f)


def _bytes_as_file(data: bytes):
    f = _as_file(data)
    for load in (load_scenario, load_policy, load_mapping):
        _check(load, f)


def _export(data: bytes):
    f = _as_file(data, ".csv")
    q = f.parent / "q.csv"
    _check(import_log, f, mapping=MAPPING)
    _check(import_log, f, mapping=MAPPING, quarantine=q)
    _check(import_log, f)


CSV_CELLS = st.text(max_size=10) | st.sampled_from(
    [
        "",
        "N",
        "Y",
        "01/11/2026 08:00:00",
        "31/02/2026 25:61:00",
        "99999999999999999999",
        "-5",
        "1e400",
        "nan",
        "inf",
        "3000-01-01",
        "张三",
        '"',
        "a,b",
        "\r",
    ]
)


@st.composite
def csv_exports(draw):
    """The sample export's header and good rows, with random cells, rows and bytes."""
    lines = list(SAMPLE_LINES[: draw(st.integers(1, len(SAMPLE_LINES)))])
    for _ in range(draw(st.integers(0, 5))):
        i = draw(st.integers(0, len(lines) - 1))
        cells = lines[i].split(",")
        action = draw(st.sampled_from(["cell", "drop", "add", "dup"]))
        if action == "cell":
            cells[draw(st.integers(0, len(cells) - 1))] = draw(CSV_CELLS)
        elif action == "drop":
            cells = cells[: draw(st.integers(0, len(cells)))]
        elif action == "add":
            cells.append(draw(CSV_CELLS))
        else:
            lines.append(lines[i])
        lines[i] = ",".join(cells)
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = draw(mutated_bytes(data))
    return data


# --- fast (CI) --------------------------------------------------------------------------------------
@FAST
@given(DOCS)
def test_random_documents_as_data(doc):
    _doc_as_data(doc)


@FAST
@given(st.dictionaries(KEYS, DOCS, max_size=6))
def test_random_documents_as_files(doc):
    _doc_as_file(doc)


@FAST
@given(mutated_bundled())
def test_mutated_bundled_files(case):
    _, doc = case
    _doc_as_data(doc)
    _doc_as_file(doc)


@FAST
@given(st.sampled_from(BUNDLED).flatmap(lambda p: mutated_bytes(p.read_bytes())))
def test_mutated_bundled_bytes(data):
    _bytes_as_file(data)


@FAST
@given(st.binary(max_size=200))
def test_random_bytes(data):
    _bytes_as_file(data)
    _export(data)


@settings(FAST, max_examples=12)
@given(csv_exports())
def test_mutated_exports(data):
    _export(data)


def test_the_bundled_files_still_load():
    for p in BUNDLED:
        (load_policy if "policies" in p.parts else load_scenario)(p)
    assert math.isfinite(load_scenario(BUNDLED[0]).horizon.days)


# --- long (pytest -m slow) -----------------------------------------------------------------------------
@pytest.mark.slow
@LONG
@given(DOCS)
def test_slow_random_documents(doc):
    _doc_as_data(doc)
    if isinstance(doc, dict):
        _doc_as_file(doc)


@pytest.mark.slow
@LONG
@given(mutated_bundled())
def test_slow_mutated_bundled_files(case):
    _, doc = case
    _doc_as_data(doc)
    _doc_as_file(doc)


@pytest.mark.slow
@LONG
@given(st.sampled_from(BUNDLED).flatmap(lambda p: mutated_bytes(p.read_bytes())))
def test_slow_mutated_bundled_bytes(data):
    _bytes_as_file(data)


@pytest.mark.slow
@LONG
@given(csv_exports())
def test_slow_mutated_exports(data):
    _export(data)
