"""Real Clebsch-Gordan: the definition of CONVENTIONS.md built from sympy's complex CG,
exact squares, closed forms, orthogonality and equivariance."""

from __future__ import annotations

import random
from collections import defaultdict
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from ref_helpers import sqrt_free
from sympy.physics import wigner as sympy_wigner

from o3ref.reference import (
    SignedSqrt,
    complex_to_real,
    real_clebsch_gordan,
    rotation_matrix,
    wigner_D_real,
)


def _triples(l_max):
    for l1 in range(l_max + 1):
        for l2 in range(l_max + 1):
            for L in range(abs(l1 - l2), min(l1 + l2, l_max) + 1):
                yield l1, l2, L


def _definition(l1, l2, L):
    """K = sum U1 U2 <..|L mu> conj(UL) with sympy's CG; the real CG is Re K or Im K."""
    u1, u2, ul = complex_to_real(l1), complex_to_real(l2), complex_to_real(L)
    out = {}
    for a in range(2 * l1 + 1):
        for b in range(2 * l2 + 1):
            for c in range(2 * L + 1):
                k = 0
                for mu1 in range(-l1, l1 + 1):
                    for mu2 in range(-l2, l2 + 1):
                        mu = mu1 + mu2
                        if abs(mu) > L:
                            continue
                        cg = sympy_wigner.clebsch_gordan(l1, l2, L, mu1, mu2, mu)
                        k += u1[mu1 + l1, a] * u2[mu2 + l2, b] * cg * sympy.conjugate(ul[mu + L, c])
                k = sympy.expand(k)
                re, im = k.as_real_imag()
                if (l1 + l2 + L) % 2 == 0:
                    assert im == 0
                    out[(a, b, c)] = re
                else:
                    assert re == 0
                    out[(a, b, c)] = im
    return out


@pytest.mark.parametrize(("l1", "l2", "L"), list(_triples(3)))
def test_real_cg_equals_definition_with_sympy_cg(l1, l2, L):
    ours = real_clebsch_gordan(l1, l2, L)
    assert ours.shape == (2 * l1 + 1, 2 * l2 + 1, 2 * L + 1)
    for index, expected in _definition(l1, l2, L).items():
        assert sympy.expand(ours[index].to_sympy() - expected) == 0, index


def test_every_entry_squared_is_rational_up_to_6():
    count = 0
    for l1, l2, L in _triples(6):
        for v in real_clebsch_gordan(l1, l2, L).flat:
            assert isinstance(v, SignedSqrt)
            assert isinstance(v.p, int) and isinstance(v.q, int) and v.q > 0
            if v:
                square = v.to_sympy() ** 2
                assert isinstance(square, sympy.Rational) and square == sympy.Rational(v.p, v.q)
                count += 1
    assert count > 10000


def test_outside_triangle_all_exact_zeros():
    c = real_clebsch_gordan(1, 1, 3)
    assert c.shape == (3, 3, 7)
    assert all(v == SignedSqrt(0, 0) and v.sign == 0 for v in c.flat)


def _coupled(c, u, v):
    return [
        sum(c[i, j, k].to_sympy() * u[i] * v[j] for i in range(3) for j in range(3))
        for k in range(c.shape[2])
    ]


def test_closed_forms_l1_l1():
    ux, uy, uz, vx, vy, vz = sympy.symbols("ux uy uz vx vy vz")
    u, v = [uy, uz, ux], [vy, vz, vx]  # (y, z, x) order
    scalar = _coupled(real_clebsch_gordan(1, 1, 0), u, v)
    assert sympy.expand(scalar[0] + (ux * vx + uy * vy + uz * vz) / sympy.sqrt(3)) == 0
    cross = _coupled(real_clebsch_gordan(1, 1, 1), u, v)
    cx, cy, cz = uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx
    for got, want in zip(cross, [cy, cz, cx], strict=True):
        assert sympy.expand(got - want / sympy.sqrt(2)) == 0



