"""Adapter: cuequivariance (its NumPy descriptors; no torch needed). Not a dependency.

cuequivariance's ``SO3`` irreps use e3nn's real basis (``m = -l..l`` with e3nn's
``change_basis_real_to_complex``), and e3nn's axes: its vector ``v`` is o3ref's point read as
``(y, z, x)``, ``v = P p`` with ``P (x, y, z) = (y, z, x)``. Measured against o3ref's exact
reference (cuequivariance 0.13.0; proofs in
``tests/verify/test_verify_conventions_thirdparty.py``):

- ``descriptors.spherical_harmonics(SO3(1), ls)`` evaluated (NumPy) at a unit vector ``v``:
  e3nn's 'component' harmonics, ``sqrt(4 pi) Y_l(P^T v)`` (detector: "e3nn 'component'").
  The descriptor expands monomials: 7e-13 at l = 8 in float64, and building it takes
  minutes beyond l = 6 (l_max = 10 ran 12 minutes and 19 GB): this adapter stops at l = 6.
- ``SO3(l).rotation(axis, angle)`` in cuequivariance's axes: ``D_real(P^T R P)`` for the
  rotation ``R`` of e3nn's frame, i.e. ``D_cue(P R P^T) = D_real(R)`` for o3ref's ``R``. This
  adapter's native D takes a unit quaternion (scalar first) in cuequivariance's axes.
- ``SO3.clebsch_gordan(SO3(l1), SO3(l2), SO3(L))[0]`` is ``(-1)^floor((l1+l2-L)/2)`` times
  o3ref's real CG (e3nn's ``wigner_3j`` sign rule without its ``1/sqrt(2L+1)``).

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from . import require

__all__ = ["CONVENTIONS", "DISTRIBUTIONS", "DTYPE", "KNOWN_VERSIONS", "MAX_L", "cg_sign",
           "clebsch_gordan", "implementations", "natives", "spherical_harmonics", "wigner_D"]

CONVENTIONS = {"sh": "e3nn 'component'", "wigner_d": "o3ref in e3nn's axes (quaternion)",
               "cg": "cuequivariance clebsch_gordan"}
DISTRIBUTIONS = ("cuequivariance",)
KNOWN_VERSIONS = {"cuequivariance": ("0.13",)}
# the NumPy SH descriptor is built by expanding monomials: building it took 47 s (l = 4),
# 94 s (l = 6) and 182 s (l = 7) on a busy 2-core machine, and l = 10 ran 12 minutes and 19 GB
MAX_L: dict[str, int] = {"sh": 6}
DTYPE = "float64"

# o3ref point p -> cuequivariance's vector v = P p
_P = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])


def cg_sign(l1: int, l2: int, L: int) -> int:
    """cuequivariance's CG divided by o3ref's: ``(-1)^floor((l1+l2-L)/2)``."""
    return -1 if ((l1 + l2 - L) // 2) % 2 else 1


def spherical_harmonics(l_max: int, xyz) -> np.ndarray:
    """The NumPy evaluation of ``descriptors.spherical_harmonics(SO3(1), [0..l_max])`` at
    the unit vectors of ``xyz`` (read in cuequivariance's axes), native."""
    if l_max > MAX_L["sh"]:
        raise ValueError(f"l_max={l_max} must be at most {MAX_L['sh']} (cuequivariance's "
                         "NumPy descriptor expands monomials: minutes and GBs beyond)")
    xyz = np.asarray(xyz, dtype=np.float64)
    u = xyz / np.linalg.norm(xyz, axis=1, keepdims=True)
    return np.asarray(_sh_descriptor(l_max)(u)[0])


@cache
def _sh_descriptor(l_max: int):
    cue = require("cuequivariance")
    return cue.descriptors.spherical_harmonics(cue.SO3(1), list(range(l_max + 1)))


def _axis_angle(q) -> tuple[np.ndarray, float]:
    q = np.asarray(q, dtype=np.float64)
    q = q / np.linalg.norm(q)
    s = float(np.linalg.norm(q[1:]))
    if s == 0.0:
        return np.array([0.0, 0.0, 1.0]), 0.0
    return q[1:] / s, 2.0 * math.atan2(s, float(q[0]))


def wigner_D(l: int, q) -> np.ndarray:
    """``SO3(l).rotation(axis, angle)`` for the unit quaternion ``q = (w, x, y, z)`` in
    cuequivariance's axes, native."""
    cue = require("cuequivariance")
    axis, angle = _axis_angle(q)
    return np.asarray(cue.SO3(l).rotation(axis, angle))


def clebsch_gordan(l1: int, l2: int, L: int) -> np.ndarray:
    """``SO3.clebsch_gordan(SO3(l1), SO3(l2), SO3(L))[0]`` (zeros outside the triangle)."""
    cue = require("cuequivariance")
    c = cue.SO3.clebsch_gordan(cue.SO3(l1), cue.SO3(l2), cue.SO3(L))
    if c.shape[0] == 0:
        return np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
    return np.asarray(c[0])


def _quaternion_of(rot: np.ndarray) -> np.ndarray:
    """Unit quaternion (scalar first) of a proper rotation matrix (Shepperd's method: start
    from the largest component, so a half turn is as accurate as any other rotation)."""
    r = np.asarray(rot, dtype=np.float64)
    t = np.trace(r)
    k = int(np.argmax([t, r[0, 0], r[1, 1], r[2, 2]]))
    if k == 0:
        w = math.sqrt(1 + t) / 2
        q = [w, (r[2, 1] - r[1, 2]) / (4 * w), (r[0, 2] - r[2, 0]) / (4 * w),
             (r[1, 0] - r[0, 1]) / (4 * w)]
    else:
        i, j, m = (k - 1, k % 3, (k + 1) % 3)
        v = [0.0, 0.0, 0.0]
        v[i] = math.sqrt(max(0.0, 1 + 2 * r[i, i] - t)) / 2
        v[j] = (r[j, i] + r[i, j]) / (4 * v[i])
        v[m] = (r[m, i] + r[i, m]) / (4 * v[i])
        q = [(r[m, j] - r[j, m]) / (4 * v[i]), *v]
    return np.array(q)


def _sh(l_max, xyz):
    native = spherical_harmonics(l_max, np.asarray(xyz, dtype=np.float64) @ _P.T)
    return native / math.sqrt(4 * math.pi)


def _d(l, a, b, g):
    from o3ref import fast

    rot = np.asarray(fast.rotation_matrix(a, b, g)).reshape(3, 3)
    return wigner_D(l, _quaternion_of(_P @ rot @ _P.T))


def _cg(l1, l2, L):
    return cg_sign(l1, l2, L) * clebsch_gordan(l1, l2, L)


def natives() -> dict:
    """``quantity -> (function, takes)`` in cuequivariance's own convention."""
    return {"sh": (spherical_harmonics, None), "wigner_d": (wigner_D, "quaternion"),
            "cg": (clebsch_gordan, None)}


def implementations() -> dict:
    """This library's functions in o3ref's conventions, by kind (``"sh"``, ``"wigner_d"``,
    ``"cg"``); raises ``ImportError`` naming the library when it is not installed."""
    require("cuequivariance")
    return {"sh": _sh, "wigner_d": _d, "cg": _cg}
