"""The suite's own tolerance rule, checked on its source: no relative-only comparison.

A relative tolerance alone fails on values that can be near zero (an expansion coefficient
of -0.0054 differed by 1.1e-12 relatively under one OpenBLAS kernel and not another). Every
``assert_allclose`` here states an absolute tolerance (``atol=``, taken from
:mod:`o3ref.verify.tolerances`), and every ``pytest.approx`` an absolute one (``abs=``).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            yield name, node


def test_no_relative_only_tolerances():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, node in _calls(tree):
            keywords = {k.arg for k in node.keywords}
            if name == "assert_allclose" and "atol" not in keywords:
                offenders.append(f"{path.relative_to(TESTS)}:{node.lineno} assert_allclose "
                                 "without atol")
            if name == "approx" and "abs" not in keywords:
                offenders.append(f"{path.relative_to(TESTS)}:{node.lineno} approx without abs")
    assert not offenders, "relative-only tolerances:\n" + "\n".join(offenders)


def test_the_check_finds_an_offender(tmp_path):
    tree = ast.parse("np.testing.assert_allclose(a, b, rtol=1e-12)\nx == pytest.approx(1.0)\n")
    found = [name for name, node in _calls(tree)
             if name in ("assert_allclose", "approx")
             and not {k.arg for k in node.keywords} & {"atol", "abs"}]
    assert found == ["assert_allclose", "approx"]
