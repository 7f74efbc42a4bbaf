"""Real Clebsch-Gordan coefficients in float64 (dense and sparse), coupling and decoupling.

Conventions: :mod:`o3ref.reference.conventions` — Condon-Shortley complex CG, the unitary
``U`` (complex = ``U @ real``) and the real CG
``K[m1, m2, M] = sum U1[mu1, m1] U2[mu2, m2] <l1 mu1 l2 mu2 | L mu> conj(UL[mu, M])``,
taking ``Re K`` when ``l1 + l2 + L`` is even and ``Im K`` when it is odd.

Algorithm (independent of :mod:`o3ref.reference`): the complex CG by Racah's formula with
exact Python integers for the alternating sum (no cancellation), rounded once to float64
as ``sign * sqrt(p/q)``; then the complex-to-real
change of basis with exact phases (each real entry is ``2**(-k/2)`` times the sum of at most
two complex entries of bitwise equal magnitude, so it is exactly zero where the selection
rules say so, never below a threshold, and within a few ulp of the exact value otherwise).
Results are cached (``functools.lru_cache``) and returned as read-only arrays.

Closed forms pinned in the tests: ``(1, 1) -> 0`` is ``-(u . v)/sqrt3`` and
``(1, 1) -> 1`` is ``(u x v)/sqrt2`` in ``(y, z, x)`` order.

>>> import numpy as np
>>> C = real_clebsch_gordan(1, 1, 0)
>>> bool(np.allclose(C[:, :, 0], -np.eye(3) / np.sqrt(3)))
True
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from .budget import check_budget
from .indexing import check_l

__all__ = [
    "complex_clebsch_gordan",
    "complex_to_real_matrix",
    "real_clebsch_gordan",
    "real_clebsch_gordan_sparse",
    "couple",
    "decouple",
    "cg_product",
]


@cache
def _fact(n: int) -> int:
    return math.factorial(n)


def _cg_float(l1: int, m1: int, l2: int, m2: int, L: int) -> float:
    """``<l1 m1 l2 m2 | L m1+m2>`` by Racah's formula in exact integers, rounded once.

    Racah's sum, multiplied by ``a! (L+l1-l2)! (L-l1+l2)!`` with ``a = l1+l2-L``, is the
    integer ``I = sum_k (-1)^k C(a, k) C(L+l1-l2, l1-m1-k) C(L-l1+l2, l2+m2-k)``, so that
    ``CG^2 = (2L+1) (L+M)! (L-M)! (l1-m1)! (l1+m1)! (l2-m2)! (l2+m2)! I^2 /
    ((l1+l2+L+1)! a! (L+l1-l2)! (L-l1+l2)!)`` exactly; ``int / int`` rounds correctly.
    """
    M = m1 + m2
    if abs(M) > L or abs(m1) > l1 or abs(m2) > l2:
        return 0.0
    f, comb = _fact, math.comb
    a, p, q = l1 + l2 - L, L + l1 - l2, L - l1 + l2
    kmin = max(0, l2 - L - m1, l1 - L + m2)
    kmax = min(a, l1 - m1, l2 + m2)
    total = 0
    for k in range(kmin, kmax + 1):
        term = comb(a, k) * comb(p, l1 - m1 - k) * comb(q, l2 + m2 - k)
        total += -term if k % 2 else term
    if total == 0:
        return 0.0
    num = (2 * L + 1) * f(L + M) * f(L - M) * f(l1 - m1) * f(l1 + m1) * f(l2 - m2) * f(l2 + m2)
    den = f(l1 + l2 + L + 1) * f(a) * f(p) * f(q)
    value = math.sqrt(num * total * total / den)
    return value if total > 0 else -value


def _check_triple(l1, l2, L) -> tuple[int, int, int]:
    l1, l2, L = check_l("l1", l1), check_l("l2", l2), check_l("L", L)
    # the dense complex and real tables and one temporary of (2l1+1)(2l2+1)(2L+1) floats
    check_budget(f"the Clebsch-Gordan table (l1, l2, L) = ({l1}, {l2}, {L})",
                 24 * (2 * l1 + 1) * (2 * l2 + 1) * (2 * L + 1), "l1, l2 or L")
    return l1, l2, L


def _stretched_by_one(l1: int) -> np.ndarray:
    """``<l1 m1 1 m2 | l1+1 M>`` from the closed forms (``j = l1``, ``M = m1 + m2``):
    ``m2 = 1: (j+M)(j+M+1)``, ``m2 = 0: 2 (j-M+1)(j+M+1)``, ``m2 = -1: (j-M)(j-M+1)``, each
    over ``(2j+1)(2j+2)``, square-rooted, all positive. The ratio of two integers below
    ``2**53`` rounds correctly, so the values are bitwise those of :func:`_cg_float`."""
    j, L = l1, l1 + 1
    out = np.zeros((2 * j + 1, 3, 2 * L + 1))
    m1 = np.arange(-j, j + 1)
    den = float((2 * j + 1) * (2 * j + 2))
    for m2, num in ((1, lambda M: (j + M) * (j + M + 1)),
                    (0, lambda M: 2 * (j - M + 1) * (j + M + 1)),
                    (-1, lambda M: (j - M) * (j - M + 1))):
        M = m1 + m2
        out[m1 + j, m2 + 1, M + L] = np.sqrt(num(M).astype(np.float64) / den)
    return out


@cache
def _complex_cg(l1: int, l2: int, L: int) -> np.ndarray:
    out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
    if not abs(l1 - l2) <= L <= l1 + l2:
        return out
    if l2 == 1 and L == l1 + 1:  # the coupling step of the Wigner D recursion, at any l
        out = _stretched_by_one(l1)
        out.flags.writeable = False
        return out
    for m1 in range(-l1, l1 + 1):
        for m2 in range(max(-l2, -L - m1), min(l2, L - m1) + 1):
            out[m1 + l1, m2 + l2, m1 + m2 + L] = _cg_float(l1, m1, l2, m2, L)
    out.flags.writeable = False
    return out


def complex_clebsch_gordan(l1: int, l2: int, L: int) -> np.ndarray:
    """``<l1 m1 l2 m2 | L M>`` as float64 ``(2l1+1, 2l2+1, 2L+1)`` (m ascending), read-only.

    >>> round(float(complex_clebsch_gordan(1, 1, 0)[2, 0, 0]), 12)  # <1 1 1 -1|0 0> = 1/sqrt3
    0.57735026919
    """
    return _complex_cg(*_check_triple(l1, l2, L))


@cache
def _u_matrix(l: int) -> np.ndarray:
    s = 1 / math.sqrt(2)
    U = np.zeros((2 * l + 1, 2 * l + 1), dtype=np.complex128)
    U[l, l] = 1.0
    for m in range(1, l + 1):
        U[l + m, l + m] = (-1) ** m * s
        U[l - m, l + m] = s
        U[l + m, l - m] = 1j * (-1) ** m * s
        U[l - m, l - m] = -1j * s
    U.flags.writeable = False
    return U


def complex_to_real_matrix(l: int) -> np.ndarray:
    """The unitary ``U`` (rows complex ``mu``, columns real ``m``): complex = ``U @ real``.

    >>> U = complex_to_real_matrix(1)
    >>> complex(U[2, 2]).real < 0  # U[m, m] = (-1)^m / sqrt2 for m = 1
    True
    """
    return _u_matrix(check_l("l", l))


@cache
def _real_partners(l: int):
    """The complex partners of each real ``m``: ``U[mu, m] = phase * magnitude``.

    Returns ``(m, mu, phase)`` (one row per non-zero entry of ``U``'s column ``m``; two for
    ``m != 0``, one for ``m = 0``), with ``phase`` in ``{1, -1, 1j, -1j}`` exactly and the
    magnitude ``1/sqrt2`` (``m != 0``) or ``1`` (``m = 0``) kept apart.
    """
    rows = [(0, 0, 1.0 + 0j)]
    for k in range(1, l + 1):
        sign = (-1.0) ** k
        rows += [(k, k, sign + 0j), (k, -k, 1.0 + 0j)]  # U[k, k], U[-k, k]
        rows += [(-k, k, 1j * sign), (-k, -k, -1j)]  # U[k, -k], U[-k, -k]
    m, mu, phase = (np.array(c) for c in zip(*rows, strict=True))
    return m + l, mu, phase


@cache
def _real_cg(l1: int, l2: int, L: int) -> np.ndarray:
    """``Re K`` or ``Im K`` with exact zeros exactly where the complex CG sum cancels.

    Each real entry is ``s * (p c + p' c')`` over the (at most two) complex entries
    ``c = <l1 mu1 l2 mu2|L mu>`` and ``c' = <l1 -mu1 l2 -mu2|L -mu> = +-c`` (bitwise equal
    magnitudes: :func:`_cg_float` rounds the same exact integer ratio), with exact phases
    ``p, p'`` in ``{+-1, +-i}`` and ``s`` a product of ``1/sqrt2`` factors applied last: the
    sum is either exactly zero (the selection rules) or ``+-c`` / ``+-2c`` (no threshold).
    """
    out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
    if not abs(l1 - l2) <= L <= l1 + l2:
        out.flags.writeable = False
        return out
    cc = _complex_cg(l1, l2, L)
    r1, r2, rL = _real_partners(l1), _real_partners(l2), _real_partners(L)
    a, b = np.meshgrid(np.arange(len(r1[0])), np.arange(len(r2[0])), indexing="ij")
    a, b = a.ravel(), b.ravel()
    mu1, mu2 = r1[1][a], r2[1][b]
    keep = np.abs(mu1 + mu2) <= L
    a, b, mu1, mu2 = a[keep], b[keep], mu1[keep], mu2[keep]
    value = cc[mu1 + l1, mu2 + l2, mu1 + mu2 + L]
    partial = r1[2][a] * r2[2][b]
    even = (l1 + l2 + L) % 2 == 0
    # rows of _real_partners(L) whose mu is a given value: real M = |mu| and -|mu|
    by_mu = {}
    for row, mu in enumerate(rL[1].tolist()):
        by_mu.setdefault(mu, []).append(row)
    first = np.array([by_mu[mu][0] for mu in range(-L, L + 1)])
    second = np.array([by_mu[mu][-1] for mu in range(-L, L + 1)])
    for rows in (first, second) if L > 0 else (first,):
        row = rows[mu1 + mu2 + L]
        phase = partial * np.conj(rL[2][row])  # exactly one of +-1, +-i
        coefficient = phase.real if even else phase.imag  # -1, 0 or 1
        if L > 0 and rows is second:
            coefficient = np.where(first[mu1 + mu2 + L] == row, 0.0, coefficient)  # mu = 0
        np.add.at(out, (r1[0][a], r2[0][b], rL[0][row]), coefficient * value)
    s = 1 / math.sqrt(2)
    nonzero_m = [np.arange(-l, l + 1) != 0 for l in (l1, l2, L)]
    count = (nonzero_m[0][:, None, None].astype(int) + nonzero_m[1][None, :, None]
             + nonzero_m[2][None, None, :])
    out *= np.array([1.0, s, 0.5, 0.5 * s])[count]
    out.flags.writeable = False
    return out


def real_clebsch_gordan(l1: int, l2: int, L: int) -> np.ndarray:
    """Real CG ``C[m1, m2, M]`` float64 ``(2l1+1, 2l2+1, 2L+1)``, cached and read-only.

    Conventions: :mod:`o3ref.reference.conventions`. Zero array when the triangle rule fails.
    Properties: for fixed ``(l1, l2)`` the map ``(m1, m2) -> (L, M)`` over all ``L`` is
    orthogonal; ``sum C[m1,m2,M] (D1 x)[m1] (D2 z)[m2] = (D^L (C x z))[M]``.

    >>> import numpy as np
    >>> C = real_clebsch_gordan(1, 1, 1)  # (u x v)/sqrt2 in (y, z, x) order
    >>> u, v = np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])  # x, y as (y, z, x)
    >>> np.round(np.einsum("abM,a,b->M", C, u, v) * np.sqrt(2), 12) + 0.0  # x cross y = z
    array([0., 1., 0.])
    """
    return _real_cg(*_check_triple(l1, l2, L))


@cache
def _real_cg_sparse(l1: int, l2: int, L: int):
    C = _real_cg(l1, l2, L)
    m1, m2, M = np.nonzero(C)
    out = (m1, m2, M, C[m1, m2, M])
    for a in out:
        a.flags.writeable = False
    return out


def real_clebsch_gordan_sparse(l1: int, l2: int, L: int):
    """Non-zero entries of :func:`real_clebsch_gordan` as ``(m1, m2, M, values)``.

    Indices run ``0..2l`` (``m + l``); cached, read-only. Contract with
    ``np.add.at(out, (..., M), values * x[..., m1] * z[..., m2])`` or a sort by ``M``.
    """
    return _real_cg_sparse(*_check_triple(l1, l2, L))


def _axis_len(name: str, arr: np.ndarray, axis: int, l: int) -> None:
    if arr.shape[axis] != 2 * l + 1:
        raise ValueError(
            f"{name} must have 2*{l}+1 = {2 * l + 1} components along axis {axis}, "
            f"got shape {arr.shape}"
        )


def cg_product(x1, x2, l1: int, l2: int, L: int, axis1: int = -1, axis2: int = -1) -> np.ndarray:
    """``out[..., M] = sum C[m1, m2, M] x1[..., m1] x2[..., m2]``.

    ``m1`` lies along ``axis1`` of ``x1`` and ``m2`` along ``axis2`` of ``x2``; the other
    axes broadcast; ``M`` is the last axis of the result.
    """
    l1, l2, L = _check_triple(l1, l2, L)
    a = np.moveaxis(np.asarray(x1, dtype=np.float64), axis1, -1)
    b = np.moveaxis(np.asarray(x2, dtype=np.float64), axis2, -1)
    _axis_len("x1", a, -1, l1)
    _axis_len("x2", b, -1, l2)
    return np.einsum("...a,...b,abM->...M", a, b, _real_cg(l1, l2, L))


def couple(t, l1: int, l2: int, axes: tuple[int, int] = (-2, -1)) -> dict[int, np.ndarray]:
    """Split a product-space array into irreducible parts: ``{L: t_L}``.

    ``t`` holds ``m1`` along ``axes[0]`` and ``m2`` along ``axes[1]``;
    ``t_L[..., M] = sum C[m1, m2, M] t[..., m1, m2]`` for ``|l1-l2| <= L <= l1+l2``, with
    ``M`` last. :func:`decouple` is its exact inverse (CG orthogonality).
    """
    l1, l2 = check_l("l1", l1), check_l("l2", l2)
    t = np.moveaxis(np.asarray(t, dtype=np.float64), axes, (-2, -1))
    _axis_len("t", t, -2, l1)
    _axis_len("t", t, -1, l2)
    return {
        L: np.einsum("...ab,abM->...M", t, _real_cg(l1, l2, L))
        for L in range(abs(l1 - l2), l1 + l2 + 1)
    }


def decouple(parts: dict, l1: int, l2: int, axes: tuple[int, int] = (-2, -1)) -> np.ndarray:
    """Inverse of :func:`couple`: ``t[..., m1, m2] = sum_L sum_M C[m1, m2, M] t_L[..., M]``.

    ``parts`` maps every ``L`` in ``|l1-l2|..l1+l2`` to an array with ``M`` last; the result
    holds ``m1, m2`` along ``axes``.
    """
    l1, l2 = check_l("l1", l1), check_l("l2", l2)
    want = set(range(abs(l1 - l2), l1 + l2 + 1))
    if set(parts) != want:
        raise ValueError(f"parts must have the keys L = {sorted(want)}, got {sorted(parts)}")
    out = None
    for L in sorted(want):
        p = np.asarray(parts[L], dtype=np.float64)
        _axis_len(f"parts[{L}]", p, -1, L)
        term = np.einsum("...M,abM->...ab", p, _real_cg(l1, l2, L))
        out = term if out is None else out + term
    return np.moveaxis(out, (-2, -1), axes)
