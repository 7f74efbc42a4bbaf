"""``SignedSqrt``: an exact real number ``sign * sqrt(p/q)`` with integers ``p, q``.

Every real Clebsch-Gordan coefficient has this form (its square is rational), so the exact
tables store three integers per entry and convert to sympy or float only at the boundary.
``p/q`` is kept in lowest terms, ``q > 0``; zero is ``sign = 0, p = 0, q = 1``.

Conventions: see :mod:`o3ref.reference.conventions`.

>>> v = SignedSqrt(-1, 3, 10)
>>> v, str(v), v.to_sympy()
(SignedSqrt(-1, 3, 10), '-sqrt(3/10)', -sqrt(30)/10)
>>> v * v, float(v)
(SignedSqrt(1, 9, 100), -0.5477225575051661)
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from math import gcd, isqrt

import sympy

__all__ = ["SignedSqrt"]

_INTERN_LIMIT = 1 << 18
_INTERNED: dict[tuple[int, int, int], SignedSqrt] = {}


_NOT_FINITE = object()


def _exact_rational(value):
    """The exact value of an int, Fraction or float (any ``numbers.Real`` whose ``float`` is
    exact, such as numpy's) as a Fraction; ``_NOT_FINITE`` for NaN and infinities; ``None``
    for anything else (sympy numbers compare through ``_sympy_``)."""
    if isinstance(value, bool):
        return Fraction(int(value))
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, float) or (isinstance(value, numbers.Real) and type(value).__module__
                                    == "numpy"):
        f = float(value)
        if f != f or f in (float("inf"), float("-inf")):
            return _NOT_FINITE
        return Fraction(f)
    return None


class SignedSqrt:
    """Exact ``sign * sqrt(p/q)``; immutable, hashable, compares exactly.

    ``==`` compares exact values with ints, Fractions and floats (the float's exact binary
    value, as ``Fraction(1, 2) == 0.5`` does), and equal numbers hash equally.

    Conventions: see :mod:`o3ref.reference.conventions` (real CG entries are of this form).

    >>> str(SignedSqrt(-1, 1, 3)), float(SignedSqrt(1, 1, 4))
    ('-sqrt(1/3)', 0.5)
    """

    __slots__ = ("sign", "p", "q")

    def __init__(self, sign: int, p: int, q: int = 1):
        for name, value in (("sign", sign), ("p", p), ("q", q)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{name}={value!r} must be an integer")
        sign, p, q = int(sign), int(p), int(q)
        if q <= 0:
            raise ValueError(f"q={q} must be a positive integer")
        if p < 0:
            raise ValueError(f"p={p} must be a non-negative integer")
        if sign not in (-1, 0, 1):
            raise ValueError(f"sign={sign} must be -1, 0 or 1")
        if p == 0 or sign == 0:
            sign, p, q = 0, 0, 1
        else:
            g = gcd(p, q)
            if g != 1:
                p, q = p // g, q // g
        object.__setattr__(self, "sign", sign)
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "q", q)

    def __setattr__(self, name, value):
        raise AttributeError("SignedSqrt is immutable")

    @classmethod
    def _raw(cls, sign: int, p: int, q: int) -> SignedSqrt:
        """Internal constructor for already reduced ``p/q`` (no checks); instances are
        shared (interned), which keeps big exact tables small and fast to build."""
        key = (sign, p, q)
        obj = _INTERNED.get(key)
        if obj is None:
            obj = object.__new__(cls)
            object.__setattr__(obj, "sign", sign)
            object.__setattr__(obj, "p", p)
            object.__setattr__(obj, "q", q)
            if len(_INTERNED) > _INTERN_LIMIT:
                _INTERNED.clear()
            _INTERNED[key] = obj
        return obj

    # ------------------------------------------------------------------ conversions
    @property
    def square(self) -> Fraction:
        """The exact square ``p/q`` as a Fraction."""
        return Fraction(self.p, self.q)

    def to_sympy(self) -> sympy.Expr:
        """The same number as a canonical sympy expression (``-sqrt(3/10)`` -> ``-sqrt(30)/10``)."""
        if self.sign == 0:
            return sympy.Integer(0)
        return self.sign * sympy.sqrt(sympy.Rational(self.p, self.q))

    def _sympy_(self) -> sympy.Expr:
        # lets sympy.sympify (and sympy arithmetic) take a SignedSqrt directly
        return self.to_sympy()

    def __float__(self) -> float:
        # correctly rounded from the exact square through integer arithmetic
        if self.sign == 0:
            return 0.0
        # sqrt(p/q) = isqrt(p * 4**k // q) / 2**k with k large enough for 53+ bits
        k = max(0, 64 + (self.q.bit_length() - self.p.bit_length()) // 2 + 1)
        root = isqrt((self.p << (2 * k)) // self.q)
        return self.sign * float(Fraction(root, 1 << k))

    def __bool__(self) -> bool:
        return self.sign != 0

    # ------------------------------------------------------------------ arithmetic
    def __neg__(self) -> SignedSqrt:
        return SignedSqrt._raw(-self.sign, self.p, self.q)

    def __abs__(self) -> SignedSqrt:
        return SignedSqrt._raw(abs(self.sign), self.p, self.q)

    def __mul__(self, other):
        if isinstance(other, SignedSqrt):
            return SignedSqrt(self.sign * other.sign, self.p * other.p, self.q * other.q)
        if isinstance(other, int):
            sign = (other > 0) - (other < 0)
            return SignedSqrt(self.sign * sign, self.p * other * other, self.q)
        return NotImplemented

    __rmul__ = __mul__

    # ------------------------------------------------------------------ comparisons
    def _key(self):
        return (self.sign, self.p, self.q)

    def __eq__(self, other):
        # by exact value, as Fraction does: ``SignedSqrt(1, 1, 4) == 0.5`` (0.5 is exactly
        # 1/2), ``SignedSqrt(1, 1, 2) != float(...)`` (an irrational is never a float)
        if isinstance(other, SignedSqrt):
            return self._key() == other._key()
        value = _exact_rational(other)
        if value is None:
            return NotImplemented
        if value is _NOT_FINITE:
            return False
        sign = (value > 0) - (value < 0)
        return sign == self.sign and value * value == self.square

    def __hash__(self):
        # equal numbers hash equally (``SignedSqrt(1, 4, 1) == 2`` and ``hash(...) == hash(2)``):
        # a rational value hashes as its Fraction (as int and Fraction do), an irrational one
        # as its canonical sympy expression, which is what ``==`` with sympy compares
        rp, rq = isqrt(self.p), isqrt(self.q)
        if rp * rp == self.p and rq * rq == self.q:
            return hash(Fraction(self.sign * rp, rq))
        return hash(self.to_sympy())

    # ------------------------------------------------------------------ pickle / copy
    def __reduce__(self):
        # immutable with __slots__: rebuild through the checked constructor (pickle, copy
        # and deepcopy all go through this; exact tables can cross process boundaries)
        return (SignedSqrt, (self.sign, self.p, self.q))

    def __copy__(self) -> SignedSqrt:
        return self

    def __deepcopy__(self, memo) -> SignedSqrt:
        return self

    # ------------------------------------------------------------------ printing
    def __repr__(self) -> str:
        return f"SignedSqrt({self.sign}, {self.p}, {self.q})"

    def __str__(self) -> str:
        """Exact text: ``0``, ``1``, ``-1/2``, ``sqrt(3)``, ``-sqrt(3/10)`` (never a float)."""
        if self.sign == 0:
            return "0"
        minus = "-" if self.sign < 0 else ""
        rp, rq = isqrt(self.p), isqrt(self.q)
        if rp * rp == self.p and rq * rq == self.q:
            return f"{minus}{rp}" if rq == 1 else f"{minus}{rp}/{rq}"
        inner = f"{self.p}" if self.q == 1 else f"{self.p}/{self.q}"
        return f"{minus}sqrt({inner})"
