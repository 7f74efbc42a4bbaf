"""Adapter: escnn (needs torch, lie_learn and py3nj; not a dependency of o3ref).

escnn's conventions (escnn 1.0.11, measured against o3ref's exact reference; the proofs are in
``tests/verify/test_verify_conventions_thirdparty.py``):

- ``escnn.kernels.HarmonicPolynomialR3Generator(L)(points)`` (what ``escnn.nn``'s
  ``HarmonicPolynomialR3`` computes) gives the harmonic polynomials of degrees ``0..L`` in
  o3ref's axes and ``m = -l..l``: ``sqrt(4 pi/(2l+1)) |r|^l Y_lm(r/|r|)`` (Schmidt
  semi-normalised solid harmonics; detector: "escnn harmonic polynomials"). Its
  change-of-basis buffers are built as ``torch.float`` (float32) and only then converted
  by ``.double()``: the values are good to about 4e-8, so this adapter declares the
  harmonics (and their gradients) float32.
- ``SO3.irrep(l)(element)`` is lie_learn's real ``wigner_D_matrix(l, a, b, g)`` at the ZYZ
  Euler angles of the element, which is o3ref's ``D_real(R)`` (active). Elements are unit
  quaternions in scipy's order, *scalar last* (escnn's default parametrisation ``"Q"``);
  ``"MAT"`` (a rotation matrix) and ``"ZYZ"`` (o3ref's Euler angles) give the same matrix.
  lie_learn stores its ``J`` matrices up to ``l = 150``. float64.
- ``SO3._clebsh_gordan_coeff(l1, l2, L)[:, :, 0, :]`` (py3nj's Condon-Shortley CG taken to
  escnn's real basis) is o3ref's real CG itself. float64.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from . import require

__all__ = ["CONVENTIONS", "DISTRIBUTIONS", "DTYPE", "KNOWN_VERSIONS", "MAX_L",
           "clebsch_gordan", "harmonic_polynomials", "implementations", "natives",
           "schmidt_factor", "wigner_D"]

CONVENTIONS = {"sh": "escnn harmonic polynomials", "sh_gradient": "o3ref",
               "wigner_d": "quaternion scalar last", "cg": "o3ref"}
DISTRIBUTIONS = ("escnn", "torch", "lie_learn", "py3nj")
KNOWN_VERSIONS = {"escnn": ("1.0",)}
MAX_L: dict[str, int] = {"wigner_d": 150}  # lie_learn's stored J matrices: l = 0..150
# the harmonics' change-of-basis buffers are float32 (about 4e-8 after .double())
DTYPE = {"sh": "float32", "sh_gradient": "float32", "wigner_d": "float64", "cg": "float64"}


def schmidt_factor(l: int) -> float:
    """escnn's harmonic polynomial of degree ``l`` on the unit sphere divided by o3ref's
    ``Y_lm``: ``sqrt(4 pi/(2l+1))``."""
    return math.sqrt(4 * math.pi / (2 * l + 1))


@cache
def _group():
    return require("escnn.group").so3_group(1)


@cache
def _generator(l_max: int):
    kernels = require("escnn.kernels")
    return kernels.HarmonicPolynomialR3Generator(l_max).double()


def harmonic_polynomials(l_max: int, xyz) -> np.ndarray:
    """``HarmonicPolynomialR3Generator(l_max).double()`` at the points ``xyz`` (n, 3), in
    float64 arithmetic, native (solid, Schmidt semi-normalised)."""
    gen = _generator(int(l_max))
    torch = require("torch")
    with torch.no_grad():
        return gen(torch.as_tensor(np.asarray(xyz, dtype=np.float64))).numpy()


def wigner_D(l: int, q) -> np.ndarray:
    """``SO3.irrep(l)`` at the element of the unit quaternion ``q = (x, y, z, w)`` (escnn's
    default parametrisation, scipy's order: scalar last), native."""
    q = np.asarray(q, dtype=np.float64)
    g = _group()
    return np.asarray(g.irrep(int(l))(g.element(q / np.linalg.norm(q), "Q")), dtype=np.float64)


def clebsch_gordan(l1: int, l2: int, L: int) -> np.ndarray:
    """``SO3._clebsh_gordan_coeff(l1, l2, L)`` with its multiplicity axis (of size 1) dropped:
    ``(2l1+1, 2l2+1, 2L+1)``, native."""
    c = np.asarray(_group()._clebsh_gordan_coeff(int(l1), int(l2), int(L)), dtype=np.float64)
    return c[:, :, 0, :]


def _sh(l_max, xyz):
    xyz = np.asarray(xyz, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):  # |r| = 0: NaN, which guard names
        unit = xyz / np.linalg.norm(xyz, axis=1, keepdims=True)
    native = harmonic_polynomials(l_max, unit)
    for l in range(l_max + 1):
        native[:, l * l : (l + 1) ** 2] /= schmidt_factor(l)
    return native


def _sh_gradient(l_max, xyz):
    """Values and gradients of ``Y_lm(r/|r|)`` by torch's autograd through escnn."""
    gen = _generator(int(l_max))
    torch = require("torch")
    x = torch.as_tensor(np.asarray(xyz, dtype=np.float64)).clone().requires_grad_(True)
    y = gen(x / torch.linalg.norm(x, dim=1, keepdim=True))
    scale = torch.tensor([1.0 / schmidt_factor(l) for l in range(l_max + 1)
                          for _ in range(2 * l + 1)], dtype=torch.float64)
    y = y * scale
    grads = np.empty((x.shape[0], 3, y.shape[1]))
    for k in range(y.shape[1]):  # point i's values depend on point i only
        (g,) = torch.autograd.grad(y[:, k].sum(), x, retain_graph=True, allow_unused=True)
        grads[:, :, k] = 0.0 if g is None else g.numpy()
    return y.detach().numpy(), grads


def _d(l, a, b, g):
    group = _group()
    return np.asarray(group.irrep(int(l))(group.element(np.array([a, b, g], dtype=np.float64),
                                                        "ZYZ")), dtype=np.float64)


def natives() -> dict:
    """``quantity -> (function, takes)`` in escnn's own convention (for the detector)."""
    return {"sh": (harmonic_polynomials, None), "wigner_d": (wigner_D, "quaternion"),
            "cg": (clebsch_gordan, None)}


def implementations() -> dict:
    """This library's functions in o3ref's conventions, by kind (``"sh"``, ``"sh_gradient"``,
    ``"wigner_d"``, ``"cg"``); raises ``ImportError`` naming the library when escnn (or
    torch) is not installed."""
    _group()
    return {"sh": _sh, "sh_gradient": _sh_gradient, "wigner_d": _d, "cg": clebsch_gordan}
