"""Property checks on callables: each holds for a correct function and fails, readably,
for a broken one."""

from __future__ import annotations

import numpy as np
import pytest

from o3ref import reference
from o3ref.verify.callables import from_matrix_function, from_xyz_function
from o3ref.verify.compare import to_numeric
from o3ref.verify.properties import (
    assert_equivariant,
    assert_gradient_fd,
    assert_homomorphism,
    assert_orthogonal,
    assert_orthonormal_sh,
    assert_parity,
    assert_sh_equivariant,
    random_rotations,
    rotate_points,
    sphere_quadrature,
)
from o3ref.verify.tolerances import tolerance

C1 = np.sqrt(3 / (4 * np.pi))


def sh1(xyz):
    """Real SH for l <= 1 in closed form: 1/(2 sqrt pi), sqrt(3/4pi) (y, z, x)/r."""
    xyz = np.asarray(xyz, dtype=float)
    u = xyz / np.linalg.norm(xyz, axis=1, keepdims=True)
    return np.concatenate([np.full((len(u), 1), 0.5 / np.sqrt(np.pi)), C1 * u[:, [1, 2, 0]]],
                          axis=1)


def sh(l_max, xyz):
    """sh1 in the calling convention of o3ref.verify.callables, l_max <= 1."""
    return sh1(xyz)[:, : (l_max + 1) ** 2]


def rotate_sh1(R, values):
    # D_real^1(R) = P R P^T with P: (x, y, z) -> (y, z, x)
    P = np.eye(3)[[1, 2, 0]]
    D = np.eye(4)
    D[1:, 1:] = P @ R @ P.T
    return values @ D.T


def test_random_rotations_are_rotations():
    R = random_rotations(5, seed=1)
    np.testing.assert_allclose(R @ np.swapaxes(R, 1, 2), np.broadcast_to(np.eye(3), R.shape),
                               atol=2 * tolerance("rotation").atol)
    np.testing.assert_allclose(np.linalg.det(R), 1.0, atol=tolerance("rotation", scale=6).atol)
    with pytest.raises(ValueError, match="n=0 must be a positive integer"):
        random_rotations(0)


def test_equivariance_holds_and_fails():
    xyz = np.random.default_rng(0).standard_normal((6, 3))
    assert assert_equivariant(sh1, xyz, rotate_points, rotate_sh1).passed

    def wrong(xyz):  # x and z swapped: (y, x, z)
        return sh1(xyz)[:, [0, 1, 3, 2]]

    with pytest.raises(AssertionError, match=r"equivariance f\(R x\) = D\(R\) f\(x\) does not"):
        assert_equivariant(wrong, xyz, rotate_points, rotate_sh1)


def test_parity():
    assert assert_parity(sh, l_max=1).passed
    assert assert_parity(sh, l_max=0).passed
    with pytest.raises(AssertionError, match="parity"):
        assert_parity(lambda l_max, xyz: np.abs(sh(l_max, xyz)), l_max=1)


def test_sh_equivariance_in_the_calling_convention():
    assert assert_sh_equivariant(sh, l_max=1).passed
    with pytest.raises(AssertionError, match="equivariance"):
        assert_sh_equivariant(lambda l_max, xyz: sh(l_max, xyz)[:, [0, 1, 3, 2]], l_max=1)


@pytest.mark.parametrize("check", [assert_parity, assert_sh_equivariant, assert_orthonormal_sh])
def test_sh_checks_refuse_a_function_of_xyz_alone(check):
    with pytest.raises(TypeError, match=r"cannot be called as sh\(l_max, xyz\).*"
                       r"from_xyz_function\(f, l_max\)"):
        check(sh1, 1)
    # the explicit wrapper accepts it
    assert check(from_xyz_function(sh1, 1), 1).passed
    assert check(from_xyz_function(sh1, 1), 0).passed


def test_sh_checks_reject_bad_degree_and_shape():
    with pytest.raises(ValueError, match="l_max=-1 must be a non-negative integer"):
        assert_parity(sh, -1)
    with pytest.raises(AssertionError, match=r"returned shape \(16, 4\).*\(16, 1\)"):
        assert_parity(lambda l_max, xyz: sh1(xyz), 0)  # ignores l_max


def test_from_xyz_function_checks_degree_and_width():
    wrapped = from_xyz_function(sh1, 1)
    with pytest.raises(ValueError, match="l_max=2 must be <= 1"):
        wrapped(2, np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"returned shape \(2, 4\).*needs \(n, 9\)"):
        from_xyz_function(sh1, 2)(1, np.ones((2, 3)))
    with pytest.raises(ValueError, match="l_max=1.5 must be a non-negative integer"):
        from_xyz_function(sh1, 1.5)


def test_sphere_quadrature_is_exact():
    pts, w = sphere_quadrature(6)
    # a sum of len(w) positive terms: ~len(w) eps relative to the total (4 pi)
    tol = len(w) * tolerance("rotation", scale=4 * np.pi).atol
    assert abs(w.sum() - 4 * np.pi) <= tol
    # int z^4 dOmega = 4 pi / 5; int x^2 y^2 z^2 dOmega = 4 pi / 105
    assert abs(np.sum(w * pts[:, 2] ** 4) - 4 * np.pi / 5) <= tol
    assert abs(np.sum(w * (pts[:, 0] * pts[:, 1] * pts[:, 2]) ** 2) - 4 * np.pi / 105) <= tol


