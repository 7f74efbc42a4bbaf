"""Adapter: e3x (jax; on CPU is enough). Not a dependency of o3ref.

e3x's conventions (e3x 1.0.2, measured against o3ref's exact reference; the proofs are in
``tests/verify/test_verify_conventions_thirdparty.py``):

- ``so3.spherical_harmonics(r, max_degree, cartesian_order=True, normalization='racah')``:
  o3ref's real harmonics, with, per degree, the orders ``m = l, -l, l-1, -(l-1), ..., 0``
  ("Cartesian order", the default) or ``m = -l..l`` (``cartesian_order=False``), times
  ``c_l = 1`` ('orthonormal'), ``sqrt(4 pi)`` ('4pi') or ``sqrt(4 pi/(2l+1))`` ('racah' and
  'schmidt', which are the same).
- ``so3.wigner_d(rot, max_degree)`` takes a rotation *matrix* and is o3ref's ``D_real(R)``
  (block diagonal over ``l``, in the same order as the harmonics).
- ``so3.clebsch_gordan(l1, l2, L)`` (max degrees; blocks cut out here) is
  ``(-1)^floor((l1+l2-L)/2)`` times o3ref's real CG: e3nn's ``wigner_3j`` sign rule without
  its ``1/sqrt(2L+1)``.

jax computes in float32 unless 64-bit mode is on: every call here runs inside
``jax.enable_x64(True)``, so the results are float64.
Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from . import require

__all__ = ["CONVENTIONS", "DISTRIBUTIONS", "DTYPE", "KNOWN_VERSIONS", "MAX_L", "NORMALISATIONS",
           "cartesian_order", "cg_sign", "clebsch_gordan", "implementations", "natives",
           "normalisation_factor", "spherical_harmonics", "wigner_D"]

CONVENTIONS = {"sh": "e3x 'racah', Cartesian order", "wigner_d": "o3ref (of a rotation matrix)",
               "cg": "e3x clebsch_gordan"}
DISTRIBUTIONS = ("e3x", "jax", "jaxlib")
KNOWN_VERSIONS = {"e3x": ("1.0",)}
MAX_L: dict[str, int] = {}  # no limit in the library
DTYPE = "float64"  # with jax's 64-bit mode, which this adapter turns on for its calls
NORMALISATIONS = ("4pi", "orthonormal", "racah", "schmidt")


def cartesian_order(l: int) -> list[int]:
    """e3x's "Cartesian order" of degree ``l``: the ``m`` at each position,
    ``[l, -l, l-1, -(l-1), ..., 0]``."""
    out = []
    for k in range(l, 0, -1):
        out += [k, -k]
    return out + [0]


def normalisation_factor(l: int, normalization: str) -> float:
    """e3x's harmonics of degree ``l`` divided by o3ref's (orthonormal) ones."""
    factors = {"orthonormal": 1.0, "4pi": math.sqrt(4 * math.pi),
               "racah": math.sqrt(4 * math.pi / (2 * l + 1)),
               "schmidt": math.sqrt(4 * math.pi / (2 * l + 1))}
    if normalization not in factors:
        raise ValueError(f"normalization={normalization!r} must be one of {NORMALISATIONS}")
    return factors[normalization]


def cg_sign(l1: int, l2: int, L: int) -> int:
    """e3x's CG divided by o3ref's: ``(-1)^floor((l1+l2-L)/2)``."""
    return -1 if ((l1 + l2 - L) // 2) % 2 else 1


def _so3():
    require("jax")
    return require("e3x.so3")


@cache
def _jitted(name: str, static: tuple[int, ...]):
    jax = require("jax")
    import inspect

    func = getattr(_so3(), name)
    names = [n for n in ("cartesian_order", "normalization")
             if n in inspect.signature(func).parameters]
    return jax.jit(func, static_argnums=static, static_argnames=names)


def _run(name: str, static: tuple[int, ...], *args, **kwargs) -> np.ndarray:
    """e3x's ``so3.<name>`` in 64-bit mode, jit-compiled once per degree (tracing e3x's
    functions anew on every call costs seconds)."""
    jax = require("jax")
    with jax.enable_x64(True):
        return np.asarray(_jitted(name, static)(*args, **kwargs), dtype=np.float64)


def spherical_harmonics(l_max: int, xyz, cartesian_order: bool = True,
                        normalization: str = "racah") -> np.ndarray:
    """``e3x.so3.spherical_harmonics(xyz, l_max, ...)`` (e3x's defaults), native."""
    return _run("spherical_harmonics", (1,), np.asarray(xyz, dtype=np.float64), l_max,
                cartesian_order=cartesian_order, normalization=normalization)


def wigner_D(l: int, rot, cartesian_order: bool = True) -> np.ndarray:
    """The degree-``l`` block of ``e3x.so3.wigner_d(rot, l)``: a function of a rotation
    matrix, native."""
    full = _run("wigner_d", (1,), np.asarray(rot, dtype=np.float64), l,
                cartesian_order=cartesian_order)
    return full[l * l :, l * l :]


def clebsch_gordan(l1: int, l2: int, L: int, cartesian_order: bool = True) -> np.ndarray:
    """The ``(l1, l2, L)`` block of ``e3x.so3.clebsch_gordan(l1, l2, L)``, native."""
    full = _run("clebsch_gordan", (0, 1, 2), l1, l2, L, cartesian_order=cartesian_order)
    return full[l1 * l1 :, l2 * l2 :, L * L :]


def _perm(l: int) -> np.ndarray:
    """Positions in e3x's order of o3ref's ``m = -l..l``: ``e3x[..., perm] = o3ref``."""
    order = cartesian_order(l)
    return np.array([order.index(m) for m in range(-l, l + 1)])


def _sh(l_max, xyz):
    native = spherical_harmonics(l_max, xyz)
    out = np.empty_like(native)
    for l in range(l_max + 1):
        out[:, l * l : (l + 1) ** 2] = (native[:, l * l + _perm(l)]
                                        / normalisation_factor(l, "racah"))
    return out


def _d(l, a, b, g):
    from o3ref import fast

    rot = np.asarray(fast.rotation_matrix(a, b, g)).reshape(3, 3)
    p = _perm(l)
    return wigner_D(l, rot)[np.ix_(p, p)]


def _cg(l1, l2, L):
    c = clebsch_gordan(l1, l2, L)
    return cg_sign(l1, l2, L) * c[np.ix_(_perm(l1), _perm(l2), _perm(L))]


def natives() -> dict:
    """``quantity -> (function, takes)`` in e3x's own convention (for the detector)."""
    return {"sh": (spherical_harmonics, None), "wigner_d": (wigner_D, "matrix"),
            "cg": (clebsch_gordan, None)}


def implementations() -> dict:
    """This library's functions in o3ref's conventions, by kind (``"sh"``, ``"wigner_d"``,
    ``"cg"``); raises ``ImportError`` naming the library when it is not installed."""
    _so3()
    return {"sh": _sh, "wigner_d": _d, "cg": _cg}
