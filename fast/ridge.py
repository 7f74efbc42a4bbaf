"""Equivariant ridge regression: one linear model per ``(o3_sigma, o3_lambda)`` block.

A linear model of a spherical tensor ``y_mu`` of degree ``lambda`` is equivariant when its
weights do not depend on ``mu``: ``y_mu(A) ~ sum_q w_q X[A, mu, q]``. The loss
``sum_{A, mu} (y_mu(A) - sum_q w_q X[A, mu, q])**2 + alpha |w|**2`` is then ordinary ridge
regression with the ``2*lambda+1`` components treated as extra samples. There is no
intercept: every ``lambda > 0`` component averages to zero over rotations, so an intercept
would break equivariance.

The solution is closed-form, from the thin SVD ``X = U diag(s) V^T`` of the
``(n * (2 lambda + 1), n_features)`` design matrix: ``w = V diag(s / (s**2 + alpha)) U^T y``
(the same minimiser as ``(X^T X + alpha 1) w = X^T y``, scikit-learn's
``Ridge(fit_intercept=False)``, but stable when ``X^T X`` is singular). One SVD serves every
candidate ``alpha`` of a cross-validation fold.

When ``alpha`` is a list (or ``"auto"``), it is chosen by k-fold cross-validation grouped
by structure: the folds split the samples (or the ``groups`` given to :meth:`fit`), never
the components of one sample, and the fold of the ``k``-th distinct group (in sorted order)
is ``k % n_folds`` (deterministic). The score is the RMSE over all held-out components.

Conventions: :mod:`o3ref.reference.conventions` (components ``o3_mu = -lambda..lambda``).

>>> import numpy as np
>>> X = np.zeros((2, 3, 1)); X[0, :, 0] = [1.0, 0.0, 0.0]; X[1, :, 0] = [0.0, 0.0, -2.0]
>>> y = 3.0 * X[..., 0]
>>> model = EquivariantRidge(alpha=0.0).fit(X, y)
>>> np.round(model.coef_, 12).tolist(), np.round(model.predict(X)[1], 12).tolist()
([3.0], [0.0, 0.0, -6.0])
"""

from __future__ import annotations

import numbers

import numpy as np
from metatensor import Labels, TensorBlock, TensorMap

__all__ = ["EquivariantRidge"]

# "auto": alpha = s_max**2 * 10**-k for k = 0..14, with s_max the largest singular value
_AUTO_DECADES = 15


def _check_finite(name: str, array: np.ndarray) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} contains a non-finite value ({array[where]!r} at index {where}): "
            "every entry must be a finite number"
        )


def _as_design(X, name: str = "X") -> np.ndarray:
    if isinstance(X, TensorBlock):
        X = X.values
    X = np.asarray(X)
    if X.dtype.kind not in "fiu":
        raise TypeError(f"{name} has dtype {X.dtype}: it must hold real numbers")
    if X.ndim != 3:
        raise ValueError(
            f"{name} has shape {X.shape}: it must have shape (n, 2*lambda+1, n_features)"
        )
    if X.shape[1] % 2 != 1:
        raise ValueError(
            f"{name} has {X.shape[1]} components: the number of components must be "
            "2*lambda+1 (odd)"
        )
    X = X.astype(np.float64, copy=False)
    _check_finite(name, X)
    return X


def _as_target(y, n_components: int) -> np.ndarray:
    if isinstance(y, TensorBlock):
        if len(y.properties) != 1:
            raise ValueError(
                f"y has {len(y.properties)} properties: a target block must have exactly one"
            )
        y = y.values[..., 0]
    y = np.asarray(y)
    if y.dtype.kind not in "fiu":
        raise TypeError(f"y has dtype {y.dtype}: it must hold real numbers")
    if y.ndim == 1 and n_components == 1:
        y = y[:, None]
    if y.ndim != 2:
        raise ValueError(f"y has shape {y.shape}: it must have shape (n, 2*lambda+1)")
    if y.shape[1] != n_components:
        raise ValueError(
            f"y has {y.shape[1]} components but X has {n_components}: the target must "
            "have the 2*lambda+1 components of the feature block"
        )
    y = y.astype(np.float64, copy=False)
    _check_finite("y", y)
    return y


