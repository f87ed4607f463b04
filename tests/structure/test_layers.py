"""The package layout is a checked contract: no import circle anywhere in kpisim/.

The layer order itself is checked by import-linter (``lint-imports``, contract in pyproject.toml);
this test adds what a layers contract cannot see: circles between modules of the same package.
Imports inside functions count; imports under ``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "kpisim"


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.find_modules_directly_imported_by(w)))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out


def test_cycle_finder_finds_a_circle():
    class Toy:
        modules = {"a", "b", "c", "d"}
        edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

        def find_modules_directly_imported_by(self, m):
            return self.edges.get(m, set())

    assert _cycles(Toy()) == [["a", "b", "c"]]


def test_no_import_circle_in_kpisim():
    graph = grimp.build_graph("kpisim", exclude_type_checking_imports=True, cache_dir=None)
    assert _cycles(graph) == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_small(path):
    """Small modules, each with one job: every module stays under ~400 lines (420 hard limit)."""
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= 420, f"{path.relative_to(PACKAGE.parent)} has {n} lines; split it by job"
