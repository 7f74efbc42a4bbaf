"""Tolerance policies: how far a floating-point result may sit from the exact value.

Every tolerance here is a formula in the machine epsilon of the dtype, the degree ``l`` and
(where it matters) the size of the values, with the reason written next to it. There is no
free-floating ``1e-6``: when a check needs more room, the loosening and its cause are part of
the policy (see :data:`POLICIES`).

Exact versus exact is ``==`` (no tolerance at all); mpmath versus mpmath at ``dps`` digits is
``10**(-dps + k)`` (:func:`mpmath_tolerance`).

Conventions: :mod:`o3ref.reference.conventions`.

>>> tol = tolerance("sh", l=10)
>>> tol.atol == 21**2 * float(np.finfo(np.float64).eps)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["POLICIES", "PrecisionPolicy", "Tolerance", "check_tolerance_value", "eps",
           "mpmath_tolerance", "policy_text", "tolerance"]


def check_tolerance_value(name: str, value) -> float:
    """``value`` as a float when it is a finite, non-negative real number; ``ValueError``
    (or ``TypeError`` for a non-number) naming ``name`` otherwise. A NaN tolerance would
    pass everything (every comparison with NaN is False), an infinite one as well."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}={value!r} must be a real number (a tolerance)")
    v = float(value)
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{name}={value!r} must be a finite, non-negative number: a NaN, "
                         "infinite or negative tolerance makes the comparison meaningless")
    return v


def eps(dtype=np.float64) -> float:
    """Machine epsilon of a real or complex floating dtype (complex64 -> float32's)."""
    dt = np.dtype(dtype)
    if dt.kind not in "fc":
        raise TypeError(f"dtype={dt} must be a floating or complex dtype")
    return float(np.finfo(dt).eps)


@dataclass(frozen=True)
class Tolerance:
    """An absolute and a relative tolerance with the reason for their size.

    A value passes when ``|actual - expected| <= atol + rtol * |expected|`` (elementwise).
    """

    atol: float
    rtol: float
    reason: str

    def __post_init__(self):
        object.__setattr__(self, "atol", check_tolerance_value("atol", self.atol))
        object.__setattr__(self, "rtol", check_tolerance_value("rtol", self.rtol))

    def __str__(self) -> str:
        if self.rtol == 0.0:
            return f"{self.atol:.1e}"
        return f"{self.atol:.1e} + {self.rtol:.1e}|x|"

    def allows(self, actual, expected) -> np.ndarray:
        """Elementwise boolean: where ``actual`` is within this tolerance of ``expected``."""
        actual = np.asarray(actual)
        expected = np.asarray(expected)
        return np.abs(actual - expected) <= self.atol + self.rtol * np.abs(expected)


# quantity -> (constant c, power of (2l+1), explanation). atol = c * (2l+1)**p * eps.
POLICIES: dict[str, tuple[float, int, str]] = {
    "sh": (
        1.0,
        2,
        "real SH by recurrences: about l steps of the three-term recurrence in l for each of "
        "up to l steps in m, each adding about one rounding of values bounded by "
        "sqrt((2l+1)/4pi); o3ref verify --profile measures 0.15 (2l+1)^2 eps at l = 60",
    ),
    "sh_gradient": (
        1.0,
        3,
        "gradients carry an extra factor l from differentiating r^l Y_lm / r^l, so one "
        "more power of (2l+1) than the values",
    ),
    "wigner_d": (
        8.0,
        2,
        "D by recurrence or sums over m: (2l+1) terms, each with error ~(2l+1) eps "
        "(moble/spherical uses (2l+1)^2 eps as well)",
    ),
    "cg": (
        16.0,
        1,
        "CG entries are sqrt(p/q) evaluated once per entry (or by a short recursion); "
        "magnitudes <= 1, error grows at most linearly with the number of terms ~ 2L+1",
    ),
    "cartesian": (
        16.0,
        0,
        "Cartesian <-> spherical of rank <= 2: a fixed handful of products and sums",
    ),
    "rotation": (8.0, 0, "3x3 products of sines and cosines: a few roundings per entry"),
    "radial": (
        16.0,
        1,
        "radial integrals through 1F1 and the Loewdin S^(-1/2): rounding of the primitives "
        "(~(2l+1) eps from the 1F1 series and Gamma ratios) amplified by cond(S) of the GTO "
        "overlap; pass scale = cond(S) * max|I|",
    ),
    "expansion": (
        16.0,
        1,
        "density coefficients: radial integrals (cond(S) times eps) times SH, summed over "
        "neighbours; pass scale = cond(S) * the block's largest value",
    ),
    "acdc": (
        16.0,
        2,
        "CG products of O(1) inputs: each output a sum over up to (2l+1)^2 pairs (m1, m2) "
        "of products with coefficients <= 1 (the inputs are the same exact floats on both "
        "sides)",
    ),
    "ridge": (
        1e8,
        0,
        "ridge solves (X^T X + alpha I) w = X^T y: error ~ cond(X^T X + alpha I) eps; with "
        "the tutorial's regularisation the condition number stays below ~1e7",
    ),
}


