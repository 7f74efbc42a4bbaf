"""Exact real Clebsch-Gordan arrays ``C[m1, m2, M]`` for real spherical harmonics.

Following CONVENTIONS, ``K[m1, m2, M] = sum U1[mu1, m1] U2[mu2, m2] <l1 mu1 l2 mu2 | L mu>
conj(UL[mu, M])``; the real CG is ``Re K`` (``l1 + l2 + L`` even) or ``Im K`` (odd). Each
column of ``U`` has at most two non-zero entries of modulus ``1/sqrt(2)`` (or one entry 1),
so ``K`` is a Gaussian integer times one complex CG modulus: every entry is an exact
:class:`o3ref.reference.signed_sqrt.SignedSqrt` computed with integers only.

Conventions: see :mod:`o3ref.reference.conventions` (section "Clebsch-Gordan").

>>> c = real_clebsch_gordan(1, 1, 2)
>>> str(c[0, 0, 2]), str(c[1, 1, 2])  # (y y) part of (u v)_{2,0} ~ -1/sqrt6, (z z) ~ +2/sqrt6
('-sqrt(1/6)', 'sqrt(2/3)')
"""

from __future__ import annotations

import functools
from math import gcd

import numpy as np

from ._racah import _cg_doubled
from .indexing import check_degree, coupling_flat_positions, triangle
from .limits import check_work, racah_seconds, real_cg_seconds
from .signed_sqrt import SignedSqrt

__all__ = ["real_clebsch_gordan"]

# Column m of U (CONVENTIONS) as ((mu, re, im), ...): the phase re + i im of U[mu, m], whose
# modulus is 1/sqrt2 (1 for m = 0).


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
    # the complex CG <l1 mu1 l2 mu2 | L mu1+mu2>, each computed once (m -> -m symmetry),
    # stored as cg[mu1 + l1][mu2 + l2] (None where |mu1 + mu2| > L)
    cg: list[list[tuple[int, int, int] | None]] = [[None] * (2 * l2 + 1) for _ in range(2 * l1 + 1)]
    for mu1 in range(-l1, l1 + 1):
        for mu2 in range(max(-l2, -L - mu1), min(l2, L - mu1) + 1):
            if cg[mu1 + l1][mu2 + l2] is not None:
                continue
            value = _cg_doubled(d1, 2 * mu1, d2, 2 * mu2, dL, 2 * (mu1 + mu2))
            cg[mu1 + l1][mu2 + l2] = value
            cg[-mu1 + l1][-mu2 + l2] = (-value[0], value[1], value[2]) if odd else value
    columns = {m: _u_column(m) for m in range(-max(l1, l2), max(l1, l2) + 1)}
    targets = {mu: _u_row_targets(mu) for mu in range(-L, L + 1)}
    raw = SignedSqrt._raw
    out = {}
    for m1 in range(-l1, l1 + 1):
        col1 = columns[m1]
        k1 = abs(m1)
        # |M| is k1 + k2 or |k1 - k2| and must be <= L: only |k1 - k2| <= L can contribute
        for k2 in range(max(0, k1 - L), min(l2, k1 + L) + 1):
            for m2 in (k2, -k2) if k2 else (0,):
                col2 = columns[m2]
                acc: dict[int, list[int]] = {}  # M -> [re, im, den, s]
                for mu1, r1, i1 in col1:
                    row = cg[mu1 + l1]
                    for mu2, r2, i2 in col2:
                        value = row[mu2 + l2]
                        if value is None or not value[0]:
                            continue
                        num = value[0]
                        pr, pi = (r1 * r2 - i1 * i2) * num, (r1 * i2 + i1 * r2) * num
                        for bigm, rl, il in targets[mu1 + mu2]:
                            slot = acc.get(bigm)
                            if slot is None:
                                slot = acc[bigm] = [0, 0, value[1], value[2]]
                            else:
                                assert (slot[2], slot[3]) == value[1:], "paired CG moduli differ"
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


