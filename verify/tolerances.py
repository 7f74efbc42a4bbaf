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

__all__ = ["MODEL_POLICIES", "POLICIES", "PrecisionPolicy", "Tolerance",
           "check_tolerance_value", "eps", "fd_step", "fd_tolerance",
           "finite_difference_tolerance", "irreps_layer_tolerance", "linear_solve_tolerance",
           "model_tolerance", "mpmath_tolerance", "policy_text", "tolerance"]


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
    "radial_spline": (
        1e-10 / 2.0**-52,
        0,
        "o3ref.fast's cubic Hermite spline of the radial integrals is built to 1e-10 of the "
        "largest |I_nl| of each l (an accuracy target of the spline, written in eps); pass "
        "scale = that largest value",
    ),
    "radial_spline_derivative": (
        1e-8 / 2.0**-52,
        0,
        "the slope of o3ref.fast's cubic Hermite radial spline: one order of the grid step "
        "less accurate than the values (O(h^3) against O(h^4)); 1e-8 of the largest |dI/dr| "
        "of each l, as tests/expansion/test_expansion_radial.py measures it",
    ),
    "featomic_spline": (
        1e-7 / 2.0**-52,
        0,
        "featomic's default radial splines (spline_accuracy=1e-8, a target for its own error "
        "estimate) differ from the closed form by up to ~3e-8 of the block's largest value on "
        "the seed data (PITFALLS.md); 1e-7 leaves a factor of three",
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
    "irreps_layer": (
        64.0,
        2,
        "a layer f(D x) vs D f(x) (verify.irreps): D of degree l mixes 2l+1 components on "
        "each side and the layer's own sums (tensor products: (2l+1)^2 pairs (m1, m2) per "
        "path) round once per term; pass scale = the largest |output|",
    ),
}


def irreps_layer_tolerance(l: int, dtype, scale: float, n_inputs: int = 1) -> Tolerance:
    """Tolerance of ``f(D x)`` against ``D f(x)`` for a layer whose output is ``dtype``.

    float64 (and anything but float32): the ``"irreps_layer"`` policy of :func:`tolerance`.
    float32: ``2 (2l+1) eps(float32) x scale x max(1, sqrt(n_inputs / 8))``, ``scale`` the
    largest output (at least 1) and ``n_inputs`` the number of input components. A layer
    in float32 rounds its rotated inputs (half an ulp each) and its own sums; both errors are
    a few ulps of the output per degree, and a sum over more input components adds its
    roundings as a random walk (``sqrt`` of their number). Measured on float32 CG tensor
    products with channel mixing (l <= 4, 4 to 64 channels): at most 3 ulps x (2l+1) of
    the output up to 16 channels, 29 ulps at 64 channels of l = 1 (the bound gives 41);
    cuequivariance's float32 layers stay within 2.4e-7. An equivariance error ten ulps
    above that rounding fails (the ``"irreps_layer"`` constant, 64 (2l+1)^2, let 3.2e-4
    through at float32).
    """
    dt = np.dtype(dtype)
    if dt != np.float32:
        return tolerance("irreps_layer", l, dt, scale)
    if isinstance(l, bool) or not isinstance(l, (int, np.integer)) or l < 0:
        raise ValueError(f"l={l!r} must be a non-negative integer")
    growth = max(1.0, float(np.sqrt(max(int(n_inputs), 0) / 8.0)))
    atol = 2.0 * (2 * int(l) + 1) * eps(dt) * float(scale) * growth
    return Tolerance(atol=atol, rtol=0.0, reason=(
        f"2 (2l+1) eps(float32) x scale x max(1, sqrt(n_inputs/8)) = 2 x {2 * int(l) + 1} x "
        f"eps x {float(scale):.3g} x {growth:.3g}: rounding of the rotated inputs and of the "
        "layer's sums, in float32"))


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


def finite_difference_tolerance(step: float, *, value_scale: float = 1.0,
                                third_derivative: float = 1.0, dtype=np.float64) -> Tolerance:
    """Central differences ``(f(x+h) - f(x-h)) / 2h`` against an exact derivative.

    Two errors add up: the truncation ``h^2/6 max|f^(3)|`` and the rounding of the two
    values, ``~ 2 eps max|f| / h`` (each ``f`` rounded to ``eps |f|``, divided by ``2h``),
    doubled for the rounding of ``x +- h`` itself. ``value_scale`` bounds ``|f|`` and
    ``third_derivative`` bounds ``|f^(3)|`` near ``x`` (for ``Y_lm`` of unit vectors,
    ``~ (l+1)^3`` times its size). The step is the test's choice, so this is not a policy
    of a float result alone.

    >>> tol = finite_difference_tolerance(1e-6)
    >>> 1e-10 < tol.atol < 1e-9
    True
    """
    if not (step > 0 and np.isfinite(step)):
        raise ValueError(f"step={step!r} must be a positive finite number")
    for name, value in (("value_scale", value_scale), ("third_derivative", third_derivative)):
        if not (value >= 0 and np.isfinite(value)):
            raise ValueError(f"{name}={value!r} must be a non-negative finite number")
    truncation = step * step / 6.0 * float(third_derivative)
    rounding = 4.0 * eps(dtype) * float(value_scale) / step
    return Tolerance(
        atol=truncation + rounding, rtol=0.0,
        reason=f"central differences with h={step:g}: h^2/6 |f^(3)| = {truncation:.1e} "
        f"(|f^(3)| <= {third_derivative:g}) + 4 eps |f|/h = {rounding:.1e} "
        f"(|f| <= {value_scale:g})",
    )


