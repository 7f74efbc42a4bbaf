"""Index arithmetic and argument checks of the exact layer (the only place with index formulas).

The layout of every array of harmonics in :mod:`o3ref.reference` is defined by::

    [(l, m) for l in range(l_max + 1) for m in range(-l, l + 1)]

so the flat position of ``(l, m)`` is ``l*l + l + m`` and a block of degree ``l`` holds
``2l+1`` entries, ``m = -l..l`` ascending at positions ``m + l``.

Angular momenta in Clebsch-Gordan coefficients may be half-integers; internally they are
stored *doubled* (``j = 3/2`` is the integer ``3``), so that all arithmetic is on integers.

Conventions: see :mod:`o3ref.reference.conventions`.

>>> [flat_index(l, m) for l, m in lm_pairs(1)]
[0, 1, 2, 3]
>>> flat_index(2, -2), n_harmonics(2)
(4, 9)
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np
import sympy

__all__ = [
    "check_degree",
    "check_order",
    "coupling_flat_positions",
    "doubled",
    "flat_index",
    "lm_pairs",
    "m_index",
    "m_values",
    "n_harmonics",
    "triangle",
]


def n_harmonics(l_max: int) -> int:
    """Number of harmonics with ``l <= l_max``: ``(l_max + 1)**2``.

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> n_harmonics(0), n_harmonics(3)
    (1, 16)
    """
    return (l_max + 1) ** 2


def flat_index(l: int, m: int) -> int:
    """Flat position of ``(l, m)`` in an array of all harmonics: ``l*l + l + m``.

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> flat_index(1, -1), flat_index(1, 1)
    (1, 3)
    """
    return l * l + l + m


def m_index(l: int, m: int) -> int:
    """Position of order ``m`` inside the block of degree ``l`` (``m = -l..l`` ascending).

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> m_index(2, -2), m_index(2, 0)
    (0, 2)
    """
    return m + l


def m_values(l: int) -> range:
    """Orders of degree ``l`` in storage order: ``range(-l, l + 1)``.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    return range(-l, l + 1)


def lm_pairs(l_max: int) -> list[tuple[int, int]]:
    """All ``(l, m)`` with ``l <= l_max`` in storage order.

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> lm_pairs(1)
    [(0, 0), (1, -1), (1, 0), (1, 1)]
    """
    l_max = check_degree("l_max", l_max)
    if (l_max + 1) ** 2 > _MAX_PAIRS:
        raise ValueError(f"l_max={l_max} would list (l_max+1)^2 = {(l_max + 1) ** 2:.3g} pairs; "
                         f"the limit is {_MAX_PAIRS:.0e}: ask for a smaller l_max")
    return [(l, m) for l in range(l_max + 1) for m in range(-l, l + 1)]


# lm_pairs builds a list of tuples (~100 bytes a pair): refuse beyond ~10 GB
_MAX_PAIRS = 10**8


def coupling_flat_positions(l1: int, l2: int, L: int, orders) -> np.ndarray:
    """Flat C-order positions of ``(m1, m2, M)`` rows in a ``(2l1+1, 2l2+1, 2L+1)`` array.

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> coupling_flat_positions(1, 1, 0, [(-1, -1, 0), (1, 1, 0)]).tolist()
    [0, 8]
    """
    m = np.asarray(orders, dtype=np.int64).reshape(-1, 3)
    return ((m[:, 0] + l1) * (2 * l2 + 1) + (m[:, 1] + l2)) * (2 * L + 1) + (m[:, 2] + L)


def triangle(l1: int, l2: int) -> range:
    """Degrees ``L`` allowed by the triangle rule: ``|l1 - l2| <= L <= l1 + l2``.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    return range(abs(l1 - l2), l1 + l2 + 1)


# --------------------------------------------------------------------------- argument checks


def _as_fraction(name: str, value) -> Fraction:
    """Exact rational value of an int / Fraction / sympy Rational / numpy integer argument."""
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r} must be an integer, not a bool")
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, Fraction):
        return value
    if isinstance(value, sympy.Basic):
        if isinstance(value, sympy.Rational):
            return Fraction(int(value.p), int(value.q))
        raise TypeError(
            f"{name}={value} must be an exact number (int, fractions.Fraction or sympy Rational)"
        )
    if isinstance(value, numbers.Real):
        raise TypeError(
            f"{name}={value!r} is a float: the exact layer takes int, fractions.Fraction "
            "or sympy Rational"
        )
    raise TypeError(
        f"{name}={value!r} must be an int, fractions.Fraction or sympy Rational, "
        f"got {type(value).__name__}"
    )


def check_degree(name: str, value) -> int:
    """``value`` as a Python int; raises unless it is a non-negative integer.

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> check_degree("l", 2)
    2
    >>> check_degree("l", -1)
    Traceback (most recent call last):
    ...
    ValueError: l=-1 must be a non-negative integer
    """
    if type(value) is int and value >= 0:  # fast path: the common case
        return value
    frac = _as_fraction(name, value)
    if frac.denominator != 1 or frac < 0:
        raise ValueError(f"{name}={frac} must be a non-negative integer")
    return int(frac)


def check_order(name: str, value, l: int, l_name: str = "l") -> int:
    """``value`` as a Python int; raises unless it is an integer with ``|m| <= l``.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    if type(value) is int and -l <= value <= l:  # fast path: the common case
        return value
    frac = _as_fraction(name, value)
    if frac.denominator != 1:
        raise ValueError(f"{name}={frac} must be an integer")
    if abs(frac) > l:
        raise ValueError(f"{name}={frac} must satisfy |{name}| <= {l_name}={l}")
    return int(frac)


def doubled(name: str, value, *, non_negative: bool = False) -> int:
    """Twice ``value`` as a Python int; raises unless ``value`` is an integer or half-integer.

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> doubled("j", Fraction(3, 2)), doubled("m", -1)
    (3, -2)
    """
    if type(value) is int:  # fast path: the common case
        if non_negative and value < 0:
            raise ValueError(f"{name}={value} must be a non-negative integer or half-integer")
        return 2 * value
    frac = _as_fraction(name, value)
    twice = 2 * frac
    if twice.denominator != 1:
        kind = "a non-negative" if non_negative else "an"
        raise ValueError(f"{name}={frac} must be {kind} integer or half-integer")
    if non_negative and twice < 0:
        raise ValueError(f"{name}={frac} must be a non-negative integer or half-integer")
    return int(twice)
