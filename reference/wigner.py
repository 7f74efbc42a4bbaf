"""Exact Wigner small-d and D matrices, complex (standard) and real.

* ``d^l_{m'm}(beta)`` from Wigner's sum formula in ``cos(beta/2)`` and ``sin(beta/2)``,
  with exact integer coefficients;
* ``D^l_{m'm}(alpha, beta, gamma) = exp(-i m' alpha) d^l_{m'm}(beta) exp(-i m gamma)``;
* ``D_real^l = U^dagger conj(D^l) U`` with ``U`` of
  :func:`o3ref.reference.conventions.complex_to_real`.

With ``dps=None`` (default) the angles must be exact (sympy symbols or expressions such as
``pi/3``; ints and Fractions; floats are refused) and the result is a sympy ``Matrix``;
rational multiples of ``pi`` whose cosines sympy knows in radicals give algebraic numbers.
With ``dps=int`` the angles may be any real numbers (floats are taken exactly) and the
result is a numpy object array of mpmath numbers with absolute error below ``10**-dps``.
Rows and columns are ``m', m = -l..l`` ascending.

Conventions: see :mod:`o3ref.reference.conventions` (section "Wigner D").

>>> from sympy import pi
>>> wigner_d_small(1, pi / 2)[2, 1]  # d^1_{1,0}(beta) = -sin(beta)/sqrt(2)
-sqrt(2)/2
"""

from __future__ import annotations

import functools
from math import factorial

import mpmath
import numpy as np
import sympy

from .conventions import complex_to_real
from .indexing import check_degree, m_index, m_values
from .limits import check_work, mpmath_seconds, sympy_terms_seconds
from .rotations import exact_angle

__all__ = ["wigner_D", "wigner_D_real", "wigner_d_small"]

_GUARD_DPS = 10


@functools.lru_cache(maxsize=4096)
def _d_terms(l: int, mp: int, m: int) -> tuple[tuple[int, int, int, int, int], ...]:
    """Terms of ``d^l_{m'm}`` as ``(sign, root2, den, pc, ps)``, each meaning
    ``sign * sqrt(root2) / den * cos(b/2)^pc * sin(b/2)^ps`` (all integers), from Wigner's sum:

    ``d = sum_s (-1)^(m'-m+s) sqrt((l+m')!(l-m')!(l+m)!(l-m)!) /
    ((l+m-s)! s! (m'-m+s)! (l-m'-s)!) cos(b/2)^(2l+m-m'-2s) sin(b/2)^(m'-m+2s)``.
    """
    root2 = factorial(l + mp) * factorial(l - mp) * factorial(l + m) * factorial(l - m)
    terms = []
    for s in range(max(0, m - mp), min(l + m, l - mp) + 1):
        den = factorial(l + m - s) * factorial(s) * factorial(mp - m + s) * factorial(l - mp - s)
        sign = -1 if (mp - m + s) % 2 else 1
        terms.append((sign, root2, den, 2 * l + m - mp - 2 * s, mp - m + 2 * s))
    return tuple(terms)


def _check_d_work(name: str, l: int, dps: int | None, factor: float = 1.0) -> None:
    """Refuse up front a matrix whose (2l+1)^2 entries of up to 2l+1 terms would take too long."""
    terms = factor * (2 * l + 1) ** 3
    if dps is None:
        check_work(f"{name}(l={l}) exact", sympy_terms_seconds(terms),
                   f"~{terms:.3g} sympy terms")
    else:
        check_work(f"{name}(l={l}, dps={dps})", mpmath_seconds(10 * terms, _mp_work_dps(l, dps)),
                   f"~{10 * terms:.3g} mpmath operations")


def _check_dps(dps) -> int | None:
    if dps is None:
        return None
    dps = check_degree("dps", dps)
    if dps < 1:
        raise ValueError(f"dps={dps} must be a positive integer (or None for exact)")
    return dps


def _mp_angle(name: str, value) -> mpmath.mpf:
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r} must be an angle, not a bool")
    if isinstance(value, sympy.Basic):
        if value.free_symbols:
            raise TypeError(f"{name}={value} has free symbols: numeric angles are needed with dps")
        if value.is_real is not True:
            raise ValueError(f"{name}={value} must be a real angle")
        return mpmath.mpf(sympy.N(value, mpmath.mp.dps))
    try:
        out = mpmath.mpf(value)  # exact for ints and binary floats; Fractions via mpf(p)/q
    except (TypeError, ValueError):
        try:
            out = mpmath.mpf(value.numerator) / value.denominator
        except AttributeError as exc:
            raise TypeError(f"{name}={value!r} must be a real number") from exc
    if not mpmath.isfinite(out):
        raise ValueError(f"{name}={value!r} must be finite")
    return out


# ----------------------------------------------------------------------------- exact path


