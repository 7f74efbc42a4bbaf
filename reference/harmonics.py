"""Exact real and complex spherical harmonics: sympy polynomials and mpmath values.

Two independent routes:

* :func:`real_solid_harmonic` is the exact homogeneous polynomial ``p_lm(x, y, z)`` of degree
  ``l`` with ``Y_lm(r/|r|) = p_lm(r)/|r|^l``, from the explicit sum for the ``m``-th derivative
  of the Legendre polynomial and ``Re/Im (x + i y)^|m|``.
* :func:`real_spherical_harmonics` evaluates ``Y_lm`` with mpmath at ``dps`` digits through
  the three-term recurrence of the associated Legendre functions (divided by
  ``sin(theta)^|m|``, so the poles need no special case).

Conventions: see :mod:`o3ref.reference.conventions` (real form, ``m = -l..l``, flat index
``l*l + l + m``).

>>> real_solid_harmonic(1, -1), real_solid_harmonic(1, 0), real_solid_harmonic(1, 1)
(sqrt(3)*y/(2*sqrt(pi)), sqrt(3)*z/(2*sqrt(pi)), sqrt(3)*x/(2*sqrt(pi)))
"""

from __future__ import annotations

import functools
import numbers
from math import comb, factorial

import mpmath
import numpy as np
import sympy

from .conventions import complex_to_real
from .indexing import check_degree, check_order, flat_index, m_index, m_values, n_harmonics
from .limits import check_work, mpmath_seconds, sympy_terms_seconds

__all__ = [
    "complex_solid_harmonic",
    "complex_spherical_harmonics",
    "real_solid_harmonic",
    "real_spherical_harmonics",
    "x",
    "y",
    "z",
]

x, y, z = sympy.symbols("x y z", real=True)

# guard digits for mpmath evaluations: the recurrences lose far fewer than 10 digits for l <= 100
_GUARD_DPS = 10


def _norm_squared(l: int, m: int) -> sympy.Rational:
    """``(2l+1)/(4 pi) (l-|m|)!/(l+|m|)!`` without the ``pi``, times 2 for ``m != 0``."""
    k = abs(m)
    value = sympy.Rational((2 * l + 1) * factorial(l - k), 4 * factorial(l + k))
    return 2 * value if m else value


