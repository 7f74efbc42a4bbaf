"""Fixtures of the fast-layer tests: one fixture over implementations (fast and reference).

``impl`` yields each entry of ``fast_helpers.IMPLS`` in turn (STYLE.md §5).
"""

from __future__ import annotations

import numpy as np
import pytest
from fast_helpers import HARD_POINTS, IMPLS, Impl, near_pole_points

import o3ref.reference as reference


@pytest.fixture(params=sorted(IMPLS), scope="session")
def impl(request) -> Impl:
    """Each implementation in turn (STYLE.md §5: one property test, several implementations)."""
    return IMPLS[request.param]


@pytest.fixture(scope="session")
def reference_sh_40() -> np.ndarray:
    """30-digit reference values of every real Y_lm, l <= 40, at ``HARD_POINTS``."""
    vals = reference.real_spherical_harmonics(40, HARD_POINTS, dps=30)
    return np.array(vals, dtype=float)


@pytest.fixture(scope="session")
def reference_sh_near_poles() -> np.ndarray:
    """30-digit reference values of every real Y_lm, l <= 40, at ``near_pole_points()``."""
    vals = reference.real_spherical_harmonics(40, near_pole_points(), dps=30)
    return np.array(vals, dtype=float)
