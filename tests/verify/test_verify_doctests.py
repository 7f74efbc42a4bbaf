"""Every docstring example of the verify layer runs and passes (the detector's diagnosis,
the tolerance formula, the comparison report, the sympy Znm map); the index layout."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["indexing", "tolerances", "compare", "properties", "conventions.table",
           "conventions.detect"]
EXAMPLES = MODULES + ["structures.water", "callables", "_loading"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_doctests(name):
    module = importlib.import_module(f"o3ref.verify.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


@pytest.mark.parametrize(
    "name",
    MODULES + ["conventions._matrices", "conformance.suite", "conformance.rows",
               "reports.error_profile", "pytest_plugin",
               "adapters", "callables"],
)
def test_module_docstrings_point_to_the_conventions(name):
    module = importlib.import_module(f"o3ref.verify.{name}")
    assert "o3ref.reference.conventions" in (module.__doc__ or ""), name


def test_index_layout_matches_the_enumeration():
    from o3ref.verify.indexing import block, flat_index, lm_of_flat

    pairs = [(l, m) for l in range(9) for m in range(-l, l + 1)]
    assert [flat_index(l, m) for l, m in pairs] == list(range(len(pairs)))
    assert [lm_of_flat(k) for k in range(len(pairs))] == pairs
    for l in range(9):
        assert pairs[block(l)] == [(l, m) for m in range(-l, l + 1)]
