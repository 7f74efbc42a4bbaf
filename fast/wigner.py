"""Batched real Wigner D matrices for every ``l <= l_max``.

Conventions: :mod:`o3ref.reference.conventions` — ``D_real^l(R)`` is fixed by
``Y_l(R r) = D_real^l(R) @ Y_l(r)`` for the real harmonics (m = -l..l ascending);
``D_real^1(R) = P R P^T`` with ``P: (x, y, z) -> (y, z, x)``.

Properties (each one is a test): real orthogonal; ``D(R1 R2) = D(R1) D(R2)``;
``D(R^T) = D(R)^T``; ``D(1) = 1``; ``Y(R r) = D(R) Y(r)``.

Algorithm ("J-matrix" factorisation, stable to large ``l``). With ``R = Rz(a) Ry(b) Rz(g)``,
``X_l(t) = D_real^l(Rz(t))`` (2x2 rotations mixing ``m`` and ``-m``) and
``J_l = D_real^l(Rx(-pi/2))`` (so that ``Ry(b) = Rx(-pi/2) Rz(b) Rx(-pi/2)^T``):

    D_real^l(R) = X_l(a) J_l X_l(b) J_l^T X_l(g),
    J_l X_l(b) J_l^T = sum_k cos(k b) A_k + sin(k b) B_k        (one matrix product per l)

``J_l`` is built once per ``l`` (cached: ``sum (2l+1)^2`` floats, one rotation's output) by
the coupling recursion ``D^l = C^T (D^{l-1} (x) D^1) C`` with the real CG ``C`` of
``(l-1, 1, l)``; the tables ``A_k, B_k`` are cached for ``l <= 32`` only, above which
``J X(b) J^T`` is one matrix product per rotation (no ``(2l+1)^3`` table). Every step is
a product of orthogonal matrices or a bounded trigonometric sum, so rounding errors grow
slowly with ``l`` (orthogonal to ~1e-13 at ``l = 50``). Rotations are processed in
blocks, rotations as the contiguous axis, so that the elementwise work stays in cache.

Rotations: ``(n, 3, 3)`` matrices (orthogonal, det +1) or ``(n, 4)`` unit quaternions, scalar
first ``(w, x, y, z)`` (see :mod:`o3ref.fast.rotations`).

>>> import numpy as np
>>> from o3ref.fast.rotations import rotation_matrix
>>> D = wigner_D_real_blocks(1, rotation_matrix(np.pi / 2, 0.0, 0.0)[None])
>>> np.round(D[1][0] @ [0.0, 0.0, 1.0], 12) + 0.0  # x -> y, as (y, z, x) components
array([1., 0., 0.])
"""

from __future__ import annotations

import warnings
from functools import cache

import numpy as np

from .budget import check_budget
from .clebsch_gordan import real_clebsch_gordan_sparse
from .indexing import check_l
from .rotations import (
    _matrix_to_euler,
    _quaternion_to_matrix,
    as_float_array,
    check_quaternions,
    check_rotation_matrices,
)

__all__ = ["wigner_D_real_blocks", "wigner_D_real", "WignerDReal"]

# P maps (x, y, z) to (y, z, x): D_real^1(R) = P R P^T
_P = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
# Rx(-pi/2): maps e_z to e_y
_Q = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])


# J_l for l = 0, 1, ... (built upwards on demand, never recursively): sum (2l+1)^2 floats,
# the size of one rotation's output up to the largest l asked for
_J_CACHE: list[np.ndarray] = []

# degrees with a cached beta basis ((2l+1)^3 floats each, 19 MB in all up to 32); above it
# J X(b) J^T is formed per block of rotations (memory (2l+1)^2 per rotation, no cache)
_BASIS_MAX = 32


def _j_matrix(l: int) -> np.ndarray:
    """``J_l = D_real^l(Rx(-pi/2))`` by the real-CG coupling recursion (cached)."""
    while len(_J_CACHE) <= l:
        k = len(_J_CACHE)
        if k == 0:
            out = np.ones((1, 1))
        elif k == 1:
            out = _P @ _Q @ _P.T
        else:
            out = _couple_up(k, _J_CACHE[k - 1], _J_CACHE[1])
        out.flags.writeable = False
        _J_CACHE.append(out)
    return _J_CACHE[l]


def _couple_up(l: int, prev: np.ndarray, one: np.ndarray) -> np.ndarray:
    """``D^l = C^T (D^{l-1} (x) D^1) C``, with the real CG ``C`` of ``(l-1, 1, l)`` used
    sparsely (at most two entries per ``(m1, m2)``): ``O(l^2)`` operations, not ``O(l^3)``."""
    a, b, M, v = real_clebsch_gordan_sparse(l - 1, 1, l)
    n = 2 * l + 1
    # X[M, b', c] = sum_a C[a, b', M] prev[a, c]
    X = np.zeros((n, 3, prev.shape[1]))
    _scatter_add(X, (M, b), v[:, None] * prev[a])
    Y = np.einsum("Mbc,bd->Mcd", X, one)  # Y[M, c, d] = sum_b X[M, b, c] one[b, d]
    out = np.zeros((n, n))
    _scatter_add(out.T, (M,), v[:, None] * Y[:, a, b].T)  # out[M, N] += C[c,d,N] Y[M,c,d]
    return out