@functools.lru_cache(maxsize=512)
def _real_solid_harmonic(l: int, m: int) -> sympy.Expr:
    k = abs(m)
    # d^k/dt^k P_l(t) = 2^-l sum_j (-1)^j C(l,j) C(2l-2j,l) (l-2j)!/(l-2j-k)! t^(l-2j-k);
    # times r^l and divided by r^k, each t^(l-2j-k) = z^(l-2j-k)/r^(l-2j-k) leaves r^(2j)
    r2 = x**2 + y**2 + z**2
    legendre = sympy.Integer(0)
    for j in range((l - k) // 2 + 1):
        coeff = sympy.Rational(
            (-1) ** j * comb(l, j) * comb(2 * l - 2 * j, l) * factorial(l - 2 * j),
            2**l * factorial(l - 2 * j - k),
        )
        legendre += coeff * z ** (l - 2 * j - k) * r2**j
    xy = sympy.expand((x + sympy.I * y) ** k)
    azimuthal = sympy.re(xy) if m >= 0 else sympy.im(xy)
    norm = sympy.sqrt(_norm_squared(l, m)) / sympy.sqrt(sympy.pi)
    return sympy.expand(norm * legendre * azimuthal)


def _check_solid_work(name: str, l: int, copies: int = 1) -> None:
    # expanding a degree-l polynomial in sympy: ~ (2l+1)^2.5 / 15 term operations
    check_work(f"{name}(l={l})", sympy_terms_seconds(copies * (2 * l + 1) ** 2.5 / 15),
               f"a sympy polynomial with ~{(l + 1) * (l + 2) // 2} monomials")


def real_solid_harmonic(l, m) -> sympy.Expr:
    """Exact real solid harmonic: a homogeneous polynomial of degree ``l`` in ``x, y, z``.

    ``Y_lm(r/|r|) = p_lm(r) / |r|**l`` with ``Y_lm`` the orthonormal real spherical harmonic
    (the ``1/sqrt(pi)`` of the normalisation is part of the polynomial's coefficients).
    The symbols are ``o3ref.reference.x, y, z`` (real).

    Conventions: see :mod:`o3ref.reference.conventions` (``Y_1 = sqrt(3/4pi) (y, z, x)/r``).

    >>> real_solid_harmonic(2, -2)  # sqrt(15/(4 pi)) x y, positive
    sqrt(15)*x*y/(2*sqrt(pi))
    >>> real_solid_harmonic(1, 2)
    Traceback (most recent call last):
    ...
    ValueError: m=2 must satisfy |m| <= l=1
    """
    l = check_degree("l", l)
    m = check_order("m", m, l)
    _check_solid_work("real_solid_harmonic", l)
    return _real_solid_harmonic(l, m)


def complex_solid_harmonic(l, m) -> sympy.Expr:
    """Exact complex solid harmonic ``r^l Y_l^m`` (Condon-Shortley phase) in ``x, y, z``.

    Built from the real ones through ``U`` of :func:`o3ref.reference.complex_to_real`:
    ``Y_l^mu = sum_m U[mu, m] Y_lm``.

    Conventions: see :mod:`o3ref.reference.conventions` (Condon-Shortley phase).

    >>> complex_solid_harmonic(1, 1)  # -sqrt(3/(8 pi)) (x + i y)
    -sqrt(6)*x/(4*sqrt(pi)) - sqrt(6)*I*y/(4*sqrt(pi))
    """
    l = check_degree("l", l)
    mu = check_order("m", m, l)
    _check_solid_work("complex_solid_harmonic", l, 2 * l + 1)
    u = complex_to_real(l)
    total = sum(
        (u[m_index(l, mu), m_index(l, k)] * _real_solid_harmonic(l, k) for k in m_values(l)),
        sympy.Integer(0),
    )
    return sympy.expand(total)


# ----------------------------------------------------------------------------- mpmath values


def _to_mpf(value, name: str) -> mpmath.mpf:
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r} must be a real number, not a bool")
    if isinstance(value, sympy.Basic):
        if not value.is_real:
            raise TypeError(f"{name}={value} must be a real number")
        return mpmath.mpf(sympy.N(value, mpmath.mp.dps))
    if isinstance(value, numbers.Rational) and not isinstance(value, numbers.Integral):
        return mpmath.mpf(value.numerator) / value.denominator
    if isinstance(value, (numbers.Real, mpmath.mpf)):
        out = mpmath.mpf(value)  # exact for ints and binary floats
        if not mpmath.isfinite(out):
            raise ValueError(f"{name}={value!r} must be finite")
        return out
    raise TypeError(f"{name}={value!r} must be a real number, got {type(value).__name__}")


def _check_dps(dps) -> int:
    """``dps`` as a positive int (the number of decimal digits asked for)."""
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral):
        raise TypeError(f"dps={dps!r} must be a positive integer")
    if dps < 1:
        raise ValueError(f"dps={dps} must be a positive integer")
    return int(dps)


def _mp_complex(value: sympy.Expr) -> mpmath.mpc:
    """An exact sympy number as mpmath ``mpc`` at the working precision."""
    re, im = value.as_real_imag()
    return mpmath.mpc(_to_mpf(re, "re"), _to_mpf(im, "im"))


def _points(xyz) -> list[tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]]:
    rows = np.asarray(xyz, dtype=object)
    if rows.ndim == 1:
        rows = rows.reshape(1, -1)
    if rows.ndim != 2 or rows.shape[1] != 3:
        raise ValueError(f"xyz has shape {np.shape(xyz)}: it must be (n, 3) or (3,)")
    out = []
    for i, row in enumerate(rows):
        point = tuple(_to_mpf(v, f"xyz[{i}, {k}]") for k, v in enumerate(row))
        if all(v == 0 for v in point):
            raise ValueError(f"xyz[{i}] is the zero vector: the direction is undefined")
        out.append(point)
    return out


