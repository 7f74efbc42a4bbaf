"""Adapter: cuequivariance-torch (``cuequivariance_torch``, needs torch; not a dependency).

The torch layers of cuequivariance evaluate the same irreps as its NumPy descriptors
(:mod:`o3ref.verify.adapters.cuequivariance`): e3nn's real basis and e3nn's axes, a vector
``v = P p`` for o3ref's point ``p`` with ``P (x, y, z) = (y, z, x)``. Measured against
o3ref's exact reference (cuequivariance-torch 0.13.0, torch 2.13.0+cpu; proofs in
``tests/verify/test_verify_conventions_thirdparty.py``):

- ``cuet.SphericalHarmonics(ls, normalize=True)(v)``: e3nn's 'component' harmonics,
  ``sqrt(4 pi) Y_l(P^T v)``. On CPU it stops at ``l = 5`` (its fallback polynomial takes at
  most 6 inputs): :data:`MAX_L`.
- ``cuet.Rotation(irreps)(gamma, beta, alpha, x)`` rotates ``x`` by ``Ry(alpha) Rx(beta)
  Ry(gamma)`` in e3nn's axes (angles in that order; it encodes each as ``cos(k t), sin(k t)``
  itself). The matrix of that linear map, ``D`` with ``rotated(x) = D x`` (``D =
  Rotation(...)(I).T``: rows of ``x`` are vectors), is o3ref's ``D_real(alpha, beta, gamma)``
  (ZYZ): read with o3ref's angle order, it is ZYZ with the angles reversed (extrinsic).
- The weightless ``descriptors.full_tensor_product(l1, l2, [L])`` evaluated by
  ``cuet.SegmentedPolynomial`` at basis vectors: ``(-1)^floor((l1+l2-L)/2)`` times o3ref's real
  CG (the NumPy descriptors' rule).

Everything runs in float32 by default (the layers' ``math_dtype`` follows their inputs):
:data:`DTYPE` is float32 and the float32 precision policy applies. Each function takes
``dtype="float64"`` too, which the layers support on CPU.
Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import logging
import math
import warnings
from functools import cache

import numpy as np

from . import require

__all__ = ["CONVENTIONS", "DISTRIBUTIONS", "DTYPE", "KNOWN_VERSIONS", "MAX_L", "cg_sign",
           "clebsch_gordan", "implementations", "natives", "rotation", "spherical_harmonics"]

CONVENTIONS = {"sh": "e3nn 'component'", "wigner_d": "ZYZ angles reversed (gamma, beta, alpha)",
               "cg": "cuequivariance / e3x CG"}
DISTRIBUTIONS = ("cuequivariance-torch", "cuequivariance", "torch")
KNOWN_VERSIONS = {"cuequivariance-torch": ("0.13",), "cuequivariance": ("0.13",)}
#: on CPU ``cuet.SphericalHarmonics`` raises "Unsupported number of inputs" beyond l = 5
MAX_L: dict[str, int] = {"sh": 5}
DTYPE = "float32"

# o3ref point p -> cuequivariance's vector v = P p
_P = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])


def _modules():
    # cuequivariance_torch first: a missing one is named as itself, not as torch
    cuet = require("cuequivariance_torch")
    torch = require("torch")
    cue = require("cuequivariance")
    return torch, cue, cuet


def _torch_dtype(dtype: str):
    torch = require("torch")
    if str(dtype) not in ("float32", "float64"):
        raise ValueError(f"dtype={dtype!r} must be 'float32' or 'float64'")
    return getattr(torch, str(dtype))


class _Quiet:
    """cuequivariance-torch logs (opt_einsum_fx missing) and warns (no CUDA kernels: the
    naive fallback) when it builds a layer on CPU: both are expected here."""

    def __enter__(self):
        self.logger = logging.getLogger("cuequivariance_torch")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)
        self.warnings = warnings.catch_warnings()
        self.warnings.__enter__()
        warnings.simplefilter("ignore", UserWarning)

    def __exit__(self, *exc):
        self.warnings.__exit__(*exc)
        self.logger.setLevel(self.level)


@cache
def _sh_layer(l_max: int, dtype: str):
    _, _, cuet = _modules()
    with _Quiet():
        return cuet.SphericalHarmonics(list(range(l_max + 1)), normalize=True,
                                       math_dtype=_torch_dtype(dtype))


def spherical_harmonics(l_max: int, xyz, dtype: str = DTYPE) -> np.ndarray:
    """``cuet.SphericalHarmonics(range(l_max+1), normalize=True)`` at ``xyz`` (read in
    cuequivariance's axes), in ``dtype``, native."""
    if l_max > MAX_L["sh"]:
        raise ValueError(f"l_max={l_max} must be at most {MAX_L['sh']} (cuequivariance_torch's "
                         "SphericalHarmonics stops there on CPU)")
    torch = require("torch")
    x = torch.as_tensor(np.asarray(xyz, dtype=np.float64), dtype=_torch_dtype(dtype))
    with torch.no_grad():
        return _sh_layer(l_max, str(dtype))(x).numpy()


@cache
def _rotation_layer(l: int, dtype: str):
    _, cue, cuet = _modules()
    with _Quiet():
        return cuet.Rotation(cue.Irreps("SO3", str(l)), layout=cue.ir_mul,
                             math_dtype=_torch_dtype(dtype))


def rotation(l: int, gamma, beta, alpha, dtype: str = DTYPE) -> np.ndarray:
    """The matrix ``D`` of ``cuet.Rotation(SO3(l))(gamma, beta, alpha, x) = D x`` (its own
    angle order), in ``dtype``, native."""
    torch = require("torch")
    dt = _torch_dtype(dtype)
    angles = [torch.tensor([float(t)], dtype=dt) for t in (gamma, beta, alpha)]
    with torch.no_grad():
        rows = _rotation_layer(l, str(dtype))(*angles, torch.eye(2 * l + 1, dtype=dt))
    return rows.numpy().T  # row i is D e_i


@cache
def _cg_layer(l1: int, l2: int, L: int, dtype: str):
    _, cue, cuet = _modules()
    d = cue.descriptors.full_tensor_product(cue.Irreps("SO3", str(l1)),
                                            cue.Irreps("SO3", str(l2)), [cue.SO3(L)])
    with _Quiet():
        return cuet.SegmentedPolynomial(d.polynomial, method="naive",
                                        math_dtype=_torch_dtype(dtype))


def clebsch_gordan(l1: int, l2: int, L: int, dtype: str = DTYPE) -> np.ndarray:
    """``c[i, j, :]``: the weightless ``full_tensor_product(SO3(l1), SO3(l2), [SO3(L)])`` of
    cuequivariance-torch at the basis vectors ``e_i, e_j``, in ``dtype`` (zeros outside the
    triangle), native."""
    n1, n2, n3 = 2 * l1 + 1, 2 * l2 + 1, 2 * L + 1
    if not abs(l1 - l2) <= L <= l1 + l2:
        return np.zeros((n1, n2, n3))
    torch = require("torch")
    dt = _torch_dtype(dtype)
    x = torch.eye(n1, dtype=dt).repeat_interleave(n2, 0)
    y = torch.eye(n2, dtype=dt).repeat(n1, 1)
    with torch.no_grad():
        out = _cg_layer(l1, l2, L, str(dtype))([x, y])[0]
    return out.numpy().reshape(n1, n2, n3)


def cg_sign(l1: int, l2: int, L: int) -> int:
    """cuequivariance-torch's CG divided by o3ref's: ``(-1)^floor((l1+l2-L)/2)``."""
    return -1 if ((l1 + l2 - L) // 2) % 2 else 1


def _sh(l_max, xyz):
    native = spherical_harmonics(l_max, np.asarray(xyz, dtype=np.float64) @ _P.T)
    return native / math.sqrt(4 * math.pi)


def _d(l, a, b, g):
    return rotation(l, g, b, a)


def _cg(l1, l2, L):
    return cg_sign(l1, l2, L) * clebsch_gordan(l1, l2, L)


def natives() -> dict:
    """``quantity -> (function, takes)`` in cuequivariance-torch's own convention."""
    return {"sh": (spherical_harmonics, None), "wigner_d": (rotation, "euler"),
            "cg": (clebsch_gordan, None)}


def implementations() -> dict:
    """This library's functions in o3ref's conventions (float32), by kind (``"sh"``,
    ``"wigner_d"``, ``"cg"``); raises ``ImportError`` naming the package when torch or
    cuequivariance-torch is not installed."""
    _modules()
    return {"sh": _sh, "wigner_d": _d, "cg": _cg}
