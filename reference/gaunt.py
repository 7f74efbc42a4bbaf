"""Exact Gaunt coefficients: integrals of three spherical harmonics, complex and real.

``gaunt(l1, m1, l2, m2, l3, m3) = integral Y_l1^m1 Y_l2^m2 Y_l3^m3 dOmega`` (complex,
Condon-Shortley, no conjugate: the definition of ``sympy.physics.wigner.gaunt``) and
``real_gaunt(...)``, the same integral of o3ref's real harmonics ``Y_lm``. Each value is
``sign * sqrt(p/q) / sqrt(pi)``; internally the triple ``(sign, p, q)`` of ``sqrt(pi)`` times
the coefficient, integers only. Two routes, cross-checked exactly by the tests:

* 3j route: ``gaunt = sqrt((2l1+1)(2l2+1)(2l3+1)/(4 pi)) (l1 l2 l3; 0 0 0)
  (l1 l2 l3; m1 m2 m3)``; the real one is ``sum conj(U1[mu1, m1]) conj(U2[mu2, m2])
  conj(U3[mu3, m3]) gaunt(mu1, mu2, mu3)`` with ``U`` of :func:`o3ref.reference.complex_to_real`.
* CG route: the product ``Y_l1 Y_l2`` expanded on ``Y_l3``:
  ``gaunt = (-1)^m3 c <l1 m1 l2 m2 | l3 -m3>`` and ``real_gaunt = c C[m1, m2, m3]`` with the
  real CG ``C`` of :func:`o3ref.reference.real_clebsch_gordan` and
  ``c = sqrt((2l1+1)(2l2+1)/(4 pi (2l3+1))) <l1 0 l2 0 | l3 0>``.

Both vanish unless ``l1 + l2 + l3`` is even and the triangle rule holds; the complex one also
unless ``m1 + m2 + m3 = 0``. sympy's ``real_gaunt`` integrates ``(-1)^m Y_lm`` (its U
matrix); the sign ``(-1)^(m1+m2+m3)`` is ``+1`` wherever either is non-zero, so the values
are equal (the map, and the equality for every entry with l <= 6, are proven in
``tests/reference/test_ref_gaunt.py``).

Conventions: see :mod:`o3ref.reference.conventions` (real ``Y_lm``, Condon-Shortley CG).

>>> gaunt(1, 1, 1, -1, 0, 0)          # Y_1^1 Y_1^-1 Y_0^0: negative (Condon-Shortley)
-1/(2*sqrt(pi))
>>> real_gaunt(1, 1, 1, 1, 2, 0)      # x x (3z^2 - r^2): negative
-sqrt(5)/(10*sqrt(pi))
"""

from __future__ import annotations

from math import gcd

import sympy

from .clebsch_gordan import _cg_cached, _three_j_doubled
from .indexing import check_degree, check_order, triangle
from .limits import check_work, racah_seconds
from .real_cg import _real_cg_entry

__all__ = ["gaunt", "real_gaunt"]


