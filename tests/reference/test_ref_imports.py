"""The exact layer's import graph (AST, in-function imports included): no cycle, no import of
``o3ref.fast`` or ``o3ref.verify``, ``__all__`` of each package complete and importable."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "reference"


def _module_name(path: Path) -> str:
    parts = ["o3ref", "reference", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of o3ref that ``name`` imports anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known)
    return {m for m in out if m.startswith("o3ref")}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) - {name} for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_scan_sees_relative_and_in_function_imports():
    graph = _graph()
    assert "o3ref.reference.real_cg" in graph["o3ref.reference.acdc"]
    assert "o3ref.reference.cartesian_basis" in graph["o3ref.reference.tables._kinds"]
    assert "o3ref.reference._racah" in graph["o3ref.reference.tables._real_cg_blocks"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycle_in_the_exact_layer():
    # a package importing its own modules is not a cycle; a module importing its package is
    graph = {name: {m for m in deps if not name.startswith(m + ".")}
             for name, deps in _graph().items()}
    assert _cycle(graph) is None


def test_the_exact_layer_never_imports_fast_or_verify():
    bad = {name: sorted(m for m in deps if m.startswith(("o3ref.fast", "o3ref.verify")))
           for name, deps in _graph().items()}
    assert not {k: v for k, v in bad.items() if v}


@pytest.mark.parametrize("package", ["o3ref.reference", "o3ref.reference.tables"])
def test_all_names_exist_and_are_unique(package):
    module = importlib.import_module(package)
    assert len(set(module.__all__)) == len(module.__all__)
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.{name}"


def test_helper_modules_are_private():
    public = {n.rsplit(".", 1)[-1] for n in _modules() if not n.rsplit(".", 1)[-1].startswith("_")}
    assert "racah" not in public and "table_files" not in public
    assert not (ROOT / "tables.py").exists()  # the tables are a subpackage
