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
    "tables._real_cg_blocks",
    "_racah",
    "harmonics",
    "wigner",
    "cartesian",
    "tables",
    "tables._run",
    "limits",
    "tables._kinds",
    "tables._files",
    "tables._values",
    "tables._coupling_rows",
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
            if name.startswith("tables") or name in ("indexing", "limits"):
                continue  # plumbing: files of tables, the index layout, work budgets
            assert "Conventions" in doc or "conventions" in doc, f"{name}.{public}"
