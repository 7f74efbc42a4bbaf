"""Real spherical and solid harmonics of o3ref.fast against independent oracles.

Oracles: 30-digit mpmath values of o3ref.reference (l <= 40), scipy's complex
``sph_harm_y`` mapped to the real form, sphericart (optional), closed forms, central finite
differences, and exact identities (parity, rotation, orthonormality by quadrature).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from fast_helpers import HARD_POINTS, near_pole_points, scipy_matrices
from hypothesis import example, given, settings
from hypothesis import strategies as st

from o3ref.fast import SolidHarmonics, SphericalHarmonics, solid_harmonics, spherical_harmonics
from o3ref.fast.indexing import l_slice, lm_index
from o3ref.verify.tolerances import finite_difference_tolerance, tolerance

EPS = np.finfo(float).eps


def degree_scale(l_max: int) -> tuple[np.ndarray, np.ndarray]:
    """Per flat index: ``l`` and the sup norm ``sqrt((2l+1)/4pi)`` of ``Y_lm`` on the sphere."""
    l = np.concatenate([np.full(2 * k + 1, k) for k in range(l_max + 1)])
    return l, np.sqrt((2 * l + 1) / (4 * np.pi))


def _assert_error_within(ours, reference, l_max, factor):
    """|ours - reference| <= factor(l) (2l+1) eps sqrt((2l+1)/4pi), degree by degree."""
    l, scale = degree_scale(l_max)
    err = np.abs(ours - reference[:, : (l_max + 1) ** 2]) / scale
    bound = factor(l) * (2 * l + 1) * EPS
    worst = np.unravel_index(np.argmax(err / bound), err.shape)
    assert (err <= bound).all(), f"error {err[worst]:.3g} > bound at l={l[worst[1]]}"


def test_vs_reference_l40(reference_sh_40):
    """|fast - mpmath| <= 2 (2l+1) eps sqrt((2l+1)/4pi) for l <= 40 at poles, axes, random."""
    ours = SphericalHarmonics(40).compute(HARD_POINTS)
    _assert_error_within(ours, reference_sh_40, 40, lambda l: 2)


@pytest.mark.parametrize("l_max", [10, 22, 40])
def test_vs_reference_near_the_poles(reference_sh_near_poles, l_max):
    """Within 10^-8..10^-1 of a pole the error grows as l^2 eps, not (2l+1) eps: rounding
    |delta z| ~ eps in z = cos(theta) moves P_l by up to l(l+1)/2 eps there (the derivative at
    z = 1). Measured at these points: 2.5 (2l+1) eps for l <= 10, 5.0 for l <= 22, 9.2 for
    l <= 40; bound (2 + l/4) (2l+1) eps."""
    ours = SphericalHarmonics(l_max).compute(near_pole_points())
    _assert_error_within(ours, reference_sh_near_poles, l_max, lambda l: 2 + l / 4)


def test_equivalence_small_l(impl):
    """Both implementations agree with closed forms for l <= 1 (sign-sensitive)."""
    xyz = np.array([[1.0, 2.0, 2.0], [0.0, 0.0, -1.0]])
    Y = impl.sh(1, xyz)
    u = xyz / np.linalg.norm(xyz, axis=1, keepdims=True)
    c = math.sqrt(3 / (4 * math.pi))
    np.testing.assert_allclose(Y[:, 0], 1 / (2 * math.sqrt(math.pi)), atol=tolerance("sh", 0).atol)
    np.testing.assert_allclose(Y[:, 1:], c * u[:, [1, 2, 0]], atol=tolerance("sh", 1).atol)


def test_closed_forms_l2():
    """Y_2m in the real Wikipedia form: xy, yz, 3z^2-r^2, xz, x^2-y^2 with their constants."""
    rng = np.random.default_rng(5)
    xyz = rng.normal(size=(20, 3))
    x, y, z = (xyz / np.linalg.norm(xyz, axis=1, keepdims=True)).T
    c = 0.5 * math.sqrt(15 / math.pi)
    expected = np.stack(
        [c * x * y, c * y * z, 0.25 * math.sqrt(5 / math.pi) * (3 * z * z - 1), c * x * z,
         0.5 * c * (x * x - y * y)],
        axis=1,
    )
    # the closed forms are a few products themselves: the policy at l = 2 covers both sides
    np.testing.assert_allclose(SphericalHarmonics(2).compute(xyz)[:, l_slice(2)], expected,
                               atol=tolerance("sh", 2).atol)


def scipy_real_sph(l_max: int, xyz: np.ndarray) -> np.ndarray:
    """Real harmonics from scipy's complex ``sph_harm_y`` (Condon-Shortley), CONVENTIONS.md:
    m > 0: sqrt2 (-1)^m Re Y_l^m; m = 0: Y_l^0; m < 0: sqrt2 (-1)^m Im Y_l^|m|."""
    special = pytest.importorskip("scipy.special")
    r = np.linalg.norm(xyz, axis=1)
    theta = np.arccos(np.clip(xyz[:, 2] / r, -1, 1))
    phi = np.arctan2(xyz[:, 1], xyz[:, 0])
    out = np.empty((len(xyz), (l_max + 1) ** 2))
    for l in range(l_max + 1):
        for m in range(-l, l + 1):
            Yc = special.sph_harm_y(l, abs(m), theta, phi)
            if m > 0:
                v = math.sqrt(2) * (-1) ** m * Yc.real
            elif m == 0:
                v = Yc.real
            else:
                v = math.sqrt(2) * (-1) ** m * Yc.imag
            out[:, lm_index(l, m)] = v
    return out


def test_vs_scipy():
    xyz = np.random.default_rng(1).normal(size=(50, 3))
    l, scale = degree_scale(12)
    err = np.abs(SphericalHarmonics(12).compute(xyz) - scipy_real_sph(12, xyz))
    # two float64 implementations, each within the sh policy (absolute, for values of size
    # up to sqrt((2l+1)/4pi), which passes 1 from l = 6): twice the policy, degree by degree
    tol = np.array([tolerance("sh", int(k)).atol for k in l]) * np.maximum(scale, 1)
    assert (err <= 2 * tol).all()


def test_vs_sphericart():
    sphericart = pytest.importorskip("sphericart")
    xyz = np.random.default_rng(2).normal(size=(200, 3))
    ours, grad = SphericalHarmonics(15).compute_with_gradients(xyz)
    theirs, tgrad = sphericart.SphericalHarmonics(15).compute_with_gradients(xyz)
    l, scale = degree_scale(15)
    # two float64 implementations, each within the policy: twice the policy, degree by degree
    # (absolute policies for values of size up to sqrt((2l+1)/4pi), which passes 1 at l = 6)
    sh_tol = np.array([tolerance("sh", int(k)).atol for k in l]) * np.maximum(scale, 1)
    grad_tol = np.array([tolerance("sh_gradient", int(k)).atol for k in l]) * np.maximum(scale, 1)
    assert (np.abs(ours - theirs) <= 2 * sh_tol).all()
    r = np.linalg.norm(xyz, axis=1)[:, None, None]
    assert (np.abs(grad - tgrad) * r <= 2 * grad_tol).all()
    solid = sphericart.SolidHarmonics(6).compute(xyz)
    # r^l Y_lm: the same bound relative to r^l sqrt((2l+1)/4pi), point by point
    r6, l6 = np.linalg.norm(xyz, axis=1)[:, None], degree_scale(6)[0]
    solid_scale = r6**l6 * np.maximum(degree_scale(6)[1], 1)
    solid_tol = np.array([tolerance("sh", int(k)).atol for k in l6])
    assert (np.abs(SolidHarmonics(6).compute(xyz) - solid) <= 2 * solid_tol * solid_scale).all()


def test_parity(impl):
    xyz = np.array([[0.3, -1.2, 0.5], [0.0, 0.0, 1.0], [-0.2, 0.9, -0.1]])
    l_max = impl.max_l
    l, _ = degree_scale(l_max)
    np.testing.assert_allclose(impl.sh(l_max, -xyz), (-1.0) ** l * impl.sh(l_max, xyz),
                               atol=2 * tolerance("sh", l_max).atol)


@settings(max_examples=15, deadline=None)
@given(
    angles=st.tuples(*(st.floats(-math.pi, math.pi),) * 3),
    seed=st.integers(0, 2**16),
)
def test_rotation_property(impl, angles, seed):
    """Y_l(R r) = D_real^l(R) Y_l(r), R from scipy, D from the same implementation."""
    xyz = np.random.default_rng(seed).normal(size=(4, 3))
    R = scipy_matrices(angles)[0]
    l_max = impl.max_l if impl.name == "fast" else 2
    Y, YR = impl.sh(l_max, xyz), impl.sh(l_max, xyz @ R.T)
    for l in range(l_max + 1):
        D = impl.wigner(l, np.array(angles))[0]
        # Y_l(R r) and D Y_l(r): each side within the sh / wigner_d policies, times the
        # (2l+1)-term product with |Y| <= sqrt((2l+1)/4pi)
        tol = 2 * tolerance("sh", l).atol + tolerance("wigner_d", l).atol * np.sqrt(2 * l + 1)
        np.testing.assert_allclose(YR[:, l_slice(l)], Y[:, l_slice(l)] @ D.T, atol=tol)


def test_orthonormality_by_quadrature():
    """Gauss-Legendre in cos(theta) x uniform phi integrates degree <= 2 l_max exactly."""
    l_max = 12
    nodes, weights = np.polynomial.legendre.leggauss(l_max + 1)
    phi = 2 * np.pi * np.arange(2 * l_max + 2) / (2 * l_max + 2)
    z, p = np.meshgrid(nodes, phi, indexing="ij")
    w = np.outer(weights, np.full(len(phi), 2 * np.pi / len(phi))).ravel()
    s = np.sqrt(1 - z * z)
    xyz = np.stack([s * np.cos(p), s * np.sin(p), z], axis=-1).reshape(-1, 3)
    Y = SphericalHarmonics(l_max).compute(xyz)
    # each entry is a quadrature sum of products of two values within the sh policy, with
    # weights summing to 4 pi: error ~ 2 * policy * sqrt((2l+1)/4pi) * 4pi
    tol = 2 * tolerance("sh", l_max).atol * np.sqrt((2 * l_max + 1) / (4 * np.pi)) * 4 * np.pi
    np.testing.assert_allclose((Y * w[:, None]).T @ Y, np.eye((l_max + 1) ** 2), atol=tol)


@pytest.mark.parametrize("l_max", [100, 150])
def test_high_degree_finite(l_max):
    """No overflow or NaN at high l, poles included; sum_m Y_lm^2 = (2l+1)/4pi (addition
    theorem) holds for every l."""
    xyz = np.concatenate([HARD_POINTS, np.random.default_rng(3).normal(size=(5, 3))])
    Y, G = SphericalHarmonics(l_max).compute_with_gradients(xyz)
    assert np.isfinite(Y).all() and np.isfinite(G).all()
    for l in range(0, l_max + 1, 7):
        # 2l+1 squares of values within the sh policy, each of size <= sqrt((2l+1)/4pi);
        # the near-pole growth (2 + l/4) of the module's accuracy notes included
        size = np.sqrt((2 * l + 1) / (4 * np.pi))
        tol = (2 + l / 4) * tolerance("sh", l).atol * 2 * size * (2 * l + 1)
        np.testing.assert_allclose((Y[:, l_slice(l)] ** 2).sum(axis=1), (2 * l + 1) / (4 * np.pi),
                                   atol=tol)


def _central_differences(f, xyz, h=1e-6):
    out = []
    for a in range(3):
        d = np.zeros(3)
        d[a] = h
        out.append((f(xyz + d) - f(xyz - d)) / (2 * h))
    return np.stack(out, axis=1)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**16), l_max=st.integers(0, 12))
@example(seed=174, l_max=10)
def test_gradients_vs_finite_differences(seed, l_max):
    xyz = np.random.default_rng(seed).normal(size=(5, 3))
    xyz[0] = [0.0, 0.0, 1.3]  # pole
    for calc in (SphericalHarmonics(l_max), SolidHarmonics(l_max)):
        _, G = calc.compute_with_gradients(xyz)
        fd = _central_differences(calc.compute, xyz)
        values = np.abs(calc.compute(xyz)).max()
        # the recurrences compute each value to ~ (l+1) eps |f|, not eps |f|: the rounding of
        # the differences scales with that (seed=174, l_max=10 failed with eps |f| alone)
        tol = finite_difference_tolerance(1e-6, value_scale=(l_max + 1) * values,
                                          third_derivative=(l_max + 2) ** 3 * (1 + values))
        np.testing.assert_allclose(G, fd, atol=tol.atol)


@pytest.mark.parametrize("l_max", [22, 30])
@pytest.mark.parametrize("cls", [SphericalHarmonics, SolidHarmonics])
def test_gradients_vs_finite_differences_every_degree_to_30(cls, l_max):
    """Low degrees take their gradients from dense per-degree products, high degrees from
    elementwise formulas: both against central differences, degree by degree, to l = 30
    (l_max = 22: every degree by dense products, which need degree 23 too)."""
    xyz = np.random.default_rng(11).normal(size=(4, 3))
    xyz /= np.linalg.norm(xyz, axis=1, keepdims=True)  # |r| = 1: r^l keeps solid terms O(1)
    xyz[0] = [0.0, 0.0, 1.0]  # pole
    calc = cls(l_max)
    _, G = calc.compute_with_gradients(xyz)
    fd = _central_differences(calc.compute, xyz, h=1e-5)
    values = calc.compute(xyz)
    for l in range(l_max + 1):
        sl = l_slice(l)
        size = np.abs(values[:, sl]).max()
        tol = finite_difference_tolerance(1e-5, value_scale=size,
                                          third_derivative=(l + 2) ** 3 * (1 + size))
        np.testing.assert_allclose(G[:, :, sl], fd[:, :, sl], atol=tol.atol, err_msg=f"l={l}")


def test_gradient_is_tangential_and_solid_consistent():
    """x . grad Y = 0 (Y is homogeneous of degree 0); x . grad(r^l Y) = l r^l Y (Euler)."""
    xyz = np.random.default_rng(4).normal(size=(30, 3))
    Y, G = SphericalHarmonics(9).compute_with_gradients(xyz)
    # |x| |grad Y| <= ~ l sqrt((2l+1)/4pi): three products, each within the gradient policy
    r = np.linalg.norm(xyz, axis=1)[:, None]
    l, size = degree_scale(9)
    grad_tol = np.array([tolerance("sh_gradient", int(k)).atol for k in l])
    assert (np.abs(np.einsum("na,nak->nk", xyz, G)) <= 3 * grad_tol * size).all()
    S, GS = SolidHarmonics(9).compute_with_gradients(xyz)
    # the same relative to the size r^l sqrt((2l+1)/4pi) of the solid harmonic
    assert (np.abs(np.einsum("na,nak->nk", xyz, GS) - l * S) <= 3 * grad_tol * size * r**l).all()


@pytest.mark.parametrize("cls", [SphericalHarmonics, SolidHarmonics])
def test_block_sizes_give_equal_values(cls):
    """Points are computed in blocks. Values are elementwise across points: any block size
    gives the same numbers to the last bit, the last, shorter block included. Low-degree
    gradients are BLAS products, whose summation order may change with the block width (a
    block of one point is a matrix-vector product): equal to a few ulp."""
    from o3ref.fast.harmonics import _kernel

    xyz = np.random.default_rng(5).normal(size=(1001, 3))
    calc = cls(9)
    solid = cls is SolidHarmonics
    whole_Y, whole_G = _kernel(9, calc._coef, xyz, True, solid, chunk=4096)
    for chunk in (1, 7, 256):
        Y, G = _kernel(9, calc._coef, xyz, True, solid, chunk=chunk)
        np.testing.assert_array_equal(Y, whole_Y)
        # a different summation order: within the gradient policy of each degree, relative
        # to the size of that degree's gradient at that point (the kernel's internal scaling)
        l, _ = degree_scale(9)
        size = np.concatenate([np.broadcast_to(np.abs(whole_G[:, :, l_slice(k)]).max(
            axis=(1, 2), keepdims=True), (len(xyz), 1, 2 * k + 1)) for k in range(10)], axis=2)
        tol = np.array([tolerance("sh_gradient", int(k)).atol for k in l])
        assert (np.abs(G - whole_G) <= tol * size).all()
    np.testing.assert_array_equal(_kernel(9, calc._coef, xyz, False, solid, chunk=7)[0], whole_Y)


def test_values_equal_with_and_without_gradients():
    xyz = np.random.default_rng(6).normal(size=(1000, 3))
    calc = SphericalHarmonics(7)
    np.testing.assert_array_equal(calc.compute(xyz), calc.compute_with_gradients(xyz)[0])
    assert calc.compute(xyz).shape == (1000, 64)
    assert calc.compute_with_gradients(xyz)[1].shape == (1000, 3, 64)
    np.testing.assert_array_equal(spherical_harmonics(7, xyz), calc.compute(xyz))


def test_solid_harmonics_scaling_and_zero():
    xyz = np.random.default_rng(7).normal(size=(10, 3))
    r = np.linalg.norm(xyz, axis=1)[:, None]
    l, _ = degree_scale(6)
    sizes = r**l * degree_scale(6)[1]
    assert (np.abs(solid_harmonics(6, xyz) - r**l * spherical_harmonics(6, xyz))
            <= 2 * tolerance("sh", 6).atol * sizes).all()
    S, G = SolidHarmonics(3).compute_with_gradients(np.zeros((2, 3)))
    expected = np.zeros(16)
    expected[0] = 1 / (2 * math.sqrt(math.pi))
    np.testing.assert_array_equal(S, [expected, expected])
    c = math.sqrt(3 / (4 * math.pi))  # grad of sqrt(3/4pi) (y, z, x)
    G1 = np.zeros((3, 16))
    G1[0, 3], G1[1, 1], G1[2, 2] = c, c, c
    np.testing.assert_allclose(G, [G1, G1], atol=tolerance("sh_gradient", 1).atol)


def test_tiny_and_huge_vectors():
    xyz = np.array([[0.3, -0.4, 0.5]])
    Y, G = SphericalHarmonics(6).compute_with_gradients(xyz)
    for s in (1e-200, 1e-300, 1e200, 1e300):
        Ys, Gs = SphericalHarmonics(6).compute_with_gradients(xyz * s)
        np.testing.assert_allclose(Ys, Y, atol=tolerance("sh", 6).atol)
        np.testing.assert_allclose(Gs * s, G, rtol=0,
                                   atol=tolerance("sh_gradient", 6, scale=np.abs(G).max()).atol)
    # subnormal input: values are still exact (gradients ~1/r would overflow there)
    np.testing.assert_allclose(SphericalHarmonics(6).compute(xyz * 1e-310), Y,
                               atol=tolerance("sh", 6).atol)


def test_integer_input_converted():
    np.testing.assert_array_equal(
        SphericalHarmonics(3).compute(np.array([[1, 2, 3]])),
        SphericalHarmonics(3).compute(np.array([[1.0, 2.0, 3.0]])),
    )


def test_zero_rows_and_empty():
    assert SphericalHarmonics(2).compute(np.zeros((0, 3))).shape == (0, 9)
    with pytest.raises(ValueError, match=r"xyz\[1\] = \(0.0, 0.0, 0.0\) has zero length"):
        SphericalHarmonics(2).compute(np.array([[1.0, 0, 0], [0.0, 0, 0]]))


@pytest.mark.parametrize(
    "xyz, error, match",
    [
        (np.zeros((4, 2)), ValueError, r"xyz must have shape \(n, 3\), got shape \(4, 2\)"),
        (np.zeros(3), ValueError, r"xyz must have shape \(n, 3\), got shape \(3,\)"),
        (np.array([[1.0, np.nan, 0.0]]), ValueError, r"xyz must be finite, got NaN or inf"),
        (np.array([[1.0, np.inf, 0.0]]), ValueError, r"xyz must be finite"),
        (np.array([[1 + 1j, 0, 0]]), TypeError, r"xyz must be an array of real numbers.*complex"),
        (np.array([[True, False, True]]), TypeError, r"real numbers .*got dtype bool"),
        (np.array([["a", "b", "c"]]), TypeError, r"xyz must be an array of real numbers"),
    ],
)
def test_bad_xyz(xyz, error, match):
    for calc in (SphericalHarmonics(2), SolidHarmonics(2)):
        with pytest.raises(error, match=match):
            calc.compute(xyz)
        with pytest.raises(error, match=match):
            calc.compute_with_gradients(xyz)


@pytest.mark.parametrize(
    "l_max, error, match",
    [
        (-1, ValueError, r"l_max=-1 must be a non-negative integer"),
        (2.0, TypeError, r"l_max=2.0 must be a non-negative integer"),
        (True, TypeError, r"l_max=True must be a non-negative integer"),
    ],
)
def test_bad_l_max(l_max, error, match):
    for cls in (SphericalHarmonics, SolidHarmonics):
        with pytest.raises(error, match=match):
            cls(l_max)
