"""What each exact table holds: kinds, columns, shards, and the rows of one shard in bulk.

Every kind follows one column pattern: **the indices** (the selector of the object, then
degrees, then orders, then any remaining index), then ``sign, p, q, exact, value``:

=================== =========================================== =========================
kind                index columns                               value
=================== =========================================== =========================
``cg``              ``l1, l2, L, m1, m2, M``                    ``<l1 m1 l2 m2 | L M>``
``3j``              ``l1, l2, l3, m1, m2, m3``                  ``(l1 l2 l3; m1 m2 m3)``
``real-cg``         ``l1, l2, L, m1, m2, M``                    real CG ``C[m1, m2, M]``
``gaunt``           ``l1, l2, l3, m1, m2, m3``                  integral of 3 complex ``Y``
``real-gaunt``      ``l1, l2, l3, m1, m2, m3``                  integral of 3 real ``Y_lm``
``6j``              ``j1, j2, j3, j4, j5, j6``                  ``{j1 j2 j3; j4 j5 j6}``
``9j``              ``j1, ..., j9`` (rows)                      9j symbol
``sh-poly``         ``l, m, nx, ny, nz``                        coefficient of
                                                                ``x^nx y^ny z^nz`` in ``R_lm``
``cartesian-basis`` ``basis, L, copy, m, index``                ``Q[row, index]`` of
                                                                ``cartesian_basis(formula)``
``coupling``        ``l, parity, degree, L, vector, index``     entry ``index`` (flat) of
                                                                basis tensor ``vector``
=================== =========================================== =========================

The value is ``sign * sqrt(p/q)``, or ``sign * sqrt(p/q) / sqrt(pi)`` for the kinds in
:data:`PI_KINDS` (``gaunt``, ``real-gaunt``, ``sh-poly``); only non-zero entries, rows in
increasing order of their indices. ``6j`` and ``9j`` tables hold integer arguments
``<= l_max``; ``cartesian-basis`` holds the bases of :data:`CARTESIAN_FORMULAS` of rank
``<= l_max`` (``basis`` is the position in that tuple, ``index`` the C-order flat index);
``coupling`` holds the exact bases of the symmetric couplings of one irrep ``l <= l_max``
(both parities, degrees 1 to 3; see :mod:`o3ref.reference.tables._coupling_rows`).

A table is cut into shards (files) by its first index: ``(l1, l2)`` for the CG-like kinds of
:data:`COUPLING_KINDS`, ``j1`` for ``6j``/``9j``, ``l`` for ``sh-poly`` and ``coupling``,
``basis`` for ``cartesian-basis``; a *task*
computes the shards that share work (``(l1, l2)`` and ``(l2, l1)`` come from the same
coefficients). :func:`shard_rows` returns a shard as arrays: indices in an ``int64`` array,
signs in ``int8``, and ``p, q`` as Python ints of any size, once per distinct pair.

Conventions: see :mod:`o3ref.reference.conventions` (Condon-Shortley CG, real ``Y_lm``).

>>> rows = shard_rows("real-cg", 1, (1, 1))
>>> rows.indices[:3].tolist(), rows.sign[:3].tolist(), rows.pairs[rows.pair_id[0]]
([[1, 1, 0, -1, -1, 0], [1, 1, 0, 0, 0, 0], [1, 1, 0, 1, 1, 0]], [-1, -1, -1], (1, 3))
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from math import gcd

import numpy as np

from ..clebsch_gordan import _cg_cached, _three_j_doubled
from ..gaunt import _cg_scale, _gaunt_3j
from ..indexing import triangle
from ..recoupling import _nine_j_doubled, _six_j_doubled
from ..solid_polynomials import _solid_rows
from ._coupling_rows import coupling_dimensions, coupling_rows
from ._real_cg_blocks import real_cg_blocks

__all__ = [
    "CARTESIAN_FORMULAS",
    "COUPLING_KINDS",
    "KINDS",
    "PI_KINDS",
    "ShardRows",
    "columns",
    "estimate_rows",
    "index_columns",
    "manifest_extra",
    "shard_keys",
    "shard_rows",
    "task_keys",
]

KINDS = ("cg", "3j", "real-cg", "gaunt", "real-gaunt", "6j", "9j", "sh-poly", "cartesian-basis",
         "coupling")
COUPLING_KINDS = ("cg", "3j", "real-cg", "gaunt", "real-gaunt")
PI_KINDS = ("gaunt", "real-gaunt", "sh-poly")
CARTESIAN_FORMULAS = ("i", "ij", "ij=ji", "ij=-ji", "ijk", "ijk=jik", "ijkl=jikl=ijlk=klij")

_INDEX_COLUMNS = {
    "cg": ("l1", "l2", "L", "m1", "m2", "M"),
    "3j": ("l1", "l2", "l3", "m1", "m2", "m3"),
    "real-cg": ("l1", "l2", "L", "m1", "m2", "M"),
    "gaunt": ("l1", "l2", "l3", "m1", "m2", "m3"),
    "real-gaunt": ("l1", "l2", "l3", "m1", "m2", "m3"),
    "6j": ("j1", "j2", "j3", "j4", "j5", "j6"),
    "9j": ("j1", "j2", "j3", "j4", "j5", "j6", "j7", "j8", "j9"),
    "sh-poly": ("l", "m", "nx", "ny", "nz"),
    "cartesian-basis": ("basis", "L", "copy", "m", "index"),
    "coupling": ("l", "parity", "degree", "L", "vector", "index"),
}
VALUE_COLUMNS = ("sign", "p", "q", "exact", "value")
DESCRIPTION = {
    "cg": "complex Clebsch-Gordan <l1 m1 l2 m2 | L M>, Condon-Shortley",
    "3j": "Wigner 3j symbol (l1 l2 l3; m1 m2 m3)",
    "real-cg": "real Clebsch-Gordan C[m1, m2, M] (Re K or Im K of o3ref.reference.conventions)",
    "gaunt": "complex Gaunt coefficient: integral of Y_l1^m1 Y_l2^m2 Y_l3^m3 (no conjugate)",
    "real-gaunt": "real Gaunt coefficient: integral of the real Y_l1m1 Y_l2m2 Y_l3m3",
    "6j": "Wigner 6j symbol {j1 j2 j3; j4 j5 j6} (integer arguments)",
    "9j": "Wigner 9j symbol {j1 j2 j3; j4 j5 j6; j7 j8 j9} (rows; integer arguments)",
    "sh-poly": "coefficient of x^nx y^ny z^nz in the real solid harmonic R_lm = r^l Y_lm",
    "cartesian-basis": "Q[row (L, copy, m), index] of cartesian_basis(CARTESIAN_FORMULAS[basis])",
    "coupling": "entry index (C order) of tensors[vector] of coupling_basis('1x' + l + parity, "
    "degree, L, parity**degree): the exact symmetric couplings V_l^degree -> V_L",
}


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} must be one of {', '.join(KINDS)}")
    return kind


def index_columns(kind: str) -> tuple[str, ...]:
    """Index column names of ``kind`` (see the module table)."""
    return _INDEX_COLUMNS[_check_kind(kind)]


def columns(kind: str) -> tuple[str, ...]:
    """All column names of a table of ``kind``: the indices, then ``sign, p, q, exact, value``."""
    return index_columns(kind) + VALUE_COLUMNS


# ----------------------------------------------------------------------------- shards


def shard_keys(kind: str, l_max: int) -> list[tuple[int, ...]]:
    """Shard keys of a table, in row order."""
    _check_kind(kind)
    if kind in COUPLING_KINDS:
        return [(a, b) for a in range(l_max + 1) for b in range(l_max + 1)]
    if kind == "cartesian-basis":
        return [(i,) for i, f in enumerate(CARTESIAN_FORMULAS) if _rank(f) <= l_max]
    return [(j,) for j in range(l_max + 1)]


def task_keys(kind: str, l_max: int) -> list[tuple[tuple[int, ...], ...]]:
    """Groups of shard keys computed together (largest first, for load balance)."""
    if kind in COUPLING_KINDS:
        tasks = [((a, b), (b, a)) if a != b else ((a, a),)
                 for a in range(l_max + 1) for b in range(a + 1)]
        return sorted(tasks, key=lambda t: -(t[0][0] + 1) * (t[0][1] + 1) * (t[0][0] + t[0][1]))
    return [(key,) for key in reversed(shard_keys(kind, l_max))]


def _rank(formula: str) -> int:
    return len(formula.split("=")[0])


def estimate_rows(kind: str, l_max: int) -> float:
    """Rough number of rows of a table (fits of measured counts; for up-front refusals)."""
    n = l_max + 1.0
    scale = {"cg": 0.51, "3j": 0.51, "real-cg": 0.78, "gaunt": 0.26, "real-gaunt": 0.4,
             "sh-poly": 0.2}
    if kind in scale:
        return scale[kind] * n**5 if kind != "sh-poly" else 0.2 * n**4
    if kind == "6j":
        return 0.1 * n**6
    if kind == "9j":
        return 0.02 * n**9
    if kind == "coupling":
        return 3.0 * n**6  # ~0.55 (2l+1)^5 rows per shard l (measured to l = 5)
    return 2000.0


# ----------------------------------------------------------------------------- rows


@dataclass
class ShardRows:
    """One shard in columns: ``indices`` (n, k) int64, ``sign`` (n,) int8, ``pair_id`` (n,)
    int64 into ``pairs``, the distinct ``(p, q)`` (Python ints, lowest terms).

    Conventions: see :mod:`o3ref.reference.conventions`.
    """

    indices: np.ndarray
    sign: np.ndarray
    pair_id: np.ndarray
    pairs: list[tuple[int, int]]

    def __len__(self) -> int:
        return len(self.sign)


class _Builder:
    """Collects rows (one at a time as Python ints, or whole blocks as arrays), then sorts
    them once into arrays."""

    def __init__(self, width: int, pair_index: dict[tuple[int, int], int] | None = None):
        self.width = width
        self.flat: list[int] = []
        self.sign: list[int] = []
        self.ids: list[int] = []
        # builders of one task may share their pairs (their texts are then made once)
        self.pair_index: dict[tuple[int, int], int] = {} if pair_index is None else pair_index
        self.chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add_block(self, indices: np.ndarray, sign: np.ndarray, pair_id: np.ndarray,
                  pairs: list[tuple[int, int]]) -> None:
        """Rows ``indices`` (``(n, width)`` int64) with ``sign`` and ``(p, q) =
        pairs[pair_id]`` (arrays: a whole block at once)."""
        pair_index = self.pair_index
        remap = np.array([pair_index.setdefault(pq, len(pair_index)) for pq in pairs],
                         dtype=np.int64)
        self.chunks.append((indices, sign, remap[pair_id] if len(pair_id) else pair_id))

    def add(self, index: tuple, sign: int, p: int, q: int) -> None:
        key = (p, q)
        i = self.pair_index.get(key)
        if i is None:
            i = self.pair_index[key] = len(self.pair_index)
        self.flat.extend(index)
        self.sign.append(sign)
        self.ids.append(i)

    def done(self) -> ShardRows:
        n = len(self.sign)
        indices = np.array(self.flat, dtype=np.int64).reshape(n, self.width)
        sign = np.array(self.sign, dtype=np.int8)
        ids = np.array(self.ids, dtype=np.int64)
        if self.chunks:
            indices = np.concatenate([indices] + [c[0] for c in self.chunks])
            sign = np.concatenate([sign] + [c[1] for c in self.chunks])
            ids = np.concatenate([ids] + [c[2] for c in self.chunks])
            n = len(sign)
        order = np.lexsort(indices.T[::-1]) if n else np.zeros(0, dtype=np.int64)
        return ShardRows(
            np.ascontiguousarray(indices[order]),
            sign[order],
            ids[order],
            list(self.pair_index),
        )


def _reduced(num: int, den: int, s: int) -> tuple[int, int, int]:
    """``num/den sqrt(s)`` as ``(sign, p, q)``."""
    p, q = num * num * s, den * den
    g = gcd(p, q)
    return (1 if num > 0 else -1), p // g, q // g


def shard_rows(kind: str, l_max: int, key: tuple[int, ...]) -> ShardRows:
    """The rows of one shard of a table (see :func:`shard_keys`), sorted by their indices.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    return _task_rows(kind, l_max, (tuple(key),))[tuple(key)]


