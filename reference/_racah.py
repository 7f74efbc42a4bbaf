"""Racah's formula for Clebsch-Gordan coefficients on integers (doubled angular momenta).

The core of :mod:`o3ref.reference.clebsch_gordan` and :mod:`o3ref.reference.real_cg`: a
coefficient is returned as the exact triple ``(num, den, s)`` meaning ``num/den * sqrt(s)``
with ``s`` square-free; no floats, no sympy.

Conventions: see :mod:`o3ref.reference.conventions` (Condon-Shortley phase).

>>> _cg_doubled(2, 2, 2, -2, 0, 0)  # <1 1 1 -1 | 0 0> = 1/sqrt(3) = sqrt(3)/3
(1, 3, 3)
"""

from __future__ import annotations

import functools
from math import gcd, isqrt

__all__: list[str] = []

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
        for i in range(2, isqrt(n) + 1):
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
