"""Test-side helpers shared by the reference tests (independent of the code under test)."""

from __future__ import annotations

from fractions import Fraction

import sympy


def sqrt_free(p: int, q: int) -> tuple[Fraction, int]:
    """sqrt(p/q) = c sqrt(s) with s square-free, via sympy.factorint."""
    a, s = 1, 1
    for prime, e in sympy.factorint(p * q).items():
        a *= prime ** (e // 2)
        s *= prime ** (e % 2)
    return Fraction(a, q), s
