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
slowly with ``l`` (orthogonal to ~1e-14 at ``l = 50``).

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


def _wigner_from_matrices(l_max: int, R: np.ndarray) -> list[np.ndarray]:
    n = R.shape[0]
    out = [np.ones((n, 1, 1))]
    if l_max >= 1:
        out.append(np.ascontiguousarray(_P @ R @ _P.T))
    if l_max < 2:
        return out
    euler = _matrix_to_euler(R)
    a, b, g = euler[:, 0], euler[:, 1], euler[:, 2]
    ks = np.arange(l_max + 1.0)
    ca, sa = np.cos(np.outer(a, ks)), np.sin(np.outer(a, ks))
    cb, sb = np.cos(np.outer(b, ks)), np.sin(np.outer(b, ks))
    cg, sg = np.cos(np.outer(g, ks)), np.sin(np.outer(g, ks))
    for l in range(2, l_max + 1):
        size = 2 * l + 1
        trig = np.concatenate([cb[:, : l + 1], sb[:, 1 : l + 1]], axis=1)
        d = (trig @ _beta_basis(l)).reshape(n, size, size)
        # rows: (X(a) d)[mu] = cos(mu a) d[mu] - sin(mu a) d[-mu]
        cos_m = np.concatenate([ca[:, l:0:-1], ca[:, : l + 1]], axis=1)
        sin_m = np.concatenate([-sa[:, l:0:-1], sa[:, : l + 1]], axis=1)
        E = d * cos_m[:, :, None]
        E -= d[:, ::-1, :] * sin_m[:, :, None]
        # columns: (E X(g))[:, mu] = cos(mu g) E[:, mu] + sin(mu g) E[:, -mu]
        cos_m = np.concatenate([cg[:, l:0:-1], cg[:, : l + 1]], axis=1)
        sin_m = np.concatenate([-sg[:, l:0:-1], sg[:, : l + 1]], axis=1)
        D = E * cos_m[:, None, :]
        D += E[:, :, ::-1] * sin_m[:, None, :]
        out.append(D)
    return out


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
        return _wigner_from_matrices(self.l_max, _as_matrices(rotations))