def _check_samples(X, y) -> None:
    """TensorBlocks: the sample columns that y names must equal X's."""
    if not (isinstance(X, TensorBlock) and isinstance(y, TensorBlock)):
        return
    names = [name for name in y.samples.names if name in X.samples.names]
    if not names:
        return
    x_values = np.column_stack([np.asarray(X.samples.column(n)) for n in names])
    y_values = np.column_stack([np.asarray(y.samples.column(n)) for n in names])
    if x_values.shape != y_values.shape or not np.array_equal(x_values, y_values):
        raise ValueError(
            f"mismatched samples: X and y disagree on the sample columns {names}; "
            "the rows of X and y must describe the same samples in the same order"
        )


def _parse_alpha(alpha):
    """Return (fixed alpha or None, candidate list or None, auto flag)."""
    if isinstance(alpha, str):
        if alpha != "auto":
            raise ValueError(f"alpha={alpha!r} must be a number, a list of numbers or 'auto'")
        return None, None, True
    if isinstance(alpha, numbers.Real) and not isinstance(alpha, bool):
        value = float(alpha)
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"alpha={alpha!r} must be a finite non-negative number")
        return value, None, False
    try:
        values = [float(a) for a in alpha]
    except TypeError:
        raise TypeError(
            f"alpha={alpha!r} must be a number, a list of numbers or 'auto'"
        ) from None
    if len(values) == 0:
        raise ValueError("alpha=[] must hold at least one candidate value")
    for a in values:
        if not np.isfinite(a) or a < 0:
            raise ValueError(
                f"alpha={alpha!r}: every candidate must be a finite non-negative number"
            )
    return None, values, False


def _exponent(values: np.ndarray) -> int:
    """Binary exponent ``k`` of the largest ``|value|`` (``2**(k-1) <= max < 2**k``; 0 if none)."""
    top = float(np.abs(values).max()) if values.size else 0.0
    return int(np.frexp(top)[1]) if top > 0 else 0


def _svd_solutions(A: np.ndarray, b: np.ndarray, alphas) -> np.ndarray:
    """Ridge solutions for each alpha, ``(n_alphas, n_features)``, at any scale of ``A, b``.

    ``A`` and ``b`` are scaled by exact powers of two, ``A = 2**ka A'``, ``b = 2**kb b'``
    (largest entries in ``[1/2, 1)``), so that ``s**2`` can neither over- nor underflow; then
    ``w = 2**(kb-ka) V' diag(f) U'^T b'`` with ``f = s'/(s'**2 + alpha')``,
    ``alpha' = alpha 2**(-2 ka)`` kept as mantissa and exponent: ``f = 1/(s' + alpha'/s')``
    where ``s'**2 >= alpha'``, else ``2**(-E) (s'/m)/(1 + s'**2/alpha')`` with
    ``alpha' = m 2**E`` (the factor ``2**(-E)`` joins ``2**(kb-ka)`` in one ``ldexp``). With
    ``alpha = 0``, singular values at or below ``max(rows, features) eps s_max`` count as
    zero (numerical rank, numpy.linalg.lstsq's default): the minimum-norm least-squares
    solution, also for repeated feature columns.
    """
    out = np.zeros((len(alphas), A.shape[1]))
    ka, kb = _exponent(A), _exponent(b)
    if not (A.size and b.size) or not np.any(A) or not np.any(b):
        return out  # X = 0 or y = 0: the minimum-norm solution is w = 0
    U, s, Vt = np.linalg.svd(np.ldexp(A, -ka), full_matrices=False)
    c = U.T @ np.ldexp(b, -kb)
    rank_cut = s > (s[0] * max(A.shape) * np.finfo(np.float64).eps if len(s) else 0.0)
    for k, alpha in enumerate(alphas):
        mantissa, e_alpha = np.frexp(float(alpha))
        E = int(e_alpha) - 2 * ka
        with np.errstate(over="ignore", under="ignore"):
            scaled_alpha = float(np.ldexp(mantissa, E))  # alpha', may be 0 or inf
            data = (s > 0) & (s * s >= scaled_alpha) & (rank_cut if alpha == 0 else True)
            prior = (s > 0) & ~data & (alpha > 0)
            g = 1.0 / (s[data] + scaled_alpha / s[data])
            h = (s[prior] / mantissa) / (1.0 + np.ldexp(s[prior] * s[prior] / mantissa, -E))
            w = np.ldexp(Vt[data].T @ (g * c[data]), kb - ka)
            w += np.ldexp(Vt[prior].T @ (h * c[prior]), kb - ka - E)
        if not np.all(np.isfinite(w)):
            raise ValueError(
                f"the ridge weights for alpha={alpha!r} cannot be represented in float64 (their "
                f"magnitude exceeds {np.finfo(np.float64).max:.4g}): rescale X or y"
            )
        out[k] = w
    return out


