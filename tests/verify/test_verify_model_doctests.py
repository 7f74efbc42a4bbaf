"""The docstring examples of the irreps, change-of-basis, gradient and model modules run, and
each module points to the conventions page."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["layers.irreps", "layers.change_of_basis", "layers.gradients", "models.checks",
           "models.runner", "cli.check_model", "models.conformance"]


@pytest.mark.parametrize("name", [m for m in MODULES if m != "models.conformance"])
def test_doctests(name):
    module = importlib.import_module(f"o3ref.verify.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_module_docstrings_point_to_the_conventions(name):
    module = importlib.import_module(f"o3ref.verify.{name}")
    assert "Conventions: :mod:`o3ref.reference.conventions`" in (module.__doc__ or ""), name


def test_public_names_are_exported():
    import o3ref.verify as verify

    for name in ["assert_equivariant_irreps", "irreps_rotation", "parse_irreps",
                 "compare_change_of_basis", "assert_position_gradients", "check_model",
                 "compare_models", "ModelReport", "signed_permutations"]:
        assert callable(getattr(verify, name)), name
