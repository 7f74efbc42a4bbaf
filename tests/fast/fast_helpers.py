"""Helpers of the fast-layer tests: the implementations behind the ``impl`` fixture.

``impl`` gives the same small float interface for ``o3ref.fast`` and ``o3ref.reference``,
so that every property test runs on both (the reference at small sizes, since it is exact
or mpmath and slow). Rotations in these tests come from scipy (an independent oracle):
``Rotation.from_euler("ZYZ", angles)`` is our convention.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

import o3ref.fast as fast
import o3ref.reference as reference


def scipy_matrices(angles) -> np.ndarray:
    """ZYZ active rotation matrices ``(n, 3, 3)`` from scipy."""
    return Rotation.from_euler("ZYZ", np.atleast_2d(angles)).as_matrix()


def zyz_from_matrix(R: np.ndarray) -> np.ndarray:
    """ZYZ angles of one rotation matrix, by the textbook atan2 formulas (scipy's ``as_euler``
    declares gimbal lock as far as |beta| ~ 1e-7 and then returns a different rotation)."""
    sb = math.hypot(R[0, 2], R[1, 2])
    beta = math.atan2(sb, R[2, 2])
    if sb < 1e-14:  # gimbal lock: gamma = 0
        if R[2, 2] > 0:
            return np.array([math.atan2(R[1, 0], R[0, 0]), beta, 0.0])
        return np.array([math.atan2(-R[1, 0], -R[0, 0]), beta, 0.0])
    return np.array([math.atan2(R[1, 2], R[0, 2]), beta, math.atan2(R[2, 1], -R[2, 0])])


@dataclass(frozen=True)
class Impl:
    name: str
    max_l: int  # largest l the property tests ask of this implementation
    sh: Callable  # (l_max, xyz (n,3)) -> float (n, (l_max+1)**2)
    wigner: Callable  # (l, angles (n,3)) -> float (n, 2l+1, 2l+1)
    cg: Callable  # (l1, l2, L) -> float (2l1+1, 2l2+1, 2L+1)


def _fast_wigner(l, angles):
    return fast.wigner_D_real_blocks(l, scipy_matrices(angles))[l]


def _ref_sh(l_max, xyz):
    return np.array(reference.real_spherical_harmonics(l_max, np.asarray(xyz), dps=20), float)


def _ref_wigner(l, angles):
    return np.array(
        [
            np.array(reference.wigner_D_real(l, float(a), float(b), float(g), dps=20), float)
            for a, b, g in np.atleast_2d(angles)
        ]
    )


def _ref_cg(l1, l2, L):
    return np.array(reference.real_clebsch_gordan(l1, l2, L), dtype=float)


IMPLS = {
    "fast": Impl("fast", 8, lambda l, x: fast.SphericalHarmonics(l).compute(x), _fast_wigner,
                 fast.real_clebsch_gordan),
    "reference": Impl("reference", 3, _ref_sh, _ref_wigner, _ref_cg),
}


def near_pole_points() -> np.ndarray:
    """Unit vectors at polar angles 10^-k and pi - 10^-k (k = 1..8), random azimuths."""
    d = 10.0 ** -np.arange(1, 9)
    theta = np.concatenate([d, np.pi - d])
    phi = np.random.default_rng(17).uniform(0, 2 * np.pi, theta.size)
    return np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)], 1)


# Points where harmonics are hard: poles, axes, diagonals, near-poles, random directions.
HARD_POINTS = np.array(
    [
        [0.0, 0.0, 1.0],
        [0.0, 0.0, -2.5],
        [1.0, 0.0, 0.0],
        [0.0, -3.0, 0.0],
        [1.0, 1.0, 1.0],
        [1e-9, 2e-9, 1.0],
        [0.3, -0.4, 0.86],
        [-1.7, 0.2, -0.35],
    ]
)