def _task_rows(kind: str, l_max: int, keys) -> dict[tuple[int, ...], ShardRows]:
    """Rows of every shard in ``keys`` (one task); coupling kinds compute a pair once."""
    _check_kind(kind)
    width = len(_INDEX_COLUMNS[kind])
    out = {}
    if kind in COUPLING_KINDS:
        (a, b) = keys[0]
        lo, hi = min(a, b), max(a, b)
        shared: dict[tuple[int, int], int] = {}
        builders = {(hi, lo): _Builder(width, shared), (lo, hi): _Builder(width, shared)}
        _coupling_pair(kind, l_max, hi, lo, builders[(hi, lo)], builders[(lo, hi)])
        out = {tuple(k): builders[tuple(k)].done() for k in keys}
        pairs = list(shared)
        for rows in out.values():
            rows.pairs = pairs
        return out
    for key in keys:
        builder = _Builder(width)
        _FILLERS[kind](l_max, key[0], builder)
        out[tuple(key)] = builder.done()
    return out


def _coupling_pair(kind, l_max, l1, l2, direct: _Builder, mirror: _Builder) -> None:
    """Rows with ``(l1, l2)`` into ``direct`` and with ``(l2, l1)`` into ``mirror``
    (``l1 >= l2``); mirror rows by the swap symmetry of each kind."""
    same = l1 == l2
    if kind in ("real-cg", "real-gaunt"):
        _real_pair(kind, l_max, l1, l2, direct, None if same else mirror)
        return
    for L in triangle(l1, l2):
        if L > l_max:
            break
        odd = (l1 + l2 + L) % 2
        if kind == "gaunt" and odd:
            continue
        for m1 in range(-l1, l1 + 1):
            for m2 in range(max(-l2, -L - m1), min(l2, L - m1) + 1):
                bigm = m1 + m2
                if kind == "cg":
                    num, den, s = _cg_cached(2 * l1, 2 * m1, 2 * l2, 2 * m2, 2 * L, 2 * bigm)
                    if num == 0:
                        continue
                    sign, p, q = _reduced(num, den, s)
                    index, mirrored = (l1, l2, L, m1, m2, bigm), (l2, l1, L, m2, m1, bigm)
                elif kind == "3j":
                    num, den, s = _three_j_doubled(2 * l1, 2 * m1, 2 * l2, 2 * m2, 2 * L, -2 * bigm)
                    if num == 0:
                        continue
                    sign, p, q = _reduced(num, den, s)
                    index, mirrored = (l1, l2, L, m1, m2, -bigm), (l2, l1, L, m2, m1, -bigm)
                else:  # gaunt: symmetric in the two first pairs
                    sign, p, q = _gaunt_3j(l1, m1, l2, m2, L, -bigm)
                    if sign == 0:
                        continue
                    index, mirrored = (l1, l2, L, m1, m2, -bigm), (l2, l1, L, m2, m1, -bigm)
                    odd = 0
                direct.add(index, sign, p, q)
                if not same:  # (-1)^(l1+l2+L) under the swap, for cg and 3j alike
                    mirror.add(mirrored, -sign if odd else sign, p, q)


