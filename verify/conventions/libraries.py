"""What the convention maps know about particular libraries: float helpers applying the exact
complex -> real maps (the adapters of libraries with complex conventions use them) and the
triples where e3nn 0.4.x's ``wigner_3j`` is negated.

Adapters import this module; it imports no adapter.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..indexing import block

__all__ = ["E3NN_04_NEGATED", "complex_cg_to_real", "complex_d_to_real", "complex_sh_to_real",
           "u_matrix", "xyz_to_angles"]

#: e3nn 0.4.x's ``wigner_3j`` (read from its stored table ``constants.pt``) differs from
#: e3nn >= 0.5's by a sign at these triples, sorted ``l1 <= l2 <= L`` (the sign holds for
#: every permutation of a triple); measured on e3nn 0.4.4 for every triple it stores (l <= 11)
E3NN_04_NEGATED = frozenset({
    (1, 2, 2), (1, 3, 3), (1, 4, 4), (1, 5, 5), (1, 6, 6), (1, 7, 7), (1, 8, 8), (1, 9, 9),
    (1, 10, 10), (1, 11, 11), (3, 4, 6), (3, 5, 7), (3, 6, 8), (3, 7, 9), (3, 8, 10),
    (3, 9, 11), (4, 4, 5), (4, 5, 6), (4, 6, 7), (4, 7, 8), (4, 8, 9), (4, 9, 10), (4, 10, 11),
    (5, 5, 5), (5, 6, 6), (5, 6, 10), (5, 7, 7), (5, 7, 11), (5, 8, 8), (5, 9, 9), (5, 10, 10),
    (5, 11, 11), (6, 6, 9), (6, 7, 10), (6, 8, 11), (7, 7, 9), (7, 8, 10), (7, 9, 11),
    (8, 8, 9), (8, 9, 10), (8, 10, 11), (9, 9, 9), (9, 10, 10), (9, 11, 11),
})


@cache
def u_matrix(l: int) -> np.ndarray:
    """``complex_to_real(l)`` as complex128 (rows complex mu, columns real m)."""
    from o3ref import reference

    return np.array(reference.complex_to_real(l).evalf(20).tolist(), dtype=np.complex128)


def complex_sh_to_real(l_max: int, values: np.ndarray) -> np.ndarray:
    """Real ``Y_lm = sum_mu conj(U[mu, m]) Y_l^mu`` for blocks ``l = 0..l_max`` (last axis)."""
    values = np.asarray(values)
    out = np.empty(values.shape, dtype=np.complex128)
    for l in range(l_max + 1):
        s = block(l)
        out[..., s] = values[..., s] @ np.conj(u_matrix(l))
    if np.max(np.abs(out.imag), initial=0.0) > 1e-8 * max(1.0, np.max(np.abs(out.real))):
        raise ValueError("complex harmonics do not map to real ones: not Condon-Shortley")
    return out.real


def complex_d_to_real(l: int, d: np.ndarray) -> np.ndarray:
    """``D_real = U^dagger conj(D) U`` from the standard complex D."""
    u = u_matrix(l)
    out = np.conj(u).T @ np.conj(np.asarray(d)) @ u
    return out.real


def complex_cg_to_real(l1: int, l2: int, L: int, cg: np.ndarray) -> np.ndarray:
    """Real CG (Re K or Im K) from the Condon-Shortley CG array ``[mu1, mu2, mu]``."""
    k = np.einsum("ai,bj,abc,ck->ijk", u_matrix(l1), u_matrix(l2), np.asarray(cg),
                  np.conj(u_matrix(L)))
    return k.real if (l1 + l2 + L) % 2 == 0 else k.imag


def xyz_to_angles(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polar angle theta (from +z) and azimuth phi of points ``(n, 3)``."""
    xyz = np.asarray(xyz, dtype=np.float64)
    r = np.linalg.norm(xyz, axis=1)
    if np.any(r == 0):
        raise ValueError("xyz contains a zero vector: its direction is undefined")
    theta = np.arccos(np.clip(xyz[:, 2] / r, -1.0, 1.0))
    phi = np.arctan2(xyz[:, 1], xyz[:, 0])
    return theta, phi
