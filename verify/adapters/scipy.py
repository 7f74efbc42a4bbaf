"""Adapter: scipy (complex spherical harmonics ``scipy.special.sph_harm_y``, rotations).

``sph_harm_y(l, m, theta, phi)`` is the orthonormal complex ``Y_l^m`` with the
Condon-Shortley phase (map "complex (Condon-Shortley)": ``Y_l^mu = sum_m U[mu, m] Y_lm``).
``Rotation.from_euler("ZYZ", ...)`` is o3ref's Euler convention.
Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import numpy as np

from ..conventions.libraries import complex_sh_to_real, xyz_to_angles
from . import require

__all__ = ["CONVENTIONS", "DISTRIBUTIONS", "DTYPE", "KNOWN_VERSIONS", "MAX_L", "natives",
           "implementations", "rotation_matrix", "spherical_harmonics"]

CONVENTIONS = {"sh": "complex (Condon-Shortley)"}

DISTRIBUTIONS = ("scipy",)
KNOWN_VERSIONS = {"scipy": ("1.14", "1.15", "1.16", "1.17")}
MAX_L: dict[str, int] = {}  # no limit in the library
DTYPE = {"sh": "complex128"}


def spherical_harmonics(l_max: int, xyz) -> np.ndarray:
    """Complex ``Y_l^m`` from ``sph_harm_y``, ``m = -l..l``: ``(n, (l_max+1)**2)`` complex."""
    special = require("scipy.special")
    theta, phi = xyz_to_angles(xyz)
    cols = [special.sph_harm_y(l, m, theta, phi) for l in range(l_max + 1)
            for m in range(-l, l + 1)]
    return np.stack(cols, axis=1)


def rotation_matrix(alpha, beta, gamma) -> np.ndarray:
    """``Rotation.from_euler("ZYZ", [alpha, beta, gamma]).as_matrix()``."""
    rot = require("scipy.spatial.transform")
    return rot.Rotation.from_euler("ZYZ", [alpha, beta, gamma]).as_matrix()


def _real_sh(l_max, xyz):
    return complex_sh_to_real(l_max, spherical_harmonics(l_max, xyz))


def implementations() -> dict:
    """This library's functions in o3ref's conventions, by kind (``"sh"``, ``"wigner_d"``,
    ``"cg"``, ...; see :mod:`o3ref.verify.callables`); raises ``ImportError`` naming the
    library when scipy is not installed."""
    require("scipy.special")
    return {"sh": _real_sh}


def natives() -> dict:
    """``quantity -> (function, takes)`` in scipy's own convention (for the detector)."""
    return {"sh": (spherical_harmonics, None)}
