"""Cutoff functions, 1F1, the GTO basis and the radial integrals, fast against mpmath."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from o3ref.fast.cutoff import ShiftedCosine, Step
from o3ref.fast.radial import (
    GtoRadialIntegral,
    gto_normalizations,
    gto_overlap,
    gto_sigmas,
    log_hyp1f1_scaled,
    lowdin_inverse_sqrt,
)
from o3ref.reference import expansion as ref
from o3ref.verify.tolerances import finite_difference_tolerance, mpmath_tolerance, tolerance

# (cutoff, n_radial, l_max, density_width): the seed's, the benchmark box's and two more
CASES = [(2.0, 6, 4, 0.2), (5.0, 9, 6, 0.3), (3.0, 4, 8, 0.5), (4.0, 8, 3, 0.15)]


def test_shifted_cosine_values_and_derivative():
    fc = ShiftedCosine(3.0, 0.5)
    r = np.array([0.0, 2.4, 2.5, 2.625, 2.75, 2.9, 3.0, 3.5])
    value, deriv = fc.compute(r)
    expected = [1, 1, 1, (1 + math.cos(math.pi / 4)) / 2, 0.5,
                (1 + math.cos(0.8 * math.pi)) / 2, 0, 0]
    np.testing.assert_allclose(value, expected, atol=tolerance("cartesian").atol)
    # -pi/(2w) sin(pi/2), w = 0.5
    assert abs(deriv[4] - (-math.pi)) <= tolerance("cartesian", scale=math.pi).atol
    inside = np.linspace(2.51, 2.99, 7)
    h = 1e-6
    fd = (fc.compute(inside + h)[0] - fc.compute(inside - h)[0]) / (2 * h)
    # (1 + cos(pi t/w))/2: third derivative (pi/w)^3/2
    tol = finite_difference_tolerance(h, third_derivative=(math.pi / 0.5) ** 3 / 2)
    np.testing.assert_allclose(fc.compute(inside)[1], fd, atol=tol.atol)
    assert np.all(deriv[[0, 1, 6, 7]] == 0)


def test_step_cutoff():
    value, deriv = Step(2.0).compute(np.array([0.0, 1.999, 2.0, 3.0]))
    assert value.tolist() == [1, 1, 0, 0] and not deriv.any()
    with pytest.raises(ValueError, match=r"width=3.0 must satisfy 0 < width < cutoff=2.0"):
        ShiftedCosine(2.0, 3.0)
    with pytest.raises(ValueError, match=r"cutoff=-1.0 must be positive"):
        Step(-1.0)


def test_hyp1f1_against_mpmath():
    a = np.array([k / 2 for k in range(3, 28)])[:, None, None]
    b = np.array([l + 1.5 for l in range(0, 13)])[None, :, None]
    z = np.array([0.0, 1e-8, 0.3, 2.0, 17.0, 45.0, 80.0, 160.0, 700.0, 2500.0])[None, None, :]
    got = log_hyp1f1_scaled(a, b, z)
    with mpmath.workdps(40):
        expected = np.array([[[float(mpmath.log(mpmath.hyp1f1(av, bv, zv)) - zv)
                               for zv in z.ravel()] for bv in b.ravel()] for av in a.ravel()])
    # an absolute error in log(e^-z 1F1) is the relative error of 1F1
    # (the radial policy at the largest l: the series and Gamma ratios, ~(2l+1) eps)
    np.testing.assert_allclose(got, expected, rtol=0, atol=tolerance("radial", 12).atol)


def test_hyp1f1_refuses_outside_its_domain():
    with pytest.raises(ValueError, match=r"needs a > 0, b > 0 and z >= 0"):
        log_hyp1f1_scaled(1.0, 1.5, -1.0)


def test_spline_refuses_distances_outside_its_grid():
    with pytest.raises(ValueError, match=r"r in \[0.0, 2.5\] must lie in \[0, cutoff=2.0\]"):
        GtoRadialIntegral(*CASES[0]).compute(np.array([0.0, 2.5]))


def test_overlap_against_quadrature_and_lowdin_orthonormality():
    cutoff, n_radial = 3.0, 5
    sig = gto_sigmas(cutoff, n_radial)
    norms = gto_normalizations(sig)

    def gto(n, r):
        return norms[n] * r**n * mpmath.exp(-r * r / (2 * sig[n] ** 2))

    quad = np.array([[float(mpmath.quad(lambda r, n=n, k=k: r * r * gto(n, r) * gto(k, r),
                                         [0, 2, mpmath.inf])) for k in range(n_radial)]
                     for n in range(n_radial)])
    overlap = gto_overlap(cutoff, n_radial)
    # the quadrature runs at mpmath's default 15 digits: its own precision bounds the check
    np.testing.assert_allclose(overlap, quad, rtol=0, atol=mpmath_tolerance(15, k=2).atol)
    # N_n normalises G_n
    np.testing.assert_allclose(np.diag(overlap), 1.0, rtol=0, atol=tolerance("radial", 0).atol)
    lowdin = lowdin_inverse_sqrt(overlap)
    # S^(-1/2) from an eigen-decomposition: rounding amplified by cond(S)
    tol = tolerance("radial", 0, scale=np.linalg.cond(overlap) * np.abs(lowdin).max()).atol
    np.testing.assert_allclose(lowdin @ overlap @ lowdin, np.eye(n_radial), atol=tol)
    np.testing.assert_allclose(lowdin, lowdin.T, atol=tol)
    with mpmath.workdps(30):
        exact = ref.gto_lowdin(cutoff, n_radial)
        np.testing.assert_allclose(lowdin, np.array(exact.tolist(), dtype=float), atol=tol)


def _reference_table(cutoff, n_radial, l_max, width, radii):
    lowdin = ref.gto_lowdin(cutoff, n_radial)
    return np.array([[np.array(ref.radial_integral(r, l, cutoff, n_radial, width, lowdin=lowdin),
                               dtype=float) for l in range(l_max + 1)] for r in radii])


@pytest.mark.parametrize("case", CASES)
def test_closed_form_and_spline_against_mpmath(case):
    cutoff, n_radial, l_max, width = case
    rng = np.random.default_rng(7)
    radii = np.concatenate([[0.0, 1e-3, cutoff - 1e-9], rng.uniform(0, cutoff, 9)])
    expected = _reference_table(*case, radii)  # (r, l, n) at 30 digits, rounded to float
    scale = np.abs(expected).max(axis=(0, 2))[None, :, None]  # per l
    closed = GtoRadialIntegral(*case, spline=False).compute(radii)
    # float rounding, amplified by cond(S) of the GTO overlap (the radial policy)
    cond = np.linalg.cond(gto_overlap(cutoff, n_radial))
    tol = np.array([tolerance("radial", l, scale=cond).atol for l in range(l_max + 1)])
    assert np.all(np.abs(closed - expected) <= tol[None, :, None] * scale)
    # the stated accuracy of the spline: 1e-10 of the largest |I_nl| of the same l
    spline = GtoRadialIntegral(*case).compute(radii)
    assert np.all(np.abs(spline - expected) <= tolerance("radial_spline").atol * scale)


@pytest.mark.parametrize("case", CASES[:2])
def test_radial_derivative_against_mpmath(case):
    cutoff, n_radial, l_max, width = case
    radii = [0.0, 0.37 * cutoff, 0.81 * cutoff]
    # central difference of the 40-digit reference, step 1e-12: error ~ 1e-24 + 1e-28
    step = mpmath.mpf("1e-12")
    with mpmath.workdps(40):
        lowdin = ref.gto_lowdin(cutoff, n_radial, dps=40)

        def reference(t, l):
            return ref.radial_integral(t, l, cutoff, n_radial, width, dps=40, lowdin=lowdin)

        expected = np.array([[[float((p - m) / (2 * step)) for p, m in zip(
            reference(mpmath.mpf(r) + step, l), reference(mpmath.mpf(r) - step, l), strict=True)]
            for l in range(l_max + 1)] for r in radii])
    scale = np.abs(expected).max(axis=(0, 2))[None, :, None]
    _, closed = GtoRadialIntegral(*case, spline=False).compute(radii, derivative=True)
    assert np.all(np.abs(closed - expected) <= 1e-10 * scale)
    _, spline = GtoRadialIntegral(*case).compute(radii, derivative=True)
    # a cubic's slope: O(h^3)
    assert np.all(np.abs(spline - expected) <= tolerance("radial_spline_derivative").atol * scale)


@pytest.mark.parametrize(
    "r, n, l, case",
    [(1.3, 2, 3, CASES[0]), (4.5, 5, 6, CASES[1]), (0.0, 1, 0, CASES[2])],
)
def test_reference_closed_form_against_quadrature_of_the_definition(r, n, l, case):
    cutoff, n_radial, _, width = case
    quad = ref.radial_integral_quadrature(r, n, l, cutoff, n_radial, width, dps=12)
    with mpmath.workdps(30):
        closed = ref._primitive_integral(mpmath.mpf(r), n, l, cutoff, n_radial, width)
        # the quadrature works at 12 (+3 guard) digits: its precision bounds the check
        assert abs(quad - closed) <= mpmath_tolerance(12, k=2).atol * abs(closed)
