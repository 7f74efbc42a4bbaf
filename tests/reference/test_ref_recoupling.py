"""Exact 6j and 9j symbols: sympy as the oracle for every argument <= 3 (half-integers
included; the 9j through its 72 symmetries) and random larger ones; tuples that break the
selection rules; symmetries, orthogonality, Biedenharn-Elliott, bad input."""

from __future__ import annotations

import functools
import itertools
import os
import random
from fractions import Fraction

import pytest
import sympy
from sympy.physics import wigner as sympy_wigner

from o3ref.reference import wigner_6j, wigner_6j_exact, wigner_9j, wigner_9j_exact
from o3ref.reference.recoupling import _nine_j_doubled

H = sympy.Rational(1, 2)
# j = 0, 1/2, ..., 3 by twice its value: o3ref gets int / Fraction, sympy gets Rational
TWICE = range(7)
J = [k // 2 if k % 2 == 0 else Fraction(k, 2) for k in TWICE]
SJ = [sympy.Rational(k, 2) for k in TWICE]
# sympy.physics.wigner's message for a triad with a half-integer sum (it raises; o3ref gives 0)
SYMPY_REFUSES = "j values must be integer or half integer and fulfill the triangle relation"


def _triad(a, b, c) -> bool:
    return sympy.Rational(a + b + c).is_integer and abs(a - b) <= c <= a + b


def _ok(a: int, b: int, c: int) -> bool:
    """Doubled ``a, b, c``: a triad (triangle rule and an integer sum)."""
    return (a + b + c) % 2 == 0 and abs(a - b) <= c <= a + b


def _refused(function, args) -> bool:
    """sympy raises its triangle ValueError for ``args`` (the test fails on any other error)."""
    try:
        function(*args)
    except ValueError as error:
        assert str(error) == SYMPY_REFUSES, (args, error)
        return True
    return False


def _six_j_triads(d):
    return ((d[0], d[1], d[2]), (d[0], d[4], d[5]), (d[3], d[1], d[5]), (d[3], d[4], d[2]))


@pytest.mark.slow
def test_6j_equals_sympy_for_every_argument_up_to_3():
    """Every 6j with all six arguments in {0, 1/2, 1, ..., 3}: 7**6 = 117649 tuples, o3ref
    evaluated at each. sympy's ``wigner_6j`` (exact, ``prec=None``) is the oracle:

    * 3418 admissible tuples (the four triads (j1 j2 j3), (j1 j5 j6), (j4 j2 j6), (j4 j5 j3)
      obey the triangle rule with integer sums): o3ref == sympy for every one;
    * 11478 with integer triad sums and a broken triangle: o3ref is 0 for every one, and
      sympy returns 0 too (checked on every 4th one: sympy takes 0.4 ms each);
    * 102753 with a half-integer triad sum: o3ref is 0 for every one; sympy *refuses* them
      (ValueError "j values must be ... fulfill the triangle relation", raised by its
      ``_big_delta_coeff``, which it evaluates for all four triads): checked on every
      20th one. A documented difference, not a disagreement on a value.
    """
    counts = {"admissible": 0, "triangle": 0, "parity": 0}
    nonzero = 0
    for d in itertools.product(TWICE, repeat=6):
        ours = wigner_6j(*(J[k] for k in d))
        triads = _six_j_triads(d)
        if all(_ok(*t) for t in triads):
            counts["admissible"] += 1
            assert ours == sympy_wigner.wigner_6j(*(SJ[k] for k in d)), d
            nonzero += ours != 0
        elif all(sum(t) % 2 == 0 for t in triads):
            assert ours == 0, d
            counts["triangle"] += 1
            if counts["triangle"] % 4 == 0:
                assert sympy_wigner.wigner_6j(*(SJ[k] for k in d)) == 0, d
        else:
            assert ours == 0, d
            counts["parity"] += 1
            if counts["parity"] % 20 == 0:
                assert _refused(sympy_wigner.wigner_6j, [SJ[k] for k in d]), d
    assert counts == {"admissible": 3418, "triangle": 11478, "parity": 102753}
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


# --- every 9j with arguments in {0, 1/2, ..., 3} ------------------------------------------
# A 9j {j1 j2 j3; j4 j5 j6; j7 j8 j9} (rows) is admissible when each row and each column is a
# triad. Its 72 symmetries: any permutation of the rows, any of the columns, and the
# transposition; an odd permutation of rows (or of columns) multiplies it by (-1)^S,
# S = j1 + ... + j9 (an integer for an admissible one), the transposition by +1.
# (Edmonds, Angular Momentum in Quantum Mechanics, eq. 6.4.5; DLMF 34.5 for the 6j.)

def _lines(d):
    """The three rows and three columns of a doubled 9-tuple (row-major)."""
    return ((d[0], d[1], d[2]), (d[3], d[4], d[5]), (d[6], d[7], d[8]),
            (d[0], d[3], d[6]), (d[1], d[4], d[7]), (d[2], d[5], d[8]))


def _odd(p) -> int:
    return sum(p[i] > p[k] for i in range(3) for k in range(i + 1, 3)) % 2


# each symmetry as (positions to read, whether it is an odd permutation of rows or columns)
NINE_J_SYMMETRIES = []
for _rows, _cols, _transpose in itertools.product(
        itertools.permutations(range(3)), itertools.permutations(range(3)), (False, True)):
    _index = [3 * _rows[i] + _cols[k] for i in range(3) for k in range(3)]
    if _transpose:
        _index = [_index[3 * k + i] for i in range(3) for k in range(3)]
    NINE_J_SYMMETRIES.append((tuple(_index), _odd(_rows) ^ _odd(_cols)))


@functools.cache
def _nine_j_classes():
    """All admissible doubled 9-tuples (values 0..6) and their symmetry classes:
    ``(admissible, {representative: [(image, odd), ...]})``, each image once per class."""
    triads = [t for t in itertools.product(TWICE, repeat=3) if _ok(*t)]
    third = {(a, b): [c for c in TWICE if _ok(a, b, c)] for a in TWICE for b in TWICE}
    admissible = [
        r1 + r2 + r3
        for r1, r2 in itertools.product(triads, repeat=2)
        for r3 in itertools.product(*(third[r1[k], r2[k]] for k in range(3)))
        if _ok(*r3)
    ]
    classes, seen = {}, set()
    for d in admissible:  # the first member met is the representative
        if d in seen:
            continue
        images = {}
        for index, odd in NINE_J_SYMMETRIES:
            images.setdefault(tuple(d[i] for i in index), odd)
        seen.update(images)
        classes[d] = list(images.items())
    return admissible, classes


@pytest.mark.slow
def test_9j_equals_sympy_on_every_symmetry_class_up_to_3(monkeypatch):
    """sympy's ``wigner_9j`` (exact, ``prec=None``) against o3ref on one representative of
    each of the 2528 symmetry classes of the 134035 admissible 9j with arguments in
    {0, 1/2, ..., 3} (7**9 = 40353607 tuples in all; half-integers included: 2137 classes
    hold one; 2394 are non-zero). With the next test (o3ref's 72 symmetries, exactly, on
    all 134035) every admissible 9j <= 3 of o3ref equals sympy's value for its class times
    the symmetry's sign (sympy itself runs on the 2528 representatives).

    sympy's ``wigner_9j`` is sum_x (2x+1) W W W over its own ``racah`` (Racah W); the test
    memoises that module-level ``racah`` (``functools.cache`` around sympy's own function:
    same code, each distinct W computed once) so that the 2528 symbols take seconds, not a
    minute. sympy before 1.2 raised ValueError for some admissible half-integer 9j
    (sympy issues #8747 and #13468, fixed by sympy PRs #13580 and #13602, 2017); sympy
    >= 1.12 (our floor) neither refuses nor disagrees anywhere here, so the half-integers
    need no second oracle.
    """
    admissible, classes = _nine_j_classes()
    assert (len(admissible), len(classes)) == (134035, 2528)
    monkeypatch.setattr(sympy_wigner, "racah", functools.cache(sympy_wigner.racah))
    nonzero = half = 0
    for d in classes:
        ours = wigner_9j(*(J[k] for k in d))
        assert ours == sympy_wigner.wigner_9j(*(SJ[k] for k in d), prec=None), d
        nonzero += ours != 0
        half += any(k % 2 for k in d)
    assert (nonzero, half) == (2394, 2137)  # 134 classes vanish by accident


@pytest.mark.slow
def test_9j_symmetries_over_every_admissible_tuple_up_to_3():
    """o3ref's 9j obeys its 72 symmetries exactly on every one of the 134035 admissible
    tuples with arguments in {0, 1/2, ..., 3}: each equals its class representative (the
    one compared with sympy above) times (-1)^S for an odd permutation of rows or columns,
    S = j1 + ... + j9. The classes partition the admissible tuples (checked here).

    The representatives go through the public ``wigner_9j_exact``; the other 131507
    tuples through its exact core ``_nine_j_doubled`` (doubled integer arguments: the public
    function is that core behind the argument checks, which cost a third of the time)."""
    admissible, classes = _nine_j_classes()
    assert sum(len(images) for images in classes.values()) == len(admissible) == 134035
    assert len({d for images in classes.values() for d, _ in images}) == 134035
    for d, images in classes.items():
        exact = wigner_9j_exact(*(J[k] for k in d))
        base = (exact.sign, exact.p, exact.q)  # sign * sqrt(p/q), p/q in lowest terms
        assert _nine_j_doubled(d) == base, d
        flipped = (-exact.sign if (sum(d) // 2) % 2 else exact.sign, exact.p, exact.q)
        for image, odd in images:  # odd: times (-1)^S
            assert _nine_j_doubled(image) == (flipped if odd else base), image


@pytest.mark.slow
def test_9j_broken_rules_give_zero_in_both(monkeypatch):
    """Tuples that break a rule, next to the admissible ones: every tuple (values in
    {0, 1/2, ..., 3}) one entry away from a class representative that is not admissible,
    81862 of them. o3ref gives an exact 0 for every one. sympy, on a fixed sample of each
    kind: 300 of the 20858 whose six triads all have integer sums but a triangle rule
    fails give sympy 0 (sympy's sum still runs over x: 6 ms each); 1000 of the 61004 with
    a half-integer triad sum make sympy *refuse* (ValueError "... fulfill the triangle
    relation": its ``racah`` evaluates the triangle coefficients of all six row and column
    triads before anything else), where o3ref gives 0: a documented difference, not a
    disagreement on a value."""
    admissible, classes = _nine_j_classes()
    near = sorted({d[:i] + (k,) + d[i + 1:] for d in classes for i in range(9) for k in TWICE}
                  - set(admissible))
    triangle = [d for d in near if all(sum(t) % 2 == 0 for t in _lines(d))]
    parity = [d for d in near if any(sum(t) % 2 for t in _lines(d))]
    assert (len(near), len(triangle), len(parity)) == (81862, 20858, 61004)
    for d in near:
        assert not wigner_9j_exact(*(J[k] for k in d)), d
    monkeypatch.setattr(sympy_wigner, "racah", functools.cache(sympy_wigner.racah))
    rng = random.Random(81862)
    for d in rng.sample(triangle, 300):
        assert sympy_wigner.wigner_9j(*(SJ[k] for k in d), prec=None) == 0, d
    for d in rng.sample(parity, 1000):
        assert _refused(sympy_wigner.wigner_9j, [SJ[k] for k in d]), d
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


@pytest.mark.skipif(os.environ.get("O3REF_EXHAUSTIVE") != "1",
                    reason="every 9j <= 3 through sympy takes ~100 s: O3REF_EXHAUSTIVE=1 runs it "
                    "(the class test above covers them in CI)")
def test_9j_equals_sympy_on_every_admissible_tuple_up_to_3(monkeypatch):
    """sympy's ``wigner_9j`` itself on all 134035 admissible 9j with arguments in
    {0, 1/2, ..., 3}, not only on the class representatives (run by hand on 2026-11-29:
    every one equal, 97 s)."""
    admissible, _ = _nine_j_classes()
    monkeypatch.setattr(sympy_wigner, "racah", functools.cache(sympy_wigner.racah))
    for d in admissible:
        sign, p, q = _nine_j_doubled(d)
        ours = sign * sympy.sqrt(sympy.Rational(p, q)) if sign else 0
        assert ours == sympy_wigner.wigner_9j(*(SJ[k] for k in d), prec=None), d
