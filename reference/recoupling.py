"""Exact Wigner 6j and 9j symbols (recoupling of three and four angular momenta).

Racah's single sum on integers only, like :mod:`o3ref.reference._racah`: angular momenta are
doubled (``j = 3/2`` is ``3``), the alternating sum is a Horner scheme on integer ratios and
the triangle coefficients ``Delta(a b c)^2 = (a+b-c)! (a-b+c)! (-a+b+c)! / (a+b+c+1)!`` are
exact rationals, so every symbol is ``sign * sqrt(p/q)`` (a
:class:`o3ref.reference.signed_sqrt.SignedSqrt`):

* ``{j1 j2 j3; j4 j5 j6} = Delta(j1 j2 j3) Delta(j1 j5 j6) Delta(j4 j2 j6) Delta(j4 j5 j3)
  sum_t (-1)^t (t+1)! / ((t-a1)! (t-a2)! (t-a3)! (t-a4)! (b1-t)! (b2-t)! (b3-t)!)``;
* ``{j1 j2 j3; j4 j5 j6; j7 j8 j9} = sum_x (-1)^(2x) (2x+1) {j1 j4 j7; j8 j9 x}
  {j2 j5 j8; j4 x j6} {j3 j6 j9; x j1 j2}``: the triangles that hold ``x`` appear twice, so
  the sum is one common square root (the six row and column triangles) times a rational.

Selection rules (a triangle broken, a triad with a half-integer sum) give an exact zero.
Same arguments, order and phase as ``sympy.physics.wigner.wigner_6j`` / ``wigner_9j``.

Conventions: see :mod:`o3ref.reference.conventions` (Condon-Shortley phase of the CG the
symbols recouple).

>>> wigner_6j(1, 1, 1, 1, 1, 1), wigner_6j(2, 2, 2, 2, 2, 2)   # signs matter
(1/6, -3/70)
>>> from fractions import Fraction
>>> h = Fraction(1, 2)
>>> wigner_6j(h, h, 1, h, h, 0), wigner_9j(1, 1, 1, 1, 1, 1, 1, 1, 0)
(1/2, 1/18)
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

import sympy

from ._racah import _factorial
from .indexing import doubled
from .limits import check_memory, check_work, six_j_seconds
from .signed_sqrt import SignedSqrt

__all__ = ["wigner_6j", "wigner_6j_exact", "wigner_9j", "wigner_9j_exact"]


def _triad(da: int, db: int, dc: int) -> bool:
    """Doubled ``a, b, c`` satisfy the triangle rule with an integer sum."""
    return (da + db + dc) % 2 == 0 and abs(da - db) <= dc <= da + db


def _delta_squared(da: int, db: int, dc: int) -> tuple[int, int]:
    """``Delta(a b c)^2`` as ``(num, den)``; doubled arguments of a valid triad."""
    f = _factorial
    num = f((da + db - dc) // 2) * f((da - db + dc) // 2) * f((-da + db + dc) // 2)
    return num, f((da + db + dc) // 2 + 1)


def _racah_sum(d: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    """``sum_t`` of the 6j formula as ``(num, den)`` (not reduced); doubled valid triads."""
    d1, d2, d3, d4, d5, d6 = d
    a1, a2 = (d1 + d2 + d3) // 2, (d1 + d5 + d6) // 2
    a3, a4 = (d4 + d2 + d6) // 2, (d4 + d5 + d3) // 2
    b1, b2, b3 = (d1 + d2 + d4 + d5) // 2, (d2 + d3 + d5 + d6) // 2, (d3 + d1 + d6 + d4) // 2
    tmin, tmax = max(a1, a2, a3, a4), min(b1, b2, b3)
    if tmin > tmax:
        return 0, 1
    # Horner on the ratios T(t) / T(t-1) = -(t+1)(b1-t+1)(b2-t+1)(b3-t+1) / ((t-a1)...(t-a4))
    acc_num, acc_den = 1, 1
    for t in range(tmax, tmin, -1):
        r_num = (t + 1) * (b1 - t + 1) * (b2 - t + 1) * (b3 - t + 1)
        r_den = (t - a1) * (t - a2) * (t - a3) * (t - a4)
        acc_num, acc_den = acc_den * r_den - r_num * acc_num, acc_den * r_den
    f = _factorial
    first_num = f(tmin + 1)
    first_den = f(tmin - a1) * f(tmin - a2) * f(tmin - a3) * f(tmin - a4)
    first_den *= f(b1 - tmin) * f(b2 - tmin) * f(b3 - tmin)
    sign = -1 if tmin % 2 else 1
    return sign * acc_num * first_num, acc_den * first_den


def _six_j_doubled(d1: int, d2: int, d3: int, d4: int, d5: int, d6: int) -> tuple[int, int, int]:
    """``{j1 j2 j3; j4 j5 j6}`` as ``(sign, p, q)``: ``sign * sqrt(p/q)``, lowest terms."""
    triads = ((d1, d2, d3), (d1, d5, d6), (d4, d2, d6), (d4, d5, d3))
    if not all(_triad(*t) for t in triads):
        return (0, 0, 1)
    s_num, s_den = _racah_sum((d1, d2, d3, d4, d5, d6))
    if s_num == 0:
        return (0, 0, 1)
    p, q = s_num * s_num, s_den * s_den
    for t in triads:
        n, d = _delta_squared(*t)
        p, q = p * n, q * d
    g = gcd(p, q)
    return (1 if s_num > 0 else -1, p // g, q // g)


def _nine_j_doubled(d: tuple[int, ...]) -> tuple[int, int, int]:
    """``{j1 j2 j3; j4 j5 j6; j7 j8 j9}`` (rows) as ``(sign, p, q)``; doubled arguments."""
    d1, d2, d3, d4, d5, d6, d7, d8, d9 = d
    fixed = ((d1, d2, d3), (d4, d5, d6), (d7, d8, d9), (d1, d4, d7), (d2, d5, d8), (d3, d6, d9))
    if not all(_triad(*t) for t in fixed):
        return (0, 0, 1)
    lo = max(abs(d1 - d9), abs(d4 - d8), abs(d2 - d6))
    hi = min(d1 + d9, d4 + d8, d2 + d6)
    total = Fraction(0)
    for dx in range(lo, hi + 1, 2):
        s1 = _racah_sum((d1, d4, d7, d8, d9, dx))
        s2 = _racah_sum((d2, d5, d8, d4, dx, d6))
        s3 = _racah_sum((d3, d6, d9, dx, d1, d2))
        if not (s1[0] and s2[0] and s3[0]):
            continue
        num, den = (dx + 1) * s1[0] * s2[0] * s3[0], s1[1] * s2[1] * s3[1]
        for t in ((d1, d9, dx), (d8, d4, dx), (d2, dx, d6)):  # the x triangles, squared
            n, dd = _delta_squared(*t)
            num, den = num * n, den * dd
        total += Fraction(-num if dx % 2 else num, den)
    if total == 0:
        return (0, 0, 1)
    p, q = total.numerator ** 2, total.denominator ** 2
    for t in fixed:
        n, dd = _delta_squared(*t)
        p, q = p * n, q * dd
    g = gcd(p, q)
    return (1 if total > 0 else -1, p // g, q // g)


_NAMES_6J = ("j1", "j2", "j3", "j4", "j5", "j6")
_NAMES_9J = ("j1", "j2", "j3", "j4", "j5", "j6", "j7", "j8", "j9")


def _doubled_all(names, values) -> tuple[int, ...]:
    if len(values) != len(names):
        raise TypeError(f"expected {len(names)} angular momenta ({', '.join(names)}), "
                        f"got {len(values)}")
    return tuple(doubled(n, v, non_negative=True) for n, v in zip(names, values, strict=True))


def _six_j_size(d) -> tuple[int, int]:
    """``(n, terms)`` of the 6j Racah sum: ``n = 1 +`` its largest ``b`` (the largest
    factorial's argument) and its number of terms ``min(b) - max(a) + 1``."""
    d1, d2, d3, d4, d5, d6 = d
    a = max(d1 + d2 + d3, d1 + d5 + d6, d4 + d2 + d6, d4 + d5 + d3) // 2
    b = (d1 + d2 + d4 + d5, d2 + d3 + d5 + d6, d3 + d1 + d6 + d4)
    return max(b) // 2 + 1, max(0, min(b) // 2 - a + 1)


def _check_6j_work(d) -> None:
    d1, d2, d3, d4, d5, d6 = d
    if not all(_triad(*t) for t in ((d1, d2, d3), (d1, d5, d6), (d4, d2, d6), (d4, d5, d3))):
        return  # an exact zero by the selection rules costs nothing
    what = "wigner_6j({})".format(", ".join(f"{n}={_text(v)}" for n, v in
                                            zip(_NAMES_6J, d, strict=True)))
    n, terms = _six_j_size(d)
    check_memory(what, n)
    check_work(what, *six_j_seconds(n, terms))


def _check_9j_work(d) -> None:
    d1, d2, d3, d4, d5, d6, d7, d8, d9 = d
    fixed = ((d1, d2, d3), (d4, d5, d6), (d7, d8, d9), (d1, d4, d7), (d2, d5, d8), (d3, d6, d9))
    lo = max(abs(d1 - d9), abs(d4 - d8), abs(d2 - d6))
    hi = min(d1 + d9, d4 + d8, d2 + d6)
    if hi < lo or not all(_triad(*t) for t in fixed):
        return  # an exact zero by the selection rules costs nothing
    sizes = [_six_j_size(six) for dx in (lo, hi) for six in
             ((d1, d4, d7, d8, d9, dx), (d2, d5, d8, d4, dx, d6), (d3, d6, d9, dx, d1, d2))]
    n, terms = max(s[0] for s in sizes), max(s[1] for s in sizes)
    what = "wigner_9j({})".format(", ".join(f"{n}={_text(v)}" for n, v in
                                            zip(_NAMES_9J, d, strict=True)))
    check_memory(what, n)
    check_work(what, *six_j_seconds(n, terms, 3 * ((hi - lo) // 2 + 1)))


def _text(dj: int) -> str:
    return str(dj // 2) if dj % 2 == 0 else f"{dj}/2"


def wigner_6j_exact(j1, j2, j3, j4, j5, j6) -> SignedSqrt:
    """:func:`wigner_6j` as an exact :class:`SignedSqrt` (``sign * sqrt(p/q)``).

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> str(wigner_6j_exact(1, 1, 1, 1, 1, 1)), str(wigner_6j_exact(2, 2, 2, 2, 2, 2))
    ('1/6', '-3/70')
    """
    d = _doubled_all(_NAMES_6J, (j1, j2, j3, j4, j5, j6))
    _check_6j_work(d)
    return SignedSqrt._raw(*_six_j_doubled(*d))


def wigner_6j(j1, j2, j3, j4, j5, j6) -> sympy.Expr:
    """Exact Wigner 6j symbol ``{j1 j2 j3; j4 j5 j6}`` (a sympy number).

    Integers or half-integers (int, ``fractions.Fraction``, sympy ``Rational``), each
    non-negative. Exact ``0`` unless the four triads ``(j1 j2 j3), (j1 j5 j6), (j4 j2 j6),
    (j4 j5 j3)`` satisfy the triangle rule with integer sums. Equals
    ``sympy.physics.wigner.wigner_6j`` (same argument order).
    Properties (tested): invariance under the 24 column permutations and row swaps,
    orthogonality ``sum_j3 (2j3+1)(2j6+1) {..j3; ..j6}{..j3; ..j6'} = delta``, the
    Biedenharn-Elliott identity.

    Conventions: see :mod:`o3ref.reference.conventions` (recouples Condon-Shortley CG).

    >>> wigner_6j(1, 1, 1, 1, 1, 2), wigner_6j(1, 1, 2, 1, 1, 1)  # one symbol, two columns swapped
    (1/6, 1/6)
    >>> wigner_6j(2, 2, 2, 1, 1, 1), wigner_6j(1, 2, 3, 1, 2, 3)
    (sqrt(21)/30, 1/105)
    >>> wigner_6j(1, 1, -1, 1, 1, 1)
    Traceback (most recent call last):
    ...
    ValueError: j3=-1 must be a non-negative integer or half-integer
    """
    return wigner_6j_exact(j1, j2, j3, j4, j5, j6).to_sympy()


def wigner_9j_exact(j1, j2, j3, j4, j5, j6, j7, j8, j9) -> SignedSqrt:
    """:func:`wigner_9j` as an exact :class:`SignedSqrt` (``sign * sqrt(p/q)``).

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> str(wigner_9j_exact(1, 1, 0, 1, 1, 0, 0, 0, 0))
    '1/3'
    """
    d = _doubled_all(_NAMES_9J, (j1, j2, j3, j4, j5, j6, j7, j8, j9))
    _check_9j_work(d)
    return SignedSqrt._raw(*_nine_j_doubled(d))


def wigner_9j(j1, j2, j3, j4, j5, j6, j7, j8, j9) -> sympy.Expr:
    """Exact Wigner 9j symbol ``{j1 j2 j3; j4 j5 j6; j7 j8 j9}`` (rows), a sympy number.

    Integers or half-integers, each non-negative; exact ``0`` unless each row and column is
    a triad (triangle rule, integer sum). Equals ``sympy.physics.wigner.wigner_9j`` (same
    order). Properties (tested): invariance under transposition, the orthogonality
    ``sum_{j3 j6} (2j3+1)(2j6+1)(2j7+1)(2j8+1) {9j}{9j'} = delta delta``.

    Conventions: see :mod:`o3ref.reference.conventions` (recouples Condon-Shortley CG).

    >>> wigner_9j(1, 1, 1, 1, 1, 1, 1, 1, 0), wigner_9j(1, 1, 1, 1, 1, 1, 0, 1, 1)
    (1/18, 1/18)
    >>> wigner_9j(1, 1, 2, 1, 1, 2, 2, 2, 2)  # negative
    -1/150
    """
    return wigner_9j_exact(j1, j2, j3, j4, j5, j6, j7, j8, j9).to_sympy()
