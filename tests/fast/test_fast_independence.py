"""The fast layer never imports the reference layer (DESIGN.md: independent derivations)."""

from __future__ import annotations

import ast
from pathlib import Path

import o3ref.fast

FAST_DIR = Path(o3ref.fast.__file__).parent


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names


def test_no_reference_import():
    files = sorted(FAST_DIR.glob("*.py"))
    assert any(f.name == "harmonics.py" for f in files)
    bad = {
        f.name: [n for n in _imports(f) if "reference" in n]
        for f in files
    }
    assert not {k: v for k, v in bad.items() if v}
