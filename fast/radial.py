"""GTO radial basis and the radial integrals of a Gaussian density (float64, vectorised).

The basis and the integral are those of CONVENTIONS.md (featomic's ``Gto`` basis):

* primitives ``G_n(r) = N_n r^n exp(-r^2/(2 sigma_n^2))``, ``n = 0..N-1``,
  ``sigma_n = r_c max(sqrt(n), 1)/N``, ``N_n = sqrt(2/(sigma_n^(2n+3) Gamma(n+3/2)))``;
* overlap ``S_nk = N_n N_k Gamma((n+k+3)/2) / (2 (d_n+d_k)^((n+k+3)/2))``,
  ``d_n = 1/(2 sigma_n^2)``; Löwdin ``R = S^(-1/2) G`` (symmetric inverse square root
  by eigendecomposition);
* ``I_nl(r) = sum_k S^(-1/2)[n,k] Itilde_kl(r)`` with
  ``Itilde_kl(r) = (pi/sigma^2)^(3/4) exp(-c r^2) (c r)^l (c+d_k)^(-a) Gamma(a)/Gamma(b)
  1F1(a; b; c^2 r^2/(c+d_k)) N_k``, ``a = (k+l+3)/2``, ``b = l+3/2``, ``c = 1/(2 sigma^2)``.

``1F1`` is float64 NumPy (no scipy): :func:`log_hyp1f1_scaled` gives ``log(e^-z 1F1)`` from
the power series (all terms positive here: ``a, b > 0``, ``z >= 0``; rescaled against
overflow) for small ``z`` and from the asymptotic series for large ``z``; about 1e-14
relative against ``mpmath.hyp1f1`` (tested). ``exp(-c r^2) 1F1`` is formed as
``exp(-c d r^2/(c+d)) [e^-z 1F1]``, so nothing overflows. The derivative uses
``d/dz [e^-z 1F1(a; b; z)] = ((a-b)/b) e^-z 1F1(a; b+1; z)``, free of cancellation when
``c r`` is large (narrow densities, long cutoffs). The closed form's float error is that of
``1F1`` amplified by the Löwdin matrix (entries of a few hundred at ``N = 9``): below
``1e-11`` of the largest ``|I_nl|`` of each ``l`` in the tests.

``S`` depends on ``N`` only; its condition number grows about 10x per function (8.8e13
at ``N = 20``), so above ``N = 9`` :func:`gto_lowdin` computes ``S^(-1/2)`` with mpmath
and rounds it (a float64 eigendecomposition was off by 4e-6 of ``I_nl`` at ``N = 20``).
What float64 cannot avoid is applying it: rows of 1-norm ``||L||`` (270 at ``N = 9``,
4.8e6 at ``N = 20``) times the primitives' rounding. ``N > MAX_N_RADIAL`` is refused
(``ValueError``): there ``eps ||L||`` passes 1e-7 of the values.

:class:`GtoRadialIntegral` evaluates either the closed form on every call or a cubic Hermite
spline of it, on a grid uniform in ``log(1 + r/a)`` (fine near the origin, where ``I_nl``
changes on the scale of the density, wider outwards; see :func:`_spline_table`), built once
per hyper-parameter set and cached. Its size grows with ``log(r_c/sigma)``, not with
``r_c/sigma``: 1515 intervals for the seed's hypers, about 7000 at ``r_c = 1e4`` or
``sigma = 1e-4``; a table that would pass ``MAX_SPLINE_BYTES`` is not built (closed form).
The grid grows until the error at every interval midpoint is below
``SPLINE_TOLERANCE = 1e-11`` times the largest ``|I_nl|`` of the same ``l`` or below the
closed form's own float error there (large ``N``). Stated accuracy: values within
``1e-10``, derivatives within ``1e-8`` of that scale, checked against the mpmath reference
in the tests.

Conventions: :mod:`o3ref.reference.conventions` (density expansion section).

>>> import numpy as np
>>> ri = GtoRadialIntegral(cutoff=2.0, n_radial=6, l_max=4, density_width=0.2)
>>> values = ri.compute(np.array([0.0, 1.0]))
>>> values.shape  # (r, l, n)
(2, 5, 6)
>>> bool(values[0, 1:].any())  # l > 0 vanishes at r = 0
False
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .hypergeometric import _lgamma, log_hyp1f1_scaled

__all__ = [
    "gto_sigmas",
    "gto_normalizations",
    "gto_overlap",
    "lowdin_inverse_sqrt",
    "log_hyp1f1_scaled",
    "GtoRadialIntegral",
    "SPLINE_TOLERANCE",
    "gto_lowdin",
    "MAX_N_RADIAL",
]

SPLINE_TOLERANCE = 1e-11
#: the largest n_radial whose Löwdin matrix float64 eigh gets to about 1e-12 (cond 1.8e5)
LOWDIN_FLOAT_MAX = 9
#: the largest n_radial: eps times the row 1-norms of S^(-1/2) (3.9e-8 at 24, 2.4e-7 at 26,
#: 9.4e-6 at 30, growing 2.5x per function) must stay below 1e-7
MAX_N_RADIAL = 24
#: relative float error of one primitive ``Itilde`` (1F1, exp and log at large arguments)
PRIMITIVE_ERROR = 1e-13
#: the spline's table may hold at most this many bytes; beyond it, the closed form is used
MAX_SPLINE_BYTES = 1 << 27


def gto_sigmas(cutoff: float, n_radial: int) -> np.ndarray:
    """``sigma_n = r_c max(sqrt(n), 1)/N`` for ``n = 0..N-1``."""
    n = np.arange(n_radial, dtype=np.float64)
    return cutoff * np.maximum(np.sqrt(n), 1.0) / n_radial


def gto_normalizations(sigmas: np.ndarray) -> np.ndarray:
    """``N_n = sqrt(2/(sigma_n^(2n+3) Gamma(n+3/2)))`` (so that ``int r^2 G_n^2 dr = 1``)."""
    n = np.arange(len(sigmas))
    gammas = np.array([math.gamma(k + 1.5) for k in n])
    return np.sqrt(2.0 / (sigmas ** (2 * n + 3) * gammas))


def gto_overlap(cutoff: float, n_radial: int) -> np.ndarray:
    """Overlap ``S_nk = int_0^inf r^2 G_n(r) G_k(r) dr`` of the normalised primitives."""
    sig = gto_sigmas(cutoff, n_radial)
    norms = gto_normalizations(sig)
    d = 0.5 / sig**2
    n = np.arange(n_radial)
    s = (n[:, None] + n[None, :] + 3) / 2.0
    gam = np.vectorize(math.gamma)(s)
    return norms[:, None] * norms[None, :] * gam / (2.0 * (d[:, None] + d[None, :]) ** s)


def lowdin_inverse_sqrt(overlap: np.ndarray) -> np.ndarray:
    """Symmetric ``S^(-1/2)`` by eigendecomposition; ``S`` must be positive definite."""
    eigval, eigvec = np.linalg.eigh(overlap)
    if eigval.min() <= 0:
        raise ValueError(f"overlap matrix has a non-positive eigenvalue {eigval.min()}")
    return (eigvec / np.sqrt(eigval)) @ eigvec.T


@lru_cache(maxsize=8)
def gto_lowdin(n_radial: int) -> np.ndarray:
    """``S^(-1/2)`` of the ``n_radial`` normalised GTOs, correctly rounded to float64.

    ``S`` does not depend on the cutoff (every ``sigma_n`` scales with it). Its condition
    number grows about 10x per function (1.8e5 at ``N = 9``, 8.8e13 at ``N = 20``), and
    a float64 eigendecomposition loses ``log10(cond)`` digits: ``I_nl`` off by 4e-6 at
    ``N = 20``. Up to ``N = LOWDIN_FLOAT_MAX`` float64 is used; above it ``S`` and its
    eigendecomposition are computed with mpmath at ``30 + N`` digits (0.05 s at ``N = 10``,
    1.6 s at ``N = 20``, once per process), so that the only float error left is that of
    applying ``S^(-1/2)`` (rows of 1-norm up to 5e6 at ``N = 20``) to float primitives.
    """
    if not 1 <= n_radial <= MAX_N_RADIAL:
        raise ValueError(n_radial_message(n_radial))
    if n_radial <= LOWDIN_FLOAT_MAX:
        lowdin = lowdin_inverse_sqrt(gto_overlap(1.0, n_radial))
        lowdin.setflags(write=False)  # cached: shared by every caller
        return lowdin
    import mpmath  # only for ill-conditioned overlaps

    with mpmath.workdps(30 + n_radial):
        sig = [max(mpmath.sqrt(n), 1) / n_radial for n in range(n_radial)]
        norm = [mpmath.sqrt(2 / (s ** (2 * n + 3) * mpmath.gamma(n + mpmath.mpf(3) / 2)))
                for n, s in enumerate(sig)]
        d = [1 / (2 * s * s) for s in sig]
        overlap = mpmath.matrix(n_radial, n_radial)
        for n in range(n_radial):
            for k in range(n_radial):
                a = mpmath.mpf(n + k + 3) / 2
                overlap[n, k] = norm[n] * norm[k] * mpmath.gamma(a) / (2 * (d[n] + d[k]) ** a)
        eigval, eigvec = mpmath.eigsy(overlap)
        if min(eigval) <= 0:  # pragma: no cover - positive definite at 30 + N digits
            raise ValueError(f"overlap of n_radial={n_radial} GTOs is not positive definite")
        lowdin = eigvec * mpmath.diag([1 / mpmath.sqrt(w) for w in eigval]) * eigvec.T
        out = np.array(lowdin.tolist(), dtype=np.float64)
        out.setflags(write=False)  # cached: shared by every caller
        return out


def n_radial_message(n_radial) -> str:
    """Why ``n_radial`` GTOs are refused: float64 cannot hold their orthonormal combinations."""
    return (
        f"n_radial={n_radial} (seed max_radial={n_radial}, featomic basis.radial.max_radial="
        f"{n_radial - 1}) must be between 1 and MAX_N_RADIAL={MAX_N_RADIAL}: the GTO overlap's "
        f"condition number grows about 10x per function (8.8e13 at 20), and applying its "
        f"S^(-1/2) in float64 loses eps times its row norms (2.4e-7 of the values at 26, "
        f"9.4e-6 at 30)"
    )


class GtoRadialIntegral:
    """Löwdin-orthonormalised GTO radial integrals ``I_nl(r)`` and ``dI_nl/dr``.

    Arguments:
        cutoff, n_radial, l_max, density_width: as in :class:`o3ref.fast.ExpansionHypers`
            (``n_radial`` is the count of radial functions).
        spline: evaluate a cubic Hermite spline (default) instead of the closed form.

    ``compute(r)`` returns ``(len(r), l_max+1, n_radial)``; with ``derivative=True`` also
    ``dI/dr`` of the same shape. Distances beyond the cutoff are refused by the spline.

    Conventions: :mod:`o3ref.reference.conventions` (density expansion: GTO basis, Löwdin).
    """

    def __init__(self, cutoff, n_radial, l_max, density_width, spline=True):
        self.cutoff = float(cutoff)
        self.n_radial = int(n_radial)
        self.l_max = int(l_max)
        self.density_width = float(density_width)
        sig = gto_sigmas(self.cutoff, self.n_radial)
        self._norms = gto_normalizations(sig)
        self._d = 0.5 / sig**2
        self.lowdin = gto_lowdin(self.n_radial)
        self._c = 0.5 / self.density_width**2
        self.spline = bool(spline)
        self._table = None
        if self.spline:
            self._table = _spline_table(self.cutoff, self.n_radial, self.l_max,
                                        self.density_width)
            # None: no spline within MAX_SPLINE_BYTES reaches its accuracy; closed form
            self.spline = self._table is not None

    # ------------------------------------------------------------- closed form
    def closed_form(self, r, derivative=False, bound=False):
        """The closed form (no spline) of ``I_nl(r)`` (and ``dI/dr``), shape ``(P, L, N)``.

        Every factor is formed in log space (``l log(c r)``, Gamma ratios, ``e^-z 1F1``) and
        exponentiated once, so that large ``l``, ``c r`` or cutoffs neither overflow nor give
        ``inf * 0``. ``bound=True`` also returns ``|S^(-1/2)| @ |Itilde|`` (same shape):
        the float error of the values is about ``PRIMITIVE_ERROR`` times it.
        """
        r = np.asarray(r, dtype=np.float64).reshape(-1)
        c, d = self._c, self._d
        l = np.arange(self.l_max + 1, dtype=np.float64)[None, :, None]
        n = np.arange(self.n_radial, dtype=np.float64)[None, None, :]
        a = (n + l + 3.0) / 2.0
        b = l + 1.5
        rr = r[:, None, None]
        z = c * c * rr * rr / (c + d)
        log_pref = (
            0.75 * math.log(math.pi / self.density_width**2)
            + _lgamma(np.broadcast_to(a, (1, *a.shape[1:]))) - _lgamma(b)
            - a * np.log(c + d) + np.log(self._norms)
        )
        # log (c r)^l, with 0^0 = 1 and 0^l = 0 at r = 0
        positive = rr > 0
        log_cr = np.log(np.where(positive, c * rr, 1.0))
        log_crl = np.where(positive, l * log_cr, np.where(l == 0, 0.0, -np.inf))
        gauss = log_pref - c * d * rr * rr / (c + d)
        primitive = np.exp(log_crl + gauss + log_hyp1f1_scaled(a, b, z))
        value = primitive @ self.lowdin.T
        extra = (primitive @ np.abs(self.lowdin).T,) if bound else ()
        if not derivative:
            return (value, *extra) if bound else value
        # d/dr (c r)^l = l c (c r)^(l-1): zero for l = 0; at r = 0, c for l = 1 and 0 above
        log_dcrl = np.where(positive, (l - 1.0) * log_cr, np.where(l == 1, 0.0, -np.inf))
        dcrl = np.where(l == 0, 0.0, np.exp(np.log(np.maximum(l, 1.0) * c) + log_dcrl + gauss
                                            + log_hyp1f1_scaled(a, b, z)))
        # d/dz [e^-z 1F1(a; b; z)] = ((a - b)/b) e^-z 1F1(a; b + 1; z) (DLMF 13.3.19) keeps
        # the derivative free of the cancellation between -2 c r and d/dr 1F1 (c r >> 1)
        q = c * d / (c + d)
        deriv = dcrl - 2.0 * q * rr * primitive
        deriv += ((a - b) / b) * (2.0 * c * c * rr / (c + d)) * np.exp(
            log_crl + gauss + log_hyp1f1_scaled(a, b + 1.0, z))
        return (value, deriv @ self.lowdin.T, *extra)

    def at_zero(self) -> np.ndarray:
        """``I_n0(0)`` (shape ``(n_radial,)``), the radial part of the centre's own term."""
        return self.closed_form(np.zeros(1))[0, 0]

    # ------------------------------------------------------------- evaluation
    def compute(self, r, derivative=False):
        """``I_nl(r)`` (and ``dI_nl/dr``), shape ``(len(r), l_max+1, n_radial)``."""
        if not self.spline:
            return self.closed_form(r, derivative)
        r = np.asarray(r, dtype=np.float64).reshape(-1)
        if len(r) and not (r.min() >= 0.0 and r.max() <= self.cutoff):
            raise ValueError(
                f"r in [{r.min()}, {r.max()}] must lie in [0, cutoff={self.cutoff}] for the spline"
            )
        scale, kappa, n_intervals, coefficients = self._table
        u = np.log1p(r / scale) / kappa  # the grid is uniform in u
        shape = (self.l_max + 1, self.n_radial)
        if not derivative:
            return _spline_eval(1.0 / n_intervals, coefficients, u, False, shape)
        value, du = _spline_eval(1.0 / n_intervals, coefficients, u, True, shape)
        return value, du / (kappa * (r + scale))[:, None, None]


