"""The survey's measurements: one function per building block, giving the largest error
against the exact reference and the tolerance policy at the library's dtype, per degree.

Each takes ``(func, l_max, dtype)`` with ``func`` in o3ref's convention (the signatures of
:mod:`o3ref.verify.adapters`) and returns ``(errors, tolerances)``, two lists indexed by
``l``. The exact values (mpmath at 30 digits) are computed once per process and shared by
every library surveyed.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..compare import to_numeric
from ..indexing import block
from ..tolerances import tolerance

__all__ = ["MEASURES", "POINTS", "ROTATIONS"]

#: directions of the survey: the poles, the axes, a near-pole point and random ones
POINTS = np.concatenate([
    np.array([[0, 0, 1], [0, 0, -1], [1, 0, 0], [0, 1, 0], [1, 1, 1], [0, -2, 1e-9]]),
    np.random.default_rng(7).standard_normal((10, 3)) * 1.7,
])
#: rotations (ZYZ Euler angles): the identity, beta = 0 and pi, and random ones
ROTATIONS = [(0.0, 0.0, 0.0), (0.3, 0.0, 0.5), (0.7, np.pi, -0.2),
             *[tuple(v) for v in np.random.default_rng(8).uniform(-np.pi, np.pi, (3, 3))]]


@cache
def _ref_sh(l_max: int) -> np.ndarray:
    from o3ref import reference

    return to_numeric(reference.real_spherical_harmonics(l_max, POINTS, dps=30))


@cache
def _ref_gradients(l_max: int) -> np.ndarray:
    from ..oracle import sh_gradients as _exact_gradients

    return _exact_gradients(l_max, POINTS[2:])


@cache
def _ref_d(l: int, k: int) -> np.ndarray:
    from o3ref import reference

    return to_numeric(reference.wigner_D_real(l, *ROTATIONS[k], dps=30))


@cache
def _ref_cg(l1: int, l2: int, L: int) -> np.ndarray:
    from o3ref import reference

    return to_numeric(reference.real_clebsch_gordan(l1, l2, L))


def _err(got, ref) -> float:
    return float(np.max(np.abs(np.asarray(got) - ref), initial=0.0))


def measure_sh(func, l_max, dtype):
    got = np.asarray(func(l_max, POINTS))
    ref = _ref_sh(max(l_max, 10))[:, : (l_max + 1) ** 2]  # one exact table for every library
    errs = [_err(got[:, block(l)], ref[:, block(l)]) for l in range(l_max + 1)]
    return errs, [tolerance("sh", l, dtype).atol for l in range(l_max + 1)]


def measure_sh_gradient(func, l_max, dtype):
    xyz = POINTS[2:]  # off the z axis, where the gradient of Y_lm(r/|r|) is smooth
    _, got = func(l_max, xyz)
    r = np.linalg.norm(xyz, axis=1)[:, None, None]
    ref = _ref_gradients(max(l_max, 6))[..., : (l_max + 1) ** 2]
    # gradients scale as 1/|r|: compare r * grad, which is O(l), as o3ref verify does
    errs = [_err((r * np.asarray(got))[..., block(l)], (r * ref)[..., block(l)])
            for l in range(l_max + 1)]
    return errs, [tolerance("sh_gradient", l, dtype).atol for l in range(l_max + 1)]


def measure_wigner_d(func, l_max, dtype):
    errs = [max(_err(func(l, *ang), _ref_d(l, k)) for k, ang in enumerate(ROTATIONS))
            for l in range(l_max + 1)]
    return errs, [tolerance("wigner_d", l, dtype).atol for l in range(l_max + 1)]


def measure_cg(func, l_max, dtype):
    """Errors per ``l = max(l1, l2, L)`` over every triple with ``l1, l2, L <= l_max``."""
    errs = [0.0] * (l_max + 1)
    for l1 in range(l_max + 1):
        for l2 in range(l_max + 1):
            for L in range(abs(l1 - l2), min(l1 + l2, l_max) + 1):
                top = max(l1, l2, L)
                errs[top] = max(errs[top], _err(func(l1, l2, L), _ref_cg(l1, l2, L)))
    return errs, [tolerance("cg", l, dtype).atol for l in range(l_max + 1)]


def measure_cartesian(func, l_max, dtype):
    """A rank-2 Cartesian tensor to its ``L = 0, 1, 2`` parts (``l_max`` is 2)."""
    import sympy

    from o3ref import reference

    rng = np.random.default_rng(3)
    errs = [0.0, 0.0, 0.0]
    for _ in range(4):
        ints = rng.integers(-9, 10, (3, 3))
        ref = reference.couple(sympy.Matrix(ints.tolist()) / 7)
        got = func(np.asarray(ints, dtype=np.float64) / 7)
        for L in range(3):
            errs[L] = max(errs[L], _err(np.ravel(got[L]), to_numeric(ref[L]).ravel()))
    return errs, [tolerance("cartesian", L, dtype).atol for L in range(3)]


MEASURES = {"sh": measure_sh, "sh_gradient": measure_sh_gradient, "wigner_d": measure_wigner_d,
            "cg": measure_cg, "cartesian": measure_cartesian}