def _scatter_add(out: np.ndarray, index: tuple, values: np.ndarray) -> None:
    """``np.add.at(out, index, values)`` as a few passes without repeated targets (faster)."""
    flat = np.ravel_multi_index(index, out.shape[: len(index)])
    order = np.argsort(flat, kind="stable")
    sorted_flat = flat[order]
    start = np.r_[0, np.flatnonzero(np.diff(sorted_flat)) + 1]
    rank = np.arange(len(flat)) - np.repeat(start, np.diff(np.r_[start, len(flat)]))
    for r in range(int(rank.max()) + 1 if len(flat) else 0):
        pick = order[rank == r]
        out[tuple(i[pick] for i in index)] += values[pick]


@cache
def _beta_basis(l: int) -> np.ndarray:
    """``(2l+1, (2l+1)^2)``: rows ``A_0, A_1..A_l, B_1..B_l`` of ``J X(b) J^T``."""
    J = _j_matrix(l)
    n = 2 * l + 1
    out = np.empty((n, n, n))
    out[0] = np.outer(J[:, l], J[:, l])
    for k in range(1, l + 1):
        p, m = J[:, l + k], J[:, l - k]
        out[k] = np.outer(p, p) + np.outer(m, m)
        out[l + k] = np.outer(m, p) - np.outer(p, m)
    out = out.reshape(n, n * n)
    out.flags.writeable = False
    return out


def _beta_product(l: int, cb: np.ndarray, sb: np.ndarray) -> np.ndarray:
    """``J X(b) J^T`` as ``(m, m', nb)`` (a view), one matrix product per rotation.

    ``(J X(b))[:, l+k] = cos(kb) J[:, l+k] + sin(kb) J[:, l-k]``,
    ``(J X(b))[:, l-k] = cos(kb) J[:, l-k] - sin(kb) J[:, l+k]``: the same sum as the rows of
    :func:`_beta_basis`, without its ``(2l+1)^3`` table.
    """
    J = _j_matrix(l)
    k = np.arange(1, l + 1)
    c, s = cb[1 : l + 1].T[:, None, :], sb[1 : l + 1].T[:, None, :]  # (nb, 1, l)
    JX = np.empty((cb.shape[1], 2 * l + 1, 2 * l + 1))
    JX[:, :, l] = J[:, l]
    JX[:, :, l + k] = c * J[:, l + k] + s * J[:, l - k]
    JX[:, :, l - k] = c * J[:, l - k] - s * J[:, l + k]
    n = 2 * l + 1
    return (JX.reshape(-1, n) @ J.T).reshape(-1, n, n).transpose(1, 2, 0)  # one GEMM


