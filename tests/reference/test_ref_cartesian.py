"""Exact Cartesian <-> spherical maps of vectors and rank-2 tensors."""

from __future__ import annotations

import pytest
import sympy
from sympy import pi

from o3ref.reference import (
    couple,
    decouple,
    real_solid_harmonic,
    rotation_matrix,
    spherical_to_vector,
    vector_to_spherical,
    wigner_D_real,
    x,
    y,
    z,
)

T = sympy.Matrix(3, 3, sympy.symbols("t0:9", real=True))


def test_vector_map_is_the_l1_harmonic_order():
    # Y_1m is proportional to (y, z, x): the vector map is that order, no sign, no scale
    c1 = sympy.sqrt(3) / (2 * sympy.sqrt(pi))
    harmonics = sympy.Matrix([real_solid_harmonic(1, m) / c1 for m in (-1, 0, 1)])
    assert vector_to_spherical([x, y, z]) == harmonics
    assert spherical_to_vector(vector_to_spherical([1, 2, 3])) == sympy.Matrix([1, 2, 3])


def test_round_trip_is_exact_for_a_symbolic_tensor():
    parts = couple(T)
    assert [parts[L].shape for L in (0, 1, 2)] == [(1, 1), (3, 1), (5, 1)]
    assert decouple(parts) == T
    assert couple(decouple(parts)) == {L: parts[L].applyfunc(sympy.expand) for L in parts}


def test_closed_forms():
    parts = couple(T)
    assert sympy.expand(parts[0][0] + T.trace() / sympy.sqrt(3)) == 0
    # antisymmetric part -> axial vector (u x v)/sqrt2 in (y, z, x) order, for T = u v^T
    u = sympy.Matrix(sympy.symbols("u0:3", real=True))
    v = sympy.Matrix(sympy.symbols("v0:3", real=True))
    cross = vector_to_spherical(u.cross(v)) / sympy.sqrt(2)
    assert (couple(u * v.T)[1] - cross).applyfunc(sympy.expand) == sympy.zeros(3, 1)
    # a symmetric traceless tensor has no L = 0, 1 part
    s = T + T.T - 2 * T.trace() / 3 * sympy.eye(3)
    parts = couple(s)
    assert sympy.expand(parts[0][0]) == 0 and parts[1].applyfunc(sympy.expand) == sympy.zeros(3, 1)


def test_rotation_equivariance_exact():
    angles = (pi / 3, pi / 4, pi / 6)
    r = rotation_matrix(*angles)
    rotated = couple((r * T * r.T).applyfunc(sympy.expand))
    parts = couple(T)
    for L in (0, 1, 2):
        expected = wigner_D_real(L, *angles) * parts[L]
        assert (rotated[L] - expected).applyfunc(sympy.expand) == sympy.zeros(2 * L + 1, 1), L


def test_bad_input():
    with pytest.raises(ValueError, match=r"tensor has shape \(2, 2\): it must be \(3, 3\)"):
        couple(sympy.eye(2))
    with pytest.raises(TypeError, match=r"tensor contains floats"):
        couple(sympy.eye(3) * 0.5)
    with pytest.raises(
        ValueError, match=r"parts has keys \[0, 1\]: it must have exactly 0, 1 and 2"
    ):
        decouple({0: [1], 1: [0, 0, 0]})
    with pytest.raises(ValueError, match=r"v has shape \(2, 1\)"):
        vector_to_spherical([1, 2])