def _auto_candidates(A: np.ndarray) -> list[float]:
    """``s_max**2 * 10**-k``, ``k = 0..14``, computed without overflow; refused when one of
    them is not a normal float64 (the grid would silently collapse to 0 or inf)."""
    ka = _exponent(A)
    s_scaled = float(np.linalg.norm(np.ldexp(A, -ka), 2)) if A.size else 0.0
    if s_scaled == 0:
        return [10.0 ** (-k) for k in range(_AUTO_DECADES)]
    with np.errstate(over="ignore", under="ignore"):
        candidates = [float(np.ldexp(s_scaled * s_scaled * 10.0 ** (-k), 2 * ka))
                      for k in range(_AUTO_DECADES)]
    tiny, huge = np.finfo(np.float64).tiny, np.finfo(np.float64).max
    if not all(tiny <= a <= huge for a in candidates):
        log10_s = np.log10(s_scaled) + ka * np.log10(2.0)
        raise ValueError(
            f"alpha='auto': the candidates s_max**2 * 10**-k (k = 0..{_AUTO_DECADES - 1}) with "
            f"s_max = 10**{log10_s:.1f} (largest singular value of X) are not all normal "
            f"float64 numbers ({tiny:.3g}..{huge:.3g}): pass alpha as a number or a list, or "
            "rescale X"
        )
    return candidates


