"""Issue 10, class 1: harmonics at every finite magnitude, 1e-300..1e300, subnormals, 1.5e308.

Each result is within the documented bound of an independent oracle, or a ``ValueError``
says which value cannot be represented in float64 (no silent 0, inf or NaN).

Oracle: the exact polynomials ``p_lm`` of ``o3ref.reference.real_solid_harmonic`` (sympy),
differentiated exactly and evaluated in mpmath at the exact input (mpmath's exponent range
is unbounded): ``R_lm = p_lm(r)``, ``Y_lm = p_lm(r)/|r|^l``,
``grad Y_lm = grad p_lm/|r|^l - l p_lm r/|r|^(l+2)``. Bounds (``tolerance`` policies, scaled
by the homogeneity of each quantity): ``Y``: ``(2l+1)^2 eps``; ``grad Y``:
``(2l+1)^3 eps/|r|``; ``R``: ``(2l+1)^2 eps r^l``; ``grad R``: ``(2l+1)^3 eps r^(l-1)``; each
plus the smallest subnormal (a result below float64's range rounds to it or to 0).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

import o3ref.reference as reference
from o3ref.fast import SolidHarmonics, SphericalHarmonics
from o3ref.fast.indexing import lm_index
from o3ref.verify.tolerances import tolerance

L_MAX = 3
TINY = mpmath.mpf(2) ** -1074  # the smallest subnormal
HUGE = mpmath.mpf(np.finfo(np.float64).max)
BIG, SUB = 1.5e308, 5e-324


@pytest.fixture(scope="module")
def functions():
    """The oracle's mpmath functions ``(l, p, dp/dx, dp/dy, dp/dz)`` of every (l, m)."""
    x, y, z = reference.x, reference.y, reference.z
    out = []
    for l in range(L_MAX + 1):
        for m in range(-l, l + 1):
            p = sympy.expand(reference.real_solid_harmonic(l, m))
            grad = [sympy.diff(p, v) for v in (x, y, z)]
            out.append((l, *(sympy.lambdify((x, y, z), e, "mpmath") for e in [p, *grad])))
    return out


def _oracle(point, functions):
    """mpmath values ``(R, grad R, Y, grad Y, r)`` of every (l, m) at an exact float point."""
    with mpmath.workdps(40):
        v = [mpmath.mpf(float(c)) for c in point]
        r = mpmath.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2)
        rows = []
        for l, p, gx, gy, gz in functions:
            R = mpmath.mpf(p(*v))
            gR = [mpmath.mpf(g(*v)) for g in (gx, gy, gz)]
            if r == 0:
                rows.append((R, gR, None, None))
                continue
            Y = R / r**l
            gY = [gR[a] / r**l - l * R * v[a] / r ** (l + 2) for a in range(3)]
            rows.append((R, gR, Y, gY))
        return rows, r


def _tol(quantity, l):
    return mpmath.mpf(tolerance(quantity, l).atol)


def _within(got, want, bound) -> bool:
    return abs(mpmath.mpf(float(got)) - want) <= bound + TINY


component = st.one_of(
    st.just(0.0),
    st.builds(lambda s, m, k: s * m * 10.0**k, st.sampled_from([-1.0, 1.0]),
              st.floats(1.0, 9.99), st.integers(-300, 300)),
    st.sampled_from([SUB, -SUB, 1e-310, BIG, -BIG]),
)
points = st.tuples(component, component, component)


@settings(max_examples=15, deadline=None)
@given(points)
@example((BIG, 0.0, 0.0))  # was Y_1 = 0 (the power-of-two factor overflowed)
@example((BIG, -BIG, BIG))  # |r|^2 and |r| overflow
@example((SUB, 0.0, 0.0))  # subnormal
@example((SUB, 2 * SUB, -SUB))
@example((1e300, 1e-300, 1.0))  # mixed magnitudes per component
@example((1e-300, 1e-300, 1e-300))
def test_spherical_harmonics_any_magnitude(functions, point):
    xyz = np.array([point])
    oracle, r = _oracle(point, functions)
    sh = SphericalHarmonics(L_MAX)
    if r == 0:
        with pytest.raises(ValueError, match=r"xyz\[0\] .* has zero length"):
            sh.compute(xyz)
        return
    Y = sh.compute(xyz)[0]
    for k, (_, _, Yo, _) in enumerate(oracle):
        l = int(np.sqrt(k))
        assert _within(Y[k], Yo, _tol("sh", l)), (k, Y[k], Yo)
    grad_overflows = any(abs(g) > HUGE * (1 - 1e-9) for row in oracle for g in row[3])
    if grad_overflows:
        with pytest.raises(ValueError, match=r"gradient of Y_lm .*cannot be represented"):
            sh.compute_with_gradients(xyz)
        return
    Y2, G = sh.compute_with_gradients(xyz)
    assert np.array_equal(Y2[0], Y)
    for k, (_, _, _, gYo) in enumerate(oracle):
        l = int(np.sqrt(k))
        for a in range(3):
            assert _within(G[0, a, k], gYo[a], _tol("sh_gradient", l) / r), (k, a)


