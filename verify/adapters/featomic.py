"""Adapter: featomic (Clebsch-Gordan coefficients and CG products; spherical expansion).

``featomic.clebsch_gordan.calculate_cg_coefficients`` stores o3ref's real CG (map "o3ref");
its products (``ClebschGordanProduct``, ``DensityCorrelations``) multiply them by an extra
``(-1)^(l1+l2+lambda)`` (map "featomic product"). Conventions:
:mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import require

__all__ = ["CONVENTIONS", "DISTRIBUTIONS", "DTYPE", "KNOWN_VERSIONS", "MAX_L", "natives",
           "clebsch_gordan", "implementations", "product_sign"]

CONVENTIONS = {"cg": "o3ref", "cg_product": "featomic product"}

DISTRIBUTIONS = ("featomic",)
KNOWN_VERSIONS = {"featomic": ("0.6",)}
MAX_L: dict[str, int] = {}  # no limit in the library
DTYPE = "float64"


@lru_cache(maxsize=8)
def _cg_table(l_max: int):
    cg = require("featomic.clebsch_gordan")
    return cg.calculate_cg_coefficients(l_max, "python-dense", "numpy", np.float64, "cpu")


def clebsch_gordan(l1: int, l2: int, L: int) -> np.ndarray:
    """featomic's stored real CG ``(2l1+1, 2l2+1, 2L+1)`` (zeros outside the triangle)."""
    if not abs(l1 - l2) <= L <= l1 + l2:
        return np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
    table = _cg_table(max(l1, l2, L))
    block = table.block({"l1": l1, "l2": l2, "lambda": L})
    return np.asarray(block.values)[0, ..., 0].copy()


def product_sign(l1: int, l2: int, L: int) -> int:
    """The extra sign of featomic's CG products relative to o3ref's: ``(-1)^(l1+l2+L)``."""
    return -1 if (l1 + l2 + L) % 2 else 1


def implementations() -> dict:
    """This library's functions in o3ref's conventions, by kind (``"sh"``, ``"wigner_d"``,
    ``"cg"``, ...; see :mod:`o3ref.verify.callables`); raises ``ImportError`` naming the
    library when featomic is not installed."""
    require("featomic")
    return {"cg": clebsch_gordan}


def natives() -> dict:
    """``quantity -> (function, takes)`` in featomic's own convention (for the detector)."""
    return {"cg": (clebsch_gordan, None)}