class EquivariantRidge:
    """Ridge regression without intercept for one ``(o3_sigma, o3_lambda)`` block.

    Parameters
    ----------
    alpha:
        a non-negative number (fixed regularisation), a list of candidates chosen by
        grouped k-fold cross-validation, or ``"auto"`` (candidates
        ``s_max**2 * 10**-k``, ``k = 0..14``, with ``s_max`` the largest singular value of
        the design matrix; ``ValueError`` when they are not all normal float64 numbers,
        e.g. for X scaled by 1e200). ``alpha = 0`` gives the minimum-norm least-squares
        solution (singular values below ``max(rows, features) eps s_max`` count as zero),
        so two identical feature columns share their weight equally. Any scale of ``X``
        and ``y`` works (exact power-of-two rescaling inside); weights that overflow
        float64 raise ``ValueError``.
    n_folds:
        number of cross-validation folds (used only when alpha is a list or ``"auto"``).

    Attributes after :meth:`fit`: ``coef_`` (``n_features``), ``alpha_`` (the alpha used),
    ``cv_rmse_`` (dict alpha -> cross-validated RMSE; empty for a fixed alpha),
    ``n_components_`` (``2*lambda+1``).

    ``fit(X, y)`` takes ``X`` of shape ``(n, 2*lambda+1, n_features)`` and ``y`` of shape
    ``(n, 2*lambda+1)`` (``metatensor.TensorBlock`` values too, whose matching sample
    columns are checked); ``predict(X)`` returns ``(n, 2*lambda+1)``. Equivariance: a
    rotated input ``X[:, mu, q] -> sum_mu' D[mu, mu'] X[:, mu', q]`` gives the rotated
    prediction ``D @ y``, because the weights do not depend on ``mu``.

    ``fit(X, y)`` with two TensorMaps fits one model per key of ``y`` (``models_``, keyed
    by the key values), each on the block of ``X`` with the same values of ``y``'s key names
    (e.g. ``o3_sigma, o3_lambda``); ``predict(X)`` then returns a TensorMap with ``y``'s keys.

    Conventions: :mod:`o3ref.reference.conventions`.

    >>> EquivariantRidge(alpha=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: alpha=-1.0 must be a finite non-negative number
    """

    def __init__(self, alpha=1e-8, n_folds: int = 5):
        self._fixed, self._candidates, self._auto = _parse_alpha(alpha)
        if isinstance(n_folds, bool) or not isinstance(n_folds, numbers.Integral):
            raise TypeError(f"n_folds={n_folds!r} must be an integer >= 2")
        if n_folds < 2:
            raise ValueError(f"n_folds={n_folds} must be an integer >= 2")
        self.alpha = alpha
        self.n_folds = int(n_folds)

    def __repr__(self) -> str:
        return f"EquivariantRidge(alpha={self.alpha!r}, n_folds={self.n_folds})"

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, X, y, groups=None) -> EquivariantRidge:
        """Fit the weights; ``groups`` (length ``n``) keeps samples together in CV folds.

        With TensorMaps, fits one model per key of ``y`` (e.g. ``(o3_lambda, o3_sigma)``),
        on the block of ``X`` with the same values of those key names.
        """
        if isinstance(X, TensorMap) or isinstance(y, TensorMap):
            return self._fit_tensor(X, y, groups)
        _check_samples(X, y)
        X_arr = _as_design(X)
        y_arr = _as_target(y, X_arr.shape[1])
        n = X_arr.shape[0]
        if y_arr.shape[0] != n:
            raise ValueError(
                f"mismatched samples: X has {n} samples but y has {y_arr.shape[0]}; "
                "X and y must have the same number of rows"
            )
        if n == 0:
            raise ValueError("X has 0 samples: at least one sample is needed to fit")
        A = X_arr.reshape(-1, X_arr.shape[2])
        b = y_arr.reshape(-1)

        self.cv_rmse_ = {}
        if self._fixed is not None:
            alpha = self._fixed
        else:
            if self._auto:
                candidates = _auto_candidates(A)
            else:
                candidates = list(self._candidates)
            folds = self._folds(n, groups)
            errors = np.zeros(len(candidates))
            kb = _exponent(b)
            count = 0
            n_comp = X_arr.shape[1]
            for test in folds:
                train = ~test
                rows_train = np.repeat(train, n_comp)
                rows_test = np.repeat(test, n_comp)
                W = _svd_solutions(A[rows_train], b[rows_train], candidates)
                # in units of y's largest power of two: the squares neither over- nor underflow
                residual = np.ldexp(A[rows_test] @ W.T - b[rows_test][:, None], -kb)
                errors += (residual * residual).sum(axis=0)
                count += int(rows_test.sum())
            rmse = np.ldexp(np.sqrt(errors / count), kb)
            self.cv_rmse_ = {float(a): float(e) for a, e in zip(candidates, rmse, strict=True)}
            alpha = float(candidates[int(np.argmin(rmse))])

        self.alpha_ = alpha
        self.coef_ = _svd_solutions(A, b, [alpha])[0]
        self.n_components_ = X_arr.shape[1]
        return self

    def _folds(self, n: int, groups) -> list[np.ndarray]:
        if groups is None:
            groups = np.arange(n)
        groups = np.asarray(groups)
        if groups.shape != (n,):
            raise ValueError(
                f"groups has shape {groups.shape}: it must have one entry per sample ({n})"
            )
        unique, inverse = np.unique(groups, return_inverse=True)
        if len(unique) < self.n_folds:
            raise ValueError(
                f"n_folds={self.n_folds} is larger than the number of groups ({len(unique)}): "
                "cross-validation needs at least one group per fold"
            )
        fold_of_group = np.arange(len(unique)) % self.n_folds
        fold = fold_of_group[inverse]
        return [fold == k for k in range(self.n_folds)]

    # -- prediction --------------------------------------------------------------------------
    def predict(self, X) -> np.ndarray:
        """Predictions of shape ``(n, 2*lambda+1)`` (a TensorMap for a TensorMap ``X``)."""
        if isinstance(X, TensorMap):
            return self._predict_tensor(X)
        if not hasattr(self, "coef_"):
            raise ValueError("this EquivariantRidge is not fitted: call fit(X, y) first")
        X_arr = _as_design(X)
        if X_arr.shape[2] != self.coef_.shape[0]:
            raise ValueError(
                f"X has {X_arr.shape[2]} features but the model was fitted with "
                f"{self.coef_.shape[0]}: the feature dimension must match"
            )
        if X_arr.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {X_arr.shape[1]} components but the model was fitted with "
                f"{self.n_components_}: one model serves one lambda"
            )
        return X_arr @ self.coef_

    def score_rmse(self, X, y) -> float:
        """Root-mean-square error over all samples and components."""
        X_arr = _as_design(X)
        y_arr = _as_target(y, X_arr.shape[1])
        if y_arr.shape[0] != X_arr.shape[0]:
            raise ValueError(
                f"mismatched samples: X has {X_arr.shape[0]} samples but y has "
                f"{y_arr.shape[0]}; X and y must have the same number of rows"
            )
        residual = self.predict(X_arr) - y_arr
        return float(np.sqrt(np.mean(residual * residual)))

    # -- TensorMaps: one model per (o3_sigma, o3_lambda) block ---------------------------------
    def _fit_tensor(self, X, y, groups) -> EquivariantRidge:
        if not (isinstance(X, TensorMap) and isinstance(y, TensorMap)):
            raise TypeError(
                f"X is a {type(X).__name__} and y a {type(y).__name__}: pass two TensorMaps "
                "or two arrays/TensorBlocks"
            )
        missing = [name for name in y.keys.names if name not in X.keys.names]
        if missing:
            raise ValueError(
                f"y has keys {list(y.keys.names)} but X lacks {missing}: each target block "
                "needs the feature block with the same key values"
            )
        self.models_ = {}
        self._target_blocks = {}
        for key, target in y.items():
            selection = {name: int(key[name]) for name in y.keys.names}
            matches = X.blocks(**selection)
            if len(matches) != 1:
                raise ValueError(
                    f"X has {len(matches)} blocks with {selection}: exactly one is needed"
                )
            model = EquivariantRidge(alpha=self.alpha, n_folds=self.n_folds)
            self.models_[tuple(int(v) for v in key.values)] = model.fit(
                matches[0], target, groups=groups
            )
            self._target_blocks[tuple(int(v) for v in key.values)] = (
                target.components, target.properties
            )
        self._target_keys = y.keys
        return self

    def _predict_tensor(self, X) -> TensorMap:
        if not hasattr(self, "models_"):
            raise ValueError("this EquivariantRidge is not fitted on TensorMaps: call fit first")
        blocks = []
        for key in self._target_keys:
            selection = {name: int(key[name]) for name in self._target_keys.names}
            features = X.block(**selection)
            index = tuple(int(v) for v in key.values)
            components, properties = self._target_blocks[index]
            values = self.models_[index].predict(features)[..., None]
            blocks.append(TensorBlock(values, features.samples, components, properties))
        return TensorMap(Labels(self._target_keys.names, self._target_keys.values), blocks)

