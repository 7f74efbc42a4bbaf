"""Exact Clebsch-Gordan coefficients and Wigner 3j symbols (the real ones: :mod:`.real_cg`).

The complex coefficients come from Racah's single-sum formula, evaluated on integers only:
angular momenta are *doubled* internally (``j = 3/2`` is ``3``), the alternating sum is a
Horner scheme on integer ratios, and the square root of the factorial prefactor is split
once into ``(a/b) sqrt(s)`` with ``s`` square-free, so a coefficient is the exact triple
``(num, den, s)`` meaning ``num/den * sqrt(s)``. Selection rules (``M != m1 + m2``, triangle,
``j1 + j2 + J`` not an integer) return an exact zero before any arithmetic.

Conventions: see :mod:`o3ref.reference.conventions` (section "Clebsch-Gordan").

>>> clebsch_gordan(1, 1, 1, -1, 0, 0), clebsch_gordan(1, 0, 1, 0, 0, 0)
(sqrt(3)/3, -sqrt(3)/3)
"""

from __future__ import annotations

from math import gcd

import sympy

from ._racah import _cg_doubled, _pair_part, _sqrt_split, _triangle_part
from .indexing import doubled
from .limits import check_work, racah_seconds
from .signed_sqrt import _INTERNED, SignedSqrt

__all__ = [
    "clebsch_gordan",
    "clebsch_gordan_exact",
    "wigner_3j",
    "wigner_3j_exact",
]

# ----------------------------------------------------------------------------- boundary


def _check_pair(j_name: str, j, m_name: str, m) -> tuple[int, int]:
    """Validate one ``(j, m)`` pair; return both doubled."""
    dj = doubled(j_name, j, non_negative=True)
    dm = doubled(m_name, m)
    if (dj - dm) % 2:
        raise ValueError(
            f"{m_name}={sympy.Rational(dm, 2)} and {j_name}={sympy.Rational(dj, 2)} must both be "
            f"integers or both half-integers ({j_name} - {m_name} must be an integer)"
        )
    if abs(dm) > dj:
        raise ValueError(
            f"{m_name}={sympy.Rational(dm, 2)} must satisfy "
            f"|{m_name}| <= {j_name}={sympy.Rational(dj, 2)}"
        )
    return dj, dm


# Caches of plain tuples of ints (which the garbage collector stops tracking) and of sympy
# numbers; bounded: cleared when they grow past _CACHE_LIMIT entries.
_CACHE_LIMIT = 1 << 18
_CG_VALUES: dict[tuple[int, ...], tuple[int, int, int]] = {}
_SYMPY_VALUES: dict[tuple[int, int, int], sympy.Expr] = {}
_SQRT_CACHE: dict[int, sympy.Expr] = {}


# below this doubled j1 + j2 + J a Racah sum takes well under a second: no estimate needed
_CHEAP_SUM = 4000


def _nonzero_by_selection(dj1, dm1, dj2, dm2, dj, dm) -> bool:
    """Whether the selection rules allow a non-zero value (otherwise it costs nothing)."""
    return (dm1 + dm2 == dm and abs(dj1 - dj2) <= dj <= dj1 + dj2
            and (dj1 + dj2 + dj) % 2 == 0)


