"""``o3ref verify`` checks of the pipeline stages: radial integrals, density expansion, ACDC
(CG products of TensorMaps) and the ridge model, each against :mod:`o3ref.reference`.

Registered in :data:`CHECKS` and run by :func:`o3ref.verify.suite.run_suite` after the
angular checks; a stage whose fast or reference implementation is not there shows as
``missing``. Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .compare import compare_arrays, to_numeric
from .suite import Check, _Acc
from .tolerances import Tolerance, eps

__all__ = ["CHECKS", "GRIDS", "check_ridge", "fast_pipeline_implementations"]

GRIDS: dict[str, dict[str, dict]] = {
    "quick": {"ridge": {"n_samples": 12, "o3_lambda": 1, "n_features": 5, "n_problems": 3}},
    "full": {"ridge": {"n_samples": 40, "o3_lambda": 2, "n_features": 12, "n_problems": 8}},
}


def check_ridge(impl: Callable, grid: dict):
    """Ridge weights ``(X^T X + alpha 1)^-1 X^T y`` against mpmath at 50 digits.

    Tolerance: the solve loses ``cond(X^T X + alpha 1)`` times eps (relative to the largest
    weight); 16 covers the accumulation of the normal-equation products.
    """
    from o3ref import reference

    rng = np.random.default_rng(11)
    acc = _Acc()
    lam, nf = grid["o3_lambda"], grid["n_features"]
    for k in range(grid["n_problems"]):
        X = rng.standard_normal((grid["n_samples"], 2 * lam + 1, nf))
        y = rng.standard_normal((grid["n_samples"], 2 * lam + 1))
        alpha = float(10.0 ** -rng.integers(1, 6))
        got = np.asarray(impl(X, y, alpha))
        ref = to_numeric(reference.ridge_solution(X, y, alpha, dps=50))
        A = X.reshape(-1, nf)
        cond = float(np.linalg.cond(A.T @ A + alpha * np.eye(nf)))
        tol = Tolerance(16 * cond * eps() * float(np.max(np.abs(ref))), 0.0,
                        "16 cond(X^T X + alpha) eps |w|")
        acc.add(compare_arrays(got, ref, tol, names=["feature"]),
                f"problem #{k} (alpha = {alpha:g}, cond = {cond:.1e})")
    return acc.row("ridge weights", f"lambda = {lam}", "16 cond eps |w|")


def fast_pipeline_implementations() -> dict[str, Callable]:
    from o3ref import fast

    impl: dict[str, Callable] = {}
    if hasattr(fast, "EquivariantRidge"):
        impl["ridge"] = lambda X, y, alpha: fast.EquivariantRidge(alpha=alpha).fit(X, y).coef_
    return impl


CHECKS: list[Check] = [Check("ridge weights", "ridge", check_ridge)]
