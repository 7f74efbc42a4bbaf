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
``d/dz 1F1(a; b; z) = (a/b) 1F1(a+1; b+1; z)``. The closed form's float error is that of
``1F1`` amplified by the Löwdin matrix (entries of a few hundred at ``N = 9``): below
``1e-11`` of the largest ``|I_nl|`` of each ``l`` in the tests.

:class:`GtoRadialIntegral` evaluates either the closed form on every call or a cubic Hermite
spline of it (values and analytic derivatives on a uniform grid in ``[0, r_c]``, built once
per hyper-parameter set and cached). The grid starts at ``h = min(sigma, sigma_n)/64`` and
grows by 1.5x until the error at every interval midpoint (where a cubic Hermite error peaks)
is below ``SPLINE_TOLERANCE = 1e-11`` times the largest ``|I_nl|`` of the same ``l``. Stated
accuracy: values within ``1e-10``, derivatives within ``1e-8`` of that scale, checked
against the mpmath reference in the tests.

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

__all__ = [
    "gto_sigmas",
    "gto_normalizations",
    "gto_overlap",
    "lowdin_inverse_sqrt",
    "log_hyp1f1_scaled",
    "GtoRadialIntegral",
    "SPLINE_TOLERANCE",
]

SPLINE_TOLERANCE = 1e-11
_RESCALE = 1e200
_LOG_RESCALE = math.log(_RESCALE)


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


def log_hyp1f1_scaled(a, b, z) -> np.ndarray:
    """``log(exp(-z) 1F1(a; b; z))`` for ``a > 0, b > 0, z >= 0`` (broadcast).

    Small ``z``: the power series (positive terms, rescaled against overflow). Large ``z``
    (``z > 30 + 2 (a + b)``): the asymptotic series
    ``1F1 ~ Gamma(b)/Gamma(a) e^z z^(a-b) sum_k (b-a)_k (1-a)_k / (k! z^k)`` (the dropped
    ``(-z)^(-a)`` branch is ``e^(-z)`` smaller), summed until a term is below ``1e-17``
    of the sum; elements where it does not get there, or where its terms cancel, fall back
    to the power series.

    >>> import numpy as np
    >>> abs(float(log_hyp1f1_scaled(1.0, 1.0, 2.0))) < 1e-15  # 1F1(a; a; z) = e^z
    True
    >>> float(np.exp(log_hyp1f1_scaled(1.0, 2.0, 1.0)))  # 1F1(1; 2; z) = (e^z - 1)/z
    0.6321205588285578
    """
    a, b, z = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, z)))
    if a.size and (a.min() <= 0 or b.min() <= 0 or z.min() < 0):
        raise ValueError("log_hyp1f1_scaled needs a > 0, b > 0 and z >= 0")
    shape = a.shape
    a, b, z = (v.reshape(-1) for v in (a, b, z))
    out = np.empty(a.shape)
    large = z > 30.0 + 2.0 * (a + b)
    idx = np.flatnonzero(large)
    done = np.zeros(len(idx), dtype=bool)
    if len(idx):
        out[idx], done = _hyp1f1_log_asymptotic(a[idx], b[idx], z[idx])
    small = np.concatenate([np.flatnonzero(~large), idx[~done]])
    if len(small):
        out[small] = _hyp1f1_log_series(a[small], b[small], z[small])
    return out.reshape(shape)


def _hyp1f1_log_series(a, b, z, max_terms=100_000):
    out = np.empty(a.shape)
    idx = np.arange(len(a))
    term = np.ones(a.shape)
    total = np.ones(a.shape)
    log_scale = np.zeros(a.shape)
    for k in range(max_terms):
        ratio = (a + k) / (b + k) * z / (k + 1)
        term *= ratio
        total += term
        big = total > _RESCALE
        if big.any():
            term[big] /= _RESCALE
            total[big] /= _RESCALE
            log_scale[big] += _LOG_RESCALE
        if k % 8 == 7:
            # past the peak of the terms and below the last bit of the sum
            done = (term <= 1e-17 * total) & (ratio < 1.0)
            if done.any():
                out[idx[done]] = np.log(total[done]) + log_scale[done] - z[done]
                keep = ~done
                idx, a, b, z = idx[keep], a[keep], b[keep], z[keep]
                term, total, log_scale = term[keep], total[keep], log_scale[keep]
                if not len(idx):
                    return out
    raise ValueError(  # pragma: no cover - needs z of order max_terms
        f"log_hyp1f1_scaled did not converge in {max_terms} terms (z max {z.max()})"
    )


