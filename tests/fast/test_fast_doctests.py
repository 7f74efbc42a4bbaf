"""The sign-sensitive doctests of the fast modules (angular kernels, expansion helpers)."""

from __future__ import annotations

import doctest

import pytest

import o3ref.fast.budget
import o3ref.fast.cartesian
import o3ref.fast.clebsch_gordan
import o3ref.fast.expansion_layout
import o3ref.fast.expansion_sums
import o3ref.fast.harmonics
import o3ref.fast.harmonics_range
import o3ref.fast.indexing
import o3ref.fast.rotations
import o3ref.fast.wigner

MODULES = [o3ref.fast.indexing, o3ref.fast.rotations, o3ref.fast.harmonics, o3ref.fast.wigner,
           o3ref.fast.harmonics_range,
           o3ref.fast.clebsch_gordan, o3ref.fast.cartesian, o3ref.fast.budget,
           o3ref.fast.expansion_layout, o3ref.fast.expansion_sums]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
