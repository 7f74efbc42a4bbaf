"""Exact Gaunt coefficients: sympy's gaunt / real_gaunt as oracles for every entry with
l <= 6 (sympy's real harmonics are (-1)^m times o3ref's: a proven map), the two routes
(3j products, CG expansion) equal, the real ones equal to a direct integral, bad input."""

from __future__ import annotations

import functools
import itertools

import mpmath
import pytest
import sympy
from sympy.physics import wigner as sympy_wigner

from o3ref.reference import complex_to_real, gaunt, real_gaunt, real_spherical_harmonics
from o3ref.reference.gaunt import _gaunt_3j, _gaunt_cg

ROOT_PI = sympy.sqrt(sympy.pi)


def _canonical(value: sympy.Expr) -> sympy.Expr:
    """``sqrt(pi) * value`` in sympy's canonical form (a rational times a square root)."""
    return sympy.radsimp(sympy.expand(value * ROOT_PI))


def _lm(l_max):
    return [(l, m) for l in range(l_max + 1) for m in range(-l, l + 1)]


L_MAX = 6
# every entry with l1, l2, l3 <= 6, in o3ref's argument order (l1, m1, l2, m2, l3, m3)
ENTRIES = [
    (l1, m1, l2, m2, l3, m3)
    for l1, l2, l3 in itertools.product(range(L_MAX + 1), repeat=3)
    for m1, m2, m3 in itertools.product(range(-l1, l1 + 1), range(-l2, l2 + 1), range(-l3, l3 + 1))
]
_SYMPY_GAUNT = sympy_wigner.gaunt  # the function itself, before any test patches the module


@functools.cache
def _sympy_gaunt(l1, l2, l3, m1, m2, m3):
    """sympy's ``gaunt`` (sympy's argument order), each entry computed once per session."""
    return _SYMPY_GAUNT(l1, l2, l3, m1, m2, m3)


def _sympy_gaunt_patch(l_1, l_2, l_3, m_1, m_2, m_3, prec=None):
    """Stands in for ``sympy.physics.wigner.gaunt`` inside sympy's ``real_gaunt``: the same
    function, memoised (``real_gaunt`` calls it (2l1+1)(2l2+1) times per entry)."""
    assert prec is None
    return _sympy_gaunt(l_1, l_2, l_3, m_1, m_2, m_3)


@pytest.mark.slow
def test_complex_gaunt_equals_sympy_for_every_entry_up_to_l6():
    """Every one of the 117649 entries with l1, l2, l3 <= 6 (all m): o3ref's ``gaunt`` ==
    sympy's ``gaunt`` exactly. 108318 have m1 + m2 + m3 != 0 (zero in both by that rule),
    the other 9331 hold the 4060 non-zero ones (the rest zero in both: a broken triangle
    or an odd l1 + l2 + l3, or an accidental zero)."""
    assert len(ENTRIES) == 117649
    counts = {"m_sum": 0, "nonzero": 0}
    for l1, m1, l2, m2, l3, m3 in ENTRIES:
        ours = gaunt(l1, m1, l2, m2, l3, m3)
        assert ours == _sympy_gaunt(l1, l2, l3, m1, m2, m3), (l1, m1, l2, m2, l3, m3)
        counts["m_sum"] += m1 + m2 + m3 != 0
        counts["nonzero"] += ours != 0
    assert counts == {"m_sum": 108318, "nonzero": 4060}


# --- sympy's real harmonics --------------------------------------------------------------
# sympy's real_gaunt integrates Z_l^mu = sum_m U^mu_m Y_l^m (complex Condon-Shortley Y),
# with U as written in sympy/physics/wigner.py (real_gaunt; Homeier & Steinborn 1996):
#   U^mu_m = delta(|mu|, |m|) (delta(mu, 0) delta(m, 0) + (B + i A) / sqrt(2)),
#   B = [mu > 0] (delta(m, mu) + (-1)^m delta(m, -mu)),
#   A = [mu < 0] ((-1)^m delta(m, mu) - delta(m, -mu)).
# The map (proven below): Z_l^m = (-1)^m Y_lm, Y_lm o3ref's real harmonics. So sympy's
# real_gaunt is (-1)^(m1 + m2 + m3) times o3ref's, and that sign is +1 wherever either is
# non-zero (|m3| = |m1 + m2| or |m1 - m2| there): on values the map is the identity.

@functools.cache
def _sympy_u(mu: int, m: int) -> sympy.Expr:
    """sympy's ``U^mu_m`` (row: real index mu, column: complex m), as transcribed above."""
    if abs(mu) != abs(m):
        return sympy.Integer(0)
    if mu == 0:
        return sympy.Integer(1)
    sign = -1 if m % 2 else 1
    if mu > 0:
        return (1 if m == mu else sign) / sympy.sqrt(2)
    return sympy.I * (sign if m == mu else -1) / sympy.sqrt(2)


def test_sympys_real_harmonics_are_o3refs_times_minus_one_to_the_m():
    """``Z_l^m = (-1)^m Y_lm`` for l <= 6, exactly: o3ref's ``Y_lm = sum_mu
    conj(U[mu, m]) Y_l^mu`` (U = ``complex_to_real``), so the claim is
    ``U_sympy = diag((-1)^m) U^dagger`` as matrices."""
    for l in range(L_MAX + 1):
        ms = range(-l, l + 1)
        u_sympy = sympy.Matrix([[_sympy_u(mu, m) for m in ms] for mu in ms])
        signs = sympy.diag(*[(-1) ** abs(m) for m in ms])
        assert u_sympy == signs * complex_to_real(l).H, l


