"""Exact Clebsch-Gordan coefficients, Wigner 3j symbols and real Clebsch-Gordan arrays.

The complex coefficients come from Racah's single-sum formula, evaluated on integers only:
angular momenta are *doubled* internally (``j = 3/2`` is ``3``), the alternating sum is a
Horner scheme on integer ratios, and the square root of the factorial prefactor is split
once into ``(a/b) sqrt(s)`` with ``s`` square-free, so a coefficient is the exact triple
``(num, den, s)`` meaning ``num/den * sqrt(s)``. Selection rules (``M != m1 + m2``, triangle,
``j1 + j2 + J`` not an integer) return an exact zero before any arithmetic.

The real coefficients follow CONVENTIONS: ``K = U1 (x) U2 . CG . conj(UL)``; the real CG is
``Re K`` (``l1 + l2 + L`` even) or ``Im K`` (odd). Each entry is a
:class:`~o3ref.reference.signed_sqrt.SignedSqrt`.

Conventions: see :mod:`o3ref.reference.conventions` (section "Clebsch-Gordan").

>>> clebsch_gordan(1, 1, 1, -1, 0, 0), clebsch_gordan(1, 0, 1, 0, 0, 0)
(sqrt(3)/3, -sqrt(3)/3)
"""

from __future__ import annotations

import functools
from math import gcd

import numpy as np
import sympy

from .indexing import check_degree, doubled, m_index, triangle
from .signed_sqrt import _INTERNED, SignedSqrt

__all__ = [
    "clebsch_gordan",
    "clebsch_gordan_exact",
    "real_clebsch_gordan",
    "wigner_3j",
    "wigner_3j_exact",
]

# ----------------------------------------------------------------------------- integer helpers

_FACTORIALS: list[int] = [1]
_PRIMES: list[int] = []


def _factorial(n: int) -> int:
    facts = _FACTORIALS
    while len(facts) <= n:
        facts.append(facts[-1] * len(facts))
    return facts[n]


def _primes_up_to(n: int) -> list[int]:
    if not _PRIMES or _PRIMES[-1] < n:
        sieve = bytearray([1]) * (n + 1)
        sieve[0:2] = b"\x00\x00"
        for i in range(2, int(n**0.5) + 1):
            if sieve[i]:
                sieve[i * i :: i] = bytearray(len(sieve[i * i :: i]))
        _PRIMES[:] = [i for i in range(n + 1) if sieve[i]]
    return _PRIMES


