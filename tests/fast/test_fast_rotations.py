"""Batched rotations of o3ref.fast: scipy as the independent oracle, round trips through the
whole conversion graph (Euler <-> matrix <-> quaternion <-> axis-angle) including beta = 0
and beta = pi, composition, inverse, seeded Haar-random rotations, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from o3ref.fast import (
    axis_angle_to_matrix,
    axis_angle_to_quaternion,
    compose_rotations,
    euler_to_matrix,
    euler_to_quaternion,
    inverse_rotation,
    matrix_to_axis_angle,
    matrix_to_euler,
    matrix_to_quaternion,
    quaternion_inverse,
    quaternion_multiply,
    quaternion_to_axis_angle,
    quaternion_to_euler,
    quaternion_to_matrix,
    random_quaternions,
    random_rotations,
    rotation_matrix,
)
from o3ref.verify.tolerances import tolerance

# a few roundings on entries bounded by one (the "rotation" policy: 8 eps)
ROT = tolerance("rotation").atol

# generic angles, gimbal lock at beta = 0 and beta = pi, near-lock, and alpha = pi edges
ANGLES = np.array(
    [[0.3, 1.1, -2.0], [1.2, 0.0, 0.0], [-2.5, np.pi, 0.0], [np.pi, 0.5, np.pi],
     [0.4, 1e-9, -0.7], [0.0, np.pi - 1e-9, 2.0], [-1.0, np.pi / 2, 1.0]]
)


def test_matrix_vs_scipy():
    np.testing.assert_allclose(euler_to_matrix(ANGLES),
                               Rotation.from_euler("ZYZ", ANGLES).as_matrix(), atol=ROT)
    np.testing.assert_array_equal(rotation_matrix(ANGLES[:, 0], ANGLES[:, 1], ANGLES[:, 2]),
                                  euler_to_matrix(ANGLES))


def test_sign_pins():
    """Active rotations: Rz(pi/2) x = y; Ry(pi/2) z = x; quaternion (c, 0, 0, s) about z."""
    np.testing.assert_allclose(rotation_matrix(np.pi / 2, 0, 0) @ [1, 0, 0], [0, 1, 0], atol=ROT)
    np.testing.assert_allclose(rotation_matrix(0, np.pi / 2, 0) @ [0, 0, 1], [1, 0, 0], atol=ROT)
    s = math.sqrt(0.5)
    np.testing.assert_allclose(quaternion_to_matrix([s, 0, 0, s]) @ [1, 0, 0], [0, 1, 0],
                               atol=ROT)


def test_quaternion_and_axis_angle_vs_scipy():
    R = Rotation.from_euler("ZYZ", ANGLES)
    q = euler_to_quaternion(ANGLES)
    xyzw = R.as_quat()  # scipy: scalar last
    theirs = np.concatenate([xyzw[:, 3:], xyzw[:, :3]], axis=1)
    theirs *= np.where(theirs[:, :1] < 0, -1.0, 1.0)
    np.testing.assert_allclose(q, theirs, atol=ROT)
    axis, angle = matrix_to_axis_angle(R.as_matrix())
    # the rotation vector has length up to pi
    np.testing.assert_allclose(axis * angle[:, None], R.as_rotvec(),
                               atol=tolerance("rotation", scale=np.pi).atol)


@settings(max_examples=25, deadline=None)
@given(angles=st.tuples(st.floats(-math.pi, math.pi), st.floats(0, math.pi),
                        st.floats(-math.pi, math.pi)))
@example(angles=(0.3, 0.0, -1.2))
@example(angles=(0.3, math.pi, -1.2))
@example(angles=(math.pi, 1.0, -math.pi))
@example(angles=(0.0, 0.0, 8.239568254658599e-162))  # subnormal axis: found by hypothesis
def test_round_trips_through_graph(angles):
    """Every path through the graph gives the same matrix; angles come back canonical."""
    e = np.array(angles)
    R = euler_to_matrix(e)
    q = matrix_to_quaternion(R)
    axis, angle = quaternion_to_axis_angle(q)
    paths = [
        euler_to_matrix(matrix_to_euler(R)),
        quaternion_to_matrix(euler_to_quaternion(e)),
        quaternion_to_matrix(q),
        axis_angle_to_matrix(axis, angle),
        euler_to_matrix(quaternion_to_euler(q)),
        quaternion_to_matrix(axis_angle_to_quaternion(*matrix_to_axis_angle(R))),
    ]
    for P in paths:
        np.testing.assert_allclose(P, R, atol=ROT)
    np.testing.assert_allclose(euler_to_quaternion(e), q, atol=ROT)
    back = matrix_to_euler(R)
    assert 0 <= back[1] <= np.pi and -np.pi < back[0] <= np.pi and -np.pi < back[2] <= np.pi
    if 1e-6 < angles[1] < np.pi - 1e-6 and abs(abs(angles[0]) - np.pi) > 1e-9 and abs(
        abs(angles[2]) - np.pi
    ) > 1e-9:
        # acos/atan2 near the lock amplify a rounding of R by 1/sin(beta)
        scale = 1.0 / min(np.sin(angles[1]), abs(np.pi - abs(angles[0])),
                          abs(np.pi - abs(angles[2])))
        np.testing.assert_allclose(back, e, atol=tolerance("rotation", scale=scale).atol)


@pytest.mark.parametrize("beta", [0.0, np.pi])
def test_gimbal_lock_convention(beta):
    """At beta = 0 only alpha + gamma is defined, at beta = pi only alpha - gamma; gamma = 0."""
    a, g = 0.7, -0.2
    back = matrix_to_euler(rotation_matrix(a, beta, g))
    expected = a + g if beta == 0 else a - g
    np.testing.assert_allclose(back, [expected, beta, 0.0], atol=ROT)


def test_composition_and_inverse():
    R1, R2 = random_rotations(5, seed=1), random_rotations(5, seed=2)
    np.testing.assert_allclose(compose_rotations(R1, R2), np.einsum("nab,nbc->nac", R1, R2),
                               atol=ROT)
    np.testing.assert_allclose(compose_rotations(R1, inverse_rotation(R1)),
                               np.broadcast_to(np.eye(3), (5, 3, 3)), atol=ROT)
    q1, q2 = matrix_to_quaternion(R1), matrix_to_quaternion(R2)
    np.testing.assert_allclose(quaternion_to_matrix(quaternion_multiply(q1, q2)), R1 @ R2,
                               atol=ROT)
    np.testing.assert_allclose(quaternion_to_matrix(quaternion_inverse(q1)),
                               R1.transpose(0, 2, 1), atol=ROT)


def test_random_rotations_seeded_and_haar():
    np.testing.assert_array_equal(random_rotations(4, seed=3), random_rotations(4, seed=3))
    assert not np.allclose(random_rotations(4, seed=3), random_rotations(4, seed=4))
    R = random_rotations(4000, seed=0)
    np.testing.assert_allclose(np.linalg.det(R), 1.0, atol=tolerance("rotation", scale=6).atol)
    # Haar measure: E[R] = 0 and E[trace(R)^2] = 1 (statistical bounds for 4000 samples,
    # about 5 standard deviations: not floating-point tolerances)
    assert np.abs(R.mean(axis=0)).max() < 0.05
    assert np.trace(R, axis1=1, axis2=2).__pow__(2).mean() == pytest.approx(1.0, abs=0.1)
    q = random_quaternions(10, seed=1)
    np.testing.assert_allclose(np.linalg.norm(q, axis=1), 1.0, atol=ROT)
    assert (q[:, 0] >= 0).all()


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: matrix_to_euler(np.eye(3)[:2]), ValueError,
         r"R must have shape \(\.\.\., 3, 3\), got shape \(2, 3\)"),
        (lambda: matrix_to_euler(np.diag([1.0, 1.0, 1.1])), ValueError,
         r"R must be orthogonal .*got \|R R\^T - 1\| = 0.21"),
        (lambda: matrix_to_quaternion(np.diag([1.0, 1.0, -1.0])), ValueError,
         r"R must be proper rotations \(det R = \+1\), got det R = -1"),
        (lambda: quaternion_to_matrix([1.0, 0.0, 0.0, 0.1]), ValueError,
         r"q must be unit quaternions"),
        (lambda: quaternion_to_matrix([1.0, 0.0, 0.0]), ValueError,
         r"q must have shape \(\.\.\., 4\), got shape \(3,\)"),
        (lambda: rotation_matrix(np.nan, 0.0, 0.0), ValueError, r"alpha must be finite"),
        (lambda: rotation_matrix(0.0, "x", 0.0), TypeError, r"beta must be an array of real"),
        (lambda: axis_angle_to_matrix([0.0, 0.0, 2.0], 1.0), ValueError,
         r"axis must be unit vectors .*got \|n\| = 2"),
        (lambda: random_rotations(-1), ValueError, r"n=-1 must be a non-negative integer"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_integer_angles_accepted():
    np.testing.assert_array_equal(rotation_matrix(1, 0, 0), rotation_matrix(1.0, 0.0, 0.0))
