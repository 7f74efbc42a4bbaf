"""The exact oracle: float64 values of the exact reference that every check compares with.

One precision rule, stated once. A value of the reference that is not exact (an mpmath
evaluation: harmonics, their gradients, Wigner D at float angles) is computed with
:data:`DPS` = 30 significant digits and rounded once to float64 (:func:`to_numeric`). A
float64 has 53 bits, about 16 decimal digits, and a decimal value needs 17 digits to be
rounded correctly; 30 digits leave 13 more, so the double is the correctly rounded one
unless the exact value lies within ``10**-30`` of a midpoint between two doubles (about one
value in ``10**13``). The one other difference is a value that is exactly zero by symmetry
(``Y_20`` at ``(1, 1, 1)``): mpmath returns a residue of about ``10**-(DPS + 10)``, so its
double is noise below ``10**-31`` whatever the digits, far below every tolerance.

Checked when this module took over (30 digits where callers had used 20 or 40): on every
grid of ``o3ref verify --quick``, the survey (detector probes included), the plugin's
equivariance check and the profile's harmonics (``l <= 60``, eight points), the only doubles
that changed were six such zero residues (``|value| < 10**-31``), and the rows of
``verify --json``, ``survey --json`` and ``verify --profile --full`` (D to 8, CG to 10) were
identical.

Every function is cached (per process): the survey, the profile and the checks of many
libraries share one table. Arrays returned are read-only; the grids are keyed by their bytes.
Degrees are bounded by the reference's work budget (:func:`o3ref.reference.work_budget`):
a request it refuses raises its ``ValueError``, which callers show as a row, never hide.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .compare import to_numeric
from .indexing import flat_index

__all__ = ["DPS", "cartesian_parts", "complex_cg", "real_cg", "sh_gradients", "sh_values",
           "wigner_d"]

#: significant digits of every mpmath evaluation of the oracle (see the module docstring)
DPS = 30


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


def _key(xyz) -> tuple:
    arr = np.ascontiguousarray(np.asarray(xyz, dtype=np.float64))
    return arr.shape, arr.tobytes()


def _unkey(key: tuple) -> np.ndarray:
    shape, raw = key
    return np.frombuffer(raw, dtype=np.float64).reshape(shape)


def sh_values(l_max: int, xyz) -> np.ndarray:
    """``(n, (l_max+1)**2)``: the real spherical harmonics of the points ``xyz`` (float64
    coordinates, taken exactly), from mpmath at :data:`DPS` digits."""
    return _sh_values(int(l_max), _key(xyz))


@lru_cache(maxsize=64)
def _sh_values(l_max: int, key: tuple) -> np.ndarray:
    from o3ref import reference

    return _frozen(to_numeric(reference.real_spherical_harmonics(l_max, _unkey(key),
                                                                 dps=DPS)))


def sh_gradients(l_max: int, xyz) -> np.ndarray:
    """``(n, 3, (l_max+1)**2)``: d/dr of ``Y_lm(r/|r|) = p_lm(r)/|r|^l`` from the exact
    polynomial, evaluated with mpmath at :data:`DPS` digits."""
    return _sh_gradients(int(l_max), _key(xyz))


@lru_cache(maxsize=64)
def _sh_gradients(l_max: int, key: tuple) -> np.ndarray:
    import mpmath
    import sympy

    from o3ref import reference

    xyz = _unkey(key)
    x, y, z = reference.x, reference.y, reference.z
    r2 = x**2 + y**2 + z**2
    out = np.zeros((len(xyz), 3, (l_max + 1) ** 2))
    with mpmath.workdps(DPS):
        for l in range(l_max + 1):
            for m in range(-l, l + 1):
                p = reference.real_solid_harmonic(l, m)
                f = p * r2 ** sympy.Rational(-l, 2)
                grads = [sympy.lambdify((x, y, z), sympy.diff(f, v), "mpmath") for v in (x, y, z)]
                for i, pt in enumerate(xyz):
                    mp_pt = [mpmath.mpf(float(c)) for c in pt]
                    for a in range(3):
                        out[i, a, flat_index(l, m)] = float(grads[a](*mp_pt))
    return _frozen(out)


@lru_cache(maxsize=4096)
def wigner_d(l: int, alpha: float, beta: float, gamma: float) -> np.ndarray:
    """``(2l+1, 2l+1)``: the real Wigner D of the ZYZ rotation ``(alpha, beta, gamma)``
    (float64 angles, taken exactly), from mpmath at :data:`DPS` digits."""
    from o3ref import reference

    return _frozen(to_numeric(reference.wigner_D_real(int(l), float(alpha), float(beta),
                                                      float(gamma), dps=DPS)))


@lru_cache(maxsize=4096)
def real_cg(l1: int, l2: int, L: int) -> np.ndarray:
    """``(2l1+1, 2l2+1, 2L+1)``: the real Clebsch-Gordan coefficients (exact, rounded once)."""
    from o3ref import reference

    return _frozen(to_numeric(reference.real_clebsch_gordan(int(l1), int(l2), int(L))))


@lru_cache(maxsize=4096)
def complex_cg(l1: int, l2: int, L: int) -> np.ndarray:
    """``(2l1+1, 2l2+1, 2L+1)``: ``<l1 m1 l2 m2 | L M>`` (Condon-Shortley, exact, rounded
    once), indexed by ``m + l``; zero where ``M != m1 + m2``."""
    from o3ref import reference

    out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
    for i in range(2 * l1 + 1):
        for j in range(2 * l2 + 1):
            M = i - l1 + j - l2
            if abs(M) <= L:
                out[i, j, M + L] = float(reference.clebsch_gordan(l1, i - l1, l2, j - l2, L, M))
    return _frozen(out)


def cartesian_parts(ints, denominator: int) -> list[np.ndarray]:
    """The ``L = 0, 1, 2`` parts (o3ref's order) of the Cartesian rank-2 tensor
    ``ints / denominator`` (an integer ``3 x 3``), exact and rounded once."""
    key = tuple(tuple(int(v) for v in row) for row in np.asarray(ints))
    return list(_cartesian_parts(key, int(denominator)))


@lru_cache(maxsize=256)
def _cartesian_parts(ints: tuple, denominator: int) -> tuple:
    import sympy

    from o3ref import reference

    ref = reference.couple(sympy.Matrix([list(r) for r in ints]) / denominator)
    return tuple(_frozen(to_numeric(ref[L]).ravel()) for L in range(3))
