"""Real Clebsch-Gordan coefficients of one ``(l1, l2, L)`` in bulk, for the exact tables.

The same numbers as :func:`o3ref.reference.real_cg.real_clebsch_gordan`, by a second route
that works on whole arrays: ``K[m1, m2, M] = sum U1[mu1, m1] U2[mu2, m2] <l1 mu1 l2 mu2 | L mu>
conj(UL[mu, M])`` (CONVENTIONS) has at most four terms, each a unit phase (1, -1, i or -i)
times ``2^(-n/2)`` (``n`` = how many of ``m1, m2, M`` are non-zero) times a complex CG. The
complex CG of a term is, up to the exact sign ``(-1)^(l1+l2+L)`` of ``(mu1, mu2) ->
(-mu1, -mu2)``, one of two *canonical* coefficients of ``k1 = |m1|, k2 = |m2|``:

* ``A(k1, k2) = <l1 k1 l2 k2 | L k1+k2>`` (the orders have the same sign), or
* ``B(k1, k2) = <l1 k1 l2 -k2 | L k1-k2>`` (opposite signs, both non-zero).

So every real coefficient is ``v * 2^(-n/2) * X`` with ``X`` one canonical coefficient and
``v`` a small integer (the real or imaginary part of a Gaussian integer, summed over the
terms): the phases are summed for all ``(m1, m2, M)`` at once with NumPy integer arrays, the
canonical coefficients are computed once each in exact integers (Racah's formula), and the
square ``v^2 X^2 / 2^n = p/q`` once per distinct ``(X, v^2 / 2^n)``. No floats are used.

Conventions: see :mod:`o3ref.reference.conventions` (section "Clebsch-Gordan").

>>> keys, sign, pair_id, pairs = real_cg_block(1, 1, 0)  # -(u . v)/sqrt(3)
>>> keys.tolist(), sign.tolist(), [pairs[i] for i in pair_id]
([[-1, -1, 0], [0, 0, 0], [1, 1, 0]], [-1, -1, -1], [(1, 3), (1, 3), (1, 3)])
"""

from __future__ import annotations

from math import gcd

import numpy as np

from .._racah import _FACTORIALS, _factorial
from ..indexing import check_degree

__all__ = ["real_cg_block", "real_cg_blocks"]


