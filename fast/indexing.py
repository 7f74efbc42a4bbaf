"""Index arithmetic of the fast layer: every flat index of ``o3ref.fast`` is computed here.

Layout (the comprehension that defines it)::

    [(l, m) for l in range(l_max + 1) for m in range(-l, l + 1)]

so that ``(l, m)`` sits at ``l*l + l + m`` and a block of degree ``l`` occupies
``slice(l*l, (l+1)**2)``. The triangular layout of the associated-Legendre-type helper
quantities is ``[(l, m) for l in range(l_max + 1) for m in range(l + 1)]``.

Conventions: :mod:`o3ref.reference.conventions` (m = -l..l ascending).
"""

from __future__ import annotations

import numbers

__all__ = [
    "check_l",
    "lm_index",
    "l_slice",
    "n_harmonics",
    "tri_index",
    "n_tri",
]


def check_l(name: str, value) -> int:
    """Return ``value`` as an int after checking that it is a non-negative integer.

    >>> check_l("l_max", 3)
    3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name}={value!r} must be a non-negative integer (got {type(value).__name__})"
        )
    value = int(value)
    if value < 0:
        raise ValueError(f"{name}={value} must be a non-negative integer")
    return value


def n_harmonics(l_max: int) -> int:
    """Number of ``(l, m)`` pairs with ``l <= l_max``: ``(l_max + 1)**2``.

    >>> n_harmonics(2)
    9
    """
    return (l_max + 1) ** 2


def lm_index(l: int, m: int) -> int:
    """Flat index of ``(l, m)``: ``l*l + l + m``.

    >>> lm_index(1, -1), lm_index(1, 1), lm_index(2, -2)
    (1, 3, 4)
    """
    return l * l + l + m


def l_slice(l: int) -> slice:
    """Slice of the flat index covering degree ``l`` (``m = -l..l``).

    >>> l_slice(2)
    slice(4, 9, None)
    """
    return slice(l * l, (l + 1) * (l + 1))


def tri_index(l: int, m: int) -> int:
    """Index of ``(l, m)``, ``0 <= m <= l``, in the triangular layout: ``l*(l+1)//2 + m``.

    >>> tri_index(2, 0), tri_index(2, 2)
    (3, 5)
    """
    return l * (l + 1) // 2 + m


def n_tri(l_max: int) -> int:
    """Size of the triangular layout up to ``l_max``: ``(l_max+1)*(l_max+2)//2``."""
    return (l_max + 1) * (l_max + 2) // 2
