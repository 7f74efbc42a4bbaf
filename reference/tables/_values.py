"""Exact table values as text and as the correctly rounded float64, and the per-row columns
of a shard made once per distinct ``(p, q)`` (the two shards of a task share their pairs).

A value is ``sign * sqrt(p/q)`` (``/ sqrt(pi)`` for the kinds in
:data:`o3ref.reference.tables._kinds.PI_KINDS`) with integers ``p, q`` in lowest terms.

Conventions: see :mod:`o3ref.reference.conventions`.

>>> exact_text(-1, 3, 10, False), exact_text(1, 1, 4, True), float_value(1, 1, 4, False)
('-sqrt(3/10)', '1/2/sqrt(pi)', 0.5)
"""

from __future__ import annotations

import functools
from math import frexp, isqrt, ldexp, sqrt

import numpy as np

__all__ = ["PairColumns", "exact_text", "float_value", "pair_columns"]


def exact_text(sign: int, p: int, q: int, pi: bool) -> str:
    """Exact text of ``sign * sqrt(p/q)`` (``/sqrt(pi)`` appended when ``pi``): ``-sqrt(3/10)``,
    ``1/2``, ``sqrt(3)/sqrt(pi)``; never a float.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    if sign == 0:
        return "0"
    minus = "-" if sign < 0 else ""
    # squares are 0, 1, 4 or 9 mod 16: most p, q are ruled out without a square root
    if (0x0213 >> (p & 15)) & 1 and (0x0213 >> (q & 15)) & 1:
        rp, rq = isqrt(p), isqrt(q)
        square = rp * rp == p and rq * rq == q
    else:
        square = False
    if square:
        body = f"{rp}" if rq == 1 else f"{rp}/{rq}"
    else:
        body = f"sqrt({p})" if q == 1 else f"sqrt({p}/{q})"
    return f"{minus}{body}/sqrt(pi)" if pi else f"{minus}{body}"


@functools.lru_cache(maxsize=8)
def _pi_bounds(bits: int) -> tuple[int, int]:
    """Integers ``lo < pi * 2**bits < hi`` (mpmath at a higher precision, widened by 2)."""
    import mpmath

    with mpmath.workprec(bits + 64):
        approx = int(mpmath.floor(mpmath.pi * mpmath.mpf(2) ** bits))
    return approx - 2, approx + 3


def float_value(sign: int, p: int, q: int, pi: bool) -> float:
    """The float64 nearest to ``sign * sqrt(p/q)`` (``/ sqrt(pi)`` when ``pi``), from integers.

    The exact value is bracketed by ``[a, b] / 2**k`` with integer square roots; when both
    ends round to one float64, that is the correctly rounded value (else ``k`` grows). Without
    ``pi``, a candidate from ``math.sqrt`` is accepted first when integers prove it is the
    nearest float64 (the exact value lies strictly between its two rounding midpoints).

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    if sign == 0:
        return 0.0
    if not pi:
        nearest = _checked_sqrt(p, q)
        if nearest is not None:
            return sign * nearest
    k = max(0, 64 + (q.bit_length() - p.bit_length()) // 2 + 2)
    while True:
        if pi:
            lo_pi, hi_pi = _pi_bounds(2 * k + 8)
            a = isqrt((p << (4 * k + 8)) // (q * hi_pi))
            b = isqrt(-(-(p << (4 * k + 8)) // (q * lo_pi))) + 1
        else:
            num = p << (2 * k)
            a = isqrt(num // q)
            b = a if a * a * q == num else a + 1
        # int -> float is correctly rounded and scaling by 2**-k is exact (no underflow here)
        low, high = ldexp(float(a), -k), ldexp(float(b), -k)
        if low == high:
            return sign * low
        k += 32


def _checked_sqrt(p: int, q: int) -> float | None:
    """``math.sqrt(p / q)`` when integers prove it is the float64 nearest to ``sqrt(p/q)``
    (``(2M-1)^2 4^(E-1) < p/q < (2M+1)^2 4^(E-1)`` for the candidate ``M 2^E``), else None."""
    try:
        candidate = sqrt(p / q)
    except OverflowError:
        return None
    if not 2.0**-1000 < candidate < 2.0**1000:
        return None
    mantissa, exponent = frexp(candidate)
    m = int(mantissa * 2**53)
    if m == 2**52:  # a power of two: the midpoint below is closer; leave it to the brackets
        return None
    e2 = 2 * (exponent - 53) - 2  # midpoints (2m -+ 1) 2^(E-1), squared: (2m -+ 1)^2 2^e2
    low, high = (2 * m - 1) ** 2, (2 * m + 1) ** 2
    if e2 >= 0:
        lq, rq = low * q << e2, high * q << e2
        ok = lq < p < rq
    else:
        scaled = p << -e2
        ok = low * q < scaled < high * q
    return candidate if ok else None


class PairColumns:
    """The texts (``p``, ``q``, ``sqrt(p/q)``) and float64 value of each distinct ``(p, q)``
    of a shard, and its per-row columns gathered by ``pair_id``.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """

    def __init__(self, pairs: list[tuple[int, int]], pi: bool):
        self.p = [str(p) for p, _ in pairs]
        self.q = [str(q) for _, q in pairs]
        self.plus = [exact_text(1, p, q, pi) for p, q in pairs]
        self.value = np.array([float_value(1, p, q, pi) for p, q in pairs], dtype=np.float64)
        self._tables: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def values(self, rows) -> np.ndarray:
        """The float64 value of each row."""
        ids = rows.pair_id
        return np.where(rows.sign < 0, -self.value[ids], self.value[ids]) if len(ids) else \
            np.zeros(0)

    def objects(self, rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``p``, ``q`` and exact text of each row as Python str (object arrays)."""
        ids = rows.pair_id
        p, q = np.array(self.p, dtype=object), np.array(self.q, dtype=object)
        plus = np.array(self.plus, dtype=object)
        minus = np.array(["-" + t for t in self.plus], dtype=object)
        return p[ids], q[ids], np.where(rows.sign < 0, minus[ids], plus[ids])

    def fixed_width(self, name: str, rows, signed: bool = False) -> np.ndarray:
        """Column ``name`` (``"p"``, ``"q"`` or ``"plus"``; ``"-"`` prepended to negative rows
        when ``signed``) as a bytes array as wide as its longest entry."""
        ids = rows.pair_id
        if not len(ids):
            return np.zeros(0, dtype="S1")
        if name not in self._tables:
            texts = getattr(self, name)
            self._tables[name] = (np.array([t.encode("ascii") for t in texts], dtype=np.bytes_),
                                  np.array([len(t) for t in texts], dtype=np.int64))
        table, lengths = self._tables[name]
        lengths = lengths[ids]
        if not signed:
            return table[ids].astype(f"S{int(lengths.max())}")
        negative = rows.sign < 0
        column = np.char.add(np.where(negative, b"-", b""), table[ids])
        return column.astype(f"S{int((lengths + negative).max())}")


# the last shard's pairs and their columns, swapped as one tuple (its mirror shares the list)
_LAST: tuple = (None, None, None)


def pair_columns(rows, pi: bool) -> PairColumns:
    """The :class:`PairColumns` of ``rows.pairs``, made once for the two shards of a task.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    global _LAST
    pairs, last_pi, columns = _LAST
    if pairs is rows.pairs and last_pi == pi:
        return columns
    columns = PairColumns(rows.pairs, pi)
    _LAST = (rows.pairs, pi, columns)
    return columns
