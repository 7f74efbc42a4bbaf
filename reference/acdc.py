"""High-precision ACDC / lambda-SOAP products (mpmath) for small inputs: the fast path's oracle.

The CG product of two equivariant blocks ``a`` (degree ``l1``) and ``b`` (degree ``l2``)
into degree ``L`` is

    ``X[i, M, (p, q)] = sum_{m1 m2} C[m1, m2, M] a[i, m1, p] b[i, m2, q]``

with ``C`` the exact real Clebsch-Gordan coefficients of
:func:`o3ref.reference.real_clebsch_gordan` (each ``sign * sqrt(num/den)``), and the
output parity ``sigma = sigma_a sigma_b (-1)**(l1 + l2 + L)`` (CONVENTIONS.md, ACDC).
Inputs are plain nested sequences or numpy arrays of real numbers: floats are converted
exactly (``mpmath.mpf(float)`` is the float's dyadic value), so the only rounding is that
of the mpmath arithmetic at ``dps`` digits.

Error bound: each coefficient ``sqrt(num/den)`` and each product and sum is rounded once at
``dps`` digits, so ``|X - X_exact| <= 4 (2 l1 + 1)(2 l2 + 1) max|C a b| 10**(-dps + 1)``.

This module never imports :mod:`o3ref.fast`; it takes arrays, not TensorMaps.

Conventions: :mod:`o3ref.reference.conventions`.

Sign-sensitive check: two l = 1 vectors coupled to L = 1 give ``(u x v)/sqrt(2)`` in
``(y, z, x)`` order; x cross y = z:

>>> x_hat = [[[0], [0], [1]]]       # one sample, (y, z, x) components, one property
>>> y_hat = [[[1], [0], [0]]]
>>> out = cg_product(x_hat, y_hat, 1, 1, 1)
>>> [mpmath.nstr(v * mpmath.sqrt(2), 10) for v in out[0, :, 0]]
['0.0', '1.0', '0.0']
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import mpmath
import numpy as np

from .real_cg import real_clebsch_gordan

__all__ = ["cg_product", "lambda_soap"]


def _check_degree(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}={value!r} must be a non-negative integer")
    if value < 0:
        raise ValueError(f"{name}={value} must be a non-negative integer")
    return int(value)


def _to_mpf(name: str, value):
    """One real input entry as an exact mpf; ``name`` says where it is (``a[0, 2, 1]``)."""
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r} must be a real number, not a bool")
    if isinstance(value, mpmath.mpf):
        if not mpmath.isfinite(value):
            raise ValueError(f"{name}={value!r} must be a finite real number")
        return value
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    if isinstance(value, numbers.Integral):
        return mpmath.mpf(int(value))
    if isinstance(value, numbers.Real):
        f = float(value)
        if f != f or f in (float("inf"), float("-inf")):
            raise ValueError(f"{name}={value!r} must be a finite real number")
        return mpmath.mpf(f)
    if isinstance(value, (numbers.Complex, mpmath.mpc)):
        raise TypeError(f"{name}={value!r} is complex: the blocks are real (take .real "
                        "yourself if the imaginary part is known to vanish)")
    raise TypeError(f"{name}={value!r} must be a real number (int, Fraction, float or mpf)")


def _rows(name: str, data, depth: int) -> list:
    """``data`` as nested lists ``depth`` deep; strings and scalars are refused by name."""
    if isinstance(data, (str, bytes)) or not hasattr(data, "__iter__"):
        raise TypeError(f"{name} must be a sequence (samples, components, properties) of real "
                        f"numbers, not {type(data).__name__} {data!r:.40}")
    if depth == 1:
        return list(data)
    return [_rows(f"{name}[{i}]", item, depth - 1) for i, item in enumerate(data)]


def _block(name: str, data, l: int) -> list:
    """Nested list [sample][m][property] of mpf, checked against degree l."""
    rows = _rows(name, data, 3)
    for i, sample in enumerate(rows):
        if len(sample) != 2 * l + 1:
            raise ValueError(
                f"{name}[{i}] has {len(sample)} components: degree {l} needs 2*{l}+1 = {2 * l + 1}"
            )
        if len({len(component) for component in sample}) > 1 or (
                rows and sample and len(sample[0]) != len(rows[0][0])):
            raise ValueError(f"{name}[{i}] is ragged: every component of every sample needs "
                             "the same number of properties")
    return [[[_to_mpf(f"{name}[{i}, {m}, {p}]", v) for p, v in enumerate(component)]
             for m, component in enumerate(sample)] for i, sample in enumerate(rows)]


def _cg_mpf(l1: int, l2: int, L: int) -> list[tuple[int, int, int, mpmath.mpf]]:
    """Nonzero real CG entries (m1 index, m2 index, M index, value) at the current precision."""
    exact = real_clebsch_gordan(l1, l2, L)
    entries = []
    for (i, j, k), c in np.ndenumerate(exact):
        if c.sign != 0:
            entries.append((i, j, k, c.sign * mpmath.sqrt(mpmath.mpf(c.p) / c.q)))
    return entries


def cg_product(a, b, l1: int, l2: int, L: int, dps: int = 30) -> np.ndarray:
    """CG product of ``a`` ``(n, 2 l1 + 1, P)`` and ``b`` ``(n, 2 l2 + 1, Q)`` into degree ``L``.

    Returns a numpy object array of ``mpmath.mpf`` of shape ``(n, 2 L + 1, P * Q)``, the
    property index being ``p * Q + q`` (``p`` outer, ``q`` inner). Entries must be finite
    real numbers: complex values, strings, NaN and infinities are refused (``TypeError`` or
    ``ValueError`` naming the entry, e.g. ``a[0, 2, 1]``), never cast or propagated.

    Conventions: :mod:`o3ref.reference.conventions` (real CG, ``(y, z, x)`` order at l = 1).
    """
    l1, l2, L = _check_degree("l1", l1), _check_degree("l2", l2), _check_degree("L", L)
    if not abs(l1 - l2) <= L <= l1 + l2:
        raise ValueError(f"L={L} must satisfy |l1 - l2| <= L <= l1 + l2 with l1={l1}, l2={l2}")
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral) or dps < 15:
        raise ValueError(f"dps={dps!r} must be an integer >= 15")
    with mpmath.workdps(dps):
        A = _block("a", a, l1)
        B = _block("b", b, l2)
        if len(A) != len(B):
            raise ValueError(
                f"mismatched samples: a has {len(A)} samples but b has {len(B)}; "
                "the two factors must describe the same samples"
            )
        n = len(A)
        P = len(A[0][0]) if n else 0
        Q = len(B[0][0]) if n else 0
        entries = _cg_mpf(l1, l2, L)
        zero = mpmath.mpf(0)
        out = np.empty((n, 2 * L + 1, P * Q), dtype=object)
        for i in range(n):
            for M in range(2 * L + 1):
                for p in range(P):
                    for q in range(Q):
                        out[i, M, p * Q + q] = zero
            for m1, m2, M, c in entries:
                row_a, row_b = A[i][m1], B[i][m2]
                for p in range(P):
                    ca = c * row_a[p]
                    for q in range(Q):
                        out[i, M, p * Q + q] += ca * row_b[q]
        return out


def lambda_soap(coefficients, o3_sigma: int, o3_lambda: int, lcut: int | None = None,
                dps: int = 30):
    """The ``(o3_sigma, o3_lambda)`` block of the nu = 2 self-product of density coefficients.

    ``coefficients`` maps each degree ``l`` to an array ``(n, 2 l + 1, Q)`` (the nu = 1
    block of that degree, all with sigma = +1). Every ordered pair ``(l1, l2)`` with
    ``|l1 - l2| <= o3_lambda <= l1 + l2`` and ``(-1)**(l1 + l2 + o3_lambda) = o3_sigma``
    contributes ``Q * Q`` properties, in the seed's order: ``l1`` ascending, then ``l2``
    ascending, then ``p`` (of the ``l1`` factor) outer and ``q`` inner.

    Returns ``(values, labels)``: an object array ``(n, 2 o3_lambda + 1, n_properties)`` of
    ``mpmath.mpf`` and a list of ``(l1, p, l2, q)`` tuples, one per property.
    """
    o3_lambda = _check_degree("o3_lambda", o3_lambda)
    if o3_sigma not in (-1, 1):
        raise ValueError(f"o3_sigma={o3_sigma!r} must be +1 or -1")
    if lcut is not None and o3_lambda > _check_degree("lcut", lcut):
        raise ValueError(f"o3_lambda={o3_lambda} must not exceed lcut={lcut}")
    degrees = sorted(_check_degree("coefficients key", l) for l in coefficients)
    parts, labels = [], []
    for l1 in degrees:
        for l2 in degrees:
            if not abs(l1 - l2) <= o3_lambda <= l1 + l2:
                continue
            if (-1) ** (l1 + l2 + o3_lambda) != o3_sigma:
                continue
            values = cg_product(coefficients[l1], coefficients[l2], l1, l2, o3_lambda, dps=dps)
            P = len(coefficients[l1][0][0])
            Q = len(coefficients[l2][0][0])
            parts.append(values)
            labels.extend((l1, p, l2, q) for p in range(P) for q in range(Q))
    if not parts:
        return np.empty((0, 2 * o3_lambda + 1, 0), dtype=object), []
    return np.concatenate(parts, axis=2), labels