def linear_solve_tolerance(matrix, scale: float = 1.0, dtype=np.float64) -> Tolerance:
    """A backward-stable solve of ``matrix @ w = b``: ``|dw| <~ 16 cond(matrix) eps |w|``.

    ``scale`` is the size of the solution (``max |w|``, or of what is computed from it).
    The condition number is measured (2-norm); a singular matrix gives an infinite bound,
    which a test must not use (it raises).

    >>> linear_solve_tolerance(np.eye(3)).atol == 16 * eps()
    True
    """
    cond = float(np.linalg.cond(np.asarray(matrix, dtype=np.float64)))
    if not np.isfinite(cond):
        raise ValueError("matrix is singular: a linear solve has no error bound")
    return Tolerance(atol=16.0 * cond * eps(dtype) * float(scale), rtol=0.0,
                     reason=f"linear solve: 16 cond eps |w| with cond = {cond:.2e}")


def policy_text(quantity: str) -> str:
    """The policy's formula in short, e.g. ``"(2l+1)^2 eps"`` or ``"16(2l+1) eps"``."""
    c, p, _ = POLICIES[quantity]
    power = "" if p == 1 else f"^{p}"
    factor = "" if c == 1 and p else f"{c:g}"  # "(2l+1)^2 eps", not "1(2l+1)^2 eps"
    return "eps" if p == 0 and c == 1 else (factor + (f"(2l+1){power}" if p else "") + " eps")


# -- finite differences and whole models (verify.gradients, verify.models) -----------------


def fd_step(dtype=np.float64, length: float = 1.0, order: int = 2) -> float:
    """Step of a central difference in ``dtype``: ``eps^(1/(order+1)) * length``.

    The central difference errs by ``h^2 |f'''| / 6`` (truncation) plus ``~eps |f| / h``
    (rounding); with ``f`` varying on the scale ``length`` the sum is smallest near
    ``h = eps^(1/3) length``: 6.1e-6 in float64, 4.9e-3 in float32 (length 1). The
    fourth-order stencil (``order=4``, truncation ``h^4 |f^(5)| / 30``) would be best near
    ``eps^(1/5) length`` for a smooth ``f``; real potentials drop neighbours at a cutoff (a
    tiny jump: EMT's energy under a 1e-3 strain shows it), and a narrower stencil straddles
    such a jump less often, so ``order=4`` takes ``eps^(1/4) length``: 1.2e-4 in float64,
    1.9e-2 in float32.
    """
    if order not in (2, 4):
        raise ValueError(f"order={order!r} must be 2 or 4 (central differences)")
    return float(eps(dtype) ** (1.0 / (3 if order == 2 else 4)) * length)


def fd_tolerance(dtype, step: float, value_scale: float, truncation: float = 0.0,
                 stencil: float = 1.0) -> Tolerance:
    """Tolerance of a central difference against an analytic derivative.

    ``16 eps |f| / h`` covers the rounding of the two evaluations (each a sum of up to a
    few neighbour terms, 8 roundings of ``|f|`` each); ``truncation`` is the caller's
    Richardson estimate ``|FD(h) - FD(2h)|`` (three times the ``h^2`` term of ``FD(h)``),
    taken twice so that an estimate off by its own rounding still covers the true error.
    ``stencil`` is the sum of the stencil's absolute weights over that of ``(f(h) - f(-h)) /
    2h``: 1.5 for the fourth-order ``(8 (f(h) - f(-h)) - (f(2h) - f(-2h))) / 12h``.
    """
    rounding = 16.0 * float(stencil) * eps(dtype) * float(value_scale) / float(step)
    return Tolerance(
        atol=rounding + 2.0 * float(truncation),
        rtol=0.0,
        reason=f"16 eps |f| / h + 2 |FD(h) - FD(2h)| with h = {step:.1e}, |f| = "
        f"{value_scale:.2e}, {np.dtype(dtype).name}",
    )


# check -> (constant c, explanation); atol = c * eps(dtype) * scale (see model_tolerance)
MODEL_POLICIES: dict[str, tuple[float, str]] = {
    "exact": (
        512.0,
        "an exact operation of the input (a signed permutation of axes, a relabelling of "
        "atoms): the model sees the same numbers in another order, so only the order of its "
        "sums changes; a force is a sum over neighbours whose terms exceed the net force "
        "(EMT on a rattled 64-atom Cu cell: 256 ulps of max|F|), hence 512 roundings",
    ),
    "rounded": (
        1024.0,
        "an operation that rounds the positions (a random rotation, a translation, a strained "
        "or re-chosen cell): eps |r| per coordinate, times the response of the property; "
        "the scale includes max(1, |r|_max / 1 A) for that reason",
    ),
    "differential": (
        4096.0,
        "two implementations of one model: independent rounding on both sides, summed over "
        "every layer and every atom's neighbours",
    ),
}


def model_tolerance(check: str, dtype, scale: float) -> Tolerance:
    """Tolerance of a whole-model check: ``c * eps(dtype) * scale``, ``c`` from
    :data:`MODEL_POLICIES`. The scale is the magnitude the error is measured against
    (:mod:`o3ref.verify.models.checks` states it per property: the largest value of the
    property, and for energies ``|E| + N max|F| 1 A``, the sum that a per-atom model rounds).
    """
    if check not in MODEL_POLICIES:
        raise ValueError(f"check={check!r} must be one of {sorted(MODEL_POLICIES)}")
    c, why = MODEL_POLICIES[check]
    return Tolerance(atol=c * eps(dtype) * float(scale), rtol=0.0,
                     reason=f"{c:g} eps({np.dtype(dtype).name}) x {scale:.3g}: {why}")
