"""Exact 6j and 9j symbols: sympy as the oracle for every argument <= 3 (half-integers
included) and random larger ones; symmetries, orthogonality, Biedenharn-Elliott, bad input."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
import sympy
from sympy.physics import wigner as sympy_wigner

from o3ref.reference import wigner_6j, wigner_6j_exact, wigner_9j, wigner_9j_exact

H = sympy.Rational(1, 2)
UP_TO_3 = [sympy.Rational(k, 2) for k in range(7)]  # 0, 1/2, ..., 3


def _triad(a, b, c) -> bool:
    return sympy.Rational(a + b + c).is_integer and abs(a - b) <= c <= a + b


def _sympy_6j(*j):
    try:
        return sympy_wigner.wigner_6j(*j)
    except ValueError:  # sympy raises for a half-integer triad sum; o3ref gives 0
        return sympy.Integer(0)


@pytest.mark.slow
def test_6j_equals_sympy_for_every_argument_up_to_3():
    nonzero = 0
    for j1, j2, j3 in itertools.product(UP_TO_3, repeat=3):
        if not _triad(j1, j2, j3):
            assert wigner_6j(j1, j2, j3, 1, 1, 1) == 0
            continue
        for j4, j5, j6 in itertools.product(UP_TO_3, repeat=3):
            ours = wigner_6j(j1, j2, j3, j4, j5, j6)
            if not (_triad(j1, j5, j6) and _triad(j4, j2, j6) and _triad(j4, j5, j3)):
                assert ours == 0  # sympy raises or returns 0 for these
                continue
            assert ours == _sympy_6j(j1, j2, j3, j4, j5, j6), (j1, j2, j3, j4, j5, j6)
            nonzero += ours != 0
    assert nonzero > 3000


def test_6j_and_9j_random_larger_arguments():
    rng = random.Random(14)
    found6 = found9 = 0
    while found6 < 40:
        j = [sympy.Rational(rng.randint(0, 24), 2) for _ in range(6)]
        if all(_triad(*t) for t in ((j[0], j[1], j[2]), (j[0], j[4], j[5]),
                                    (j[3], j[1], j[5]), (j[3], j[4], j[2]))):
            assert wigner_6j(*j) == sympy_wigner.wigner_6j(*j), j
            found6 += 1
    while found9 < 12:
        a, b, d, e = (sympy.Rational(rng.randint(0, 10), 2) for _ in range(4))
        c, f, g, h = (rng.choice(list(_allowed(x, y))) if _allowed(x, y) else None
                      for x, y in ((a, b), (d, e), (a, d), (b, e)))
        if None in (c, f, g, h):
            continue
        i_choices = [i for i in _allowed(c, f) if _triad(g, h, i)]
        if not i_choices:
            continue
        args = (a, b, c, d, e, f, g, h, rng.choice(i_choices))
        assert wigner_9j(*args) == sympy_wigner.wigner_9j(*args, prec=None), args
        found9 += 1


def _allowed(a, b):
    return [a + b - k for k in range(int(a + b - abs(a - b)) + 1)]


@pytest.mark.slow
def test_9j_equals_sympy_for_every_argument_up_to_1_and_a_sample_up_to_2():
    """Every 9j with arguments in {0, 1/2, 1} against sympy (exact), and 150 of those with
    arguments in {0, 1/2, ..., 2} whose rows and columns are all triads."""
    def valid(values):
        rows = [t for t in itertools.product(values, repeat=3) if _triad(*t)]
        for r1, r2, r3 in itertools.product(rows, repeat=3):
            if all(_triad(r1[k], r2[k], r3[k]) for k in range(3)):
                yield r1 + r2 + r3

    small = list(valid(UP_TO_3[:3]))
    larger = random.Random(9).sample(list(valid(UP_TO_3[:5])), 150)
    for args in small + larger:
        assert wigner_9j(*args) == sympy_wigner.wigner_9j(*args, prec=None), args
    assert len(small) > 100
    assert wigner_9j(1, 1, 1, 1, 1, 1, 1, 1, 3) == 0  # a broken triad: exact zero


def test_6j_symmetries_and_orthogonality():
    j = (2, 3, 3, 1, 2, 2)
    base = wigner_6j_exact(*j)
    cols = [(j[0], j[3]), (j[1], j[4]), (j[2], j[5])]
    for perm in itertools.permutations(range(3)):
        c = [cols[k] for k in perm]
        assert wigner_6j_exact(c[0][0], c[1][0], c[2][0], c[0][1], c[1][1], c[2][1]) == base
    assert wigner_6j_exact(j[3], j[4], j[2], j[0], j[1], j[5]) == base  # swap upper/lower
    # sum_j3 (2j3+1)(2j6+1) {j1 j2 j3; j4 j5 j6}{j1 j2 j3; j4 j5 j6'} = delta_{j6 j6'}
    j1, j2, j4, j5 = 2, Fraction(3, 2), Fraction(3, 2), 2
    for j6, j6p in itertools.product(range(4), repeat=2):  # (2 2 j6), (3/2 3/2 j6) triads
        total = sum(
            (2 * j3 + 1) * (2 * j6 + 1) * wigner_6j(j1, j2, j3, j4, j5, j6)
            * wigner_6j(j1, j2, j3, j4, j5, j6p)
            for j3 in [Fraction(k, 2) for k in range(1, 8, 2)]
        )
        assert sympy.nsimplify(total) == (1 if j6 == j6p else 0)


def test_biedenharn_elliott_identity():
    """sum_x (-1)^(S+x) (2x+1) {a b x; c d p}{c d x; e f q}{e f x; b a r}
    = {p q r; e a d}{p q r; f b c}, S = a+b+c+d+e+f+p+q+r (exact, at 8 non-zero points)."""
    rng = random.Random(5)
    checked = 0
    while checked < 8:
        a, b, c, d, e, f, p, q, r = (Fraction(rng.randint(0, 6), 2) for _ in range(9))
        rhs = wigner_6j_exact(p, q, r, e, a, d) * wigner_6j_exact(p, q, r, f, b, c)
        if not rhs:
            continue
        s = a + b + c + d + e + f + p + q + r
        lhs = sympy.Integer(0)
        for twice_x in range(0, 20):
            x = Fraction(twice_x, 2)
            if (s + x).denominator != 1:
                continue
            terms = [wigner_6j_exact(a, b, x, c, d, p), wigner_6j_exact(c, d, x, e, f, q),
                     wigner_6j_exact(e, f, x, b, a, r)]
            if all(terms):
                product = terms[0] * terms[1] * terms[2]
                lhs += (-1) ** int(s + x) * (2 * x + 1) * product.to_sympy()
        assert sympy.radsimp(sympy.expand(lhs - rhs.to_sympy())) == 0, (a, b, c, d, e, f, p, q, r)
        checked += 1


def test_9j_orthogonality_and_transposition():
    j1, j2, j4, j5, j7, j8 = 1, Fraction(1, 2), 1, Fraction(3, 2), 1, 2
    j9 = 2
    j3s = [Fraction(1, 2), Fraction(3, 2)]
    j6s = [Fraction(1, 2), Fraction(3, 2), Fraction(5, 2)]
    for j7p, j8p in itertools.product([0, 1, 2], [1, 2]):
        total = sum(
            (2 * j3 + 1) * (2 * j6 + 1) * (2 * j7 + 1) * (2 * j8 + 1)
            * wigner_9j(j1, j2, j3, j4, j5, j6, j7, j8, j9)
            * wigner_9j(j1, j2, j3, j4, j5, j6, j7p, j8p, j9)
            for j3 in j3s for j6 in j6s
        )
        assert sympy.nsimplify(total) == (1 if (j7p, j8p) == (j7, j8) else 0)
    args = (1, 2, 3, 2, 1, 2, 2, 2, 2)
    transposed = (args[0], args[3], args[6], args[1], args[4], args[7], args[2], args[5], args[8])
    assert wigner_9j_exact(*args) == wigner_9j_exact(*transposed) != 0


def test_bad_input():
    with pytest.raises(ValueError, match=r"j3=-1 must be a non-negative integer or half-integer"):
        wigner_6j(1, 1, -1, 1, 1, 1)
    with pytest.raises(ValueError, match=r"j9=1/3 must be a non-negative integer or half-int"):
        wigner_9j(1, 1, 1, 1, 1, 1, 1, 1, Fraction(1, 3))
    with pytest.raises(TypeError, match=r"j1=0.5 is a float"):
        wigner_6j(0.5, 0.5, 1, 0.5, 0.5, 0)
    assert wigner_6j(H, H, H, H, H, H) == 0  # half-integer triad sum: exact zero