def _hermite_coefficients(values, derivs, h):
    """Per-interval cubic coefficients ``(M, 4, K)`` in ``t = (r - r_k)/h``."""
    v0, v1 = values[:-1], values[1:]
    d0, d1 = derivs[:-1] * h, derivs[1:] * h
    return np.stack([v0, d0, 3.0 * (v1 - v0) - 2.0 * d0 - d1, 2.0 * (v0 - v1) + d0 + d1], axis=1)


def _spline_eval(h, coefficients, r, derivative, shape, chunk=2048):
    """Evaluate the per-interval cubics at ``r``, in chunks that stay in cache."""
    n_intervals, _, n_values = coefficients.shape
    flat = coefficients.reshape(n_intervals, 4 * n_values)
    value = np.empty((len(r), n_values))
    deriv = np.empty((len(r), n_values)) if derivative else None
    for lo in range(0, len(r), chunk):
        x = r[lo:lo + chunk] / h
        k = np.minimum(x.astype(np.int64), n_intervals - 1)
        t = x - k
        c = np.take(flat, k, axis=0).reshape(len(k), 4, n_values)
        ones = np.ones_like(t)
        powers = np.stack([ones, t, t * t, t * t * t], axis=1)
        value[lo:lo + chunk] = np.einsum("pj,pjk->pk", powers, c)
        if derivative:
            slopes = np.stack([np.zeros_like(t), ones / h, 2.0 * t / h, 3.0 * t * t / h], axis=1)
            deriv[lo:lo + chunk] = np.einsum("pj,pjk->pk", slopes, c)
    if not derivative:
        return value.reshape(len(r), *shape)
    return value.reshape(len(r), *shape), deriv.reshape(len(r), *shape)


