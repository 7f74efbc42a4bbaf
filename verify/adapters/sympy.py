"""Adapter: sympy (``Znm`` real harmonics, ``wigner_d``, ``clebsch_gordan``), evaluated in floats.

``Znm`` is *not* o3ref's real form (map "sympy Znm": m < 0 negated, m > 0 times (-1)^m);
``sympy.physics.wigner.wigner_d(l, a, b, g)`` is the standard D at ``(-a, -b, -g)`` in
descending m (map "sympy wigner_d"); ``clebsch_gordan(l1, l2, L, m1, m2, M)`` is
Condon-Shortley. Slow (symbolic): meant for small ``l``.
Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import numpy as np

from ..conventions.libraries import complex_cg_to_real, complex_d_to_real
from . import require

__all__ = ["CONVENTIONS", "DISTRIBUTIONS", "DTYPE", "KNOWN_VERSIONS", "MAX_L", "natives",
           "clebsch_gordan", "implementations", "wigner_d", "znm"]

CONVENTIONS = {"sh": "sympy Znm", "wigner_d": "sympy wigner_d", "cg": "complex (Condon-Shortley)"}

DISTRIBUTIONS = ("sympy",)
KNOWN_VERSIONS = {"sympy": ("1.12", "1.13", "1.14")}
MAX_L: dict[str, int] = {}  # exact: no limit, only time
DTYPE = {"sh": "float64", "wigner_d": "complex128", "cg": "float64"}


def znm(l_max: int, xyz) -> np.ndarray:
    """sympy ``Znm(l, m, theta, phi)`` for ``m = -l..l``: ``(n, (l_max+1)**2)``.

    sympy's exact expressions are evaluated with mpmath at 30 digits and rounded once (their
    expanded trigonometric form cancels badly in float64 beyond l ~ 10)."""
    sp = require("sympy")
    import mpmath

    theta_s, phi_s = sp.symbols("theta phi", real=True)
    funcs = []
    for l in range(l_max + 1):
        for m in range(-l, l + 1):
            expr = sp.expand_complex(sp.Znm(l, m, theta_s, phi_s).expand(func=True))
            funcs.append(sp.lambdify((theta_s, phi_s), sp.re(expr), "mpmath"))
    xyz = np.asarray(xyz, dtype=np.float64)
    r = np.linalg.norm(xyz, axis=1)
    if np.any(r == 0):
        raise ValueError("xyz contains a zero vector: its direction is undefined")
    out = np.empty((len(xyz), len(funcs)))
    with mpmath.workdps(30):
        for i, (x, y, z) in enumerate(xyz):
            mx, my, mz = (mpmath.mpf(float(v)) for v in (x, y, z))
            theta = mpmath.acos(mz / mpmath.sqrt(mx * mx + my * my + mz * mz))
            phi = mpmath.atan2(my, mx)
            out[i] = [float(f(theta, phi)) for f in funcs]
    return out


def wigner_d(l: int, alpha, beta, gamma) -> np.ndarray:
    """``sympy.physics.wigner.wigner_d(l, alpha, beta, gamma)`` as complex128."""
    wig = require("sympy.physics.wigner")
    d = wig.wigner_d(l, float(alpha), float(beta), float(gamma))
    return np.array(d.evalf(20).tolist(), dtype=np.complex128)


def clebsch_gordan(l1: int, l2: int, L: int) -> np.ndarray:
    """Array ``<l1 m1 l2 m2|L M>`` from sympy ``clebsch_gordan(l1, l2, L, m1, m2, M)``."""
    wig = require("sympy.physics.wigner")
    out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
    for i, m1 in enumerate(range(-l1, l1 + 1)):
        for j, m2 in enumerate(range(-l2, l2 + 1)):
            M = m1 + m2
            if abs(M) <= L:
                out[i, j, M + L] = float(wig.clebsch_gordan(l1, l2, L, m1, m2, M))
    return out


def _real_sh(l_max, xyz):
    z = znm(l_max, xyz)
    sign = np.array([(-1.0 if m < 0 else (-1.0) ** m) for l in range(l_max + 1)
                     for m in range(-l, l + 1)])
    return z * sign  # the map "sympy Znm" is its own inverse


def _real_d(l, a, b, g):
    # wigner_d(l, a, b, g) = J D(-a, -b, -g) J  =>  D(a, b, g) = J wigner_d(l, -a, -b, -g) J
    return complex_d_to_real(l, wigner_d(l, -a, -b, -g)[::-1, ::-1])


def implementations() -> dict:
    """This library's functions in o3ref's conventions, by kind (``"sh"``, ``"wigner_d"``,
    ``"cg"``, ...; see :mod:`o3ref.verify.callables`); raises ``ImportError`` naming the
    library when sympy is not installed."""
    require("sympy")
    return {
        "sh": _real_sh,
        "wigner_d": _real_d,
        "complex_cg": clebsch_gordan,
        "cg": lambda l1, l2, L: complex_cg_to_real(l1, l2, L, clebsch_gordan(l1, l2, L)),
    }


def natives() -> dict:
    """``quantity -> (function, takes)`` in sympy's own convention (for the detector)."""
    return {"sh": (znm, None), "wigner_d": (wigner_d, "euler"), "cg": (clebsch_gordan, None)}
