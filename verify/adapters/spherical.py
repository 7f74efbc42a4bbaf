"""Adapter: moble's ``spherical`` (Wigner D from quaternions, spin-weighted harmonics, CG).

``Wigner(l_max).D(R)`` takes a unit quaternion; this adapter builds it from o3ref's ZYZ
angles with ``quaternionic.array.from_euler_angles`` (ZYZ, as o3ref). Its ``D`` is the
complex conjugate of the standard D (map "conjugated complex"; found by
:func:`o3ref.verify.detect_convention`, pinned in the tests); ``sYlm(0, R)`` at the rotor
taking +z to ``r`` are the complex Condon-Shortley harmonics. moble's ``clebsch_gordan``
returns 0.0 for half-integer arguments instead of failing: this adapter accepts integers
only.
Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import numpy as np

from ..conventions.libraries import (
    complex_cg_to_real,
    complex_d_to_real,
    complex_sh_to_real,
    xyz_to_angles,
)
from . import require

__all__ = ["CONVENTIONS", "DISTRIBUTIONS", "DTYPE", "KNOWN_VERSIONS", "MAX_L", "natives",
           "clebsch_gordan", "implementations", "spherical_harmonics",
           "wigner_D"]

CONVENTIONS = {"wigner_d": "conjugated complex", "sh": "complex (Condon-Shortley)",
               "cg": "complex (Condon-Shortley)"}

DISTRIBUTIONS = ("spherical", "quaternionic")
KNOWN_VERSIONS = {"spherical": ("1",), "quaternionic": ("1",)}
MAX_L: dict[str, int] = {}  # no limit in the library
DTYPE = {"wigner_d": "complex128", "sh": "complex128", "cg": "float64"}


def _int(name, v):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
        raise ValueError(f"{name}={v!r} must be a non-negative integer (moble's spherical "
                         "silently returns 0 for half-integers)")
    return int(v)


def wigner_D(l: int, alpha, beta, gamma) -> np.ndarray:
    """``spherical.Wigner(l).D(R)`` for ``R`` from ZYZ angles: the ``(2l+1, 2l+1)`` block."""
    l = _int("l", l)
    sph = require("spherical")
    q = require("quaternionic").array.from_euler_angles(alpha, beta, gamma)
    w = sph.Wigner(l)
    flat = np.asarray(w.D(q))
    start = w.Dindex(l, -l, -l)
    return flat[start : start + (2 * l + 1) ** 2].reshape(2 * l + 1, 2 * l + 1)


def spherical_harmonics(l_max: int, xyz) -> np.ndarray:
    """``Wigner(l_max).sYlm(0, R)`` at ``R = from_spherical_coordinates(theta, phi)``."""
    sph = require("spherical")
    qa = require("quaternionic").array
    theta, phi = xyz_to_angles(xyz)
    w = sph.Wigner(l_max)
    return np.stack([np.asarray(w.sYlm(0, qa.from_spherical_coordinates(t, p)))
                     for t, p in zip(theta, phi, strict=True)])


def clebsch_gordan(l1: int, l2: int, L: int) -> np.ndarray:
    """Array ``<l1 m1 l2 m2|L M>`` from ``spherical.clebsch_gordan``."""
    l1, l2, L = _int("l1", l1), _int("l2", l2), _int("L", L)
    sph = require("spherical")
    out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
    for i, m1 in enumerate(range(-l1, l1 + 1)):
        for j, m2 in enumerate(range(-l2, l2 + 1)):
            M = m1 + m2
            if abs(M) <= L:
                out[i, j, M + L] = sph.clebsch_gordan(l1, m1, l2, m2, L, M)
    return out


def implementations() -> dict:
    """This library's functions in o3ref's conventions, by kind (``"sh"``, ``"wigner_d"``,
    ``"cg"``, ...; see :mod:`o3ref.verify.callables`); raises ``ImportError`` naming the
    library when spherical is not installed."""
    require("spherical")
    return {
        "wigner_d": lambda l, a, b, g: complex_d_to_real(l, np.conj(wigner_D(l, a, b, g))),
        "sh": lambda l_max, xyz: complex_sh_to_real(l_max, spherical_harmonics(l_max, xyz)),
        "complex_cg": clebsch_gordan,
        "cg": lambda l1, l2, L: complex_cg_to_real(l1, l2, L, clebsch_gordan(l1, l2, L)),
    }


def natives() -> dict:
    """``quantity -> (function, takes)`` in spherical's own convention (for the detector;
    its D is called with ZYZ angles through ``quaternionic.array.from_euler_angles``)."""
    return {"wigner_d": (wigner_D, "euler"), "sh": (spherical_harmonics, None),
            "cg": (clebsch_gordan, None)}
