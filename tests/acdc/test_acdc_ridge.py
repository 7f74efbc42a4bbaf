"""EquivariantRidge: closed form against scikit-learn, mpmath and numpy oracles; bad input."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from metatensor import Labels, TensorBlock

from o3ref.fast import EquivariantRidge
from o3ref.reference import ridge_solution
from o3ref.verify.tolerances import linear_solve_tolerance, tolerance


def _problem(n=40, lam=1, n_features=7, seed=0, noise=0.05):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2 * lam + 1, n_features))
    w = rng.normal(size=n_features)
    y = X @ w + noise * rng.normal(size=(n, 2 * lam + 1))
    return X, y


@pytest.mark.parametrize("alpha", [1e-3, 0.5, 10.0])
@pytest.mark.parametrize("lam", [0, 1, 2])
def test_ridge_equals_sklearn_without_intercept(alpha, lam):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = _problem(lam=lam)
    ours = EquivariantRidge(alpha=alpha).fit(X, y)
    theirs = linear_model.Ridge(alpha=alpha, fit_intercept=False).fit(
        X.reshape(-1, X.shape[2]), y.reshape(-1)
    )
    # two solvers, each within its bound: twice the linear-solve tolerance
    A = X.reshape(-1, X.shape[2])
    tol = 2 * linear_solve_tolerance(A.T @ A + alpha * np.eye(A.shape[1]),
                                     scale=np.abs(theirs.coef_).max()).atol
    assert np.abs(ours.coef_ - theirs.coef_).max() <= tol
    predicted = theirs.predict(A).reshape(y.shape)
    assert np.abs(ours.predict(X) - predicted).max() <= tol * np.abs(A).sum(axis=1).max()


def test_ridge_underdetermined_equals_sklearn():
    # more features than rows: the dual (kernel) branch of scikit-learn
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = _problem(n=5, n_features=40, seed=3)
    ours = EquivariantRidge(alpha=0.1).fit(X, y)
    theirs = linear_model.Ridge(alpha=0.1, fit_intercept=False).fit(
        X.reshape(-1, 40), y.reshape(-1)
    )
    # the dual system (A A^T + alpha) has the conditioning of the solve here
    A = X.reshape(-1, 40)
    tol = 2 * linear_solve_tolerance(A @ A.T + 0.1 * np.eye(A.shape[0]),
                                     scale=np.abs(theirs.coef_).max() * np.abs(A).max()).atol
    assert np.abs(ours.coef_ - theirs.coef_).max() <= tol


@pytest.mark.parametrize("alpha", [0.25, 3.0])
def test_ridge_equals_mpmath_solution(alpha):
    X, y = _problem(n=6, lam=1, n_features=4, seed=1)
    exact = ridge_solution(X, y, alpha, dps=50)
    ours = EquivariantRidge(alpha=alpha).fit(X, y).coef_
    A = X.reshape(-1, X.shape[2])
    tol = linear_solve_tolerance(A.T @ A + alpha * np.eye(A.shape[1]),
                                 scale=float(max(abs(r) for r in exact))).atol
    for value, reference in zip(ours, exact, strict=True):
        assert abs(mpmath.mpf(float(value)) - reference) <= tol


def test_mpmath_solution_closed_form_one_feature():
    # one feature: w = sum(x y) / (sum(x^2) + alpha), exactly
    X = [[[1], [2], [0]], [[0], [1], [3]]]
    y = [[1, 1, 1], [2, 0, 5]]
    w = ridge_solution(X, y, alpha=2, dps=40)
    with mpmath.workdps(40):
        expected = mpmath.mpf(1 + 2 + 0 + 0 + 0 + 15) / (1 + 4 + 1 + 9 + 2)
        assert abs(w[0] - expected) < mpmath.mpf(10) ** -38


def test_ridge_alpha_zero_is_least_squares():
    X, y = _problem(n=30, n_features=5, seed=2)
    A, b = X.reshape(-1, 5), y.reshape(-1)
    expected = np.linalg.lstsq(A, b, rcond=None)[0]
    tol = 2 * linear_solve_tolerance(A.T @ A, scale=np.abs(expected).max()).atol
    assert np.abs(EquivariantRidge(alpha=0.0).fit(X, y).coef_ - expected).max() <= tol


def test_ridge_cross_validation_matches_independent_folds():
    X, y = _problem(n=23, n_features=6, seed=4, noise=0.3)
    alphas = [1e-4, 1e-2, 1.0, 100.0]
    model = EquivariantRidge(alpha=alphas, n_folds=4).fit(X, y)
    # documented folds: the k-th sample (sorted groups) goes to fold k % 4; components stay together
    fold = np.arange(len(X)) % 4
    for alpha in alphas:
        squared, count = 0.0, 0
        for k in range(4):
            train, test = fold != k, fold == k
            A = X[train].reshape(-1, 6)
            w = np.linalg.solve(A.T @ A + alpha * np.eye(6), A.T @ y[train].reshape(-1))
            residual = X[test] @ w - y[test]
            squared += (residual**2).sum()
            count += residual.size
        rmse = np.sqrt(squared / count)
        # the worst fold's solve bounds the difference of the residuals (sizes ~ |y|)
        A = X.reshape(-1, 6)
        tol = 2 * linear_solve_tolerance(A.T @ A + alpha * np.eye(6), scale=np.abs(y).max()).atol
        assert abs(model.cv_rmse_[alpha] - rmse) <= tol * np.abs(A).sum(axis=1).max()
    best = min(alphas, key=lambda a: model.cv_rmse_[a])
    assert model.alpha_ == best


def test_ridge_groups_keep_structures_together():
    X, y = _problem(n=12, n_features=3, seed=5)
    groups = np.repeat(np.arange(4), 3)  # 4 structures with 3 atoms each
    model = EquivariantRidge(alpha=[0.1, 1.0], n_folds=2)
    folds = model._folds(len(X), groups)
    for test in folds:
        for g in range(4):
            assert len(set(test[groups == g].tolist())) == 1
    model.fit(X, y, groups=groups)
    assert model.alpha_ in (0.1, 1.0)


def test_ridge_auto_alpha():
    X, y = _problem(n=25, n_features=4, seed=6)
    model = EquivariantRidge(alpha="auto").fit(X, y)
    assert len(model.cv_rmse_) == 15
    assert model.alpha_ in model.cv_rmse_


def test_ridge_predictions_are_equivariant():
    from o3ref.reference import wigner_D_real

    X, y = _problem(n=10, lam=2, n_features=5, seed=7)
    model = EquivariantRidge(alpha=0.1).fit(X, y)
    D = np.array(wigner_D_real(2, 0.3, 1.1, -2.0, dps=30).tolist(), dtype=float)
    rotated = np.einsum("ab,nbq->naq", D, X)
    expected = model.predict(X) @ D.T
    # predictions are linear in X: one product with D within the wigner_d policy on each side
    size = np.abs(model.predict(X)).max() * 5
    assert np.abs(model.predict(rotated) - expected).max() <= 2 * tolerance("wigner_d", 2,
                                                                              scale=size).atol


def test_ridge_accepts_tensor_blocks():
    X, y = _problem(n=8, n_features=3, seed=8)
    samples = Labels(["system"], np.arange(8).reshape(-1, 1))
    mu = [Labels(["o3_mu"], np.array([[-1], [0], [1]]))]
    X_block = TensorBlock(X, samples, mu, Labels.range("q", 3))
    y_block = TensorBlock(y[..., None], samples, mu, Labels.range("dipole", 1))
    from_blocks = EquivariantRidge(alpha=0.5).fit(X_block, y_block)
    from_arrays = EquivariantRidge(alpha=0.5).fit(X, y)
    assert np.array_equal(from_blocks.coef_, from_arrays.coef_)
    shuffled = TensorBlock(
        y[..., None], Labels(["system"], np.arange(8)[::-1].reshape(-1, 1)), mu,
        Labels.range("dipole", 1),
    )
    with pytest.raises(ValueError, match="mismatched samples: X and y disagree"):
        EquivariantRidge(alpha=0.5).fit(X_block, shuffled)


# ---- bad input --------------------------------------------------------------------------


def test_ridge_mismatched_samples():
    X, y = _problem(n=8)
    with pytest.raises(ValueError, match="mismatched samples: X has 8 samples but y has 7"):
        EquivariantRidge().fit(X, y[:7])


def test_ridge_wrong_number_of_components():
    X, y = _problem(n=8, lam=1)
    with pytest.raises(ValueError, match="y has 5 components but X has 3"):
        EquivariantRidge().fit(X, np.zeros((8, 5)))


def test_ridge_nan_target():
    X, y = _problem(n=8)
    y[3, 1] = np.nan
    message = r"y contains a non-finite value \(.*nan.* at index \(3, 1\)\)"
    with pytest.raises(ValueError, match=message):
        EquivariantRidge().fit(X, y)


def test_ridge_nan_features():
    X, y = _problem(n=8)
    X[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="X contains a non-finite value"):
        EquivariantRidge().fit(X, y)


def test_ridge_bad_shapes_and_alpha():
    X, y = _problem(n=8)
    with pytest.raises(ValueError, match=r"X has shape \(8, 21\): it must have shape"):
        EquivariantRidge().fit(X.reshape(8, -1), y)
    with pytest.raises(ValueError, match="X has 2 components: the number of components must be"):
        EquivariantRidge().fit(X[:, :2], y[:, :2])
    with pytest.raises(ValueError, match=r"alpha=-1 must be a finite non-negative number"):
        EquivariantRidge(alpha=-1)
    with pytest.raises(ValueError, match=r"alpha='best' must be a number, a list"):
        EquivariantRidge(alpha="best")
    with pytest.raises(ValueError, match="every candidate must be a finite non-negative"):
        EquivariantRidge(alpha=[1.0, -2.0])
    with pytest.raises(ValueError, match="n_folds=1 must be an integer >= 2"):
        EquivariantRidge(n_folds=1)
    with pytest.raises(ValueError, match="n_folds=5 is larger than the number of groups"):
        EquivariantRidge(alpha=[1.0, 2.0]).fit(X[:3], y[:3])


def test_ridge_predict_checks():
    X, y = _problem(n=8, n_features=7)
    with pytest.raises(ValueError, match="not fitted: call fit"):
        EquivariantRidge().predict(X)
    model = EquivariantRidge().fit(X, y)
    with pytest.raises(ValueError, match="X has 6 features but the model was fitted with 7"):
        model.predict(X[..., :6])
    with pytest.raises(ValueError, match="X has 5 components but the model was fitted with 3"):
        model.predict(np.zeros((2, 5, 7)))


def test_reference_ridge_bad_input():
    with pytest.raises(ValueError, match="mismatched samples: X has 2 samples but y has 1"):
        ridge_solution([[[1.0]], [[2.0]]], [[1.0]], alpha=1)
    with pytest.raises(ValueError, match="y has 2 components but X has 1"):
        ridge_solution([[[1.0]]], [[1.0, 2.0]], alpha=1)
    with pytest.raises(ValueError, match="alpha=-1 must be non-negative"):
        ridge_solution([[[1.0]]], [[1.0]], alpha=-1)
    with pytest.raises(ValueError, match=r"y=nan must be a finite real number"):
        ridge_solution([[[1.0]]], [[float("nan")]], alpha=1)


def test_ridge_one_model_per_block_of_a_tensor_map():
    from metatensor import TensorMap

    blocks_X, blocks_y, arrays = [], [], {}
    samples = Labels(["system"], np.arange(12).reshape(-1, 1))
    for lam in (0, 1, 2):
        X, y = _problem(n=12, lam=lam, n_features=4, seed=10 + lam)
        arrays[lam] = (X, y)
        mu = [Labels(["o3_mu"], np.arange(-lam, lam + 1).reshape(-1, 1))]
        blocks_X.append(TensorBlock(X, samples, mu, Labels.range("q", 4)))
        blocks_y.append(TensorBlock(y[..., None], samples, mu, Labels.range("target", 1)))
    X_keys = Labels(
        ["order_nu", "o3_sigma", "o3_lambda"], np.array([[2, 1, 0], [2, 1, 1], [2, 1, 2]])
    )
    y_keys = Labels(["o3_lambda", "o3_sigma"], np.array([[2, 1], [0, 1]]))
    X_map = TensorMap(X_keys, blocks_X)
    y_map = TensorMap(y_keys, [blocks_y[2], blocks_y[0]])
    model = EquivariantRidge(alpha=0.3).fit(X_map, y_map)
    predicted = model.predict(X_map)
    assert predicted.keys == y_keys
    for lam, key in ((2, 0), (0, 1)):
        X, y = arrays[lam]
        expected = EquivariantRidge(alpha=0.3).fit(X, y).predict(X)
        np.testing.assert_array_equal(predicted.block(key).values[..., 0], expected)
    bad = TensorMap(Labels(["o3_lambda", "parity"], np.array([[0, 1]])), [y_map.block(1).copy()])
    with pytest.raises(ValueError, match=r"y has keys \['o3_lambda', 'parity'\] but X lacks"):
        EquivariantRidge().fit(X_map, bad)
    with pytest.raises(TypeError, match="X is a TensorMap and y a ndarray: pass two TensorMaps"):
        EquivariantRidge().fit(X_map, arrays[0][1])