def _exact_small_d(l: int, beta: sympy.Expr) -> sympy.Matrix:
    # c^pc s^ps with c, s = cos(beta/2), sin(beta/2) and pc + ps = 2l even, written with
    # c^2 = (1 + cos beta)/2, s^2 = (1 - cos beta)/2, c s = sin(beta)/2: no half angles, so
    # e.g. beta = pi/4 stays in Q(sqrt 2) instead of nested radicals
    cos_b, sin_b = sympy.cos(beta), sympy.sin(beta)
    c2, s2, cs = (1 + cos_b) / 2, (1 - cos_b) / 2, sin_b / 2

    def power(pc: int, ps: int) -> sympy.Expr:
        if ps % 2:
            return cs * c2 ** ((pc - 1) // 2) * s2 ** ((ps - 1) // 2)
        return c2 ** (pc // 2) * s2 ** (ps // 2)

    numeric = not beta.free_symbols
    d = sympy.zeros(2 * l + 1, 2 * l + 1)
    for mp in m_values(l):
        for m in m_values(l):
            total = sympy.Integer(0)
            for sign, root2, den, pc, ps in _d_terms(l, mp, m):
                total += sign * sympy.sqrt(sympy.Integer(root2)) / den * power(pc, ps)
            d[m_index(l, mp), m_index(l, m)] = sympy.expand(total) if numeric else total
    return d


def _exact_phase(k: int, angle: sympy.Expr) -> sympy.Expr:
    """``exp(i k angle)`` as ``cos + i sin`` (radicals where sympy knows them)."""
    return sympy.cos(k * angle) + sympy.I * sympy.sin(k * angle)


def _simplify_entries(mat: sympy.Matrix) -> sympy.Matrix:
    return mat.applyfunc(sympy.expand)


# ----------------------------------------------------------------------------- mpmath path


def _mp_small_d(l: int, beta: mpmath.mpf) -> list[list[mpmath.mpf]]:
    c, s = mpmath.cos(beta / 2), mpmath.sin(beta / 2)
    out = [[mpmath.mpf(0)] * (2 * l + 1) for _ in range(2 * l + 1)]
    for mp in m_values(l):
        for m in m_values(l):
            total = mpmath.mpf(0)
            for sign, root2, den, pc, ps in _d_terms(l, mp, m):
                total += sign * mpmath.sqrt(root2) / den * c**pc * s**ps
            out[m_index(l, mp)][m_index(l, m)] = total
    return out


def _mp_work_dps(l: int, dps: int) -> int:
    # the alternating sum cancels at most about log10(4^l) digits (binomial-sized terms)
    return dps + _GUARD_DPS + (6 * l) // 10 + 1


def _to_array(rows) -> np.ndarray:
    out = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
    for i, row in enumerate(rows):
        out[i, :] = row
    return out


# ----------------------------------------------------------------------------- public


def wigner_d_small(l, beta, dps=None):
    """Wigner small ``d^l_{m'm}(beta) = <l m'| exp(-i beta J_y) |l m>``, rows ``m'``.

    Exact sympy ``Matrix`` when ``dps`` is None, else a numpy object array of ``mpf``.

    Conventions: see :mod:`o3ref.reference.conventions` (``d^1_{1,0} = -sin(beta)/sqrt(2)``).

    >>> beta = sympy.Symbol("beta")
    >>> sympy.simplify(wigner_d_small(1, beta)[2, 1])
    -sqrt(2)*sin(beta)/2
    """
    l = check_degree("l", l)
    dps = _check_dps(dps)
    _check_d_work("wigner_d_small", l, dps, 1.0)
    if dps is None:
        return _exact_small_d(l, exact_angle("beta", beta))
    with mpmath.workdps(_mp_work_dps(l, dps)):
        return _to_array(_mp_small_d(l, _mp_angle("beta", beta)))


def wigner_D(l, alpha, beta, gamma, dps=None):
    """Complex Wigner ``D^l_{m'm}(alpha, beta, gamma) = e^{-i m' alpha} d^l_{m'm}(beta)
    e^{-i m gamma}`` (standard, Wikipedia/Sakurai), rows ``m'`` and columns ``m`` ascending.

    Properties (tested): unitary; ``D(R1 R2) = D(R1) D(R2)``; complex harmonics rotate as
    ``Y_l(R r) = conj(D^l(R)) @ Y_l(r)``. Exact sympy ``Matrix`` when ``dps`` is None (exact
    angles), else a numpy object array of ``mpc`` with absolute error below ``10**-dps``.

    Conventions: see :mod:`o3ref.reference.conventions` (section "Wigner D").

    >>> from sympy import pi
    >>> wigner_D(1, pi / 2, 0, 0)[2, 2]  # exp(-i m' alpha) with m' = 1
    -I
    >>> wigner_D(1, 0, pi / 2, 0)[2, 1]  # d^1_{1,0}(pi/2) = -1/sqrt(2)
    -sqrt(2)/2
    """
    l = check_degree("l", l)
    dps = _check_dps(dps)
    _check_d_work("wigner_D", l, dps, 1.0)
    if dps is None:
        a, b, g = (
            exact_angle(n, v) for n, v in (("alpha", alpha), ("beta", beta), ("gamma", gamma))
        )
        d = _exact_small_d(l, b)
        out = sympy.zeros(2 * l + 1, 2 * l + 1)
        for mp in m_values(l):
            for m in m_values(l):
                i, j = m_index(l, mp), m_index(l, m)
                out[i, j] = _exact_phase(-mp, a) * d[i, j] * _exact_phase(-m, g)
        return _simplify_entries(out)
    with mpmath.workdps(_mp_work_dps(l, dps)):
        a, b, g = (_mp_angle(n, v) for n, v in (("alpha", alpha), ("beta", beta), ("gamma", gamma)))
        d = _mp_small_d(l, b)
        rows = [
            [
                mpmath.expj(-mp * a) * d[m_index(l, mp)][m_index(l, m)] * mpmath.expj(-m * g)
                for m in m_values(l)
            ]
            for mp in m_values(l)
        ]
        return _to_array(rows)


def _exact_real_factor(l: int, mat: sympy.Matrix) -> sympy.Matrix:
    """``U^dagger mat U`` for a matrix whose result is real; checked to be real."""
    u = complex_to_real(l)
    out = _simplify_entries(u.H * mat * u)
    for entry in out:
        assert not entry.has(sympy.I), "U^dagger conj(D) U must be real"
    return out


def wigner_D_real(l, alpha, beta, gamma, dps=None):
    """Real Wigner matrix ``D_real^l(R) = U^dagger conj(D^l(R)) U`` for ``R(alpha, beta, gamma)``.

    Real orthogonal; the real harmonics rotate as ``Y_l(R r) = D_real^l(R) @ Y_l(r)``;
    ``D_real(R1 R2) = D_real(R1) D_real(R2)``; ``D_real^1(R) = P R P^T`` with
    ``P: (x, y, z) -> (y, z, x)``. Exact sympy ``Matrix`` when ``dps`` is None (exact angles),
    else a numpy object array of ``mpf`` with absolute error below ``10**-dps``.
    The exact product is formed as ``(U^+ E(alpha) U) (U^+ d(beta) U) (U^+ E(gamma) U)``
    with ``E(t) = diag(exp(i m t))``, which equals ``U^+ conj(D) U`` since ``d`` is real.

    Conventions: see :mod:`o3ref.reference.conventions` (section "Wigner D").

    >>> from sympy import pi
    >>> wigner_D_real(1, pi / 2, 0, 0)  # = P Rz(pi/2) P^T: y -> -x, x -> y in (y, z, x)
    Matrix([
    [ 0, 0, 1],
    [ 0, 1, 0],
    [-1, 0, 0]])
    """
    l = check_degree("l", l)
    dps = _check_dps(dps)
    _check_d_work("wigner_D_real", l, dps, 3.0)
    if dps is None:
        a, b, g = (
            exact_angle(n, v) for n, v in (("alpha", alpha), ("beta", beta), ("gamma", gamma))
        )
        e_a = sympy.diag(*[_exact_phase(m, a) for m in m_values(l)])
        e_g = sympy.diag(*[_exact_phase(m, g) for m in m_values(l)])
        d = _exact_small_d(l, b)
        out = _exact_real_factor(l, e_a) * _exact_real_factor(l, d) * _exact_real_factor(l, e_g)
        return _simplify_entries(out)
    with mpmath.workdps(_mp_work_dps(l, dps)):
        d_complex = wigner_D(l, alpha, beta, gamma, dps=_mp_work_dps(l, dps))
        u = complex_to_real(l)
        n = 2 * l + 1
        u_mp = [
            [
                mpmath.mpc(*(sympy.N(part, mpmath.mp.dps) for part in u[i, j].as_real_imag()))
                for j in range(n)
            ]
            for i in range(n)
        ]
        conj_d = [[mpmath.conj(d_complex[i, j]) for j in range(n)] for i in range(n)]
        # (U^dagger conj(D) U)[a, b] = sum_ij conj(U[i, a]) conj(D)[i, j] U[j, b]
        left = [
            [
                mpmath.fsum(mpmath.conj(u_mp[i][a_]) * conj_d[i][j] for i in range(n))
                for j in range(n)
            ]
            for a_ in range(n)
        ]
        rows = []
        for a_ in range(n):
            row = []
            for b_ in range(n):
                value = mpmath.fsum(left[a_][j] * u_mp[j][b_] for j in range(n))
                assert abs(value.imag) < mpmath.mpf(10) ** (-dps - 2), "D_real must be real"
                row.append(value.real)
            rows.append(row)
        return _to_array(rows)