def _overflows(values):
    """True / False when every |value| is clearly above / below float64's range; None near."""
    top = max((abs(v) for v in values), default=mpmath.mpf(0))
    if top > HUGE * (1 + 1e-9):
        return True
    return None if top > HUGE * (1 - 1e-9) else False


@settings(max_examples=15, deadline=None)
@given(points)
@example((BIG, 0.0, 0.0))  # R_1 = 7.3e307 is representable; R_2 is not
@example((1e200, 0.0, 0.0))  # was NaN above |r| ~ 1e154
@example((1e-200, 1e-200, 0.0))  # was 0 below |r| ~ 1e-162
@example((0.0, 0.0, 0.0))  # defined at r = 0
@example((SUB, -SUB, SUB))
@example((1e300, 1e-300, 1.0))
def test_solid_harmonics_any_magnitude(functions, point):
    xyz = np.array([point])
    oracle, r = _oracle(point, functions)
    for l_max in (1, L_MAX):
        sh = SolidHarmonics(l_max)
        rows = oracle[: lm_index(l_max, l_max) + 1]
        over = _overflows([row[0] for row in rows])
        if over is None:
            continue
        if over:
            with pytest.raises(ValueError, match=r"solid harmonic r\^l Y_lm at xyz\[0\].*l = "):
                sh.compute(xyz)
            continue
        R = sh.compute(xyz)[0]
        for k, (Ro, _, _, _) in enumerate(rows):
            l = int(np.sqrt(k))
            assert _within(R[k], Ro, _tol("sh", l) * r**l), (l_max, k, R[k], Ro)
        over_g = _overflows([g for row in rows for g in row[1]])
        if over_g is None:
            continue
        if over_g:
            with pytest.raises(ValueError, match=r"gradient of r\^l Y_lm .*cannot be represented"):
                sh.compute_with_gradients(xyz)
            continue
        R2, G = sh.compute_with_gradients(xyz)
        assert np.array_equal(R2[0], R)
        for k, (_, gRo, _, _) in enumerate(rows):
            l = int(np.sqrt(k))
            scale = r ** (l - 1) if l >= 1 else 0
            for a in range(3):
                assert _within(G[0, a, k], gRo[a], _tol("sh_gradient", l) * scale), (k, a)


def test_overflow_names_point_and_degree():
    xyz = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 1e200]])
    with pytest.raises(ValueError, match=r"xyz\[1\] = \(0\.0, 0\.0, 1e\+200\), l = 2, cannot"):
        SolidHarmonics(2).compute(xyz)


def test_non_finite_input_refused():
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match=r"xyz must be finite"):
            SphericalHarmonics(2).compute([[0.0, bad, 1.0]])
        with pytest.raises(ValueError, match=r"xyz must be finite"):
            SolidHarmonics(2).compute_with_gradients([[0.0, bad, 1.0]])


def test_unbounded_degree_refused_up_front():
    with pytest.raises(ValueError, match=r"l_max=1000000 is above 1000.*8000016000008 bytes"):
        SphericalHarmonics(10**6)
    with pytest.raises(ValueError, match=r"l_max=1001 is above 1000"):
        SolidHarmonics(1001)


def test_large_request_refused_with_estimate():
    sh = SphericalHarmonics(200)
    xyz = np.zeros((10**6, 3))  # values and gradients: 4 * 8 * 10**6 * 201**2 bytes
    with pytest.raises(ValueError, match=r"SphericalHarmonics\(l_max=200\) of 1000000 points "
                                         r"needs an estimated 1292832000000 bytes"):
        sh.compute_with_gradients(xyz)


def test_degree_1000_stays_bounded():
    """At the largest degree the values stay within |Y_lm| <= sqrt((2l+1)/4pi), poles too."""
    xyz = np.array([[0.0, 0.0, 1.0], [1e-3, 0.0, 1.0], [0.3, 0.4, 0.5], [1.0, 0.0, 0.0]])
    Y = SphericalHarmonics(1000).compute(xyz)
    l = np.sqrt(np.arange(Y.shape[1])).astype(int)
    assert np.all(np.isfinite(Y))
    assert np.all(np.abs(Y) <= np.sqrt((2 * l + 1) / (4 * np.pi)) + tolerance("sh", 1000).atol)