@functools.lru_cache(maxsize=4096)
def _sqrt_split(value: int, largest_prime: int) -> tuple[int, int]:
    """``sqrt(value) = a * sqrt(s)`` with ``s`` square-free, for ``value`` whose prime
    factors are all ``<= largest_prime`` (products of small factorials)."""
    a, s = 1, 1
    for p in _primes_up_to(largest_prime):
        if p > value:
            break
        e = 0
        while value % p == 0:
            value //= p
            e += 1
        if e:
            a *= p ** (e // 2)
            if e % 2:
                s *= p
    assert value == 1, "value had a prime factor above largest_prime"
    return a, s


def _merge_sqrt(a1: int, s1: int, a2: int, s2: int) -> tuple[int, int]:
    """``a1 sqrt(s1) * a2 sqrt(s2) = a sqrt(s)`` for square-free ``s1, s2``."""
    g = gcd(s1, s2)
    return a1 * a2 * g, (s1 // g) * (s2 // g)


@functools.lru_cache(maxsize=8192)
def _pair_part(dj: int, dm: int) -> tuple[int, int]:
    """``sqrt((j+m)! (j-m)!)`` split as ``(a, s)``; doubled arguments."""
    hi, lo = (dj + dm) // 2, (dj - dm) // 2
    return _sqrt_split(_factorial(hi) * _factorial(lo), max(hi, lo, 2))


@functools.lru_cache(maxsize=8192)
def _triangle_part(dj1: int, dj2: int, dj: int) -> tuple[int, int, int]:
    """``sqrt((2J+1) (j1+j2-J)! (j1-j2+J)! (-j1+j2+J)! / (j1+j2+J+1)!)`` as ``(a, b, s)``,
    meaning ``a/b sqrt(s)``; arguments doubled."""
    n = (dj1 + dj2 + dj) // 2 + 1
    num = (dj + 1) * _factorial((dj1 + dj2 - dj) // 2)
    num *= _factorial((dj1 - dj2 + dj) // 2) * _factorial((-dj1 + dj2 + dj) // 2)
    den = _factorial(n)
    # sqrt(num/den) = sqrt(num * den) / den
    a, s = _sqrt_split(num * den, max(n, dj + 1, 2))
    g = gcd(a, den)
    return a // g, den // g, s


def _cg_doubled(dj1: int, dm1: int, dj2: int, dm2: int, dj: int, dm: int) -> tuple[int, int, int]:
    """Exact ``<j1 m1 j2 m2 | J M>`` as ``(num, den, s)`` = ``num/den sqrt(s)``, doubled input.

    The (j, m) pairs must already be valid; selection rules give ``(0, 1, 1)``.
    """
    if dm1 + dm2 != dm or abs(dm) > dj:
        return (0, 1, 1)
    if dj < abs(dj1 - dj2) or dj > dj1 + dj2 or (dj1 + dj2 + dj) % 2:
        return (0, 1, 1)
    a = (dj1 + dj2 - dj) // 2
    b = (dj1 - dm1) // 2
    c = (dj2 + dm2) // 2
    d = (dj - dj2 + dm1) // 2
    e = (dj - dj1 - dm2) // 2
    kmin = max(0, -d, -e)
    kmax = min(a, b, c)
    if kmin > kmax:
        return (0, 1, 1)
    # alternating sum of 1/(k! (a-k)! (b-k)! (c-k)! (d+k)! (e+k)!) by Horner on term ratios
    acc_num, acc_den = 1, 1
    for k in range(kmax, kmin, -1):
        r_num = (a - k + 1) * (b - k + 1) * (c - k + 1)
        r_den = k * (d + k) * (e + k)
        acc_num, acc_den = acc_den * r_den - r_num * acc_num, acc_den * r_den
    if acc_num == 0:
        return (0, 1, 1)
    f = _FACTORIALS
    if len(f) <= a + b + c + d + e:
        _factorial(a + b + c + d + e)
    t_den = f[kmin] * f[a - kmin] * f[b - kmin] * f[c - kmin] * f[d + kmin] * f[e + kmin]
    if kmin % 2:
        acc_num = -acc_num
    # prefactor sqrt((2J+1) Delta) * sqrt((j1+m1)!(j1-m1)!(j2+m2)!(j2-m2)!(J+M)!(J-M)!)
    ta, tb, ts = _triangle_part(dj1, dj2, dj)
    pa, ps = _pair_part(dj1, dm1)
    qa, qs = _pair_part(dj2, dm2)
    ra, rs = _pair_part(dj, dm)
    pa, ps = _merge_sqrt(pa, ps, qa, qs)
    pa, ps = _merge_sqrt(pa, ps, ra, rs)
    pa, ps = _merge_sqrt(pa, ps, ta, ts)
    num = acc_num * pa
    den = acc_den * t_den * tb
    g = gcd(num, den)
    return (num // g, den // g, ps)


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
    a, s = _sqrt_split(s * n, max(n, s, 2))
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


# ----------------------------------------------------------------------------- real CG

# Column m of U (CONVENTIONS) as [(mu, (re, im) of the phase)], all with modulus 1/sqrt2
# except m = 0 (modulus 1).


@functools.lru_cache(maxsize=256)
def _u_column(m: int) -> tuple[tuple[int, int, int], ...]:
    if m == 0:
        return ((0, 1, 0),)
    k = abs(m)
    sign = -1 if k % 2 else 1
    if m > 0:
        return ((k, sign, 0), (-k, 1, 0))
    return ((k, 0, sign), (-k, 0, -1))


@functools.lru_cache(maxsize=256)
def _u_row_targets(mu: int) -> tuple[tuple[int, int, int], ...]:
    """Real orders ``M`` with ``U[mu, M] != 0`` and ``conj(U[mu, M])`` as ``(M, re, im)``."""
    out = []
    for bigm in (abs(mu), -abs(mu)) if mu else (0,):
        for mu_l, re, im in _u_column(bigm):
            if mu_l == mu:
                out.append((bigm, re, -im))
    return tuple(out)


def _real_cg_entries(l1: int, l2: int, L: int) -> dict[tuple[int, int, int], SignedSqrt]:
    """Non-zero real CG entries ``{(m1, m2, M): SignedSqrt}`` (integers l, m).

    ``K[m1, m2, M] = 2^(-n/2) sum phase(U1) phase(U2) conj(phase(UL)) num/den sqrt(s)`` over
    the (at most four) complex orders in the columns of ``U``; ``n`` counts the non-zero
    orders among ``m1, m2, M``. Both complex CG in a sum have the same modulus (they are
    related by ``m -> -m``), so ``K`` is a Gaussian integer times one ``1/den sqrt(s)``.
    """
    odd = (l1 + l2 + L) % 2
    d1, d2, dL = 2 * l1, 2 * l2, 2 * L
    # the complex CG <l1 mu1 l2 mu2 | L mu1+mu2>, each computed once (m -> -m symmetry)
    cg: dict[tuple[int, int], tuple[int, int, int]] = {}
    for mu1 in range(-l1, l1 + 1):
        for mu2 in range(max(-l2, -L - mu1), min(l2, L - mu1) + 1):
            if (mu1, mu2) in cg:
                continue
            value = _cg_doubled(d1, 2 * mu1, d2, 2 * mu2, dL, 2 * (mu1 + mu2))
            cg[(mu1, mu2)] = value
            cg[(-mu1, -mu2)] = (-value[0], value[1], value[2]) if odd else value
    columns = {m: _u_column(m) for m in range(-max(l1, l2), max(l1, l2) + 1)}
    targets = {mu: _u_row_targets(mu) for mu in range(-L, L + 1)}
    raw = SignedSqrt._raw
    out = {}
    for m1 in range(-l1, l1 + 1):
        col1 = columns[m1]
        for m2 in range(-l2, l2 + 1):
            col2 = columns[m2]
            acc: dict[int, list[int]] = {}  # M -> [re, im, den, s]
            for mu1, r1, i1 in col1:
                for mu2, r2, i2 in col2:
                    value = cg.get((mu1, mu2))
                    if value is None or not value[0]:
                        continue
                    num = value[0]
                    pr, pi = (r1 * r2 - i1 * i2) * num, (r1 * i2 + i1 * r2) * num
                    for bigm, rl, il in targets[mu1 + mu2]:
                        slot = acc.get(bigm)
                        if slot is None:
                            slot = acc[bigm] = [0, 0, value[1], value[2]]
                        else:
                            assert (slot[2], slot[3]) == value[1:], "paired CG moduli must agree"
                        slot[0] += pr * rl - pi * il
                        slot[1] += pr * il + pi * rl
            for bigm, (re, im, den, s) in acc.items():
                value, other = (im, re) if odd else (re, im)
                assert other == 0, "K must be real (l1+l2+L even) or imaginary (odd)"
                if value == 0:
                    continue
                n = (m1 != 0) + (m2 != 0) + (bigm != 0)
                p, q = value * value * s, den * den << n
                g = gcd(p, q)
                out[(m1, m2, bigm)] = raw(1 if value > 0 else -1, p // g, q // g)
    return out


_ZERO = SignedSqrt._raw(0, 0, 1)


@functools.lru_cache(maxsize=2048)
def _real_cg_sparse(l1: int, l2: int, L: int) -> tuple[tuple[tuple[int, int, int], ...], tuple]:
    """Non-zero entries as ``(((m1, m2, M), ...), (SignedSqrt, ...))``, sorted by orders."""
    if L not in triangle(l1, l2):
        return ((), ())
    if l1 < l2:
        # swap symmetry: C^{l1 l2 L}[m1, m2, M] = (-1)^(l1+l2-L) C^{l2 l1 L}[m2, m1, M]
        keys, values = _real_cg_sparse(l2, l1, L)
        odd = (l1 + l2 + L) % 2
        swapped = zip(keys, values, strict=True)
        pairs = sorted(((m1, m2, bigm), -v if odd else v) for (m2, m1, bigm), v in swapped)
    else:
        pairs = sorted(_real_cg_entries(l1, l2, L).items())
    return tuple(k for k, _ in pairs), tuple(v for _, v in pairs)


def _real_cg_array(l1: int, l2: int, L: int) -> np.ndarray:
    shape = (2 * l1 + 1, 2 * l2 + 1, 2 * L + 1)
    out = np.full(shape[0] * shape[1] * shape[2], _ZERO, dtype=object)
    keys, entries = _real_cg_sparse(l1, l2, L)
    if keys:
        # flat positions of (m1, m2, M) in C order, indices m + l
        n2, n3 = shape[1], shape[2]
        flat = [
            (m_index(l1, m1) * n2 + m_index(l2, m2)) * n3 + m_index(L, bigm)
            for m1, m2, bigm in keys
        ]
        values = np.empty(len(flat), dtype=object)
        values[:] = entries
        out[flat] = values
    return out.reshape(shape)


def real_clebsch_gordan(l1, l2, L) -> np.ndarray:
    """Exact real Clebsch-Gordan array ``C[m1, m2, M]`` of shape ``(2l1+1, 2l2+1, 2L+1)``.

    Entries are :class:`~o3ref.reference.signed_sqrt.SignedSqrt` (``sign * sqrt(p/q)``,
    with ``.to_sympy()`` and ``float()``); zeros, including every entry when ``L`` breaks
    the triangle rule, are the exact zero ``SignedSqrt(0, 0, 1)``. Indices are
    ``m + l`` (orders ascending). It couples real harmonics:
    ``sum C[m1, m2, M] (D1 x)[m1] (D2 z)[m2] = sum_M' D^L[M, M'] sum C[m1, m2, M'] x[m1] z[m2]``.

    Conventions: see :mod:`o3ref.reference.conventions` (``Re K`` or ``Im K``).

    >>> c = real_clebsch_gordan(1, 1, 0)  # -(u . v)/sqrt(3)
    >>> [str(c[i, i, 0]) for i in range(3)]
    ['-sqrt(1/3)', '-sqrt(1/3)', '-sqrt(1/3)']
    >>> str(real_clebsch_gordan(1, 1, 1)[0, 1, 2])  # (u x v)_x / sqrt2 with (y, z, x) order
    'sqrt(1/2)'
    """
    l1 = check_degree("l1", l1)
    l2 = check_degree("l2", l2)
    L = check_degree("L", L)
    return _real_cg_array(l1, l2, L)


def _clear_caches() -> None:
    """Forget every cached coefficient (benchmarks time the cold computation)."""
    _CG_VALUES.clear()
    _SYMPY_VALUES.clear()
    _real_cg_sparse.cache_clear()
    _triangle_part.cache_clear()
    _pair_part.cache_clear()
    _sqrt_split.cache_clear()
    _SQRT_CACHE.clear()
    _INTERNED.clear()