def _real_cg_entry(l1: int, l2: int, L: int, m1: int, m2: int, bigm: int) -> SignedSqrt:
    """One real CG entry ``C[m1, m2, M]`` from at most four complex CG (the columns of ``U``
    hold two orders each), without the rest of the block; the Racah sum's cost is checked
    against the work budget first. Same sum as :func:`_real_cg_entries`."""
    if L not in triangle(l1, l2):
        return _ZERO
    check_work(f"real_clebsch_gordan(l1={l1}, l2={l2}, L={L})[m1={m1}, m2={m2}, M={bigm}]",
               *racah_seconds(2 * l1, 2 * l2, 2 * L))
    odd = (l1 + l2 + L) % 2
    re = im = 0
    den = s = None
    for mu1, r1, i1 in _u_column(m1):
        for mu2, r2, i2 in _u_column(m2):
            if abs(mu1 + mu2) > L:
                continue
            for target, rl, il in _u_row_targets(mu1 + mu2):
                if target != bigm:
                    continue
                num, d, root = _cg_doubled(2 * l1, 2 * mu1, 2 * l2, 2 * mu2, 2 * L,
                                           2 * (mu1 + mu2))
                if not num:
                    continue
                assert den is None or (den, s) == (d, root), "paired CG moduli differ"
                den, s = d, root
                pr, pi = (r1 * r2 - i1 * i2) * num, (r1 * i2 + i1 * r2) * num
                re += pr * rl - pi * il
                im += pr * il + pi * rl
    value, other = (im, re) if odd else (re, im)
    assert other == 0, "K must be real (l1+l2+L even) or imaginary (odd)"
    if den is None or value == 0:
        return _ZERO
    n = (m1 != 0) + (m2 != 0) + (bigm != 0)
    p, q = value * value * s, den * den << n
    g = gcd(p, q)
    return SignedSqrt._raw(1 if value > 0 else -1, p // g, q // g)


@functools.lru_cache(maxsize=2048)
def _real_cg_sparse(l1: int, l2: int, L: int) -> tuple[tuple[tuple[int, int, int], ...], tuple]:
    """Non-zero entries as ``(((m1, m2, M), ...), (SignedSqrt, ...))``."""
    if L not in triangle(l1, l2):
        return ((), ())
    if l1 < l2:
        # swap symmetry: C^{l1 l2 L}[m1, m2, M] = (-1)^(l1+l2-L) C^{l2 l1 L}[m2, m1, M]
        keys, values = _real_cg_sparse(l2, l1, L)
        if (l1 + l2 + L) % 2:
            values = tuple(-v for v in values)
        return tuple((m1, m2, bigm) for m2, m1, bigm in keys), values
    entries = _real_cg_entries(l1, l2, L)
    return tuple(entries), tuple(entries.values())


def _real_cg_array(l1: int, l2: int, L: int) -> np.ndarray:
    shape = (2 * l1 + 1, 2 * l2 + 1, 2 * L + 1)
    out = np.full(shape[0] * shape[1] * shape[2], _ZERO, dtype=object)
    keys, entries = _real_cg_sparse(l1, l2, L)
    if keys:
        values = np.empty(len(entries), dtype=object)
        values[:] = entries
        out[coupling_flat_positions(l1, l2, L, keys)] = values
    return out.reshape(shape)


def real_clebsch_gordan(l1, l2, L) -> np.ndarray:
    """Exact real Clebsch-Gordan array ``C[m1, m2, M]`` of shape ``(2l1+1, 2l2+1, 2L+1)``.

    Entries are :class:`o3ref.reference.signed_sqrt.SignedSqrt` (``sign * sqrt(p/q)``,
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
    if abs(l1 - l2) <= L <= l1 + l2:
        check_work(f"real_clebsch_gordan(l1={l1}, l2={l2}, L={L})", *real_cg_seconds(l1, l2, L))
    return _real_cg_array(l1, l2, L)


def _clear_caches() -> None:
    """Forget every cached real coefficient (:func:`o3ref.reference.clear_caches` calls it)."""
    _real_cg_sparse.cache_clear()
    _u_column.cache_clear()
    _u_row_targets.cache_clear()