def test_orthonormality():
    assert assert_orthonormal_sh(sh, l_max=1).passed
    with pytest.raises(AssertionError, match="orthonormality on the sphere.*Gram matrix"):
        assert_orthonormal_sh(lambda l_max, xyz: np.sqrt(4 * np.pi) * sh(l_max, xyz), l_max=1)
    # the exact reference at l_max = 4, through mpmath (its signature is the convention's)
    assert assert_orthonormal_sh(
        lambda l_max, xyz: to_numeric(reference.real_spherical_harmonics(l_max, xyz, dps=20)),
        4).passed


def test_orthogonal_and_homomorphism():
    def d1(R):  # D^1 = P R P^T
        P = np.eye(3)[[1, 2, 0]]
        return P @ R @ P.T

    R = random_rotations(3)
    assert assert_orthogonal(d1(R)).passed
    assert assert_homomorphism(from_matrix_function(d1, 1), 1).passed
    with pytest.raises(AssertionError, match="orthogonality"):
        assert_orthogonal(1.01 * d1(R))
    with pytest.raises(AssertionError, match=r"homomorphism D\(R1 R2\) = D\(R1\) D\(R2\)"):
        # the transpose reverses the order of the product
        assert_homomorphism(from_matrix_function(lambda R: np.swapaxes(d1(R), 1, 2), 1), 1)


def _d_real_exact(l, alpha, beta, gamma):
    return to_numeric(reference.wigner_D_real(l, alpha, beta, gamma, dps=20))


@pytest.mark.parametrize("l", [0, 1, 2])
def test_homomorphism_in_the_calling_convention(l):
    # the plugin's form wigner_d(l, alpha, beta, gamma), here o3ref's exact reference
    assert assert_homomorphism(_d_real_exact, l).passed
    P = np.eye(3)[[1, 2, 0]]
    assert assert_homomorphism(lambda l, R: P @ R @ P.T, 1, takes="matrix").passed
    # angles in the opposite order (gamma, beta, alpha) break the homomorphism
    with pytest.raises(AssertionError, match="homomorphism"):
        assert_homomorphism(lambda l, a, b, g: _d_real_exact(l, g, b, a), 2)


def test_homomorphism_refuses_other_signatures():
    def d1(R):
        P = np.eye(3)[[1, 2, 0]]
        return P @ R @ P.T

    with pytest.raises(TypeError, match=r"cannot be called as wigner_d\(l, alpha, beta, gamma\)"
                       r".*from_matrix_function"):
        assert_homomorphism(d1, 1)
    with pytest.raises(TypeError, match=r"cannot be called as wigner_d\(l, R\)"):
        assert_homomorphism(_d_real_exact, 1, takes="matrix")
    with pytest.raises(ValueError, match="takes='euler' must be 'angles' or 'matrix'"):
        assert_homomorphism(_d_real_exact, 1, takes="euler")
    with pytest.raises(ValueError, match="l=-1 must be a non-negative integer"):
        assert_homomorphism(_d_real_exact, -1)
    with pytest.raises(AssertionError, match=r"returned shape \(3, 3\).*\(5, 5\)"):
        assert_homomorphism(lambda l, a, b, g: _d_real_exact(1, a, b, g), 2)  # ignores l
    with pytest.raises(ValueError, match="l=2 must equal 1"):
        from_matrix_function(d1, 1)(2, 0.0, 0.0, 0.0)


def test_gradient_vs_finite_differences():
    def f(xyz):
        return np.stack([xyz[:, 0] * xyz[:, 1], np.sin(xyz[:, 2])], axis=1)

    def grad(xyz):
        g = np.zeros((len(xyz), 3, 2))
        g[:, 0, 0], g[:, 1, 0], g[:, 2, 1] = xyz[:, 1], xyz[:, 0], np.cos(xyz[:, 2])
        return g

    xyz = np.random.default_rng(2).standard_normal((4, 3))
    assert assert_gradient_fd(f, grad, xyz).passed
    with pytest.raises(AssertionError, match="point = .*, direction = 2, output = 1"):
        assert_gradient_fd(f, lambda x: grad(x) * np.array([1, 1, -1])[None, :, None], xyz)


def test_matrix_to_euler_round_trip():
    from o3ref.verify.properties import matrix_to_euler

    def rot(a, b, g):
        def rz(t):
            return np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])

        ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
        return rz(a) @ ry @ rz(g)

    for angles in [(0.3, 1.2, -2.0), (0.5, 0.0, 0.4), (0.5, np.pi, 0.4), (-3.0, 2.9, 3.1)]:
        back = matrix_to_euler(rot(*angles))
        np.testing.assert_allclose(rot(*back), rot(*angles), atol=2 * tolerance("rotation").atol)


def test_sh_rotator_improper():
    from o3ref.verify.properties import sh_rotator

    xyz = np.random.default_rng(4).standard_normal((5, 3))
    R = -random_rotations(1, seed=3)[0]
    np.testing.assert_allclose(sh_rotator(1)(R, sh1(xyz)), sh1(xyz @ R.T),
                               atol=2 * tolerance("wigner_d", 1).atol)
