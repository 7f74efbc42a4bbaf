"""Exact monomial coefficients of the real solid harmonics ``R_lm = r^l Y_lm``.

``R_lm(x, y, z) = sum c[a, b, c] x^a y^b z^c`` over ``a + b + c = l``; each coefficient is
``sign * sqrt(p/q) / sqrt(pi)`` (the ``1/sqrt(pi)`` of the orthonormal normalisation is part
of the coefficient, as in :func:`o3ref.reference.real_solid_harmonic`). This is what code
generators for real harmonics (sphericart, e3nn) start from.

Derived here with integers only, independently of the sympy polynomial of
:mod:`o3ref.reference.harmonics` (the tests compare the two):
``R_lm = N_lm r^l P_l^|m|(z/r) / r^|m| * A_m(x, y)`` with
``r^(l-k) d^k P_l / dt^k (z/r) = 2^-l sum_j (-1)^j C(l, j) C(2l-2j, l) (l-2j)!/(l-2j-k)!
z^(l-2j-k) (x^2+y^2+z^2)^j`` (``k = |m|``), ``A_m = Re (x + i y)^k`` (``m >= 0``) or
``Im (x + i y)^k`` (``m < 0``), and ``N_lm^2 = (2 - delta_m0) (2l+1)/(4 pi) (l-k)!/(l+k)!``.
No Condon-Shortley phase is left in the real form.

Conventions: see :mod:`o3ref.reference.conventions` (``Y_1 = sqrt(3/4pi) (y, z, x)/r``).

>>> c = solid_harmonic_coefficients(1)
>>> c[-1], c[1]                        # R_1,-1 = sqrt(3/(4 pi)) y;  R_1,1 = +sqrt(3/(4 pi)) x
({(0, 1, 0): sqrt(3)/(2*sqrt(pi))}, {(1, 0, 0): sqrt(3)/(2*sqrt(pi))})
>>> list(solid_harmonic_coefficients(2)[0].values())  # sqrt(5/(16 pi)) (2 z^2 - x^2 - y^2)
[-sqrt(5)/(4*sqrt(pi)), -sqrt(5)/(4*sqrt(pi)), sqrt(5)/(2*sqrt(pi))]
"""

from __future__ import annotations

import functools
from fractions import Fraction
from math import comb, factorial, gcd

import sympy

from .indexing import check_degree
from .limits import check_work, solid_polynomial_seconds

__all__ = ["solid_harmonic_coefficients"]


def _r2_power(j: int) -> dict[tuple[int, int, int], int]:
    """``(x^2 + y^2 + z^2)^j`` as ``{(a, b, c): integer}``."""
    out = {}
    for a in range(j + 1):
        for b in range(j - a + 1):
            c = j - a - b
            multinomial = factorial(j) // (factorial(a) * factorial(b) * factorial(c))
            out[(2 * a, 2 * b, 2 * c)] = multinomial
    return out


@functools.lru_cache(maxsize=256)
def _solid_rows(l: int) -> tuple[tuple[int, int, int, int, int, int, int], ...]:
    """``(m, a, b, c, sign, p, q)`` for every non-zero coefficient of ``sqrt(pi) R_lm``,
    ``m`` ascending, then ``(a, b, c)`` descending in ``a`` then ``b`` (lexicographic on
    ``(m, -a, -b)``, so that ``x`` powers come first); ``sign sqrt(p/q)`` in lowest terms."""
    rows = []
    for m in range(-l, l + 1):
        k = abs(m)
        poly: dict[tuple[int, int, int], Fraction] = {}
        # azimuthal part: Re/Im (x + i y)^k = sum_t C(k, t) x^(k-t) i^t y^t
        azimuthal = {}
        for t in range(k + 1):
            if (t % 2 == 0) == (m >= 0):
                azimuthal[(k - t, t)] = comb(k, t) * (-1 if (t // 2) % 2 else 1)
        for j in range((l - k) // 2 + 1):
            coeff = Fraction(
                (-1) ** j * comb(l, j) * comb(2 * l - 2 * j, l) * factorial(l - 2 * j),
                2**l * factorial(l - 2 * j - k),
            )
            zpow = l - 2 * j - k
            for (a, b, c), mult in _r2_power(j).items():
                for (ax, by), az in azimuthal.items():
                    key = (a + ax, b + by, c + zpow)
                    poly[key] = poly.get(key, 0) + coeff * mult * az
        norm_num = (2 if m else 1) * (2 * l + 1) * factorial(l - k)
        norm_den = 4 * factorial(l + k)
        for (a, b, c) in sorted(poly, key=lambda e: (-e[0], -e[1])):
            value = poly[(a, b, c)]
            if value == 0:
                continue
            p = value.numerator**2 * norm_num
            q = value.denominator**2 * norm_den
            g = gcd(p, q)
            rows.append((m, a, b, c, 1 if value > 0 else -1, p // g, q // g))
    return tuple(rows)


def solid_harmonic_coefficients(l) -> dict[int, dict[tuple[int, int, int], sympy.Expr]]:
    """Exact monomial coefficients of every real solid harmonic ``R_lm`` of degree ``l``.

    Returns ``{m: {(a, b, c): coefficient}}`` for ``m = -l..l`` (ascending), meaning
    ``R_lm = sum coefficient * x^a y^b z^c``; only non-zero coefficients, each an exact sympy
    number ``sign * sqrt(p/q) / sqrt(pi)``. ``sum_m R_lm^2 = (2l+1)/(4 pi) r^(2l)`` and
    ``R_lm(x, y, z) = r^l Y_lm(r/|r|)`` (both tested, the second against
    :func:`o3ref.reference.real_solid_harmonic`).

    Conventions: see :mod:`o3ref.reference.conventions` (real ``Y_lm``).

    >>> solid_harmonic_coefficients(2)[-2]   # sqrt(15/(4 pi)) x y, positive
    {(1, 1, 0): sqrt(15)/(2*sqrt(pi))}
    >>> solid_harmonic_coefficients(-1)
    Traceback (most recent call last):
    ...
    ValueError: l=-1 must be a non-negative integer
    """
    l = check_degree("l", l)
    check_work(f"solid_harmonic_coefficients(l={l})", *solid_polynomial_seconds(l))
    out: dict[int, dict[tuple[int, int, int], sympy.Expr]] = {m: {} for m in range(-l, l + 1)}
    root_pi = sympy.sqrt(sympy.pi)
    for m, a, b, c, sign, p, q in _solid_rows(l):
        out[m][(a, b, c)] = sign * sympy.sqrt(sympy.Rational(p, q)) / root_pi
    return out
