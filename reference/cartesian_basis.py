"""Exact orthonormal change of basis from Cartesian tensors (with index symmetries) to irreps.

``cartesian_basis(formula)`` takes a rank-``n`` index formula (``n <= 4``) such as ``"ij"``,
``"ij=ji"`` (symmetric), ``"ij=-ji"`` (antisymmetric), ``"ijk=jik"`` or
``"ijkl=jikl=ijlk=klij"`` (elastic tensors) and returns ``(Q, labels)``:

* ``Q``: exact sympy ``Matrix`` of shape ``(d, 3**n)``, ``d`` the dimension of the tensors with
  those symmetries; orthonormal rows acting on the C-order flattened tensor
  (``T.reshape(-1)``, axes ``x, y, z``);
* ``labels``: ``(L, copy, m)`` of each row, grouped by ``L`` ascending, then ``copy``, then
  ``m = -L..L``,

so that ``Q (R x ... x R) Q^T`` is block diagonal with ``D_real^L(R)`` blocks (active
rotations, ``T -> R T R^T`` for rank 2) and ``Q^T Q`` projects onto the symmetric tensors.

Construction: the full tensor product is coupled left to right with o3ref's exact real CG
(``((1 x 1) -> L2) x 1 -> L3 ...``; a vector ``(x, y, z)`` is the ``l = 1`` spherical vector
``(y, z, x)``), giving an orthonormal, equivariant basis labelled by coupling paths. The
symmetriser ``P`` (average over the permutation group the formula generates, with signs)
commutes with rotations, so for each ``L`` the Gram matrix ``G[a, b] = v_a^M . P v_b^M`` of the
paths does not depend on ``M`` (Schur); Gram-Schmidt on ``G`` in path order gives the copies,
the same combination for every ``M``, hence equivariant rows.

Conventions: see :mod:`o3ref.reference.conventions` (section "Cartesian <-> spherical").

>>> Q, labels = cartesian_basis("ij=ji")
>>> labels
[(0, 0, 0), (2, 0, -2), (2, 0, -1), (2, 0, 0), (2, 0, 1), (2, 0, 2)]
>>> Q[0, :]                        # the trace, with the sign of the real CG (1,1)->0
Matrix([[-sqrt(3)/3, 0, 0, 0, -sqrt(3)/3, 0, 0, 0, -sqrt(3)/3]])
"""

from __future__ import annotations

import functools
import itertools

import sympy

from .indexing import m_index, triangle
from .real_cg import real_clebsch_gordan

__all__ = ["cartesian_basis"]

_MAX_RANK = 4
# spherical position (m = -1, 0, 1) -> Cartesian axis (y, z, x)
_AXIS = (1, 2, 0)


def _parse(formula) -> tuple[int, list[tuple[tuple[int, ...], int]]]:
    """Rank and the generating ``(permutation, sign)`` pairs of ``formula``."""
    if not isinstance(formula, str):
        raise TypeError(f"formula={formula!r} must be a string such as 'ij=ji'")
    terms = formula.replace(" ", "").split("=")
    first = terms[0]
    rule = (
        "one letter per index, distinct lowercase letters, every term a permutation of the "
        f"first, rank 1..{_MAX_RANK}, an optional '-' before a term"
    )
    if not first or first.startswith("-") or len(set(first)) != len(first) or not (
        first.isascii() and first.isalpha() and first.islower()
    ):
        raise ValueError(f"formula={formula!r} is not valid ({rule})")
    n = len(first)
    if n > _MAX_RANK:
        raise ValueError(f"formula={formula!r} has rank {n}; ranks 1..{_MAX_RANK} are supported")
    generators = []
    for term in terms[1:]:
        sign = -1 if term.startswith("-") else 1
        body = term[1:] if sign < 0 else term  # one '-' at most: "--ji" is not "ji" or "-ji"
        if sorted(body) != sorted(first) or len(body) != n:
            raise ValueError(f"formula={formula!r} is not valid ({rule}): term {term!r}")
        generators.append((tuple(first.index(c) for c in body), sign))
    return n, generators


def _group(n: int, generators) -> dict[tuple[int, ...], int] | None:
    """Closure of the generators: ``{permutation: sign}``; ``None`` if a permutation is
    reached with both signs (only the zero tensor has those symmetries)."""
    identity = tuple(range(n))
    group = {identity: 1}
    frontier = [identity]
    while frontier:
        nxt = []
        for perm in frontier:
            for gen, sign in generators:
                new = tuple(perm[g] for g in gen)
                new_sign = group[perm] * sign
                if new in group:
                    if group[new] != new_sign:
                        return None
                    continue
                group[new] = new_sign
                nxt.append(new)
        frontier = nxt
    return group


@functools.lru_cache(maxsize=8)
def _coupled(n: int) -> tuple[tuple[tuple[int, ...], int, list], ...]:
    """Left-to-right coupled basis of ``(R^3)^n``: ``(path, L, vectors)`` with ``vectors[M]``
    a list of ``3**n`` exact entries over the C-order Cartesian flat index."""
    dim = 3**n
    # rank 1: the spherical vector e_m is the Cartesian axis _AXIS[m + 1]
    states = []
    for M in range(-1, 2):
        v = [sympy.Integer(0)] * 3
        v[_AXIS[M + 1]] = sympy.Integer(1)
        states.append(v)
    level = [((), 1, states)]
    for k in range(1, n):
        nxt = []
        size = 3**k
        for path, l_prev, vecs in level:
            for L in triangle(l_prev, 1):
                cg = real_clebsch_gordan(l_prev, 1, L)
                out = []
                for M in range(-L, L + 1):
                    v = [sympy.Integer(0)] * (size * 3)
                    for mp in range(-l_prev, l_prev + 1):
                        for m in (-1, 0, 1):
                            c = cg[m_index(l_prev, mp), m + 1, m_index(L, M)]
                            if not c:
                                continue
                            c = c.to_sympy()
                            axis = _AXIS[m + 1]
                            prev = vecs[m_index(l_prev, mp)]
                            for i in range(size):
                                if prev[i] != 0:
                                    v[3 * i + axis] += c * prev[i]
                    out.append([sympy.expand(e) for e in v])
                nxt.append((path + (L,), L, out))
        level = nxt
    assert all(len(v) == dim for _, _, vecs in level for v in vecs)
    return tuple(level)