def _reduce(sign: int, p: int, q: int) -> tuple[int, int, int]:
    if sign == 0 or p == 0:
        return (0, 0, 1)
    g = gcd(p, q)
    return (sign, p // g, q // g)


def _selection(l1: int, l2: int, l3: int) -> bool:
    return (l1 + l2 + l3) % 2 == 0 and l3 in triangle(l1, l2)


def _gaunt_3j(l1: int, m1: int, l2: int, m2: int, l3: int, m3: int) -> tuple[int, int, int]:
    """``sqrt(pi) gaunt`` as ``(sign, p, q)`` by the 3j route (integer arguments)."""
    if m1 + m2 + m3 or not _selection(l1, l2, l3):
        return (0, 0, 1)
    a = _three_j_doubled(2 * l1, 0, 2 * l2, 0, 2 * l3, 0)
    b = _three_j_doubled(2 * l1, 2 * m1, 2 * l2, 2 * m2, 2 * l3, 2 * m3)
    if a[0] == 0 or b[0] == 0:
        return (0, 0, 1)
    sign = (1 if a[0] > 0 else -1) * (1 if b[0] > 0 else -1)
    p = (2 * l1 + 1) * (2 * l2 + 1) * (2 * l3 + 1) * a[0] ** 2 * a[2] * b[0] ** 2 * b[2]
    return _reduce(sign, p, 4 * a[1] ** 2 * b[1] ** 2)


def _cg_scale(l1: int, l2: int, l3: int) -> tuple[int, int, int]:
    """``sqrt(pi) c`` of the CG route as ``(sign, p, q)``."""
    num, den, s = _cg_cached(2 * l1, 0, 2 * l2, 0, 2 * l3, 0)
    if num == 0:
        return (0, 0, 1)
    p = (2 * l1 + 1) * (2 * l2 + 1) * num * num * s
    return _reduce(1 if num > 0 else -1, p, 4 * (2 * l3 + 1) * den * den)


def _gaunt_cg(l1: int, m1: int, l2: int, m2: int, l3: int, m3: int) -> tuple[int, int, int]:
    """``sqrt(pi) gaunt`` as ``(sign, p, q)`` by the CG route (integer arguments)."""
    if m1 + m2 + m3 or not _selection(l1, l2, l3):
        return (0, 0, 1)
    cs, cp, cq = _cg_scale(l1, l2, l3)
    num, den, s = _cg_cached(2 * l1, 2 * m1, 2 * l2, 2 * m2, 2 * l3, -2 * m3)
    if cs == 0 or num == 0:
        return (0, 0, 1)
    sign = cs * (1 if num > 0 else -1) * (-1 if m3 % 2 else 1)
    return _reduce(sign, cp * num * num * s, cq * den * den)


def _to_sympy(sign: int, p: int, q: int) -> sympy.Expr:
    if sign == 0:
        return sympy.Integer(0)
    return sign * sympy.sqrt(sympy.Rational(p, q)) / sympy.sqrt(sympy.pi)


def _check(name, l1, m1, l2, m2, l3, m3) -> tuple[int, ...]:
    l1, l2, l3 = check_degree("l1", l1), check_degree("l2", l2), check_degree("l3", l3)
    if _selection(l1, l2, l3):  # two to five Racah sums of this size: refused up front
        seconds, detail = racah_seconds(2 * l1, 2 * l2, 2 * l3)
        check_work(f"{name}(l1={l1}, l2={l2}, l3={l3})", 5 * seconds, detail)
    return (l1, check_order("m1", m1, l1, "l1"), l2, check_order("m2", m2, l2, "l2"),
            l3, check_order("m3", m3, l3, "l3"))


def gaunt(l1, m1, l2, m2, l3, m3) -> sympy.Expr:
    """Exact complex Gaunt coefficient ``integral Y_l1^m1 Y_l2^m2 Y_l3^m3 dOmega``.

    Integer degrees and orders with ``|m| <= l``; an exact sympy number
    ``sign * sqrt(p/q) / sqrt(pi)``, exact ``0`` by the selection rules. Equals
    ``sympy.physics.wigner.gaunt(l1, l2, l3, m1, m2, m3)`` (note the argument order: pairs
    ``(l, m)`` here). Computed by the 3j route; the CG route is the tests' cross-check.

    Conventions: see :mod:`o3ref.reference.conventions` (Condon-Shortley harmonics).

    >>> gaunt(0, 0, 0, 0, 0, 0)           # 1/sqrt(4 pi)
    1/(2*sqrt(pi))
    >>> gaunt(1, 1, 1, 0, 2, -1)          # negative
    -sqrt(15)/(10*sqrt(pi))
    >>> gaunt(1, 2, 1, 0, 2, -2)
    Traceback (most recent call last):
    ...
    ValueError: m1=2 must satisfy |m1| <= l1=1
    """
    return _to_sympy(*_gaunt_3j(*_check("gaunt", l1, m1, l2, m2, l3, m3)))


def real_gaunt(l1, m1, l2, m2, l3, m3) -> sympy.Expr:
    """Exact real Gaunt coefficient ``integral Y_l1m1 Y_l2m2 Y_l3m3 dOmega`` (real ``Y_lm``).

    Integer degrees and orders with ``|m| <= l``; an exact sympy number
    ``sign * sqrt(p/q) / sqrt(pi)``, exact ``0`` unless ``l1 + l2 + l3`` is even and the
    triangle rule holds. Computed by the CG route (``c C[m1, m2, m3]``, one entry of ``C``:
    a few Racah sums, their cost checked against the work budget up front); the 3j route is
    the tests' cross-check. Equals ``sympy.physics.wigner.real_gaunt(l1, l2, l3, m1, m2, m3)``.

    Conventions: see :mod:`o3ref.reference.conventions` (real ``Y_lm``,
    ``Y_1 = sqrt(3/4pi) (y, z, x)/r``).

    >>> real_gaunt(1, -1, 1, 0, 2, -1)    # y z against Y_2,-1 ~ +y z: positive
    sqrt(15)/(10*sqrt(pi))
    >>> real_gaunt(1, -1, 1, 1, 2, 2)     # y x has no x^2 - y^2 part
    0
    """
    return _to_sympy(*_real_gaunt_entry(*_check("real_gaunt", l1, m1, l2, m2, l3, m3)))


def _real_gaunt_entry(l1: int, m1: int, l2: int, m2: int, l3: int, m3: int):
    """``sqrt(pi) real_gaunt`` of one entry as ``(sign, p, q)`` by the CG route: the scale
    ``c`` and one real CG entry (at most five complex CG, each checked against the work
    budget), never the whole ``(l1, l2, l3)`` block."""
    if not _selection(l1, l2, l3):
        return (0, 0, 1)
    cs, cp, cq = _cg_scale(l1, l2, l3)
    if cs == 0:
        return (0, 0, 1)
    v = _real_cg_entry(l1, l2, l3, m1, m2, m3)
    return _reduce(cs * v.sign, cp * v.p, cq * v.q)
