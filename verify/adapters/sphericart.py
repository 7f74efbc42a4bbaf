"""Adapter: sphericart (real spherical and solid harmonics, with gradients).

sphericart's ``SphericalHarmonics`` is o3ref's convention exactly (map "o3ref"); its
``SolidHarmonics`` are ``r^l Y_lm``. Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import numpy as np

from . import require

__all__ = ["CONVENTIONS", "DISTRIBUTIONS", "DTYPE", "KNOWN_VERSIONS", "MAX_L", "natives",
           "implementations", "solid_harmonics", "spherical_harmonics",
           "spherical_harmonics_with_gradients"]

CONVENTIONS = {"sh": "o3ref", "sh_gradient": "o3ref"}

DISTRIBUTIONS = ("sphericart",)
KNOWN_VERSIONS = {"sphericart": ("1", "2")}
MAX_L: dict[str, int] = {}  # no limit in the library
DTYPE = "float64"


def spherical_harmonics(l_max: int, xyz) -> np.ndarray:
    """sphericart ``SphericalHarmonics(l_max).compute(xyz)``: ``(n, (l_max+1)**2)``."""
    sc = require("sphericart")
    return np.asarray(sc.SphericalHarmonics(l_max).compute(np.asarray(xyz, dtype=np.float64)))


def spherical_harmonics_with_gradients(l_max: int, xyz):
    """Values and gradients ``(n, 3, (l_max+1)**2)``."""
    sc = require("sphericart")
    v, g = sc.SphericalHarmonics(l_max).compute_with_gradients(np.asarray(xyz, dtype=np.float64))
    return np.asarray(v), np.asarray(g)


def solid_harmonics(l_max: int, xyz) -> np.ndarray:
    """sphericart ``SolidHarmonics``: ``r^l Y_lm(r/|r|)``."""
    sc = require("sphericart")
    return np.asarray(sc.SolidHarmonics(l_max).compute(np.asarray(xyz, dtype=np.float64)))


def implementations() -> dict:
    """This library's functions in o3ref's conventions, by kind (``"sh"``, ``"wigner_d"``,
    ``"cg"``, ...; see :mod:`o3ref.verify.callables`); raises ``ImportError`` naming the
    library when sphericart is not installed."""
    require("sphericart")
    return {"sh": spherical_harmonics, "sh_gradient": spherical_harmonics_with_gradients}


def natives() -> dict:
    """``quantity -> (function, takes)`` in sphericart's own convention (for the detector)."""
    return {"sh": (spherical_harmonics, None)}