def _real_sh_point(l_max: int, px, py, pz) -> list:
    """Real ``Y_lm`` at one point, flat order; assumes the working precision is set."""
    r = mpmath.sqrt(px * px + py * py + pz * pz)
    t = pz / r
    ux, uy = px / r, py / r
    out = [mpmath.mpf(0)] * n_harmonics(l_max)
    inv_4pi = 1 / (4 * mpmath.pi)
    # cos/sin(k phi) sin(theta)^k = Re/Im (ux + i uy)^k, by recurrence
    ck, sk = mpmath.mpf(1), mpmath.mpf(0)
    # Q[l] = d^k/dt^k P_l(t), k fixed; Q_k^k = (2k-1)!!
    q_kk = mpmath.mpf(1)
    for k in range(l_max + 1):
        if k > 0:
            ck, sk = ck * ux - sk * uy, ck * uy + sk * ux
            q_kk *= 2 * k - 1
        q_prev, q_cur = mpmath.mpf(0), q_kk
        for l in range(k, l_max + 1):
            if l == k + 1:
                q_prev, q_cur = q_cur, (2 * k + 1) * t * q_cur
            elif l > k + 1:
                q_prev, q_cur = q_cur, ((2 * l - 1) * t * q_cur - (l + k - 1) * q_prev) / (l - k)
            norm = mpmath.sqrt((2 * l + 1) * inv_4pi / mpmath.rf(l - k + 1, 2 * k))
            if k == 0:
                out[flat_index(l, 0)] = norm * q_cur
            else:
                out[flat_index(l, k)] = mpmath.sqrt(2) * norm * q_cur * ck
                out[flat_index(l, -k)] = mpmath.sqrt(2) * norm * q_cur * sk
    return out


def real_spherical_harmonics(l_max, xyz, dps: int = 30) -> np.ndarray:
    """Real spherical harmonics of the directions ``xyz`` with mpmath, to ``dps`` digits.

    ``xyz`` is ``(n, 3)`` (or one point ``(3,)``) of numbers: ints, floats (taken exactly, as
    ``mpmath.mpf(float)``), ``fractions.Fraction``, sympy numbers or mpmath ``mpf``; points
    need not be normalised, the zero vector is refused. Returns an ``(n, (l_max + 1)**2)``
    numpy object array of ``mpmath.mpf`` in flat order ``l*l + l + m``. The work is done
    with 10 guard digits, so the absolute error is below ``10**-dps`` for ``l_max <= 100``.

    Conventions: see :mod:`o3ref.reference.conventions` (real form, flat index).

    >>> values = real_spherical_harmonics(1, [[0, 0, 2]], dps=15)
    >>> [mpmath.nstr(v, 10) for v in values[0]]  # Y_1,0 = +sqrt(3/(4 pi)) on +z
    ['0.2820947918', '0.0', '0.4886025119', '0.0']
    >>> mpmath.nstr(real_spherical_harmonics(1, [0, 1, 0], dps=15)[0, 1], 10)  # Y_1,-1 ~ +y
    '0.4886025119'
    """
    l_max = check_degree("l_max", l_max)
    dps = _check_dps(dps)
    n_points = int(np.prod(np.shape(xyz)[:-1])) if np.ndim(xyz) > 1 else 1
    check_work(f"real_spherical_harmonics(l_max={l_max}, dps={dps}) of {n_points} points",
               mpmath_seconds(15.0 * max(n_points, 1) * (l_max + 1) ** 2, dps + _GUARD_DPS),
               f"~15 mpmath operations per value, {(l_max + 1) ** 2} values per point")
    with mpmath.workdps(dps + _GUARD_DPS):
        points = _points(xyz)
        rows = [_real_sh_point(l_max, *p) for p in points]
    out = np.empty((len(rows), n_harmonics(l_max)), dtype=object)
    for i, row in enumerate(rows):
        out[i, :] = row
    return out


def complex_spherical_harmonics(l_max, xyz, dps: int = 30) -> np.ndarray:
    """Complex ``Y_l^m`` (Condon-Shortley) as mpmath ``mpc``, same layout as the real ones.

    Computed from the real values through ``U``: ``Y_l^mu = sum_m U[mu, m] Y_lm``.

    Conventions: see :mod:`o3ref.reference.conventions` (complex = ``U @`` real).

    >>> v = complex_spherical_harmonics(1, [[1, 0, 0]], dps=15)
    >>> mpmath.nstr(v[0, 3].real, 10)  # Y_1^1 on +x is -sqrt(3/(8 pi))
    '-0.3454941495'
    """
    real = real_spherical_harmonics(l_max, xyz, dps)
    out = np.empty(real.shape, dtype=object)
    with mpmath.workdps(dps + _GUARD_DPS):
        for l in range(check_degree("l_max", l_max) + 1):
            u = complex_to_real(l)
            u_mp = [[_mp_complex(u[i, j]) for j in range(2 * l + 1)] for i in range(2 * l + 1)]
            cols = [flat_index(l, m) for m in m_values(l)]
            for n in range(real.shape[0]):
                vals = [real[n, c] for c in cols]
                for i, c in enumerate(cols):
                    out[n, c] = mpmath.fsum(u_mp[i][j] * vals[j] for j in range(2 * l + 1))
    return out