def _exact_dot(xs, ys):
    parts = defaultdict(Fraction)
    for u, v in zip(xs, ys, strict=True):
        if u and v:
            cu, su = sqrt_free(u.p, u.q)
            cv, sv = sqrt_free(v.p, v.q)
            g = sympy.igcd(su, sv)
            parts[(su // g) * (sv // g)] += u.sign * v.sign * cu * cv * g
    return {s: c for s, c in parts.items() if c}


@pytest.mark.parametrize(("l1", "l2"), [(l1, l2) for l1 in range(5) for l2 in range(5)])
def test_real_cg_is_an_orthogonal_change_of_basis(l1, l2):
    # columns (L, M) of the (2l1+1)(2l2+1) square matrix are orthonormal, exactly
    cols = []
    for L in range(abs(l1 - l2), l1 + l2 + 1):
        c = real_clebsch_gordan(l1, l2, L)
        cols += [list(c[:, :, k].flat) for k in range(2 * L + 1)]
    assert len(cols) == (2 * l1 + 1) * (2 * l2 + 1)
    for i, a in enumerate(cols):
        for j, b in enumerate(cols[: i + 1]):
            assert _exact_dot(a, b) == ({1: Fraction(1)} if i == j else {})


def _check_equivariance(c, d1, d2, dl, close):
    """sum C[m1,m2,M] D1[m1,a] D2[m2,b] == sum_M' D^L[M,M'] C[a,b,M']  (all a, b, M)."""
    n1, n2, nl = c.shape
    for a in range(n1):
        for b in range(n2):
            for big_m in range(nl):
                lhs = sum(
                    c[i, j, big_m] * d1[i, a] * d2[j, b]
                    for i in range(n1)
                    for j in range(n2)
                    if c[i, j, big_m] != 0
                )
                rhs = sum(dl[big_m, k] * c[a, b, k] for k in range(nl) if c[a, b, k] != 0)
                assert close(lhs, rhs), (a, b, big_m)


def test_equivariance_exact_l_le_2():
    angles = (sympy.pi / 3, sympy.pi / 4, sympy.pi / 6)
    d = [wigner_D_real(l, *angles) for l in range(5)]
    for l1, l2, L in _triples(2):
        c = real_clebsch_gordan(l1, l2, L)
        cs = np.vectorize(lambda v: v.to_sympy(), otypes=[object])(c)
        _check_equivariance(cs, d[l1], d[l2], d[L], lambda x, y: sympy.expand(x - y) == 0)


def test_equivariance_50_digits_up_to_4():
    rng = random.Random(2)
    angles = [rng.uniform(-3, 3) for _ in range(3)]
    dps = 50
    d = [wigner_D_real(l, *angles, dps=dps) for l in range(9)]
    tol = mpmath.mpf(10) ** (-dps + 5)
    with mpmath.workdps(dps):
        for l1, l2, L in _triples(4):
            c = real_clebsch_gordan(l1, l2, L)
            cm = np.vectorize(
                lambda v: mpmath.mpf(v.sign) * mpmath.sqrt(mpmath.mpf(v.p) / v.q), otypes=[object]
            )(c)
            _check_equivariance(cm, d[l1], d[l2], d[L], lambda x, y: abs(x - y) < tol)


def test_rotation_used_by_the_exact_check_is_a_real_rotation():
    r = rotation_matrix(sympy.pi / 3, sympy.pi / 4, sympy.pi / 6)
    assert (r * r.T).applyfunc(sympy.expand) == sympy.eye(3)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((-1, 1, 1), ValueError, r"l1=-1 must be a non-negative integer"),
        ((1, Fraction(1, 2), 1), ValueError, r"l2=1/2 must be a non-negative integer"),
        ((1, 1, 1.5), TypeError, r"L=1.5 is a float"),
    ],
)
def test_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        real_clebsch_gordan(*args)
