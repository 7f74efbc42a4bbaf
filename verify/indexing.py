"""Index arithmetic of the verify layer (the only place with index formulas here).

Arrays of real harmonics hold every ``(l, m)`` with ``l <= l_max`` in the order::

    [(l, m) for l in range(l_max + 1) for m in range(-l, l + 1)]

so the block of degree ``l`` is ``values[..., block(l)]`` and ``(l, m)`` sits at
``flat_index(l, m) = l*l + l + m``. Plain integer arithmetic (no numpy, no sympy), so that
importing it costs nothing.

Conventions: :mod:`o3ref.reference.conventions` (storage order).

>>> block(1), flat_index(2, -2), lm_of_flat(13)
(slice(1, 4, None), 4, (3, 1))
"""

from __future__ import annotations

from math import isqrt

__all__ = ["block", "flat_index", "lm_of_flat"]


def block(l: int) -> slice:
    """The slice of degree ``l`` in a flat array of harmonics: ``l*l .. (l+1)**2``."""
    return slice(l * l, (l + 1) * (l + 1))


def flat_index(l: int, m: int) -> int:
    """Flat position of ``(l, m)``: ``l*l + l + m``."""
    return l * l + l + m


def lm_of_flat(k: int) -> tuple[int, int]:
    """``(l, m)`` of the flat position ``k`` (inverse of :func:`flat_index`)."""
    l = isqrt(k)
    return l, k - l * l - l
