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

``J_l`` is built once per ``l`` (cached) by the coupling recursion
``D^l = C^T (D^{l-1} (x) D^1) C`` with the real CG ``C`` of ``(l-1, 1, l)``. Every step is
a product of orthogonal matrices or a bounded trigonometric sum, so rounding errors grow
slowly with ``l`` (orthogonal to ~1e-13 at ``l = 50``). Rotations are processed in
blocks, rotations as the contiguous axis, so that the elementwise work stays in cache.

Rotations: ``(n, 3, 3)`` matrices (orthogonal, det +1) or ``(n, 4)`` unit quaternions, scalar
first ``(w, x, y, z)`` (see :mod:`o3ref.fast.rotations`).

>>> import numpy as np
>>> from o3ref.fast.rotations import rotation_matrix
>>> D = wigner_D_real(1, rotation_matrix(np.pi / 2, 0.0, 0.0)[None])
>>> np.round(D[1][0] @ [0.0, 0.0, 1.0], 12) + 0.0  # x -> y, as (y, z, x) components
array([1., 0., 0.])
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .clebsch_gordan import real_clebsch_gordan
from .indexing import check_l
from .rotations import (
    _matrix_to_euler,
    _quaternion_to_matrix,
    as_float_array,
    check_quaternions,
    check_rotation_matrices,
)

__all__ = ["wigner_D_real", "WignerDReal"]

# P maps (x, y, z) to (y, z, x): D_real^1(R) = P R P^T
_P = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
# Rx(-pi/2): maps e_z to e_y
_Q = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])


@cache
def _j_matrix(l: int) -> np.ndarray:
    """``J_l = D_real^l(Rx(-pi/2))`` by the real-CG coupling recursion."""
    if l == 0:
        out = np.ones((1, 1))
    elif l == 1:
        out = _P @ _Q @ _P.T
    else:
        C = real_clebsch_gordan(l - 1, 1, l)
        prev, one = _j_matrix(l - 1), _j_matrix(1)
        out = np.einsum("abM,ac,bd,cdN->MN", C, prev, one, C, optimize=True)
    out.flags.writeable = False
    return out


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


def _wigner_from_matrices(l_max: int, R: np.ndarray, chunk: int = 256) -> list[np.ndarray]:
    n = R.shape[0]
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
        trig = np.concatenate([cb[: l + 1], sb[1 : l + 1]], axis=0)  # (2l+1, nb)
        d = (_beta_basis(l).T @ trig).reshape(size, size, nb)  # J X(b) J^T as (m, m', nb)
        # rows: (X(a) d)[mu] = cos(mu a) d[mu] - sin(mu a) d[-mu]
        E = d * ca[rows, None, :]
        tmp = d[::-1] * sa[rows, None, :]
        E -= tmp
        # columns: (E X(g))[:, mu] = cos(mu g) E[:, mu] + sin(mu g) E[:, -mu]
        D = np.multiply(E, cg[None, rows, :], out=d)
        np.multiply(E[:, ::-1], sg[None, rows, :], out=tmp)
        D += tmp
        out[l][...] = D.transpose(2, 0, 1)


def wigner_D_real(l_max: int, rotations) -> list[np.ndarray]:
    """Real Wigner D for every ``l <= l_max``: a list indexed by ``l`` of ``(n, 2l+1, 2l+1)``.

    Conventions: :mod:`o3ref.reference.conventions` (``Y_l(R r) = D_real^l(R) Y_l(r)``).
    ``rotations``: ``(n, 3, 3)`` rotation matrices or ``(n, 4)`` unit quaternions ``(w, x, y, z)``.
    """
    l_max = check_l("l_max", l_max)
    return _wigner_from_matrices(l_max, _as_matrices(rotations))


class WignerDReal:
    """Calculator object: ``WignerDReal(l_max).compute(rotations)`` = :func:`wigner_D_real`."""

    def __init__(self, l_max: int):
        self.l_max = check_l("l_max", l_max)
        for l in range(self.l_max + 1):
            _beta_basis(l)

    def compute(self, rotations) -> list[np.ndarray]:
        """:func:`wigner_D_real` at this calculator's ``l_max``: a list indexed by ``l`` of
        ``(n, 2l+1, 2l+1)`` for ``(n, 3, 3)`` matrices or ``(n, 4)`` quaternions."""
        return _wigner_from_matrices(self.l_max, _as_matrices(rotations))
