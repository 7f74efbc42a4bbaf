"""The exact oracle: float64 values of the exact reference that checks compare with.

One precision rule, stated once: a value of the reference that is not exact (an mpmath
evaluation) is computed with :data:`DPS` = 30 significant digits and rounded once to float64,
so its error is far below float64's last digit.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import numpy as np

from .indexing import flat_index

__all__ = ["DPS", "sh_gradients"]

#: significant digits of every mpmath evaluation of the oracle
DPS = 30


def sh_gradients(l_max: int, xyz: np.ndarray) -> np.ndarray:
    """``(n, 3, (l_max+1)**2)``: d/dr of ``Y_lm(r/|r|) = p_lm(r)/|r|^l`` from the exact
    polynomial, evaluated with mpmath at :data:`DPS` digits."""
    import mpmath
    import sympy

    from o3ref import reference

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
    return out