def _hyp1f1_log_asymptotic(a, b, z, max_terms=200):
    term = np.ones(a.shape)
    total = np.ones(a.shape)
    largest = np.ones(a.shape)
    converged = np.zeros(a.shape, dtype=bool)
    failed = np.zeros(a.shape, dtype=bool)
    for k in range(max_terms):
        previous = np.abs(term)
        term = term * (b - a + k) * (1.0 - a + k) / ((k + 1) * z)
        size = np.abs(term)
        active = ~converged & ~failed
        failed |= active & (size > previous)  # the asymptotic series started to diverge
        active &= ~failed
        total = np.where(active, total + term, total)
        largest = np.where(active, np.maximum(largest, size), largest)
        # a term below the last bit, or a terminating series (a or b - a a non-positive integer)
        converged |= active & ((size <= 1e-17 * np.abs(total)) | (term == 0.0))
        if np.all(converged | failed):
            break
    lgam = np.vectorize(math.lgamma, otypes=[np.float64])
    value = (a - b) * np.log(z) + lgam(b) - lgam(a) + np.log(np.abs(total))
    # accepted only without cancellation: every term below 8 times the sum
    return value, converged & (total > 0) & (largest < 8.0 * total)


class GtoRadialIntegral:
    """Löwdin-orthonormalised GTO radial integrals ``I_nl(r)`` and ``dI_nl/dr``.

    Arguments:
        cutoff, n_radial, l_max, density_width: as in :class:`~o3ref.fast.ExpansionHypers`
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
        self.lowdin = lowdin_inverse_sqrt(gto_overlap(self.cutoff, self.n_radial))
        self._c = 0.5 / self.density_width**2
        self.spline = bool(spline)
        if self.spline:
            self._grid_step, self._coefficients = _spline_table(
                self.cutoff, self.n_radial, self.l_max, self.density_width
            )

    # ------------------------------------------------------------- closed form
    def closed_form(self, r, derivative=False):
        """The closed form (no spline) of ``I_nl(r)`` (and ``dI/dr``), shape ``(P, L, N)``."""
        r = np.asarray(r, dtype=np.float64).reshape(-1)
        c, d = self._c, self._d
        l = np.arange(self.l_max + 1, dtype=np.float64)[None, :, None]
        n = np.arange(self.n_radial, dtype=np.float64)[None, None, :]
        a = (n + l + 3.0) / 2.0
        b = l + 1.5
        rr = r[:, None, None]
        z = c * c * rr * rr / (c + d)
        lgam = np.vectorize(math.lgamma)
        log_pref = (
            0.75 * math.log(math.pi / self.density_width**2)
            + lgam(a) - lgam(b) - a * np.log(c + d) + np.log(self._norms)
        )
        cr = c * rr
        crl = cr**l
        # exp(-c r^2) 1F1(z) = exp(-c d r^2/(c+d)) [exp(-z) 1F1(z)]
        gauss = log_pref - c * d * rr * rr / (c + d)
        gauss_f = np.exp(gauss + log_hyp1f1_scaled(a, b, z))
        value = (crl * gauss_f) @ self.lowdin.T
        if not derivative:
            return value
        gauss_f1 = np.exp(gauss + log_hyp1f1_scaled(a + 1.0, b + 1.0, z))
        dcrl = l * c * cr ** np.maximum(l - 1.0, 0.0)
        deriv = (dcrl - 2.0 * c * rr * crl) * gauss_f
        deriv += crl * (a / b) * (2.0 * c * c * rr / (c + d)) * gauss_f1
        return value, deriv @ self.lowdin.T

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
        return _spline_eval(self._grid_step, self._coefficients, r, derivative,
                            (self.l_max + 1, self.n_radial))


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
    exact = GtoRadialIntegral(cutoff, n_radial, l_max, density_width, spline=False)
    smallest = min(density_width, float(gto_sigmas(cutoff, n_radial).min()))
    n_intervals = max(16, int(math.ceil(cutoff / (smallest / 64.0))))
    for _ in range(12):
        h = cutoff / n_intervals
        grid = np.linspace(0.0, cutoff, n_intervals + 1)
        values, derivs = exact.closed_form(grid, derivative=True)
        flat = values.reshape(len(grid), -1)
        coefficients = _hermite_coefficients(flat, derivs.reshape(len(grid), -1), h)
        mid = grid[:-1] + 0.5 * h
        spline = _spline_eval(h, coefficients, mid, False, values.shape[1:])
        scale = np.abs(values).max(axis=(0, 2))  # per l
        error = np.abs(spline - exact.closed_form(mid)).max(axis=(0, 2))
        if np.all(error <= SPLINE_TOLERANCE * scale):
            return h, coefficients
        n_intervals = int(n_intervals * 1.5)
    raise RuntimeError(  # pragma: no cover - would need extreme hyper-parameters
        f"radial spline did not reach {SPLINE_TOLERANCE} with {n_intervals} intervals"
    )
