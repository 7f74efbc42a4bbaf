"""The import rules of o3ref, checked over the AST import graph of every module it installs.

The graph: one node per module of the packages that ``pyproject.toml`` lists (found through its
``package-dir`` mapping, so the test reads what a wheel installs); one edge per import, at any
depth (imports inside functions count), relative imports resolved, ``from X import name``
pointing at the submodule ``X.name`` where there is one, plus ``importlib.import_module("...")``
calls with a literal name and the lazy ``_EXPORTS`` maps of a package's ``__init__`` (PEP 562).
Dispatch by a module name held in a table (the command line's ``SUBCOMMANDS``, the adapter
registry) is not an import and is not an edge.

Rules:

1. no import cycle anywhere in o3ref;
2. ``reference`` and ``fast`` never import each other, nor ``verify``;
3. no private module (``_x.py``) and no private name (``from m import _x``) is imported from
   outside the package that holds it (its subpackages count as inside);
4. nothing imports a front door (``verify/cli``, ``verify/tutorial``,
   ``verify/pytest_plugin``, and the facades that only re-export for users: ``verify/__init__``,
   ``verify/convention_maps``, ``verify/report_schema``), except a ``__main__`` module;
5. each room of ``verify`` imports only the rooms below it (``ALLOWED``): the root vocabulary
   (L0) imports no subpackage; ``conventions`` and ``structures`` import L0 only; ``layers``
   imports L0 and ``conventions`` (a layer is checked in a frame); ``adapters`` imports L0,
   ``conventions`` and ``layers``; ``models`` L0 and ``layers``; ``conformance``
   L0 and ``conventions``; ``reports`` L0, ``conventions``, ``layers`` (the survey's layer
   rows), ``adapters``, ``conformance``, ``models`` and ``structures``; front doors anything;
6. the root of ``verify`` holds at most 15 ``.py`` files; no module is over 450 lines.

``KNOWN_CYCLES`` and ``KNOWN_LONG`` name the exceptions that another branch is removing; each
must still exist (a stale exception fails), so the list only shrinks.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent

MAX_LINES = 450
MAX_ROOT_FILES = 15

#: temporary exceptions, removed by other branches (each must still hold, or the test fails)
KNOWN_CYCLES: set = set()
KNOWN_LONG: set = set()

V = "o3ref.verify"
FRONT_DOORS = (f"{V}.cli", f"{V}.tutorial", f"{V}.pytest_plugin", V, f"{V}.convention_maps",
               f"{V}.report_schema", f"{V}.__main__")
ROOMS = ("conventions", "layers", "structures", "adapters", "models", "conformance", "reports")
ALLOWED = {
    "L0": {"L0"},
    "conventions": {"L0", "conventions"},
    # a layer is checked in a frame, and frames are convention knowledge
    "layers": {"L0", "conventions", "layers"},
    "structures": {"L0", "structures"},
    # the layer adapters (e3nn, cuequivariance modules as callables) read irreps
    "adapters": {"L0", "conventions", "layers", "adapters"},
    "models": {"L0", "layers", "models"},
    "conformance": {"L0", "conventions", "conformance"},
    # the survey's layer rows decompose products with the layer referee
    "reports": {"L0", "conventions", "layers", "adapters", "conformance", "models",
                "structures", "reports"},
}


@cache
def modules() -> dict[str, Path]:
    """Module name -> file, for every package pyproject.toml installs."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    package_dir = setuptools["package-dir"]
    found = {}
    for package in setuptools["packages"]:
        folder = REPO / package_dir[package]
        for path in sorted(folder.glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            found[name] = path
    return found


def _is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


def _resolve(name: str) -> str | None:
    """The longest prefix of a dotted name that is one of our modules."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        candidate = ".".join(parts[:k])
        if candidate in modules():
            return candidate
    return None


@cache
def imports() -> dict[str, list[tuple[str, str | None, int]]]:
    """Module -> [(imported module, imported name or None, line)]."""
    graph = {}
    for name, path in modules().items():
        package = name if _is_package(name) else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(), filename=str(path))
        edges = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    edges.append((alias.name, None, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module
                for alias in node.names:
                    sub = f"{source}.{alias.name}"
                    if sub in modules():
                        edges.append((sub, None, node.lineno))
                    else:
                        edges.append((source, alias.name, node.lineno))
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "import_module" and node.args
                  and isinstance(node.args[0], ast.Constant)
                  and isinstance(node.args[0].value, str)):
                edges.append((node.args[0].value, None, node.lineno))
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1
                  and getattr(node.targets[0], "id", None) == "_EXPORTS"
                  and isinstance(node.value, ast.Dict)):
                for value in node.value.values:
                    edges.append((f"{package}.{ast.literal_eval(value)}", None, node.lineno))
        graph[name] = [(target, imported, line) for target, imported, line in
                       ((_resolve(t), n, ln) for t, n, ln in edges) if target is not None]
    return graph


def _where(module: str, line: int) -> str:
    return f"{modules()[module].relative_to(REPO)}:{line}"


def _room(name: str) -> str:
    """The room of a verify module: L0 (the root vocabulary), a subpackage, or front door."""
    if _is_front_door(name):
        return "front door"
    rest = name[len(V) + 1:].split(".")
    return rest[0] if len(rest) > 1 or rest[0] in ROOMS else "L0"


def _is_front_door(name: str) -> bool:
    return any(name == d or name.startswith(d + ".") for d in FRONT_DOORS if d != V) or name == V


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    graph = {m: sorted({t for t, _, _ in edges if t != m}) for m, edges in imports().items()}
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_graph_covers_every_layer():
    names = set(modules())
    for expected in ("o3ref", f"{V}.conventions.detect", f"{V}.cli", "o3ref.reference",
                     "o3ref.fast.harmonics", f"{V}.adapters.e3nn"):
        assert expected in names, expected
    assert sum(len(edges) for edges in imports().values()) > 300


def test_no_import_cycle():
    cycles = [c for c in _cycles() if frozenset(c) not in KNOWN_CYCLES]
    assert not cycles, f"import cycles: {cycles}"
    stale = [sorted(c) for c in KNOWN_CYCLES if list(sorted(c)) not in _cycles()]
    assert not stale, f"KNOWN_CYCLES lists cycles that are gone (remove them): {stale}"


def test_reference_and_fast_stay_independent():
    bad = []
    for module, edges in imports().items():
        for layer, forbidden in (("o3ref.reference", ("o3ref.fast", V)),
                                 ("o3ref.fast", ("o3ref.reference", V))):
            if module.startswith(layer):
                bad += [f"{_where(module, line)}: {module} imports {target}"
                        for target, _, line in edges
                        if any(target == f or target.startswith(f + ".") for f in forbidden)]
    assert not bad, "\n".join(bad)


def _private_owner(target: str) -> str | None:
    """The package that owns ``target`` when a component of it is private, else None."""
    parts = target.split(".")
    for k, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:k])
    return None


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_no_private_module_or_name_from_outside_its_package():
    bad = []
    for module, edges in imports().items():
        for target, name, line in edges:
            owner = _private_owner(target)
            if owner is not None and not _inside(module, owner):
                bad.append(f"{_where(module, line)}: {module} imports private module {target}")
            if name and name.startswith("_") and not name.startswith("__"):
                owner = target if _is_package(target) else target.rpartition(".")[0]
                if not _inside(module, owner):
                    bad.append(f"{_where(module, line)}: {module} imports {target}.{name}")
    assert not bad, "\n".join(bad)


def test_nothing_imports_a_front_door():
    bad = []
    for module, edges in imports().items():
        if module.rpartition(".")[2] == "__main__":
            continue
        for target, _, line in edges:
            if not _is_front_door(target) or target == module:
                continue
            same_door = any(_inside(module, d) and _inside(target, d) for d in FRONT_DOORS
                            if d != V)
            if not same_door:
                bad.append(f"{_where(module, line)}: {module} imports front door {target}")
    assert not bad, "\n".join(bad)


def test_rooms_import_only_the_rooms_below_them():
    bad = []
    for module, edges in imports().items():
        if not module.startswith(V + ".") and module != V:
            continue
        room = _room(module)
        if room == "front door":
            continue
        for target, _, line in edges:
            if not _inside(target, V) or _is_front_door(target):
                continue  # reference, fast, third parties; front doors: the test above
            if _room(target) not in ALLOWED[room]:
                bad.append(f"{_where(module, line)}: {module} ({room}) imports {target} "
                           f"({_room(target)})")
    assert not bad, "\n".join(bad)


def test_the_root_of_verify_holds_only_the_vocabulary():
    root = sorted(p.name for p in (REPO / "verify").glob("*.py"))
    assert len(root) <= MAX_ROOT_FILES, root
    subpackages = sorted(p.parent.name for p in (REPO / "verify").glob("*/__init__.py"))
    assert set(ROOMS) | {"cli", "tutorial"} <= set(subpackages), subpackages


def test_every_subpackage_has_a_docstring_and_all():
    for name, path in modules().items():
        if path.name == "__init__.py" and name.startswith(V + "."):
            tree = ast.parse(path.read_text())
            assert ast.get_docstring(tree), name
            assigned = {getattr(t, "id", None) for node in tree.body
                        if isinstance(node, (ast.Assign, ast.AnnAssign))
                        for t in (node.targets if isinstance(node, ast.Assign)
                                  else [node.target])}
            assert "__all__" in assigned, f"{name} has no __all__"


def test_no_module_is_over_the_line_limit():
    lengths = {name: len(path.read_text().splitlines()) for name, path in modules().items()}
    long = {name for name, n in lengths.items() if n > MAX_LINES}
    assert long <= KNOWN_LONG, {name: lengths[name] for name in long - KNOWN_LONG}
    stale = KNOWN_LONG - long
    assert not stale, f"KNOWN_LONG lists modules now within {MAX_LINES} lines: {stale}"
