"""The survey's measurements: one function per building block, giving the largest error
against the exact reference and the tolerance policy at the library's dtype, per degree.

Each takes ``(func, l_max, dtype)`` with ``func`` in o3ref's convention (the signatures of
:mod:`o3ref.verify.adapters`) and returns ``(errors, tolerances)``, two lists indexed by
``l``, from the reports of the comparison core (:mod:`o3ref.verify.conformance.quantities`).
The exact values (:mod:`o3ref.verify.oracle`) are computed once per process and shared by
every library surveyed.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import numpy as np

from ..conformance.quantities import (
    cartesian_cases,
    cg_cases,
    per_degree,
    sh_cases,
    sh_gradient_cases,
    wigner_d_cases,
)
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


def _errors(cases, l_max: int) -> list[float]:
    """The largest error at each degree, from the comparison core's reports."""
    return [0.0 if rep is None else rep.max_abs for rep in per_degree(cases, l_max)]


def _tols(quantity: str, l_max: int, dtype) -> list[float]:
    return [tolerance(quantity, l, dtype).atol for l in range(l_max + 1)]


def measure_sh(func, l_max, dtype):
    tol = lambda l: tolerance("sh", l, dtype)  # noqa: E731
    # one exact table (to l = 10) for every library
    cases = sh_cases(func, l_max, POINTS, tol, oracle_l_max=10)
    return _errors(cases, l_max), _tols("sh", l_max, dtype)


def measure_sh_gradient(func, l_max, dtype):
    # off the z axis, where the gradient of Y_lm(r/|r|) is smooth; compared as |r| grad
    tol = lambda l: tolerance("sh_gradient", l, dtype)  # noqa: E731
    cases = sh_gradient_cases(func, l_max, POINTS[2:], tol, oracle_l_max=6)
    return _errors(cases, l_max), _tols("sh_gradient", l_max, dtype)


def measure_wigner_d(func, l_max, dtype):
    tol = lambda l: tolerance("wigner_d", l, dtype)  # noqa: E731
    cases = wigner_d_cases(func, range(l_max + 1), ROTATIONS, tol)
    return _errors(cases, l_max), _tols("wigner_d", l_max, dtype)


def measure_cg(func, l_max, dtype):
    """Errors per ``l = max(l1, l2, L)`` over every triple with ``l1, l2, L <= l_max``."""
    triples = [(l1, l2, L) for l1 in range(l_max + 1) for l2 in range(l_max + 1)
               for L in range(abs(l1 - l2), min(l1 + l2, l_max) + 1)]
    tol = lambda *t: tolerance("cg", max(t), dtype)  # noqa: E731
    return _errors(cg_cases(func, triples, tol), l_max), _tols("cg", l_max, dtype)


def measure_cartesian(func, l_max, dtype):
    """A rank-2 Cartesian tensor to its ``L = 0, 1, 2`` parts (``l_max`` is 2)."""
    tol = lambda L: tolerance("cartesian", L, dtype)  # noqa: E731
    return _errors(cartesian_cases(func, 4, tol), 2), _tols("cartesian", 2, dtype)


MEASURES = {"sh": measure_sh, "sh_gradient": measure_sh_gradient, "wigner_d": measure_wigner_d,
            "cg": measure_cg, "cartesian": measure_cartesian}