def _chunk(l_max: int) -> int:
    """Rotations per block: 256, fewer at large ``l`` (about 4 (2l+1)^2 floats each)."""
    return int(max(1, min(256, 2**22 // (2 * l_max + 1) ** 2)))


def _estimate_bytes(l_max: int, n: int) -> int:
    """Output (``n sum (2l+1)^2`` floats), the J cache, the beta bases and one block."""
    L, B = l_max + 1, min(l_max, _BASIS_MAX) + 1  # closed forms: no loop over a huge l_max
    per_rotation = L * (2 * L - 1) * (2 * L + 1) // 3  # sum (2l+1)^2 = J cache size
    bases = B * B * (2 * B * B - 1)  # sum (2l+1)^3
    block = 4 * _chunk(l_max) * (2 * l_max + 1) ** 2
    return 8 * (n * per_rotation + per_rotation + bases + block)


def _check_size(l_max: int, n: int) -> None:
    check_budget(
        f"the real Wigner D of {n} rotation(s) for l <= l_max={l_max}",
        _estimate_bytes(l_max, n),
        "l_max or the number of rotations",
    )


def _as_matrices(rotations) -> np.ndarray:
    arr = as_float_array("rotations", rotations)
    if arr.ndim == 3 and arr.shape[1:] == (3, 3):
        return check_rotation_matrices("rotations", arr)
    if arr.ndim == 2 and arr.shape[1] == 4:
        return _quaternion_to_matrix(check_quaternions("rotations", arr))
    raise ValueError(
        "rotations must be rotation matrices of shape (n, 3, 3) or unit quaternions of shape "
        f"(n, 4) (scalar first), got shape {arr.shape}"
    )


def _wigner_from_matrices(l_max: int, R: np.ndarray) -> list[np.ndarray]:
    n = R.shape[0]
    _check_size(l_max, n)
    chunk = _chunk(l_max)
    out = [np.ones((n, 1, 1))]
    if l_max >= 1:
        out.append(np.ascontiguousarray(_P @ R @ _P.T))
    if l_max < 2:
        return out
    out.extend(np.empty((n, 2 * l + 1, 2 * l + 1)) for l in range(2, l_max + 1))
    euler = _matrix_to_euler(R)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        _wigner_block(l_max, euler[start:stop], [o[start:stop] for o in out])
    return out


def _wigner_block(l_max: int, euler: np.ndarray, out: list[np.ndarray]) -> None:
    """D^l for l = 2..l_max of a block of rotations into ``out[l]`` ``(nb, 2l+1, 2l+1)``.

    Inside the block the rotations are the last axis, so that every elementwise operation runs
    over contiguous values, and the block's intermediates stay in cache.
    """
    ks = np.arange(-l_max, l_max + 1.0)[:, None]  # m = -l_max..l_max
    ca, sa = np.cos(ks * euler[:, 0]), np.sin(ks * euler[:, 0])
    cg, sg = np.cos(ks * euler[:, 2]), np.sin(ks * euler[:, 2])
    kb = np.arange(l_max + 1.0)[:, None]
    cb, sb = np.cos(kb * euler[:, 1]), np.sin(kb * euler[:, 1])
    nb = euler.shape[0]
    for l in range(2, l_max + 1):
        size = 2 * l + 1
        rows = slice(l_max - l, l_max + l + 1)  # m = -l..l in the trigonometric tables
        if l <= _BASIS_MAX:
            trig = np.concatenate([cb[: l + 1], sb[1 : l + 1]], axis=0)  # (2l+1, nb)
            d = (_beta_basis(l).T @ trig).reshape(size, size, nb)  # J X(b) J^T (m, m', nb)
        else:
            d = _beta_product(l, cb, sb)
        # rows: (X(a) d)[mu] = cos(mu a) d[mu] - sin(mu a) d[-mu]
        E = d * ca[rows, None, :]
        tmp = d[::-1] * sa[rows, None, :]
        E -= tmp
        # columns: (E X(g))[:, mu] = cos(mu g) E[:, mu] + sin(mu g) E[:, -mu]
        D = np.multiply(E, cg[None, rows, :], out=d)
        np.multiply(E[:, ::-1], sg[None, rows, :], out=tmp)
        D += tmp
        out[l][...] = D.transpose(2, 0, 1)


def wigner_D_real_blocks(l_max: int, rotations) -> list[np.ndarray]:
    """Real Wigner D for every ``l <= l_max``: a list indexed by ``l`` of ``(n, 2l+1, 2l+1)``.

    Conventions: :mod:`o3ref.reference.conventions` (``Y_l(R r) = D_real^l(R) Y_l(r)``).
    ``rotations``: ``(n, 3, 3)`` rotation matrices or ``(n, 4)`` unit quaternions ``(w, x, y, z)``.
    Memory: the output (``8 n sum (2l+1)^2`` bytes) plus a cache of the same size for one
    rotation; a request above :func:`o3ref.fast.budget.memory_budget` raises ``ValueError``
    with the estimate before anything is allocated.
    """
    l_max = check_l("l_max", l_max)
    return _wigner_from_matrices(l_max, _as_matrices(rotations))


def wigner_D_real(l_max: int, rotations) -> list[np.ndarray]:
    """Deprecated alias of :func:`wigner_D_real_blocks` (same arguments, same list by ``l``).

    Conventions: :mod:`o3ref.reference.conventions`. Renamed because
    ``o3ref.reference.wigner_D_real(l, alpha, beta, gamma)`` returns one matrix.
    """
    warnings.warn(
        "o3ref.fast.wigner_D_real is deprecated: use wigner_D_real_blocks (same arguments, "
        "the same list of (n, 2l+1, 2l+1) arrays indexed by l)",
        DeprecationWarning,
        stacklevel=2,
    )
    return wigner_D_real_blocks(l_max, rotations)


class WignerDReal:
    """Calculator object: ``WignerDReal(l_max).compute(rotations)`` = :func:`wigner_D_real_blocks`.

    Conventions: :mod:`o3ref.reference.conventions`.
    """

    def __init__(self, l_max: int):
        self.l_max = check_l("l_max", l_max)
        _check_size(self.l_max, 1)
        _j_matrix(self.l_max)
        for l in range(min(self.l_max, _BASIS_MAX) + 1):
            _beta_basis(l)

    def compute(self, rotations) -> list[np.ndarray]:
        """:func:`wigner_D_real` at this calculator's ``l_max``: a list indexed by ``l`` of
        ``(n, 2l+1, 2l+1)`` for ``(n, 3, 3)`` matrices or ``(n, 4)`` quaternions."""
        return _wigner_from_matrices(self.l_max, _as_matrices(rotations))
