"""Real and complex spherical harmonics: mpmath.spherharm through U at 30 digits, sympy Ynm
and the Znm map, exact polynomials, parity, edge points and bad input."""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from sympy import pi

from o3ref.reference import (
    complex_solid_harmonic,
    complex_spherical_harmonics,
    complex_to_real,
    flat_index,
    real_solid_harmonic,
    real_spherical_harmonics,
    x,
    y,
    z,
)

DPS = 30


def _points():
    rng = random.Random(7)
    pts = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(4)]
    # poles, axes, and a point on the negative x axis (phi = pi)
    return pts + [[0, 0, 1], [0, 0, -2], [1, 0, 0], [0, 1, 0], [-1, 0, 0], [1, 1, 1]]


def _spherharm_real(l_max, point):
    """Real harmonics from mpmath.spherharm (complex, Condon-Shortley) through U^dagger."""
    px, py, pz = (mpmath.mpf(v) for v in point)
    r = mpmath.sqrt(px**2 + py**2 + pz**2)
    theta = mpmath.acos(pz / r)
    phi = mpmath.atan2(py, px)
    out = []
    for l in range(l_max + 1):
        u = complex_to_real(l)
        complex_values = [mpmath.spherharm(l, mu, theta, phi) for mu in range(-l, l + 1)]
        for m in range(-l, l + 1):
            col = m + l
            out.append(
                mpmath.fsum(
                    mpmath.mpc(
                        *(mpmath.mpf(sympy.N(part, 40)) for part in u[i, col].as_real_imag())
                    ).conjugate()
                    * complex_values[i]
                    for i in range(2 * l + 1)
                )
            )
    return out


def test_real_harmonics_equal_mpmath_spherharm_through_U_at_30_digits():
    l_max = 8
    values = real_spherical_harmonics(l_max, _points(), dps=DPS)
    assert values.shape == (len(_points()), (l_max + 1) ** 2)
    with mpmath.workdps(DPS + 10):
        tol = mpmath.mpf(10) ** -DPS
        for n, point in enumerate(_points()):
            expected = _spherharm_real(l_max, point)
            for k, want in enumerate(expected):
                assert abs(want.imag) < tol
                assert abs(values[n, k] - want.real) < tol, (point, k)


def test_wikipedia_real_form_from_spherharm():
    # m > 0: sqrt2 (-1)^m Re Y_l^m, m < 0: sqrt2 (-1)^m Im Y_l^|m|, m = 0: Y_l^0
    point = [0.3, -0.8, 0.5]
    values = real_spherical_harmonics(4, [point], dps=DPS)[0]
    with mpmath.workdps(DPS + 10):
        px, py, pz = (mpmath.mpf(v) for v in point)
        theta = mpmath.acos(pz / mpmath.sqrt(px**2 + py**2 + pz**2))
        phi = mpmath.atan2(py, px)
        for l in range(5):
            for m in range(-l, l + 1):
                ylm = mpmath.spherharm(l, abs(m), theta, phi)
                if m > 0:
                    want = mpmath.sqrt(2) * (-1) ** m * ylm.real
                elif m < 0:
                    want = mpmath.sqrt(2) * (-1) ** m * ylm.imag
                else:
                    want = ylm.real
                assert abs(values[flat_index(l, m)] - want) < mpmath.mpf(10) ** -DPS


def test_complex_harmonics_equal_spherharm():
    point = [-0.2, 0.4, -0.9]
    values = complex_spherical_harmonics(3, [point], dps=DPS)[0]
    with mpmath.workdps(DPS + 10):
        px, py, pz = (mpmath.mpf(v) for v in point)
        theta = mpmath.acos(pz / mpmath.sqrt(px**2 + py**2 + pz**2))
        phi = mpmath.atan2(py, px)
        for l in range(4):
            for m in range(-l, l + 1):
                want = mpmath.spherharm(l, m, theta, phi)
                assert abs(values[flat_index(l, m)] - want) < mpmath.mpf(10) ** -DPS


def test_low_degree_closed_forms():
    c1 = sympy.sqrt(3) / (2 * sympy.sqrt(pi))
    assert real_solid_harmonic(0, 0) == 1 / (2 * sympy.sqrt(pi))
    assert [real_solid_harmonic(1, m) for m in (-1, 0, 1)] == [c1 * y, c1 * z, c1 * x]
    c2 = sympy.sqrt(15) / (2 * sympy.sqrt(pi))
    assert real_solid_harmonic(2, -2) == c2 * x * y
    assert real_solid_harmonic(2, 2) == sympy.expand(c2 * (x**2 - y**2) / 2)
    assert real_solid_harmonic(2, 1) == c2 * x * z


@pytest.mark.parametrize("l", range(7))
def test_solid_harmonics_are_harmonic_homogeneous_with_parity(l):
    for m in range(-l, l + 1):
        p = real_solid_harmonic(l, m)
        assert sympy.expand(sympy.diff(p, x, 2) + sympy.diff(p, y, 2) + sympy.diff(p, z, 2)) == 0
        assert sympy.Poly(p, x, y, z).is_homogeneous and sympy.Poly(p, x, y, z).total_degree() == l
        flipped = p.subs({x: -x, y: -y, z: -z}, simultaneous=True)
        assert sympy.expand(flipped - (-1) ** l * p) == 0


