"""Solid-harmonic coefficients: equal to real_solid_harmonic's polynomial, harmonic,
orthonormal on the sphere (exact monomial integrals), and mpmath's spherharm at a point."""

from __future__ import annotations

from math import factorial

import mpmath
import pytest
import sympy

from o3ref.reference import real_solid_harmonic, solid_harmonic_coefficients, x, y, z


def _polynomial(coefficients):
    return sum((c * x**a * y**b * z**e for (a, b, e), c in coefficients.items()), sympy.Integer(0))


@pytest.mark.parametrize("l", range(9))
def test_reproduces_real_solid_harmonic(l):
    coefficients = solid_harmonic_coefficients(l)
    assert list(coefficients) == list(range(-l, l + 1))
    for m, c in coefficients.items():
        assert all(a + b + e == l for a, b, e in c)
        assert sympy.expand(_polynomial(c) - real_solid_harmonic(l, m)) == 0, (l, m)


def _sphere_integral(a: int, b: int, c: int) -> sympy.Expr:
    """integral x^a y^b z^c dOmega = 2 G(A) G(B) G(C) / G(A + B + C), A = (a+1)/2, ..."""
    if a % 2 or b % 2 or c % 2:
        return sympy.Integer(0)
    A, B, C = (sympy.Rational(k + 1, 2) for k in (a, b, c))
    return 2 * sympy.gamma(A) * sympy.gamma(B) * sympy.gamma(C) / sympy.gamma(A + B + C)


@pytest.mark.parametrize("l1,l2", [(0, 0), (1, 1), (2, 2), (3, 3), (2, 4), (4, 4), (3, 1)])
def test_orthonormal_on_the_sphere_exactly(l1, l2):
    c1, c2 = solid_harmonic_coefficients(l1), solid_harmonic_coefficients(l2)
    for m1, p1 in c1.items():
        for m2, p2 in c2.items():
            total = sum(
                (u * v * _sphere_integral(a + d, b + e, cc + f)
                 for (a, b, cc), u in p1.items() for (d, e, f), v in p2.items()),
                sympy.Integer(0),
            )
            assert sympy.simplify(total) == (1 if (l1, m1) == (l2, m2) else 0)


@pytest.mark.parametrize("l", [2, 5])
def test_harmonic_and_addition_theorem(l):
    polys = [_polynomial(c) for c in solid_harmonic_coefficients(l).values()]
    for p in polys:
        assert sympy.expand(sympy.diff(p, x, 2) + sympy.diff(p, y, 2) + sympy.diff(p, z, 2)) == 0
    r2 = x**2 + y**2 + z**2
    assert sympy.expand(sum(p**2 for p in polys) - (2 * l + 1) / (4 * sympy.pi) * r2**l) == 0


def test_against_mpmath_spherharm_with_the_wikipedia_map():
    """Real form: sqrt2 (-1)^m Re Y_l^m (m > 0), sqrt2 (-1)^m Im Y_l^|m| (m < 0)."""
    mpmath.mp.dps = 40
    point = (mpmath.mpf("0.3"), mpmath.mpf("-0.7"), mpmath.mpf("0.5"))
    r = mpmath.sqrt(sum(t * t for t in point))
    theta, phi = mpmath.acos(point[2] / r), mpmath.atan2(point[1], point[0])
    for l in range(6):
        for m, c in solid_harmonic_coefficients(l).items():
            value = sum(mpmath.mpf(sympy.N(v, 50)) * point[0] ** a * point[1] ** b * point[2] ** e
                        for (a, b, e), v in c.items()) / r**l
            k = abs(m)
            complex_y = mpmath.spherharm(l, k, theta, phi)
            if m > 0:
                expected = mpmath.sqrt(2) * (-1) ** m * complex_y.real
            elif m < 0:
                expected = mpmath.sqrt(2) * (-1) ** m * complex_y.imag
            else:
                expected = complex_y.real
            assert abs(value - expected) < mpmath.mpf(10) ** -35, (l, m)
    assert factorial(0) == 1


def test_bad_input():
    with pytest.raises(ValueError, match=r"l=-1 must be a non-negative integer"):
        solid_harmonic_coefficients(-1)
    with pytest.raises(TypeError, match=r"l=2.0 is a float"):
        solid_harmonic_coefficients(2.0)
