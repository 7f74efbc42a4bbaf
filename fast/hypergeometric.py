"""The confluent hypergeometric function ``1F1(a; b; z)`` in float64 (NumPy, no scipy), as
``log(exp(-z) 1F1(a; b; z))`` for ``a, b > 0`` and ``z >= 0``, the form the GTO radial
integrals of :mod:`o3ref.fast.radial` need (nothing overflows).

Small ``z``: the power series, all of whose terms are positive here, rescaled against
overflow; large ``z``: the asymptotic series ``e^z z^(a-b) Gamma(b)/Gamma(a) sum_k
(b-a)_k (1-a)_k / (k! z^k)``, used where it converges to full precision. About 1e-14
relative against ``mpmath.hyp1f1`` (tested in ``tests/expansion/test_expansion_radial.py``).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["log_hyp1f1_scaled"]

_RESCALE = 1e200
_LOG_RESCALE = math.log(_RESCALE)


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
    # finished elements leave the working arrays (indices ``idx``), so that each step costs
    # what is still summing; per element the rule is unchanged
    n = len(a)
    total_out = np.ones(n)
    largest_out = np.ones(n)
    converged_out = np.zeros(n, dtype=bool)
    idx = np.arange(n)
    term = np.ones(n)
    total = np.ones(n)
    largest = np.ones(n)
    aa, bb, zz = a, b, z
    for k in range(max_terms):
        previous = np.abs(term)
        term = term * (bb - aa + k) * (1.0 - aa + k) / ((k + 1) * zz)
        size = np.abs(term)
        failed = size > previous  # the asymptotic series started to diverge
        total = np.where(failed, total, total + term)
        largest = np.where(failed, largest, np.maximum(largest, size))
        # a term below the last bit, or a terminating series (a or b - a a non-positive integer)
        converged = ~failed & ((size <= 1e-17 * np.abs(total)) | (term == 0.0))
        done = failed | converged
        if done.any():
            total_out[idx[done]] = total[done]
            largest_out[idx[done]] = largest[done]
            converged_out[idx[done]] = converged[done]
            keep = ~done
            idx, term, total, largest = idx[keep], term[keep], total[keep], largest[keep]
            aa, bb, zz = aa[keep], bb[keep], zz[keep]
            if not len(idx):
                break
    total_out[idx] = total  # not converged in max_terms: left unconverged
    value = (a - b) * np.log(z) + _lgamma(b) - _lgamma(a) + np.log(np.abs(total_out))
    # accepted only without cancellation: every term below 8 times the sum
    return value, converged_out & (total_out > 0) & (largest_out < 8.0 * total_out)


def _lgamma(x):
    """``math.lgamma`` elementwise, evaluated once per distinct value."""
    values, inverse = np.unique(x, return_inverse=True)
    return np.array([math.lgamma(v) for v in values])[inverse.reshape(-1)].reshape(x.shape)