@lru_cache(maxsize=16)
def _spline_table(cutoff, n_radial, l_max, density_width):
    """``(a, kappa, M, coefficients)`` of the cubic Hermite spline of ``I_nl``, or ``None``.

    The grid is uniform in ``u = log(1 + r/a)/kappa`` (``kappa = log(1 + r_c/a)``, ``u``
    in ``[0, 1]``): spacing ``kappa (r + a)/M`` in ``r``. ``I_nl`` changes on the scale
    ``sigma`` near the origin (``n < l``) and ``s = sqrt(sigma^2 + (r_c/N)^2)`` far out
    (the narrowest GTOs); ``a = r_c/(s/sigma - 1)`` makes the spacings at the two ends
    keep that ratio, so that ``M`` grows with ``log(r_c/sigma)``, not with ``r_c/sigma``
    (and the grid is uniform when ``sigma`` dominates). ``M`` starts at 32 and grows (by
    the ``h^4`` law of the error, 1.25x to 8x a step) until the error at every midpoint is
    below ``SPLINE_TOLERANCE`` times the largest ``|I_nl|`` of the same ``l``, or below
    the float error of the closed form there (``PRIMITIVE_ERROR`` times
    ``|S^(-1/2)| @ |Itilde|``), whichever is larger. ``None`` when the table would pass
    ``MAX_SPLINE_BYTES`` (128 MiB) first: the caller then uses the closed form.
    """
    exact = GtoRadialIntegral(cutoff, n_radial, l_max, density_width, spline=False)
    # local scales: sigma near the origin, sqrt(sigma^2 + (r_c/N)^2) far out (the narrowest
    # GTOs); the map's spacing ratio (r_c + a)/a between the two ends matches theirs
    far = math.hypot(density_width, cutoff / n_radial)
    scale = cutoff / max(far / density_width - 1.0, 1e-6)
    kappa = math.log1p(cutoff / scale)
    width = (l_max + 1) * n_radial
    n_intervals = 32
    def evaluate(u, derivative=True):
        r = np.minimum(scale * np.expm1(kappa * u), cutoff)
        if not derivative:
            values, noise = exact.closed_form(r, bound=True)
            return values, None, noise
        values, derivs, noise = exact.closed_form(r, derivative=True, bound=True)
        return values, derivs * (kappa * (r + scale))[:, None, None], noise  # dI/du

    while True:
        # the next table: M intervals, 4 coefficients, plus values and derivatives
        if n_intervals * width * 8 * 8 > MAX_SPLINE_BYTES:
            return None
        h = 1.0 / n_intervals
        u = np.linspace(0.0, 1.0, n_intervals + 1)
        values, derivs, noise = evaluate(u)
        coefficients = _hermite_coefficients(values.reshape(len(u), width),
                                              derivs.reshape(len(u), width), h)
        mid = u[:-1] + 0.5 * h
        mid_values, _, mid_noise = evaluate(mid, derivative=False)
        spline = _spline_eval(h, coefficients, mid, False, values.shape[1:])
        size = np.maximum(np.abs(values).max(axis=(0, 2)), np.abs(mid_values).max(axis=(0, 2)))
        floor = PRIMITIVE_ERROR * np.maximum(noise.max(axis=(0, 2)), mid_noise.max(axis=(0, 2)))
        # values below 1e-200 of the largest are not resolved relative to themselves
        target = np.maximum(np.maximum(SPLINE_TOLERANCE * size, floor), 1e-200 * size.max())
        ratio = float((np.abs(spline - mid_values).max(axis=(0, 2)) / target).max())
        if ratio <= 1.0:
            return scale, kappa, n_intervals, coefficients
        # a cubic Hermite error goes as h^4: aim 15 % past the predicted size, at most 8x
        n_intervals = int(min(8.0, max(1.25, 1.15 * ratio**0.25)) * n_intervals) + 1
