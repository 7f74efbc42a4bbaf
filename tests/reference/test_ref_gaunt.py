"""Exact Gaunt coefficients: sympy's gaunt / real_gaunt as oracles (l <= 6), the two routes
(3j products, CG expansion) equal, the real ones equal to a direct integral, bad input."""

from __future__ import annotations

import itertools

import mpmath
import pytest
import sympy
from sympy.physics import wigner as sympy_wigner

from o3ref.reference import complex_to_real, gaunt, real_gaunt, real_spherical_harmonics
from o3ref.reference.gaunt import _gaunt_3j, _gaunt_cg, _real_gaunt_block

ROOT_PI = sympy.sqrt(sympy.pi)


def _canonical(value: sympy.Expr) -> sympy.Expr:
    """``sqrt(pi) * value`` in sympy's canonical form (a rational times a square root)."""
    return sympy.radsimp(sympy.expand(value * ROOT_PI))


def _lm(l_max):
    return [(l, m) for l in range(l_max + 1) for m in range(-l, l + 1)]


@pytest.mark.slow
def test_complex_gaunt_equals_sympy_up_to_l6():
    checked = 0
    for (l1, m1), (l2, m2) in itertools.product(_lm(6), repeat=2):
        for l3 in range(abs(l1 - l2), min(l1 + l2, 6) + 1):
            m3 = -m1 - m2
            if abs(m3) > l3:
                continue
            ours = gaunt(l1, m1, l2, m2, l3, m3)
            theirs = sympy_wigner.gaunt(l1, l2, l3, m1, m2, m3)
            assert ours == theirs, (l1, m1, l2, m2, l3, m3)  # both canonical sympy numbers
            checked += ours != 0
    assert checked > 4000
    # every other entry is zero for both (m1 + m2 + m3 != 0)
    assert gaunt(2, 1, 2, 1, 2, 1) == 0 == sympy_wigner.gaunt(2, 2, 2, 1, 1, 1)


@pytest.mark.slow
def test_real_gaunt_equals_sympy_up_to_l6():
    """sympy's real_gaunt uses the same real harmonics as o3ref: the map is the identity.

    Every entry with l1, l2, l3 <= 4, and every 5th candidate entry of the blocks with a
    degree 5 or 6 (sympy's real_gaunt alone takes minutes for all of them); entries that
    the cos/sin selection rule makes zero are checked to be exact zeros here."""
    checked = candidate = 0
    for l1, l2 in itertools.product(range(7), repeat=2):
        for l3 in range(abs(l1 - l2), min(l1 + l2, 6) + 1, 2):
            keys, values = _real_gaunt_block(l1, l2, l3)
            ours = dict(zip(keys, values, strict=True))
            for m1, m2, m3 in itertools.product(
                range(-l1, l1 + 1), range(-l2, l2 + 1), range(-l3, l3 + 1)
            ):
                sign, p, q = ours.get((m1, m2, m3), (0, 0, 1))
                if abs(m3) not in (abs(m1 + m2), abs(m1 - m2)):
                    assert sign == 0  # the selection rule of products of cos/sin(m phi)
                    continue
                candidate += 1
                if max(l1, l2, l3) > 4 and candidate % 5:
                    continue
                theirs = sympy_wigner.real_gaunt(l1, l2, l3, m1, m2, m3)
                assert theirs == sign * sympy.sqrt(sympy.Rational(p, q)) / ROOT_PI
                checked += sign != 0
    assert checked > 1500


def test_complex_routes_agree_exactly():
    for (l1, m1), (l2, m2) in itertools.product(_lm(6), repeat=2):
        for l3 in range(abs(l1 - l2), l1 + l2 + 1):
            m3 = -m1 - m2
            if abs(m3) <= l3:
                assert _gaunt_3j(l1, m1, l2, m2, l3, m3) == _gaunt_cg(l1, m1, l2, m2, l3, m3)


def test_real_routes_agree_exactly():
    """The CG route (public real_gaunt) against the 3j route carried through U exactly."""
    for l1, l2 in [(a, b) for a in range(4) for b in range(4) if a + b <= 4]:
        for l3 in range(abs(l1 - l2), l1 + l2 + 1):
            u1, u2, u3 = (complex_to_real(l) for l in (l1, l2, l3))
            for m1, m2, m3 in itertools.product(
                range(-l1, l1 + 1), range(-l2, l2 + 1), range(-l3, l3 + 1)
            ):
                total = sympy.Integer(0)
                for mu1, mu2 in itertools.product(range(-l1, l1 + 1), range(-l2, l2 + 1)):
                    mu3 = -mu1 - mu2
                    if abs(mu3) > l3:
                        continue
                    phase = sympy.conjugate(
                        u1[mu1 + l1, m1 + l1] * u2[mu2 + l2, m2 + l2] * u3[mu3 + l3, m3 + l3]
                    )
                    if phase != 0:
                        s, p, q = _gaunt_3j(l1, mu1, l2, mu2, l3, mu3)
                        total += phase * s * sympy.sqrt(sympy.Rational(p, q))
                assert sympy.expand(total) == _canonical(real_gaunt(l1, m1, l2, m2, l3, m3))


def test_real_gaunt_against_a_quadrature_of_the_real_harmonics():
    """An independent numeric route: Lebedev-free Gauss-Legendre x trapezoid on the sphere."""
    mpmath.mp.dps = 30
    n_theta, n_phi = 12, 24
    nodes, weights = zip(*mpmath.calculus.quadrature.GaussLegendre(mpmath.mp).calc_nodes(
        4, mpmath.mp.prec), strict=True)  # degree 3 * 2**3 nodes on [-1, 1]
    assert len(nodes) >= n_theta
    points, w = [], []
    for t, wt in zip(nodes, weights, strict=True):
        for k in range(n_phi):
            phi = 2 * mpmath.pi * k / n_phi
            s = mpmath.sqrt(1 - t * t)
            points.append((s * mpmath.cos(phi), s * mpmath.sin(phi), t))
            w.append(wt * 2 * mpmath.pi / n_phi)
    values = real_spherical_harmonics(3, points, dps=30)
    for l1, m1, l2, m2, l3, m3 in [(1, 1, 1, 1, 2, 2), (1, -1, 1, 0, 2, -1), (2, 0, 2, 0, 2, 0),
                                   (3, -3, 2, 2, 1, -1), (1, 1, 1, 1, 0, 0)]:
        i1, i2, i3 = (l * l + l + m for l, m in ((l1, m1), (l2, m2), (l3, m3)))
        integral = sum(wk * v[i1] * v[i2] * v[i3] for wk, v in zip(w, values, strict=True))
        exact = mpmath.mpf(sympy.N(real_gaunt(l1, m1, l2, m2, l3, m3), 40))
        assert abs(integral - exact) < mpmath.mpf(10) ** -25, (l1, m1, l2, m2, l3, m3)


def test_bad_input():
    with pytest.raises(ValueError, match=r"m1=2 must satisfy \|m1\| <= l1=1"):
        gaunt(1, 2, 1, 0, 2, -2)
    with pytest.raises(ValueError, match=r"l2=-1 must be a non-negative integer"):
        real_gaunt(1, 0, -1, 0, 1, 0)
    with pytest.raises(TypeError, match=r"l1=1.0 is a float"):
        gaunt(1.0, 0, 1, 0, 0, 0)
    assert gaunt(1, 0, 1, 0, 1, 0) == 0 == real_gaunt(1, 0, 1, 0, 1, 0)  # odd l1 + l2 + l3
