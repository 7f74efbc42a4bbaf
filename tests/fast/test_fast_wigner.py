"""Batched real Wigner D of o3ref.fast: against the mpmath reference (l <= 20) and the
properties its docstring lists (orthogonality, homomorphism, inverse, identity, rotation of
the harmonics)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fast_helpers import scipy_matrices, zyz_from_matrix
from hypothesis import example, given, settings
from hypothesis import strategies as st

import o3ref.reference as reference
from o3ref.fast import (
    SphericalHarmonics,
    WignerDReal,
    matrix_to_quaternion,
    random_rotations,
    wigner_D_real_blocks,
)
from o3ref.fast.indexing import l_slice
from o3ref.verify.tolerances import tolerance

EPS = np.finfo(float).eps
# gimbal lock (beta = 0, pi), generic, and beta close to pi
ANGLES = np.array([[0.3, 0.0, -1.1], [2.0, np.pi, 0.4], [0.7, 1.3, -2.6], [-3.0, 3.1, 1.2]])


@pytest.fixture(scope="module")
def reference_D():
    """30-digit reference D_real^l for l <= 20 (every l for one rotation, some for others)."""
    out = {}
    for k, (a, b, g) in enumerate(ANGLES):
        ls = range(21) if k == 2 else (0, 1, 2, 7, 16, 20)
        for l in ls:
            out[k, l] = np.array(reference.wigner_D_real(l, a, b, g, dps=30), dtype=float)
    return out


def test_vs_reference_l20(reference_D):
    """|fast - mpmath| <= 4 (2l+1) eps entrywise (entries are bounded by 1)."""
    D = wigner_D_real_blocks(20, scipy_matrices(ANGLES))
    for (k, l), ref in reference_D.items():
        err = np.abs(D[l][k] - ref).max()
        assert err <= 4 * (2 * l + 1) * EPS, (k, l, err)


def test_equivalence_small_l(impl):
    """Both implementations give D_real^1 = P R P^T (P: (x, y, z) -> (y, z, x))."""
    R = scipy_matrices(ANGLES)
    P = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    np.testing.assert_allclose(impl.wigner(1, ANGLES), P @ R @ P.T,
                               atol=tolerance("wigner_d", 1).atol)
    np.testing.assert_allclose(impl.wigner(0, ANGLES), np.ones((4, 1, 1)),
                               atol=tolerance("wigner_d", 0).atol)


@settings(max_examples=20, deadline=None)
@given(a=st.tuples(*(st.floats(-math.pi, math.pi),) * 3),
       b=st.tuples(*(st.floats(-math.pi, math.pi),) * 3))
@example(a=(0.5, 0.0, 0.2), b=(0.1, math.pi, -0.3))
def test_homomorphism(impl, a, b):
    """D(R1 R2) = D(R1) D(R2) and D(R^T) = D(R)^T."""
    R1, R2 = scipy_matrices(a)[0], scipy_matrices(b)[0]
    c, inv = zyz_from_matrix(R1 @ R2), zyz_from_matrix(R1.T)
    for l in range(impl.max_l + 1):
        D1, D2 = impl.wigner(l, np.array(a))[0], impl.wigner(l, np.array(b))[0]
        # three D's within the policy, one (2l+1)-term product of entries bounded by one
        tol = 3 * tolerance("wigner_d", l).atol
        np.testing.assert_allclose(impl.wigner(l, c)[0], D1 @ D2, atol=tol)
        np.testing.assert_allclose(impl.wigner(l, inv)[0], D1.T, atol=tol)


def test_orthogonal_l50():
    R = random_rotations(20, seed=11)
    D = wigner_D_real_blocks(50, R)
    for l in (10, 33, 50):
        err = np.abs(D[l] @ D[l].transpose(0, 2, 1) - np.eye(2 * l + 1)).max()
        assert err <= 2 * tolerance("wigner_d", l).atol, (l, err)


def test_identity_and_z_rotation():
    D = wigner_D_real_blocks(6, np.eye(3)[None])
    for l in range(7):
        np.testing.assert_allclose(D[l][0], np.eye(2 * l + 1), atol=tolerance("wigner_d", l).atol)
    # Rz(t): cos(m t) on the diagonal, D[-m, m] = sin(m t) (Y_{l,-m} ~ sin(m phi))
    t = 0.4
    D = wigner_D_real_blocks(3, scipy_matrices([t, 0.0, 0.0]))[3][0]
    for m in range(1, 4):
        assert abs(D[3 + m, 3 + m] - math.cos(m * t)) <= tolerance("wigner_d", 3).atol
        assert abs(D[3 - m, 3 + m] - math.sin(m * t)) <= tolerance("wigner_d", 3).atol


def test_rotates_harmonics_high_l():
    R = random_rotations(3, seed=2)
    xyz = np.random.default_rng(0).normal(size=(6, 3))
    sh = SphericalHarmonics(30)
    Y = sh.compute(xyz)
    D = wigner_D_real_blocks(30, R)
    for k in range(3):
        YR = sh.compute(xyz @ R[k].T)
        for l in (2, 17, 30):
            # Y within the sh policy (values up to sqrt((2l+1)/4pi)), D within its own,
            # summed over 2l+1 terms
            size = math.sqrt((2 * l + 1) / (4 * math.pi))
            tol = (2 * tolerance("sh", l).atol + (2 * l + 1) * tolerance("wigner_d", l).atol) * size
            np.testing.assert_allclose(YR[:, l_slice(l)], Y[:, l_slice(l)] @ D[l][k].T, atol=tol)


def test_quaternions_equal_matrices():
    R = random_rotations(7, seed=4)
    q = matrix_to_quaternion(R)
    from_q = wigner_D_real_blocks(5, q)
    for l, (a, b) in enumerate(zip(wigner_D_real_blocks(5, R), from_q, strict=True)):
        np.testing.assert_allclose(a, b, atol=2 * tolerance("wigner_d", l).atol)
    # q and -q are the same rotation
    for l, (a, b) in enumerate(zip(WignerDReal(5).compute(-q), from_q, strict=True)):
        np.testing.assert_allclose(a, b, atol=2 * tolerance("wigner_d", l).atol)


def test_shapes():
    D = wigner_D_real_blocks(3, random_rotations(5, seed=0))
    assert [d.shape for d in D] == [(5, 1, 1), (5, 3, 3), (5, 5, 5), (5, 7, 7)]
    assert wigner_D_real_blocks(0, np.zeros((0, 4)))[0].shape == (0, 1, 1)


@pytest.mark.parametrize(
    "rotations, error, match",
    [
        (np.eye(3), ValueError, r"rotations must be rotation matrices of shape \(n, 3, 3\) or "
         r"unit quaternions of shape \(n, 4\).*got shape \(3, 3\)"),
        (np.zeros((2, 3)), ValueError, r"got shape \(2, 3\)"),
        (2 * np.eye(3)[None], ValueError, r"rotations must be orthogonal \(\|R R\^T - 1\| <= "
         r"1e-10\), got \|R R\^T - 1\| = 3"),
        (-np.eye(3)[None], ValueError, r"rotations must be proper rotations \(det R = \+1\), "
         r"got det R = -1"),
        (np.array([[1.0, 1.0, 0.0, 0.0]]), ValueError, r"rotations must be unit quaternions"),
        (np.array([[np.nan, 0, 0, 1.0]]), ValueError, r"rotations must be finite"),
        (np.eye(3, dtype=complex)[None], TypeError, r"rotations must be an array of real"),
    ],
)
def test_bad_rotations(rotations, error, match):
    with pytest.raises(error, match=match):
        wigner_D_real_blocks(2, rotations)


def test_bad_l_max():
    with pytest.raises(ValueError, match=r"l_max=-2 must be a non-negative integer"):
        wigner_D_real_blocks(-2, np.eye(3)[None])
    with pytest.raises(TypeError, match=r"l_max=1.5 must be a non-negative integer"):
        WignerDReal(1.5)
