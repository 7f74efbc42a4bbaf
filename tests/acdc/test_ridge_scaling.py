"""Issue 10, class 2: ``EquivariantRidge`` at extreme scales and with repeated features.

Oracle: the exact ridge solution of the float inputs, ``(X^T X + alpha 1) w = X^T y`` solved
in rationals (``fractions.Fraction`` of every float entry, Gaussian elimination): no float
enters it, so it holds at 1e-200 and 1e200 alike. Bound: the ``ridge`` policy of
``o3ref.verify.tolerances`` times the size of the exact weights (a norm-wise bound).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from o3ref.fast import EquivariantRidge
from o3ref.verify.tolerances import tolerance

TINY = 5e-324


def _solve_exact(M, v):
    """``M x = v`` in rationals; ``None`` when ``M`` is singular."""
    n = len(v)
    rows = [list(M[i]) + [v[i]] for i in range(n)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if rows[r][col] != 0), None)
        if pivot is None:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                f = rows[r][col] / rows[col][col]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def _exact_ridge(X, y, alpha):
    A = [[Fraction(float(v)) for v in row] for row in X.reshape(-1, X.shape[2])]
    b = [Fraction(float(v)) for v in y.reshape(-1)]
    p = len(A[0])
    M = [[sum(r[i] * r[j] for r in A) + (Fraction(alpha) if i == j else 0) for j in range(p)]
         for i in range(p)]
    v = [sum(r[i] * bi for r, bi in zip(A, b, strict=True)) for i in range(p)]
    return _solve_exact(M, v)


def _check(got, exact):
    scale = max(abs(float(w)) for w in exact)
    tol = tolerance("ridge", scale=scale).atol
    for g, w in zip(got, exact, strict=True):
        assert abs(Fraction(float(g)) - w) <= Fraction(tol) + Fraction(TINY), (got, exact)


def _problem(seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(-4, 5, size=(4, 3, 3)).astype(float)
    y = rng.integers(-4, 5, size=(4, 3)).astype(float)
    return X, y


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 50), px=st.integers(-200, 200), py=st.integers(-200, 200),
       alpha=st.sampled_from([0.0, 1e-8, 0.5]))
@example(seed=1, px=200, py=200, alpha=1e-8)  # was all-zero weights (s**2 overflowed)
@example(seed=1, px=-200, py=-200, alpha=0.0)  # s**2 underflowed
@example(seed=2, px=-200, py=200, alpha=1e-8)  # alpha' = alpha/2**(2ka) overflows
@example(seed=3, px=200, py=-200, alpha=0.5)
def test_weights_at_any_scale(seed, px, py, alpha):
    X, y = _problem(seed)
    X, y = X * 10.0**px, y * 10.0**py
    exact = _exact_ridge(X, y, alpha)
    assume(exact is not None)
    if any(abs(w) > Fraction(np.finfo(np.float64).max) * Fraction(1 - 10**-9) for w in exact):
        with pytest.raises(ValueError, match=r"ridge weights .* cannot be represented"):
            EquivariantRidge(alpha=alpha).fit(X, y)
        return
    _check(EquivariantRidge(alpha=alpha).fit(X, y).coef_, exact)


def test_scaled_problem_gives_scaled_weights():
    """w(cX, dy, c^2 alpha) = (d/c) w(X, y, alpha), c = 2**+-400, d = 2**+-600 (exact)."""
    X, y = _problem(7)
    base = EquivariantRidge(alpha=0.25).fit(X, y).coef_
    for kc, kd in ((400, 600), (-400, -600), (400, -500), (-400, 600)):
        c, d = 2.0**kc, 2.0**kd
        got = EquivariantRidge(alpha=0.25 * c * c).fit(X * c, y * d).coef_
        np.testing.assert_allclose(np.ldexp(got, kc - kd), base, rtol=0,
                                   atol=tolerance("ridge", scale=np.abs(base).max()).atol)
    for kc, kd in ((600, 600), (-600, -600), (600, -300)):  # alpha = 0: least squares
        got = EquivariantRidge(alpha=0.0).fit(X * 2.0**kc, y * 2.0**kd).coef_
        ref = EquivariantRidge(alpha=0.0).fit(X, y).coef_
        np.testing.assert_allclose(np.ldexp(got, kc - kd), ref, rtol=0,
                                   atol=tolerance("ridge", scale=np.abs(ref).max()).atol)


def test_identical_columns_give_the_minimum_norm_solution():
    X, y = _problem(11)
    X2 = np.concatenate([X[..., :1], X[..., :1], X[..., 1:]], axis=2)  # column 0 repeated
    merged = _exact_ridge(X, y, 0)
    assert merged is not None
    # the minimum-norm solution splits the repeated column's weight equally
    exact = [merged[0] / 2, merged[0] / 2, *merged[1:]]
    for scale in (1.0, 1e200, 1e-200):
        got = EquivariantRidge(alpha=0.0).fit(X2 * scale, y * scale).coef_
        _check(got, exact)


def test_auto_alpha_finite_and_scaled():
    X, y = _problem(5)
    base = EquivariantRidge(alpha="auto", n_folds=2).fit(X, y)
    for k in (-300, 300):  # 2**+-300 ~ 1e+-90: the grid s_max**2 * 10**-k stays normal
        model = EquivariantRidge(alpha="auto", n_folds=2).fit(np.ldexp(X, k), np.ldexp(y, k))
        assert np.isfinite(model.alpha_) and model.alpha_ > 0
        # powers of two scale exactly: unscaled, the two alphas agree to a few roundings
        assert np.ldexp(model.alpha_, -2 * k) == pytest.approx(
            base.alpha_, abs=tolerance("rotation", scale=base.alpha_).atol)
        np.testing.assert_allclose(model.coef_, base.coef_, rtol=0,
                                   atol=tolerance("ridge", scale=np.abs(base.coef_).max()).atol)


@pytest.mark.parametrize("scale", [1e200, 1e-200])
def test_auto_alpha_outside_float64_refused(scale):
    X, y = _problem(5)
    with pytest.raises(ValueError, match=r"alpha='auto': the candidates .* s_max = 10\*\*"):
        EquivariantRidge(alpha="auto", n_folds=2).fit(X * scale, y)
