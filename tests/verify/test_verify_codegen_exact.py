"""ConventionMap.to_code() keeps every digit near gimbal lock and near rotations by pi
(issue 19, class 6): conversions move angles or quaternion components where the other
library's reading allows it, and otherwise go through the matrix with atan2 (never acos) and
Shepperd's quaternion (never sqrt(1 + trace) alone)."""

from __future__ import annotations

import numpy as np
import pytest

from o3ref import fast
from o3ref.verify.conventions.maps import ConventionMap, frame_piece, rotation_piece
from o3ref.verify.tolerances import tolerance

L = 3
BETAS = [0.0, 1e-9, np.pi - 1e-9, np.pi, 1.3]
WS = [0.0, 1e-8, 0.3]


def _axis(axis, t):
    c, s = np.cos(t), np.sin(t)
    return {0: np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
            1: np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
            2: np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])}[axis]


def _quat_matrix(q):  # scalar first, written out here
    w, x, y, z = np.asarray(q) / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def _d(R):
    return np.asarray(fast.wigner_D_real_blocks(L, np.asarray(R).reshape(1, 3, 3))[L][0])


def _quaternion(w, rng):
    v = rng.standard_normal(3)
    v *= np.sqrt(1 - w * w) / np.linalg.norm(v)
    return np.array([w, *v])


def _check(got, R):
    tol = 4 * tolerance("wigner_d", L).atol
    err = float(np.abs(np.asarray(got) - _d(R)).max())
    assert err <= tol, (err, tol)


@pytest.mark.parametrize("beta", BETAS)
def test_passive_euler_is_exact_near_gimbal_lock(beta):
    cmap = ConventionMap("wigner_d", (rotation_piece("euler", "ZYZ", passive=True),), "euler")

    def other(l, a, b, c):  # reads its angles as the inverse rotation
        return fast.wigner_D_real_blocks(l, (_axis(2, a) @ _axis(1, b) @ _axis(2, c)).T[None])[
            l][0]
    assert "# exact: angles moved" in cmap.to_code()
    alpha, gamma = 0.7, -2.1
    _check(cmap.convert(other)(L, alpha, beta, gamma),
           _axis(2, alpha) @ _axis(1, beta) @ _axis(2, gamma))


@pytest.mark.parametrize("beta", BETAS)
def test_euler_in_other_axes_is_exact_near_gimbal_lock(beta):
    frame = ((2, 0, 1), (1, 1, 1))  # e3nn's axes: its v = (y, z, x)
    b = np.zeros((3, 3))
    for i in range(3):
        b[frame[0][i], i] = frame[1][i]
    cmap = ConventionMap("wigner_d", (rotation_piece("euler", "YXY"), frame_piece(*frame)),
                         "euler")

    def other(l, a, bb, c):  # YXY intrinsic, in its axes
        r = _axis(1, a) @ _axis(0, bb) @ _axis(1, c)
        return fast.wigner_D_real_blocks(l, (b.T @ r @ b)[None])[l][0]
    assert "# exact: angles moved" in cmap.to_code()
    _check(cmap.convert(other)(L, 0.4, beta, 1.9), _axis(2, 0.4) @ _axis(1, beta) @ _axis(2, 1.9))


@pytest.mark.parametrize("w", WS)
@pytest.mark.parametrize("passive", [False, True])
def test_quaternion_scalar_last_is_exact_near_pi(w, passive):
    cmap = ConventionMap("wigner_d", (rotation_piece("quaternion", passive=passive,
                                                     scalar_first=False),), "quaternion")

    def other(l, q):
        r = _quat_matrix(np.asarray(q)[[3, 0, 1, 2]])
        return fast.wigner_D_real_blocks(l, (r.T if passive else r)[None])[l][0]
    q = _quaternion(w, np.random.default_rng(1))
    assert "# exact: moved" in cmap.to_code()
    _check(cmap.convert(other)(L, q), _quat_matrix(q))


@pytest.mark.parametrize("w", WS)
def test_matrix_to_quaternion_keeps_digits_near_pi(w):
    cmap = ConventionMap("wigner_d", (rotation_piece("quaternion", scalar_first=False),),
                         "matrix")

    def other(l, q):
        return fast.wigner_D_real_blocks(l, _quat_matrix(np.asarray(q)[[3, 0, 1, 2]])[None])[
            l][0]
    R = _quat_matrix(_quaternion(w, np.random.default_rng(2)))
    _check(cmap.convert(other)(L, R), R)


@pytest.mark.parametrize("beta", [1e-9, np.pi - 1e-9, 1.3])
def test_matrix_to_euler_uses_atan2(beta):
    cmap = ConventionMap("wigner_d", (rotation_piece("euler", "ZXZ"),), "matrix")

    def other(l, a, b, c):
        return fast.wigner_D_real_blocks(l, (_axis(2, a) @ _axis(0, b) @ _axis(2, c))[None])[
            l][0]
    assert "math.acos" not in cmap.to_code()
    R = _axis(2, 0.3) @ _axis(0, beta) @ _axis(2, -1.1)
    _check(cmap.convert(other)(L, R), R)
