"""High-precision ridge regression (mpmath) for small problems: the oracle of the fast ridge.

Solves ``(A^T A + alpha 1) w = A^T b`` by LU decomposition in mpmath at ``dps`` decimal
digits, where ``A`` is the ``(n * (2 lambda + 1), n_features)`` design matrix obtained by
treating the symmetry components as samples (no intercept). Inputs are converted exactly:
a Python float is a dyadic rational, ``mpmath.mpf(float)`` represents it without rounding,
and integers and ``fractions.Fraction`` are exact too; so the only rounding is that of the
arithmetic at ``dps`` digits.

Error bound: the computed ``w`` has relative error at most about
``kappa(A^T A + alpha 1) * 10**(-dps + 2)`` (LU with partial pivoting; ``kappa`` the
condition number), so at the default ``dps = 50`` and ``kappa <= 1e20`` the result is good
to 28 digits, far below float64 rounding.

Conventions: :mod:`o3ref.reference.conventions`.

>>> # closed form: (1*1 + 2*4) / (1**2 + 2**2 + alpha) = 9/6
>>> w = ridge_solution([[[1], [0], [0]], [[0], [0], [2]]], [[1, 0, 0], [0, 0, 4]], alpha=1)
>>> [mpmath.nstr(v, 15) for v in w]
['1.5']
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import mpmath

__all__ = ["ridge_solution"]


def _to_mpf(value, name: str):
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r} must be a real number, not a bool")
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    if isinstance(value, numbers.Integral):
        return mpmath.mpf(int(value))
    if isinstance(value, mpmath.mpf):
        return value
    if isinstance(value, numbers.Real):
        f = float(value)  # numpy floats and Python floats are exact dyadic rationals
        if f != f or f in (float("inf"), float("-inf")):
            raise ValueError(f"{name}={value!r} must be a finite real number")
        return mpmath.mpf(f)
    raise TypeError(f"{name}={value!r} must be a real number (int, Fraction, float or mpf)")


def ridge_solution(X, y, alpha, dps: int = 50) -> list:
    """Ridge weights (list of ``mpf``) for ``X`` ``(n, 2l+1, n_features)``, ``y`` ``(n, 2l+1)``.

    ``X`` and ``y`` are nested sequences (or numpy arrays) of real numbers, ``alpha >= 0``.
    The minimiser of ``sum (y - X w)**2 + alpha |w|**2`` over all samples and components.
    """
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral) or dps < 15:
        raise ValueError(f"dps={dps!r} must be an integer >= 15")
    X = [[list(row) for row in sample] for sample in X]
    y = [list(sample) for sample in y]
    if len(X) != len(y):
        raise ValueError(
            f"mismatched samples: X has {len(X)} samples but y has {len(y)}; "
            "X and y must have the same number of rows"
        )
    if not X:
        raise ValueError("X has 0 samples: at least one sample is needed")
    n_components = len(X[0])
    n_features = len(X[0][0]) if n_components else 0
    for i, (sample, target) in enumerate(zip(X, y, strict=True)):
        if len(sample) != n_components or any(len(row) != n_features for row in sample):
            raise ValueError(f"X[{i}] is ragged: every sample must be (2l+1, n_features)")
        if len(target) != n_components:
            raise ValueError(
                f"y has {len(target)} components but X has {n_components}: the target must "
                "have the 2l+1 components of the feature block"
            )
    with mpmath.workdps(dps):
        a = _to_mpf(alpha, "alpha")
        if a < 0:
            raise ValueError(f"alpha={alpha!r} must be non-negative")
        rows = [[_to_mpf(v, "X") for v in row] for sample in X for row in sample]
        rhs = [_to_mpf(v, "y") for target in y for v in target]
        A = mpmath.matrix(rows)
        b = mpmath.matrix(rhs)
        normal = A.T * A + a * mpmath.eye(n_features)
        w = mpmath.lu_solve(normal, A.T * b)
        return [w[k] for k in range(n_features)]