def _real_pair(kind, l_max, l1, l2, direct: _Builder, mirror: _Builder | None) -> None:
    """Real CG (or real Gaunt = real CG times :func:`_cg_scale`) rows of ``(l1, l2)`` in
    bulk, from :func:`o3ref.reference.tables._real_cg_blocks.real_cg_blocks`."""
    for L, keys, sign, pair_id, pairs in real_cg_blocks(l1, l2, l_max):
        odd = (l1 + l2 + L) % 2
        if kind == "real-gaunt":
            if odd:
                continue
            cs, cp, cq = _cg_scale(l1, l2, L)
            if cs == 0:
                continue
            sign = sign * np.int8(cs)
            scaled = []
            for p, q in pairs:
                p, q = p * cp, q * cq
                g = gcd(p, q)
                scaled.append((p // g, q // g))
            pairs = scaled
        n = len(sign)
        head = np.empty((n, 3), dtype=np.int64)
        head[:] = (l1, l2, L)
        direct.add_block(np.concatenate([head, keys], axis=1), sign, pair_id, pairs)
        if mirror is not None:  # C^{l2 l1 L}[m2, m1, M] = (-1)^(l1+l2+L) C^{l1 l2 L}[m1, m2, M]
            head[:, :2] = (l2, l1)
            mirrored = np.concatenate([head, keys[:, [1, 0, 2]]], axis=1)
            mirror.add_block(mirrored, -sign if odd else sign, pair_id, pairs)


def _fill_6j(l_max: int, j1: int, builder: _Builder) -> None:
    for j2 in range(l_max + 1):
        for j3 in range(abs(j1 - j2), min(j1 + j2, l_max) + 1):
            for j4 in range(l_max + 1):
                for j5 in range(l_max + 1):
                    if not abs(j4 - j5) <= j3 <= j4 + j5:
                        continue
                    lo = max(abs(j1 - j5), abs(j4 - j2))
                    for j6 in range(lo, min(j1 + j5, j4 + j2, l_max) + 1):
                        sign, p, q = _six_j_doubled(2 * j1, 2 * j2, 2 * j3, 2 * j4, 2 * j5, 2 * j6)
                        if sign:
                            builder.add((j1, j2, j3, j4, j5, j6), sign, p, q)


def _fill_9j(l_max: int, j1: int, builder: _Builder) -> None:
    r = range(l_max + 1)
    for j2 in r:
        for j3 in range(abs(j1 - j2), min(j1 + j2, l_max) + 1):
            for j4 in r:
                for j7 in range(abs(j1 - j4), min(j1 + j4, l_max) + 1):
                    for j5 in r:
                        for j6 in range(abs(j4 - j5), min(j4 + j5, l_max) + 1):
                            for j8 in range(abs(j2 - j5), min(j2 + j5, l_max) + 1):
                                lo = max(abs(j7 - j8), abs(j3 - j6))
                                for j9 in range(lo, min(j7 + j8, j3 + j6, l_max) + 1):
                                    d = (j1, j2, j3, j4, j5, j6, j7, j8, j9)
                                    sign, p, q = _nine_j_doubled(tuple(2 * j for j in d))
                                    if sign:
                                        builder.add(d, sign, p, q)


def _fill_sh_poly(l_max: int, l: int, builder: _Builder) -> None:
    for m, a, b, c, sign, p, q in _solid_rows(l):
        builder.add((l, m, a, b, c), sign, p, q)


@functools.lru_cache(maxsize=16)
def _cartesian_entries(basis: int) -> tuple[tuple[int, ...], ...]:
    import sympy

    from ..cartesian_basis import cartesian_basis

    Q, labels = cartesian_basis(CARTESIAN_FORMULAS[basis])
    out = []
    for row, (L, copy, m) in enumerate(labels):
        for index in range(Q.shape[1]):
            value = Q[row, index]
            if value == 0:
                continue
            square = sympy.nsimplify(sympy.expand(value**2))
            assert square.is_Rational, f"entry {value} is not sign*sqrt(p/q)"
            out.append((basis, L, copy, m, index, 1 if value > 0 else -1,
                        int(square.p), int(square.q)))
    return tuple(out)


def _fill_cartesian(l_max: int, basis: int, builder: _Builder) -> None:
    for *index, sign, p, q in _cartesian_entries(basis):
        builder.add(tuple(index), sign, p, q)


def _fill_coupling(l_max: int, l: int, builder: _Builder) -> None:
    for *index, sign, p, q in coupling_rows(l):
        builder.add(tuple(index), sign, p, q)


_FILLERS = {"6j": _fill_6j, "9j": _fill_9j, "sh-poly": _fill_sh_poly,
            "cartesian-basis": _fill_cartesian, "coupling": _fill_coupling}


def manifest_extra(kind: str, l_max: int, key: tuple[int, ...] | None) -> dict:
    """Kind-specific fields of a file's manifest entry (``key``: its shard, ``None`` for a
    whole table): ``coupling`` records ``"dimensions"``, the character count of every space
    ``[l, parity, degree, L, count]`` (see :mod:`._coupling_rows`); other kinds none."""
    if kind != "coupling":
        return {}
    ls = range(l_max + 1) if key is None else (key[0],)
    return {"dimensions": [d for l in ls for d in coupling_dimensions(l)]}