def _check_racah_work(dj1: int, dj2: int, dj: int) -> None:
    seconds, detail = racah_seconds(dj1, dj2, dj)
    what = "clebsch_gordan(l1={}, l2={}, L={})".format(
        *(d // 2 if d % 2 == 0 else f"{d}/2" for d in (dj1, dj2, dj)))
    check_work(what, seconds, detail)


def _cg_cached(dj1: int, dm1: int, dj2: int, dm2: int, dj: int, dm: int) -> tuple[int, int, int]:
    """:func:`_cg_doubled` through a cache keyed by the symmetry-reduced arguments:
    ``<j1 m1 j2 m2|J M> = (-1)^(j1+j2-J) <j1 -m1 j2 -m2|J -M> = (-1)^(j1+j2-J) <j2 m2 j1 m1|J M>``.
    """
    flip = False
    if dm < 0:
        dm1, dm2, dm, flip = -dm1, -dm2, -dm, True
    if dj1 < dj2 or (dj1 == dj2 and dm1 < dm2):
        dj1, dm1, dj2, dm2, flip = dj2, dm2, dj1, dm1, not flip
    key = (dj1, dm1, dj2, dm2, dj, dm)
    value = _CG_VALUES.get(key)
    if value is None:
        if dj1 + dj2 + dj > _CHEAP_SUM and _nonzero_by_selection(dj1, dm1, dj2, dm2, dj, dm):
            _check_racah_work(dj1, dj2, dj)
        if len(_CG_VALUES) > _CACHE_LIMIT:
            _CG_VALUES.clear()
        value = _CG_VALUES[key] = _cg_doubled(dj1, dm1, dj2, dm2, dj, dm)
    if flip and ((dj1 + dj2 - dj) // 2) % 2:
        return (-value[0], value[1], value[2])
    return value


def _to_sympy(num: int, den: int, s: int) -> sympy.Expr:
    """``num/den sqrt(s)`` as a canonical sympy number, built without re-factoring."""
    key = (num, den, s)
    value = _SYMPY_VALUES.get(key)
    if value is not None:
        return value
    coeff = sympy.Rational(num, den)
    if s == 1 or num == 0:
        value = coeff
    else:
        root = _SQRT_CACHE.get(s)
        if root is None:
            # s is square-free: Pow(s, 1/2) is what sympy.sqrt(s) returns, without factoring
            root = sympy.Pow(sympy.Integer(s), sympy.S.Half, evaluate=False)
            _SQRT_CACHE[s] = root
        # and coeff * sqrt(s) is already in sympy's canonical form Mul(coeff, root)
        value = root if num == den else sympy.Mul._from_args((coeff, root), True)
    if len(_SYMPY_VALUES) > _CACHE_LIMIT:
        _SYMPY_VALUES.clear()
    _SYMPY_VALUES[key] = value
    return value


def _all_int(*values) -> bool:
    for v in values:
        if type(v) is not int:
            return False
    return True


def _to_signed_sqrt(num: int, den: int, s: int) -> SignedSqrt:
    if num == 0:
        return SignedSqrt._raw(0, 0, 1)
    p, q = num * num * s, den * den
    g = gcd(p, q)
    return SignedSqrt._raw(1 if num > 0 else -1, p // g, q // g)


def clebsch_gordan_exact(l1, m1, l2, m2, L, M) -> SignedSqrt:
    """``<l1 m1 l2 m2 | L M>`` as an exact :class:`SignedSqrt` (``sign * sqrt(p/q)``).

    Same arguments and checks as :func:`clebsch_gordan`.
    Conventions: see :mod:`o3ref.reference.conventions` (Condon-Shortley).

    >>> str(clebsch_gordan_exact(1, 1, 1, -1, 2, 0)), str(clebsch_gordan_exact(1, 0, 1, 0, 0, 0))
    ('sqrt(1/6)', '-sqrt(1/3)')
    """
    return _to_signed_sqrt(*_cg_checked(l1, m1, l2, m2, L, M))


def _cg_checked(l1, m1, l2, m2, L, M) -> tuple[int, int, int]:
    if (
        _all_int(l1, m1, l2, m2, L, M) and -l1 <= m1 <= l1 and -l2 <= m2 <= l2 and -L <= M <= L
    ):  # fast path for valid integer arguments
        return _cg_cached(2 * l1, 2 * m1, 2 * l2, 2 * m2, 2 * L, 2 * M)
    d1 = _check_pair("l1", l1, "m1", m1)
    d2 = _check_pair("l2", l2, "m2", m2)
    d3 = _check_pair("L", L, "M", M)
    return _cg_cached(d1[0], d1[1], d2[0], d2[1], d3[0], d3[1])


def clebsch_gordan(l1, m1, l2, m2, L, M) -> sympy.Expr:
    """Exact Clebsch-Gordan coefficient ``<l1 m1 l2 m2 | L M>`` (Condon-Shortley phase).

    Arguments are integers or half-integers (int, ``fractions.Fraction`` or sympy
    ``Rational``); each ``m`` must lie in ``-l..l`` in integer steps from ``l``. Selection
    rules (``M != m1 + m2``, triangle ``|l1 - l2| <= L <= l1 + l2``, ``l1 + l2 + L`` not an
    integer) give an exact ``0``. The value is a sympy ``Rational`` times ``sqrt`` of a
    square-free integer. Note the argument order: pairs ``(l, m)``, unlike sympy's
    ``clebsch_gordan(j1, j2, j3, m1, m2, m3)``.

    Conventions: see :mod:`o3ref.reference.conventions` (Condon-Shortley; equals sympy's
    ``clebsch_gordan(l1, l2, L, m1, m2, M)``).

    >>> clebsch_gordan(1, 1, 1, -1, 1, 0), clebsch_gordan(1, 0, 1, 0, 2, 0)
    (sqrt(2)/2, sqrt(6)/3)
    >>> from fractions import Fraction
    >>> h = Fraction(1, 2)
    >>> clebsch_gordan(h, h, h, -h, 0, 0), clebsch_gordan(h, -h, h, h, 0, 0)
    (sqrt(2)/2, -sqrt(2)/2)
    >>> clebsch_gordan(1, 2, 1, 0, 1, 2)
    Traceback (most recent call last):
    ...
    ValueError: m1=2 must satisfy |m1| <= l1=1
    """
    return _to_sympy(*_cg_checked(l1, m1, l2, m2, L, M))


def _three_j_doubled(dj1, dm1, dj2, dm2, dj3, dm3) -> tuple[int, int, int]:
    """``(j1 j2 j3; m1 m2 m3) = (-1)^(j1-j2-m3) <j1 m1 j2 m2 | j3 -m3> / sqrt(2 j3 + 1)``."""
    if dm1 + dm2 + dm3:
        return (0, 1, 1)
    num, den, s = _cg_cached(dj1, dm1, dj2, dm2, dj3, -dm3)
    if num == 0:
        return (0, 1, 1)
    if ((dj1 - dj2 - dm3) // 2) % 2:
        num = -num
    # divide by sqrt(n) = multiply by sqrt(n)/n, then re-split sqrt(s n)
    n = dj3 + 1
    # primes of s come from factorials of at most j1 + j2 + j3 + 1
    a, s = _sqrt_split(s * n, (dj1 + dj2 + dj3) // 2 + 2)
    num, den = num * a, den * n
    g = gcd(num, den)
    return (num // g, den // g, s)


def _three_j_checked(l1, l2, l3, m1, m2, m3) -> tuple[int, int, int]:
    d1 = _check_pair("l1", l1, "m1", m1)
    d2 = _check_pair("l2", l2, "m2", m2)
    d3 = _check_pair("l3", l3, "m3", m3)
    return _three_j_doubled(d1[0], d1[1], d2[0], d2[1], d3[0], d3[1])


def wigner_3j(l1, l2, l3, m1, m2, m3) -> sympy.Expr:
    """Exact Wigner 3j symbol ``(l1 l2 l3; m1 m2 m3)`` (sympy's argument order).

    Integers or half-integers; exact ``0`` unless ``m1 + m2 + m3 = 0`` and the triangle rule
    holds. Related to :func:`clebsch_gordan` by
    ``<l1 m1 l2 m2 | L M> = (-1)^(l1 - l2 + M) sqrt(2L + 1) (l1 l2 L; m1 m2 -M)``.

    Conventions: see :mod:`o3ref.reference.conventions` (section "Clebsch-Gordan").

    >>> wigner_3j(1, 1, 0, 1, -1, 0), wigner_3j(1, 1, 2, 0, 0, 0)
    (sqrt(3)/3, sqrt(30)/15)
    >>> wigner_3j(1, 1, 1, 0, 0, 0)  # l1 + l2 + l3 odd with all m = 0: exact zero
    0
    """
    return _to_sympy(*_three_j_checked(l1, l2, l3, m1, m2, m3))


def wigner_3j_exact(l1, l2, l3, m1, m2, m3) -> SignedSqrt:
    """:func:`wigner_3j` as an exact :class:`SignedSqrt`.

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> str(wigner_3j_exact(1, 1, 0, 0, 0, 0))
    '-sqrt(1/3)'
    """
    return _to_signed_sqrt(*_three_j_checked(l1, l2, l3, m1, m2, m3))


def _clear_caches() -> None:
    """Forget every cached coefficient (benchmarks time the cold computation)."""
    _CG_VALUES.clear()
    _SYMPY_VALUES.clear()
    _triangle_part.cache_clear()
    _pair_part.cache_clear()
    _sqrt_split.cache_clear()
    _SQRT_CACHE.clear()
    _INTERNED.clear()
