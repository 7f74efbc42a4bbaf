"""The complex <-> real unitary and the exact rotation matrices."""

from __future__ import annotations

import pytest
import sympy
from sympy import pi

from o3ref.reference import (
    complex_to_real,
    quaternion_to_matrix,
    rotation_matrix,
    rotation_y,
    rotation_z,
)
from o3ref.verify.tolerances import tolerance


@pytest.mark.parametrize("l", range(9))
def test_u_is_unitary(l):
    u = complex_to_real(l)
    eye = sympy.eye(2 * l + 1)
    assert (u.H * u).applyfunc(sympy.expand) == eye
    assert (u * u.H).applyfunc(sympy.expand) == eye


def test_u_sign_sensitive_entries():
    u = complex_to_real(2)  # rows mu = -2..2, columns m = -2..2
    r2 = 1 / sympy.sqrt(2)
    assert u[2, 2] == 1
    assert (u[3, 3], u[1, 3]) == (-r2, r2)  # m = 1
    assert (u[4, 4], u[0, 4]) == (r2, r2)  # m = 2
    assert (u[3, 1], u[1, 1]) == (-sympy.I * r2, -sympy.I * r2)  # m = -1
    assert (u[4, 0], u[0, 0]) == (sympy.I * r2, -sympy.I * r2)  # m = -2


def test_rotation_matrix_is_active_zyz():
    assert rotation_matrix(pi / 2, 0, 0) * sympy.Matrix([1, 0, 0]) == sympy.Matrix([0, 1, 0])
    assert rotation_matrix(0, pi / 2, 0) * sympy.Matrix([0, 0, 1]) == sympy.Matrix([1, 0, 0])
    a, b, g = sympy.symbols("a b g", real=True)
    assert rotation_matrix(a, b, g) == rotation_z(a) * rotation_y(b) * rotation_z(g)
    r = rotation_matrix(pi / 3, pi / 4, pi / 6)
    assert (r * r.T).applyfunc(sympy.expand) == sympy.eye(3)
    assert sympy.expand(r.det()) == 1


def test_rotation_matrix_matches_scipy():
    rotation = pytest.importorskip("scipy.spatial.transform").Rotation
    angles = (0.3, 1.1, -2.0)
    exact = rotation_matrix(*(sympy.Rational(str(v)) for v in angles))
    theirs = rotation.from_euler("ZYZ", angles).as_matrix()
    tol = tolerance("rotation").atol
    assert max(abs(float(exact[i, j]) - theirs[i, j]) for i in range(3) for j in range(3)) <= tol


def test_quaternion_matches_axis_angle():
    # q = (cos t/2, 0, 0, sin t/2) is Rz(t): at t = pi/3, (sqrt3/2, 0, 0, 1/2)
    q = quaternion_to_matrix(sympy.sqrt(3) / 2, 0, 0, sympy.Rational(1, 2))
    assert (q - rotation_z(pi / 3)).applyfunc(sympy.expand) == sympy.zeros(3)
    r = quaternion_to_matrix(1, 2, 3, 4)  # rational and orthogonal
    assert r * r.T == sympy.eye(3) and r.det() == 1


def test_bad_input():
    with pytest.raises(TypeError, match=r"alpha=0.1 is a float: pass an exact angle"):
        rotation_matrix(0.1, 0, 0)
    with pytest.raises(TypeError, match=r"gamma=0.5\*pi contains a float"):
        rotation_matrix(0, 0, sympy.Float(0.5) * pi)
    with pytest.raises(ValueError, match=r"l=-2 must be a non-negative integer"):
        complex_to_real(-2)
    with pytest.raises(ValueError, match=r"norm must be non-zero"):
        quaternion_to_matrix(0, 0, 0, 0)
    with pytest.raises(ValueError, match=r"alpha=I must be a real angle"):
        rotation_matrix(sympy.I, 0, 0)
    with pytest.raises(TypeError, match=r"alpha='pi' must be a sympy expression or an exact"):
        rotation_matrix("pi", 0, 0)
    with pytest.raises(TypeError, match=r"w=0.5 is a float: the exact layer takes exact numbers"):
        quaternion_to_matrix(0.5, 0, 0, 1)
    with pytest.raises(TypeError, match=r"y='a' must be a sympy expression or an exact number"):
        quaternion_to_matrix(1, 0, "a", 1)
    with pytest.raises(ValueError, match=r"z=I must be real"):
        quaternion_to_matrix(1, 0, 0, sympy.I)