def tolerance(quantity: str, l: int = 0, dtype=np.float64, scale: float = 1.0) -> Tolerance:
    """The tolerance policy for ``quantity`` at degree ``l`` in ``dtype``.

    ``atol = c * (2l+1)**p * eps(dtype) * scale`` with ``(c, p)`` from :data:`POLICIES`;
    ``scale`` is the magnitude the error is measured against (1 for quantities bounded by
    one, the block's largest value for expansions). ``rtol`` is 0: every comparison here is
    made against a known bound on the values, so an absolute tolerance says more.
    """
    if quantity not in POLICIES:
        raise ValueError(
            f"quantity={quantity!r} must be one of {sorted(POLICIES)} (tolerance policies)"
        )
    if isinstance(l, bool) or not isinstance(l, (int, np.integer)) or l < 0:
        raise ValueError(f"l={l!r} must be a non-negative integer")
    c, p, why = POLICIES[quantity]
    atol = c * (2 * int(l) + 1) ** p * eps(dtype) * float(scale)
    return Tolerance(atol=atol, rtol=0.0, reason=f"{c:g}*(2l+1)^{p}*eps: {why}")


@dataclass(frozen=True)
class PrecisionPolicy:
    """The precision an implementation is held to: its ``dtype`` (``"float64"`` or
    ``"float32"``: the machine epsilon of every policy) and a ``factor`` multiplying every
    tolerance (for implementations known to lose digits, e.g. through monomials; say why
    where you set it).

    >>> PrecisionPolicy("float32").tolerance("sh", 2).atol == 25 * 2.0**-23
    True
    """

    dtype: str = "float64"
    factor: float = 1.0

    def __post_init__(self):
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype={self.dtype!r} must be 'float32' or 'float64'")
        f = check_tolerance_value("factor", self.factor)
        if f == 0:
            raise ValueError(f"factor={self.factor!r} must be positive (it multiplies every "
                             "tolerance)")
        object.__setattr__(self, "factor", f)

    def tolerance(self, quantity: str, l: int = 0, scale: float = 1.0) -> Tolerance:
        """:func:`tolerance` in this dtype, times this factor."""
        t = tolerance(quantity, l, np.dtype(self.dtype), scale)
        extra = f"; {self.dtype}" + (f", x{self.factor:g}" if self.factor != 1 else "")
        return Tolerance(t.atol * self.factor, 0.0, t.reason + extra)

    def __str__(self) -> str:
        return self.dtype + (f" x{self.factor:g}" if self.factor != 1 else "")


def mpmath_tolerance(dps: int, k: int = 3) -> Tolerance:
    """mpmath versus mpmath at ``dps`` decimal digits: ``10**(-dps + k)``.

    ``k`` digits are given up to the rounding of intermediate sums (3 by default).
    """
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 1:
        raise ValueError(f"dps={dps!r} must be a positive integer")
    return Tolerance(
        atol=10.0 ** (-dps + k), rtol=0.0, reason=f"mpmath at dps={dps}, {k} digits spent"
    )


def policy_text(quantity: str) -> str:
    """The policy's formula in short, e.g. ``"(2l+1)^2 eps"`` or ``"16(2l+1) eps"``."""
    c, p, _ = POLICIES[quantity]
    power = "" if p == 1 else f"^{p}"
    factor = "" if c == 1 and p else f"{c:g}"  # "(2l+1)^2 eps", not "1(2l+1)^2 eps"
    return "eps" if p == 0 and c == 1 else (factor + (f"(2l+1){power}" if p else "") + " eps")
