"""Float helpers applying the exact maps of :mod:`o3ref.verify.conventions` (adapters only)."""

from __future__ import annotations

from functools import cache

import numpy as np

from ..indexing import block


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
