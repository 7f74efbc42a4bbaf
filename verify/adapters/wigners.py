"""Adapter: wigners (complex CG and 3j in float64, complex Wigner D).

``clebsch_gordan_array(l1, l2, L)`` is the Condon-Shortley CG ``[m1, m2, M]``;
``wigner_D_array(l_max, a, b, g)`` the standard complex D (ZYZ). The maps to o3ref's real
objects are "complex (Condon-Shortley)" and "standard complex".
Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import numpy as np

from ..conventions.libraries import complex_cg_to_real, complex_d_to_real
from . import require

__all__ = ["CONVENTIONS", "DISTRIBUTIONS", "DTYPE", "KNOWN_VERSIONS", "MAX_L", "natives",
           "clebsch_gordan", "implementations", "wigner_3j", "wigner_D"]

CONVENTIONS = {"cg": "complex (Condon-Shortley)", "wigner_d": "standard complex",
               "complex_cg": "complex (Condon-Shortley)"}

DISTRIBUTIONS = ("wigners",)
KNOWN_VERSIONS = {"wigners": ("0.3", "0.4")}
MAX_L: dict[str, int] = {}  # no limit in the library
DTYPE = {"wigner_d": "complex128", "cg": "float64"}


def clebsch_gordan(l1: int, l2: int, L: int) -> np.ndarray:
    """wigners ``clebsch_gordan_array(l1, l2, L)``: ``<l1 m1 l2 m2|L M>``."""
    return np.asarray(require("wigners").clebsch_gordan_array(l1, l2, L))


def wigner_3j(l1: int, l2: int, L: int) -> np.ndarray:
    """Array of ``(l1 l2 L; m1 m2 m3)`` from wigners ``wigner_3j``."""
    w = require("wigners")
    out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
    for i, m1 in enumerate(range(-l1, l1 + 1)):
        for j, m2 in enumerate(range(-l2, l2 + 1)):
            m3 = -m1 - m2
            if abs(m3) <= L:
                out[i, j, m3 + L] = w.wigner_3j(l1, l2, L, m1, m2, m3)
    return out


def wigner_D(l: int, alpha, beta, gamma) -> np.ndarray:
    """Standard complex D of degree ``l`` from ``wigner_D_array``."""
    return np.asarray(require("wigners").wigner_D_array(l, alpha, beta, gamma)[l])


def implementations() -> dict:
    """This library's functions in o3ref's conventions, by kind (``"sh"``, ``"wigner_d"``,
    ``"cg"``, ...; see :mod:`o3ref.verify.callables`); raises ``ImportError`` naming the
    library when wigners is not installed."""
    require("wigners")
    return {
        "complex_cg": clebsch_gordan,
        "cg": lambda l1, l2, L: complex_cg_to_real(l1, l2, L, clebsch_gordan(l1, l2, L)),
        "wigner_d": lambda l, a, b, g: complex_d_to_real(l, wigner_D(l, a, b, g)),
    }


def natives() -> dict:
    """``quantity -> (function, takes)`` in wigners' own convention (for the detector)."""
    return {"wigner_d": (wigner_D, "euler"), "cg": (clebsch_gordan, None)}
