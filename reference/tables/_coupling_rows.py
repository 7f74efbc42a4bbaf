"""The ``coupling`` table: exact bases of the symmetric couplings of one irrep, as rows.

For each irrep ``(l, parity)`` with ``l <= l_max`` and both parities, each degree ``nu`` in
:data:`COUPLING_DEGREES` and each ``L``, the table holds the exact basis of
:func:`o3ref.reference.coupling.coupling_basis` ``("1x" + l + p, nu, L, parity**nu)``: the
symmetric equivariant ``nu``-linear maps ``V_l x ... x V_l -> V_L`` (the output parity is
``parity**nu``; no other is allowed). A row is one non-zero entry

``l, parity, degree, L, vector, index, sign, p, q, exact, value``

with ``parity`` 1 (``e``) or -1 (``o``), ``vector`` the position ``k`` of the basis tensor
and ``index`` the C-order flat index of the entry in ``tensors[k]``, of shape
``(2l+1,) * degree + (2L+1,)`` (o3ref's components, ``m = i - l``). Every entry is listed,
the symmetric copies included. The tensors are those of ``coupling_basis`` (symmetrised
coupling trees, not orthonormalised): :func:`coupling_tensors` rebuilds them from the rows.

The number of basis tensors of each ``(l, parity, degree, L)`` is checked against the
character count :func:`o3ref.reference.coupling.coupling_dimension` when the rows are made
(an ``ArithmeticError`` otherwise: no table is written), and recorded per shard in the
manifest entry (``"dimensions"``: ``[l, parity, degree, L, count]``, zero counts included), so
a space with no rows is told apart from a missing one.

Shards: one per ``l`` (both parities, every degree and ``L``).

Conventions: see :mod:`o3ref.reference.conventions`.

>>> rows = coupling_rows(1)
>>> rows[0]  # the identity V_1 -> V_1 (degree 1), first entry
(1, -1, 1, 1, 0, 0, 1, 1, 1)
>>> [d[2:] for d in coupling_dimensions(1) if d[1] == -1 and d[4]]  # [degree, L, count] of 1o
[[1, 1, 1], [2, 0, 1], [2, 2, 1], [3, 1, 1], [3, 3, 1]]
"""

from __future__ import annotations

import functools

import numpy as np

from ..signed_sqrt import SignedSqrt

__all__ = ["COUPLING_DEGREES", "coupling_dimensions", "coupling_l_max", "coupling_rows",
           "coupling_tensors"]

#: the degrees the ``coupling`` table covers
COUPLING_DEGREES = (1, 2, 3)


def _irreps(l: int, parity: int) -> str:
    return f"1x{l}{'e' if parity == 1 else 'o'}"


def _L_range(l: int, degree: int) -> range:
    return range(0, degree * l + 1)


@functools.lru_cache(maxsize=8)
def _bases(l: int) -> tuple:
    """``((degree, L, exact basis tensors), ...)`` of ``V_l`` (the same for both parities)."""
    from ..coupling import coupling_basis

    out = []
    for degree in COUPLING_DEGREES:
        for L in _L_range(l, degree):
            b = coupling_basis(_irreps(l, 1), degree, L, 1)
            if b.dimension != b.character_dimension:
                raise ArithmeticError(f"coupling basis of {_irreps(l, 1)}, degree {degree}, "
                                      f"L={L}: exact rank {b.dimension} != character count "
                                      f"{b.character_dimension}")
            out.append((degree, L, b.tensors))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def coupling_l_max() -> int:
    """The largest ``l`` whose spaces (every degree of :data:`COUPLING_DEGREES`, every ``L``)
    the exact route builds (:func:`o3ref.reference.coupling.exact_fits`; integers only):
    the table's limit, refused up front beyond it.

    >>> coupling_l_max()
    8
    """
    from ..coupling import exact_fits

    l = 0
    while all(exact_fits(_irreps(l + 1, 1), d, L, 1) for d in COUPLING_DEGREES
              for L in _L_range(l + 1, d)):
        l += 1
    return l


def coupling_rows(l: int) -> list[tuple[int, ...]]:
    """The rows ``(l, parity, degree, L, vector, index, sign, p, q)`` of the shard ``l``, in
    increasing order of their indices.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    rows = []
    for parity in (-1, 1):
        for degree, L, tensors in _bases(l):
            for k in range(tensors.shape[0]):
                for index, v in enumerate(tensors[k].ravel()):
                    if v.sign:
                        rows.append((l, parity, degree, L, k, index, v.sign, v.p, v.q))
    return rows


def coupling_dimensions(l: int) -> list[list[int]]:
    """``[l, parity, degree, L, count]`` for every space of the shard ``l`` (from characters).

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    from ..coupling import coupling_dimension

    return [[l, parity, degree, L, coupling_dimension(_irreps(l, parity), degree, L,
                                                      parity**degree)]
            for parity in (-1, 1) for degree in COUPLING_DEGREES for L in _L_range(l, degree)]


def coupling_tensors(rows, l: int, parity: int, degree: int, L: int) -> np.ndarray:
    """The exact basis tensors of ``(l, parity, degree, L)`` rebuilt from table rows (any
    iterable of rows ``(l, parity, degree, L, vector, index, sign, p, q, ...)``, e.g. from
    :func:`o3ref.reference.tables.read_tables`): an object array of
    :class:`o3ref.reference.signed_sqrt.SignedSqrt`, shape
    ``(vectors,) + (2l+1,) * degree + (2L+1,)`` (zero vectors when the rows hold none).

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    key = (l, parity, degree, L)
    picked = [r for r in rows if tuple(r[:4]) == key]
    n = 1 + max((r[4] for r in picked), default=-1)
    shape = (2 * l + 1,) * degree + (2 * L + 1,)
    out = np.full((n,) + shape, SignedSqrt(0, 0, 1), dtype=object)
    flat = out.reshape(n, int(np.prod(shape)))
    for r in picked:
        flat[r[4], r[5]] = SignedSqrt(r[6], r[7], r[8])
    return out