def _oracle_real_gaunt(l1, m1, l2, m2, l3, m3) -> sympy.Expr:
    """``(-1)^(m1+m2+m3) sum U^m1_mu1 U^m2_mu2 U^m3_mu3 gaunt_sympy(mu1, mu2, mu3)``:
    sympy's definition of its real_gaunt carried to o3ref's harmonics, from sympy's gaunt
    alone. Only mu_i = +-m_i (U) with mu1 + mu2 + mu3 = 0 (gaunt; the complex test shows it
    for every entry here) can contribute: an entry with no such mu is 0 by selection rules."""
    terms = []
    for mu1, mu2 in itertools.product({m1, -m1}, {m2, -m2}):
        mu3 = -mu1 - mu2
        if abs(mu3) != abs(m3):
            continue
        g = _sympy_gaunt(l1, l2, l3, mu1, mu2, mu3)
        if g != 0:
            terms.append(_sympy_u(m1, mu1) * _sympy_u(m2, mu2) * _sympy_u(m3, mu3) * g)
    if not terms:
        return sympy.Integer(0)
    total = sympy.expand(sympy.Add(*terms))
    return -total if (m1 + m2 + m3) % 2 else total


def _sympy_quick_zero(l1, m1, l2, m2, l3, m3) -> bool:
    """The shortcuts sympy's real_gaunt takes before its sum (it returns 0 at once): an odd
    number of negative m, an odd l1 + l2 + l3, or l_min > l_max. (Its docstring promises
    "l1 outside l_min..l_max", but its test ``lmin not in range(lmax, lmin - 2, -2)``
    never looks at l1: such entries go through the whole sum, and come out 0 there.)"""
    if sum(m < 0 for m in (m1, m2, m3)) % 2 or (l1 + l2 + l3) % 2:
        return True
    l_max, l_min = l2 + l3, max(abs(l2 - l3), min(abs(m2 + m3), abs(m2 - m3)))
    l_min += (l_min + l_max) % 2
    return l_min > l_max


def _m_rule(l1, m1, l2, m2, l3, m3) -> bool:
    """The selection rules of a real Gaunt coefficient: triangle, and |m3| = |m1 +- m2|."""
    return abs(l1 - l2) <= l3 <= l1 + l2 and abs(m3) in (abs(m1 + m2), abs(m1 - m2))


@pytest.mark.slow
def test_real_gaunt_equals_sympy_for_every_entry_up_to_l6(monkeypatch):
    """o3ref's ``real_gaunt`` on every one of the 117649 entries with l1, l2, l3 <= 6:

    * == the oracle above (sympy's ``gaunt`` through sympy's own U and the proven map) on
      every entry. 28651 entries have |m3| = |m1 + m2| or |m1 - m2| (a possible mu term),
      6460 entries are non-zero (all among them); the other 88998 are zero in the oracle
      by the selection rules (no mu_i = +-m_i sums to 0) and in o3ref;
    * == sympy's ``real_gaunt`` itself (its ``gaunt`` memoised: same function, each entry
      computed once): on every entry its shortcuts make 0 (88065 entries: an odd number
      of negative m, an odd l1 + l2 + l3, or l_min > l_max; o3ref 0 on each); on one
      entry of each class, under the 6 permutations of the pairs (l_i, m_i), of the 6586
      entries left that obey the triangle and |m3| = |m1 +- m2| rules (1218 classes;
      sympy sums (2l1+1)(2l2+1) terms per entry, 5 ms each, so all 6586 would take half a
      minute); and on every 400th of the other 22998 it sums (58 entries, all 0: every
      term has U = 0 or a gaunt that its selection rules make 0);
    * o3ref's values are invariant under the 6 pair permutations on every entry, which
      carries the 1218 class comparisons to all 6586 entries.
    """
    ours = {e: real_gaunt(*e) for e in ENTRIES}
    nonzero = with_terms = 0
    for (l1, m1, l2, m2, l3, m3), value in ours.items():
        theirs = _oracle_real_gaunt(l1, m1, l2, m2, l3, m3)
        assert value == theirs, (l1, m1, l2, m2, l3, m3)
        with_terms += abs(m3) in (abs(m1 + m2), abs(m1 - m2))
        nonzero += value != 0
    assert (nonzero, with_terms) == (6460, 28651)
    # sympy's real_gaunt itself
    monkeypatch.setattr(sympy_wigner, "gaunt", _sympy_gaunt_patch)
    quick = [e for e in ENTRIES if _sympy_quick_zero(*e)]
    for l1, m1, l2, m2, l3, m3 in quick:
        assert sympy_wigner.real_gaunt(l1, l2, l3, m1, m2, m3) == 0 == ours[l1, m1, l2, m2, l3, m3]
    summed = [e for e in ENTRIES if not _sympy_quick_zero(*e)]
    rule = [e for e in summed if _m_rule(*e)]
    other = [e for e in summed if not _m_rule(*e)]
    assert (len(quick), len(rule), len(other)) == (88065, 6586, 22998)
    classes = {}
    for e in rule:
        pairs = sorted(itertools.permutations(zip(e[::2], e[1::2], strict=True)))[0]
        classes.setdefault(pairs, e)
    assert len(classes) == 1218
    for l1, m1, l2, m2, l3, m3 in list(classes.values()) + other[::400]:
        theirs = sympy_wigner.real_gaunt(l1, l2, l3, m1, m2, m3)
        assert theirs == ours[l1, m1, l2, m2, l3, m3], (l1, m1, l2, m2, l3, m3)
    for e, value in ours.items():
        pairs = list(zip(e[::2], e[1::2], strict=True))
        for perm in itertools.permutations(pairs):
            assert ours[tuple(x for pair in perm for x in pair)] == value, e


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