def test_polynomials_match_mpmath_values():
    points = [[Fraction(1, 3), Fraction(-2, 5), Fraction(3, 7)], [2, -1, 1]]
    values = real_spherical_harmonics(6, points, dps=DPS)
    with mpmath.workdps(DPS + 10):
        for n, point in enumerate(points):
            r2 = sum(sympy.Rational(v) ** 2 for v in point)
            for l in range(7):
                for m in range(-l, l + 1):
                    p = real_solid_harmonic(l, m).subs(
                        {
                            x: sympy.Rational(point[0]),
                            y: sympy.Rational(point[1]),
                            z: sympy.Rational(point[2]),
                        }
                    )
                    exact = p / sympy.sqrt(r2) ** l
                    diff = mpmath.mpf(sympy.N(exact, DPS + 10)) - values[n, flat_index(l, m)]
                    assert abs(diff) < mpmath.mpf(10) ** -DPS


def _on_sphere(theta, phi):
    return {
        x: sympy.sin(theta) * sympy.cos(phi),
        y: sympy.sin(theta) * sympy.sin(phi),
        z: sympy.cos(theta),
    }


def test_complex_solid_harmonics_equal_sympy_Ynm_exactly():
    theta, phi = pi / 3, pi / 6
    point = _on_sphere(theta, phi)
    for l in range(4):
        for m in range(-l, l + 1):
            ynm = sympy.Ynm(l, m, theta, phi).expand(func=True)
            ours = complex_solid_harmonic(l, m).subs(point)
            assert sympy.expand(sympy.expand_complex(ynm - ours)) == 0, (l, m)


def test_map_to_sympy_Znm_exactly():
    # CONVENTIONS: Znm negates every m < 0 and multiplies m > 0 by (-1)^m
    theta, phi = pi / 3, pi / 6
    point = _on_sphere(theta, phi)
    for l in range(4):
        for m in range(-l, l + 1):
            znm = sympy.Znm(l, m, theta, phi).expand(func=True)
            factor = 1 if m == 0 else ((-1) ** m if m > 0 else -1)
            ours = real_solid_harmonic(l, m).subs(point)
            assert sympy.expand(sympy.expand_complex(znm - factor * ours)) == 0, (l, m)
            if (m < 0 or (m > 0 and m % 2)) and sympy.expand(ours) != 0:
                # the map is not the identity there
                assert sympy.expand(sympy.expand_complex(znm - ours)) != 0


def test_input_forms_and_edge_points():
    a = real_spherical_harmonics(2, [0, 0, 1], dps=20)
    b = real_spherical_harmonics(2, np.array([[0.0, 0.0, 5.0]]), dps=20)
    assert a.shape == b.shape == (1, 9)
    with mpmath.workdps(30):
        assert all(abs(u - v) < mpmath.mpf(10) ** -20 for u, v in zip(a[0], b[0], strict=True))
        # on the z axis only m = 0 survives
        assert all(a[0, flat_index(l, m)] == 0 for l in range(3) for m in range(-l, l + 1) if m)
    assert isinstance(a[0, 0], mpmath.mpf)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: real_spherical_harmonics(2, [[0, 0, 0]]),
            ValueError,
            r"xyz\[0\] is the zero vector",
        ),
        (lambda: real_spherical_harmonics(2, [[1, 2]]), ValueError, r"xyz has shape \(1, 2\)"),
        (
            lambda: real_spherical_harmonics(-1, [[1, 2, 3]]),
            ValueError,
            r"l_max=-1 must be a non-negative",
        ),
        (
            lambda: real_spherical_harmonics(1, [[1, 2, float("nan")]]),
            ValueError,
            r"xyz\[0, 2\]=nan must be finite",
        ),
        (lambda: real_solid_harmonic(2, 3), ValueError, r"m=3 must satisfy \|m\| <= l=2"),
        (
            lambda: real_solid_harmonic(Fraction(1, 2), 0),
            ValueError,
            r"l=1/2 must be a non-negative integer",
        ),
        (lambda: real_solid_harmonic(2, Fraction(1, 2)), ValueError, r"m=1/2 must be an integer"),
        (lambda: real_solid_harmonic(2.0, 0), TypeError, r"l=2.0 is a float"),
        (
            lambda: real_spherical_harmonics(1, [[1, 2, 3]], dps=0),
            ValueError,
            r"dps=0 must be a positive integer",
        ),
        (
            lambda: complex_spherical_harmonics(1, [[1, 2, 3]], dps=-1),
            ValueError,
            r"dps=-1 must be a positive integer",
        ),
        (
            lambda: real_spherical_harmonics(1, [[1, 2, 3]], dps=20.0),
            TypeError,
            r"dps=20.0 must be a positive integer",
        ),
        (
            lambda: real_spherical_harmonics(1, [[1, 2, sympy.I]]),
            TypeError,
            r"xyz\[0, 2\]=I must be a real number",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