def _phase(m: np.ndarray, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``U[mu, m]`` times ``sqrt2`` (times 1 for ``m = 0``) as Gaussian integers ``(re, im)``,
    for ``|mu| = |m|`` (CONVENTIONS: ``U[|m|, m] = (-1)^m, U[-|m|, m] = 1`` for ``m > 0``;
    ``U[|m|, m] = i (-1)^m, U[-|m|, m] = -i`` for ``m < 0``; ``U[0, 0] = 1``)."""
    k = np.abs(m)
    cs = 1 - 2 * (k & 1)  # (-1)^|m|
    upper = mu > 0  # mu = +|m| (for m != 0)
    positive, negative = m > 0, m < 0
    re = np.where(positive, np.where(upper, cs, 1), np.where(negative, 0, 1))
    im = np.where(negative, np.where(upper, cs, -1), 0)
    return re, im


def _candidates(l1: int, l2: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ``(m1, m2, M)`` that can be non-zero for some ``L``: ``|M|`` is ``k1 + k2`` or
    ``|k1 - k2|``; sorted by ``(m1, m2, M)``."""
    m1, m2 = np.meshgrid(np.arange(-l1, l1 + 1), np.arange(-l2, l2 + 1), indexing="ij")
    m1, m2 = m1.ravel(), m2.ravel()
    k1, k2 = np.abs(m1), np.abs(m2)
    total, diff = k1 + k2, np.abs(k1 - k2)
    both = (k1 > 0) & (k2 > 0)
    cols = [(m1, m2, total), (m1[total > 0], m2[total > 0], -total[total > 0]),
            (m1[both], m2[both], diff[both]),
            (m1[both & (diff > 0)], m2[both & (diff > 0)], -diff[both & (diff > 0)])]
    m1, m2, big = (np.concatenate([c[i] for c in cols]) for i in range(3))
    order = np.lexsort((big, m2, m1))
    return m1[order], m2[order], big[order]


class _Pattern:
    """The phase sums of one ``(l1, l2)`` for every candidate, for both parities of
    ``l1 + l2 + L``: ``value[odd]`` (``Re`` or ``Im`` of the Gaussian integer ``g``),
    ``other[odd]`` (the part that must vanish), ``code`` of the canonical coefficient."""

    def __init__(self, l1: int, l2: int):
        m1, m2, big = _candidates(l1, l2)
        k1, k2 = np.abs(m1), np.abs(m2)
        g = {odd: [np.zeros(len(m1), dtype=np.int64), np.zeros(len(m1), dtype=np.int64)]
             for odd in (0, 1)}
        kind_b = np.full(len(m1), -1, dtype=np.int64)
        for s1 in (1, -1):
            for s2 in (1, -1):
                mu1, mu2 = s1 * k1, s2 * k2
                mu = mu1 + mu2
                valid = ((np.abs(mu) == np.abs(big)) & ((k1 > 0) | (s1 == 1))
                         & ((k2 > 0) | (s2 == 1)))
                if not valid.any():
                    continue
                r1, i1 = _phase(m1, mu1)
                r2, i2 = _phase(m2, mu2)
                rl, il = _phase(big, mu)
                il = -il  # conj(U_L)
                re12, im12 = r1 * r2 - i1 * i2, r1 * i2 + i1 * r2
                re = np.where(valid, re12 * rl - im12 * il, 0)
                im = np.where(valid, re12 * il + im12 * rl, 0)
                # (mu1, mu2) -> canonical orders (first non-zero positive): (-1)^(l1+l2+L)
                flipped = (mu1 < 0) | ((mu1 == 0) & (mu2 < 0))
                for odd, acc in g.items():
                    eps = np.where(flipped, -1, 1) if odd else 1
                    acc[0] += eps * re
                    acc[1] += eps * im
                b = ((k1 > 0) & (k2 > 0) & (s1 != s2)).astype(np.int64)
                clash = valid & (kind_b >= 0) & (kind_b != b)
                assert not clash.any(), "terms of one real coefficient use two canonical moduli"
                kind_b = np.where(valid, b, kind_b)
        covered = kind_b >= 0
        self.m1, self.m2, self.big = m1[covered], m2[covered], big[covered]
        self.abs_big = np.abs(self.big)
        self.code = ((k1 * (l2 + 1) + k2) * 2 + kind_b)[covered]
        self.value = {0: g[0][0][covered], 1: g[1][1][covered]}
        self.other = {0: g[0][1][covered], 1: g[1][0][covered]}
        # C^2 = v^2 X^2 / 2^n with v^2 in {1, 4}: 2^-shift X^2
        n = (self.m1 != 0).astype(np.int64) + (self.m2 != 0) + (self.big != 0)
        self.shift = {odd: n - np.where(np.abs(v) == 2, 2, 0) for odd, v in self.value.items()}
        for odd, v in self.value.items():
            assert np.all(np.abs(v) <= 2) and np.all(self.shift[odd][v != 0] >= 0), \
                "|C| <= 1 needs |v| <= 2 and v^2 <= 2^n"


def _canonical(l1: int, l2: int, L: int, code: np.ndarray):
    """Exact canonical coefficients for the distinct ``(k1, k2, A or B)`` needed:
    ``(codes, sign, squares)``, ``code = (k1 (l2 + 1) + k2) 2 + B``; ``squares[i]`` is the
    reduced ``(p, q)`` of the coefficient's square (from :func:`_cg_column`; a column of
    negative ``M`` is read from ``-M`` by ``<l1 -m1 l2 -m2 | L -M> = (-1)^(l1+l2+L) <...>``)."""
    codes = np.unique(code)
    sign = np.zeros(len(codes), dtype=np.int64)
    squares = []
    columns: dict[int, tuple[int, list]] = {}
    odd = (l1 + l2 + L) % 2
    for i, code in enumerate(codes.tolist()):
        b, rest = code & 1, code >> 1
        a1, a2 = divmod(rest, l2 + 1)
        m1, big = a1, a1 - a2 if b else a1 + a2
        flip = 1
        if big < 0:
            m1, big, flip = -m1, -big, -1 if odd else 1
        column = columns.get(big)
        if column is None:
            column = columns[big] = _cg_column(l1, l2, L, big)
        value_sign, p, q = column[1][m1 - column[0]]
        sign[i] = flip * value_sign
        squares.append((p, q))
    return codes, sign, squares


def real_cg_blocks(l1: int, l2: int, l_max: int):
    """Yield ``(L, keys, sign, pair_id, pairs)`` for every triangle-valid ``L <= l_max`` of
    ``(l1, l2)`` (integers): the non-zero real CG ``C[m1, m2, M]``, ``keys`` an ``(n, 3)``
    int64 array of ``(m1, m2, M)`` in increasing order, ``sign`` int8, and
    ``C = sign * sqrt(p/q)`` with ``(p, q) = pairs[pair_id]`` in lowest terms (distinct).

    No work budget here: :mod:`o3ref.reference.tables` refuses a table by its size up front,
    and a block is a small part of one.

    Conventions: see :mod:`o3ref.reference.conventions` (``Re K`` or ``Im K``).
    """
    l1, l2 = check_degree("l1", l1), check_degree("l2", l2)
    l_max = check_degree("l_max", l_max)
    pattern = _Pattern(l1, l2)
    for L in range(abs(l1 - l2), min(l1 + l2, l_max) + 1):
        odd = (l1 + l2 + L) % 2
        sel = pattern.abs_big <= L
        value = pattern.value[odd][sel]
        code = pattern.code[sel]
        codes, csign, squares = _canonical(l1, l2, L, code)
        which = np.searchsorted(codes, code)
        nonzero = csign[which] != 0  # a canonical coefficient can vanish (<1 0 1 0 | 1 0>)
        assert not (pattern.other[odd][sel] * nonzero).any(), \
            "K must be real (l1+l2+L even) or imaginary (odd)"
        sign = np.sign(value) * csign[which]
        keep = sign != 0
        which, sign = which[keep], sign[keep]
        shift = pattern.shift[odd][sel][keep]
        pair_codes, pair_id = np.unique(which * 8 + shift, return_inverse=True)
        distinct: dict[tuple[int, int], int] = {}
        remap = np.empty(len(pair_codes), dtype=np.int64)
        for i, pair_code in enumerate(pair_codes.tolist()):
            p, q = squares[pair_code >> 3]
            # p/q in lowest terms, so gcd(p, q 2^s) = 2^min(s, v2(p))
            shift = pair_code & 7
            drop = min(shift, (p & -p).bit_length() - 1)
            remap[i] = distinct.setdefault((p >> drop, q << (shift - drop)), len(distinct))
        keys = np.stack([pattern.m1[sel][keep], pattern.m2[sel][keep], pattern.big[sel][keep]],
                        axis=1)
        yield L, keys, sign.astype(np.int8), remap[pair_id.reshape(-1)], list(distinct)


def real_cg_block(l1: int, l2: int, L: int):
    """Non-zero real CG of one triangle-valid ``(l1, l2, L)``: ``(keys, sign, pair_id,
    pairs)`` as yielded by :func:`real_cg_blocks`.

    Conventions: see :mod:`o3ref.reference.conventions` (``Re K`` or ``Im K``).
    """
    L = check_degree("L", L)
    for got_l, *rest in real_cg_blocks(l1, l2, L):
        if got_l == L:
            return tuple(rest)
    raise ValueError(f"L={L} breaks the triangle rule of l1={l1}, l2={l2}")


def _cg_column(l1: int, l2: int, L: int, M: int) -> tuple[int, list[tuple[int, int, int]]]:
    """Every ``<l1 m1 l2 M-m1 | L M>`` of one column as ``(lo, [(sign, p, q), ...])`` for
    ``m1 = lo, lo + 1, ...``: the value is ``sign * sqrt(p/q)`` (``p/q`` in lowest terms;
    ``(0, 0, 1)`` for an exact zero). Integer ``l1, l2, L, M``, triangle-valid, ``|M| <= L``.

    A second route to the numbers of :func:`o3ref.reference._racah._cg_doubled`: with
    ``C(m1) = N sqrt(F(m1)) S(m1)``, ``F = (l1+m1)! (l1-m1)! (l2+m2)! (l2-m2)!``, the
    eigenvalue equation of ``J^2`` becomes the integer three-term recurrence
    ``(l1+m1+1)(l2-m2+1) S(m1+1) = beta S(m1) - (l1-m1+1)(l2+m2+1) S(m1-1)`` with
    ``beta = L(L+1) - l1(l1+1) - l2(l2+1) - 2 m1 m2``, started at the lowest ``m1`` from
    ``S = 1``; ``N`` follows from ``sum C^2 = 1`` and the sign from Condon-Shortley: the
    coefficient with the largest ``m1`` is positive (Racah's sum has one positive term there).
    """
    lo, hi = max(-l1, M - l2), min(l1, M + l2)
    base = L * (L + 1) - l1 * (l1 + 1) - l2 * (l2 + 1)
    # s[i] / D[i] = S(lo + i) with D[i+1] = D[i] e[i]
    s = [1]
    e_list = []
    prev_s, prev_e = 0, 1
    for m1 in range(lo, hi):
        m2 = M - m1
        beta = base - 2 * m1 * m2
        c = (l1 - m1 + 1) * (l2 + m2 + 1)
        e = (l1 + m1 + 1) * (l2 - m2 + 1)
        nxt = beta * s[-1] - c * prev_e * prev_s
        prev_s, prev_e = s[-1], e
        s.append(nxt)
        e_list.append(e)
    # T[i] = s[i] * D[hi] / D[i] = s[i] * prod(e[i:])
    n = len(s)
    tail = [1] * n
    for i in range(n - 2, -1, -1):
        tail[i] = tail[i + 1] * e_list[i]
    _factorial(2 * max(l1, l2))  # fills the shared table up to there
    facts = _FACTORIALS
    weights = []
    total = 0
    for i in range(n):
        m1 = lo + i
        m2 = M - m1
        t = s[i] * tail[i]
        w = facts[l1 + m1] * facts[l1 - m1] * facts[l2 + m2] * facts[l2 - m2] * t * t
        weights.append(w)
        total += w
    flip = -1 if s[-1] < 0 else 1
    out = []
    for i in range(n):
        w = weights[i]
        if not w:
            out.append((0, 0, 1))
            continue
        g = gcd(w, total)
        out.append((flip if s[i] > 0 else -flip, w // g, total // g))
    return lo, out
