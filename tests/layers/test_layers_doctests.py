"""Every docstring example of the layer referee runs and passes; every public name of its
modules has a docstring."""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

MODULES = [
    "o3ref.reference.coupling",
    "o3ref.verify.layers._copies",
    "o3ref.verify.layers.layer_report",
    "o3ref.verify.layers.decompose",
    "o3ref.verify.layers.normalisation",
    "o3ref.verify.layers.compare_layers",
    "o3ref.verify.layers.polynomial",
    "o3ref.verify.adapters.e3nn_layers",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_public_names_documented(name):
    module = importlib.import_module(name)
    assert module.__doc__
    for public in module.__all__:
        obj = getattr(module, public)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__doc__, f"{name}.{public} has no docstring"