def _permute_flat(n: int, perm: tuple[int, ...]) -> list[int]:
    """Flat index map of ``T'[i_0..i_n-1] = T[i_perm(0) ...]``: ``T'.flat[f] = T.flat[map[f]]``."""
    out = []
    for idx in itertools.product(range(3), repeat=n):
        src = [0] * n
        for position, axis in enumerate(perm):
            src[axis] = idx[position]
        flat = 0
        for i in src:
            flat = 3 * flat + i
        out.append(flat)
    return out


def _dot(u, v) -> sympy.Expr:
    return sympy.expand(sum((a * b for a, b in zip(u, v, strict=True) if a != 0 and b != 0),
                            sympy.Integer(0)))


@functools.lru_cache(maxsize=32)
def _basis(formula: str) -> tuple[sympy.Matrix, tuple[tuple[int, int, int], ...]]:
    n, generators = _parse(formula)
    group = _group(n, generators)
    if group is None:
        return sympy.zeros(0, 3**n), ()
    maps = [(_permute_flat(n, perm), sign) for perm, sign in group.items()]
    order = sympy.Integer(len(maps))

    def symmetrise(v):
        out = [sympy.Integer(0)] * len(v)
        for mapping, sign in maps:
            for f, src in enumerate(mapping):
                if v[src] != 0:
                    out[f] += sign * v[src]
        return [sympy.expand(e / order) for e in out]

    rows, labels = [], []
    paths = _coupled(n)
    for L in sorted({L for _, L, _ in paths}):
        members = [vecs for _, l_path, vecs in paths if l_path == L]
        projected = [[symmetrise(v) for v in vecs] for vecs in members]
        # Gram matrix at M = -L (any M gives the same, by Schur's lemma)
        gram = [[_dot(a[0], b[0]) for b in projected] for a in projected]
        # Gram-Schmidt in path order with the inner product gram: rows of W
        weights: list[list[sympy.Expr]] = []
        for a in range(len(members)):
            w = [sympy.Integer(0)] * len(members)
            w[a] = sympy.Integer(1)
            for u in weights:
                overlap = sympy.expand(sum(u[b] * gram[b][a] for b in range(len(members))))
                w = [sympy.expand(wi - overlap * ui) for wi, ui in zip(w, u, strict=True)]
            norm2 = sympy.radsimp(sympy.expand(sum(
                w[b] * w[c] * gram[b][c] for b in range(len(members)) for c in range(len(members))
            )))
            if norm2 == 0:
                continue
            scale = 1 / sympy.sqrt(norm2)
            weights.append([sympy.radsimp(sympy.expand(wi * scale)) for wi in w])
        for copy, w in enumerate(weights):
            for M in range(2 * L + 1):
                row = [sympy.Integer(0)] * 3**n
                for b, vecs in enumerate(projected):
                    if w[b] != 0:
                        row = [r + w[b] * e for r, e in zip(row, vecs[M], strict=True)]
                rows.append([sympy.radsimp(sympy.expand(e)) for e in row])
                labels.append((L, copy, M - L))
    return sympy.Matrix(rows) if rows else sympy.zeros(0, 3**n), tuple(labels)


def cartesian_basis(formula) -> tuple[sympy.Matrix, list[tuple[int, int, int]]]:
    """Exact orthonormal map from Cartesian tensors with index symmetries to irreps.

    ``formula``: rank ``<= 4`` index formula (``"ij"``, ``"ij=ji"``, ``"ij=-ji"``, ``"ijk=jik"``,
    ``"ijkl=jikl=ijlk=klij"``). Returns ``(Q, labels)``: ``Q`` an exact sympy ``Matrix``
    ``(d, 3**n)`` with orthonormal rows on the C-order flattened tensor, ``labels[r] = (L,
    copy, m)`` grouped by ``L``, then copy, then ``m = -L..L``;
    ``Q (R x ... x R) Q^T = diag(D_real^L(R))`` (tested symbolically for rank 2, at 50 digits
    for ranks 3 and 4). A fresh copy is returned on each call.

    Conventions: see :mod:`o3ref.reference.conventions` (``(x, y, z)`` is the ``l = 1``
    vector ``(y, z, x)``; real CG; active rotations).

    >>> Q, labels = cartesian_basis("ij=-ji")   # an antisymmetric tensor is a vector (L = 1)
    >>> labels
    [(1, 0, -1), (1, 0, 0), (1, 0, 1)]
    >>> Q[1, :]                                 # m = 0 (the z axis): (T_xy - T_yx)/sqrt(2)
    Matrix([[0, sqrt(2)/2, 0, -sqrt(2)/2, 0, 0, 0, 0, 0]])
    >>> cartesian_basis("ijklm")
    Traceback (most recent call last):
    ...
    ValueError: formula='ijklm' has rank 5; ranks 1..4 are supported
    """
    if not isinstance(formula, str):
        raise TypeError(f"formula={formula!r} must be a string such as 'ij=ji'")
    Q, labels = _basis(formula.replace(" ", ""))
    return Q.copy(), list(labels)
