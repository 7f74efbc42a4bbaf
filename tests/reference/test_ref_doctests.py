"""Every docstring example of the exact layer runs and passes (sign-sensitive values)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "indexing",
    "signed_sqrt",
    "rotations",
    "conventions",
    "clebsch_gordan",
    "real_cg",
    "real_cg_blocks",
    "racah",
    "harmonics",
    "wigner",
    "cartesian",
    "tables",
    "limits",
    "table_kinds",
    "table_files",
    "table_values",
    "gaunt",
    "recoupling",
    "solid_polynomials",
    "cartesian_basis",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(f"o3ref.reference.{name}")
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_public_docstrings_point_to_the_conventions(name):
    module = importlib.import_module(f"o3ref.reference.{name}")
    assert "Conventions" in (module.__doc__ or "") or name == "conventions"
    for public in getattr(module, "__all__", []):
        obj = getattr(module, public)
        if callable(obj) and getattr(obj, "__module__", "") == module.__name__:
            doc = obj.__doc__ or ""
            if name in ("tables", "indexing", "limits"):
                continue  # plumbing: the command line, the index layout, work budgets
            if name in ("tables", "table_kinds", "table_files", "indexing"):
                continue  # plumbing: the command line and the index layout
            assert "Conventions" in doc or "conventions" in doc, f"{name}.{public}"
