"""Property checks usable on any callable: equivariance, orthogonality, homomorphism, parity,
gradients versus finite differences.

Each ``assert_*`` raises ``AssertionError`` with a :class:`o3ref.verify.compare.ComparisonReport`
(largest errors, where, both values) and returns that report when the property holds.

The checks of one quantity take the user's function in the calling convention of
:mod:`o3ref.verify.callables`: ``sh(l_max, xyz)`` (:func:`assert_sh_equivariant`,
:func:`assert_parity`, :func:`assert_orthonormal_sh`) and ``wigner_d(l, alpha, beta, gamma)``
or, with ``takes="matrix"``, ``wigner_d(l, R)`` (:func:`assert_homomorphism`). Functions of
another signature go through :func:`o3ref.verify.callables.from_xyz_function` or
:func:`o3ref.verify.callables.from_matrix_function`. The generic :func:`assert_equivariant`
and :func:`assert_gradient_fd` take functions of one argument.

Conventions (:mod:`o3ref.reference.conventions`): active rotations, ``Y_l(R r) = D_real^l(R)
Y_l(r)`` with real harmonics ordered ``m = -l..l``; parity ``Y_lm(-r) = (-1)^l Y_lm(r)``.

>>> import numpy as np
>>> def sh(l_max, xyz):   # l_max <= 1 in closed form
...     u = xyz / np.linalg.norm(xyz, axis=1, keepdims=True)
...     y = np.concatenate([np.full((len(u), 1), 0.5 / np.sqrt(np.pi)),
...                         np.sqrt(3 / (4 * np.pi)) * u[:, [1, 2, 0]]], axis=1)
...     return y[:, : (l_max + 1) ** 2]
>>> assert_parity(sh, l_max=1).passed
True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .callables import require_signature
from .compare import ComparisonReport, compare_arrays
from .indexing import block
from .tolerances import Tolerance, eps, tolerance

__all__ = [
    "assert_equivariant",
    "assert_gradient_fd",
    "assert_homomorphism",
    "assert_orthogonal",
    "assert_orthonormal_sh",
    "assert_parity",
    "SH_PROPERTIES",
    "assert_sh_equivariant",
    "check_sh_property",
    "matrix_to_euler",
    "random_rotations",
    "rotate_points",
    "sh_rotator",
    "sphere_quadrature",
]


#: the properties :func:`o3ref.verify.conformance.check_sh_properties` checks
SH_PROPERTIES = ("orthonormal", "parity", "equivariant")


def check_sh_property(prop) -> str:
    """``prop`` when it is one of :data:`SH_PROPERTIES`; ``TypeError``/``ValueError`` naming
    ``prop``, its value and the allowed values otherwise (checked before any work)."""
    if not isinstance(prop, str):
        raise TypeError(f"prop={prop!r} must be a string, one of {', '.join(SH_PROPERTIES)}")
    if prop not in SH_PROPERTIES:
        raise ValueError(f"prop={prop!r} must be one of {', '.join(SH_PROPERTIES)}")
    return prop


def random_rotations(n: int, seed: int = 0) -> np.ndarray:
    """``n`` proper rotation matrices ``(n, 3, 3)``, uniform (QR of Gaussian matrices)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n={n!r} must be a positive integer")
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((n, 3, 3)))
    q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
    q[np.linalg.det(q) < 0] *= -1.0
    return q


def rotate_points(R: np.ndarray, xyz: np.ndarray) -> np.ndarray:
    """Active rotation of points ``(n, 3)``: ``r -> R r``."""
    return np.asarray(xyz) @ np.asarray(R).T


def _check(report: ComparisonReport, what: str) -> ComparisonReport:
    if not report.passed:
        raise AssertionError(f"{what} does not hold: {report}")
    return report


def matrix_to_euler(R) -> np.ndarray:
    """ZYZ Euler angles ``(alpha, beta, gamma)`` of a rotation matrix ``(3, 3)`` or
    ``(n, 3, 3)``: ``R = Rz(alpha) Ry(beta) Rz(gamma)`` (``gamma = 0`` at ``beta = 0, pi``)."""
    R = np.asarray(R, dtype=np.float64)
    single = R.ndim == 2
    R = R.reshape(-1, 3, 3)
    beta = np.arccos(np.clip(R[:, 2, 2], -1.0, 1.0))
    sin_b = np.sqrt(R[:, 0, 2] ** 2 + R[:, 1, 2] ** 2)
    regular = sin_b > 1e-12
    alpha = np.where(regular, np.arctan2(R[:, 1, 2], R[:, 0, 2]), 0.0)
    gamma = np.where(regular, np.arctan2(R[:, 2, 1], -R[:, 2, 0]), 0.0)
    # beta = 0: R = Rz(alpha + gamma); beta = pi: R = Rz(alpha - gamma) Ry(pi)
    top = np.arctan2(R[:, 1, 0], R[:, 0, 0])
    bottom = np.arctan2(-R[:, 0, 1], R[:, 1, 1])
    alpha = np.where(regular, alpha, np.where(R[:, 2, 2] > 0, top, bottom))
    out = np.stack([alpha, beta, gamma], axis=-1)
    return out[0] if single else out


def _block_diag_d(l_max: int, R: np.ndarray) -> np.ndarray:
    # the oracle: o3ref.reference's real D at 20 digits, at the Euler angles of R
    from o3ref import reference

    from .compare import to_numeric

    a, b, g = matrix_to_euler(R)
    n = (l_max + 1) ** 2
    out = np.zeros((n, n))
    for l in range(l_max + 1):
        s = block(l)
        out[s, s] = to_numeric(reference.wigner_D_real(l, float(a), float(b), float(g), dps=20))
    return out


def sh_rotator(l_max: int) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``f(R, values)`` applying ``D_real^l(R)`` to each ``l`` block of the last axis
    (``(l_max+1)**2`` entries); ``D`` from :func:`o3ref.reference.wigner_D_real`. An improper
    ``R = -Q`` applies ``(-1)^l D_real(Q)``."""

    def rotate(R, values):
        R = np.asarray(R, dtype=np.float64)
        sign = np.ones((l_max + 1) ** 2)
        if np.linalg.det(R) < 0:
            R = -R
            sign = np.concatenate([np.full(2 * l + 1, (-1.0) ** l) for l in range(l_max + 1)])
        return (np.asarray(values) * sign) @ _block_diag_d(l_max, R).T

    return rotate


def assert_equivariant(
    func: Callable,
    x,
    rotate_input: Callable,
    rotate_output: Callable,
    *,
    rotations: np.ndarray | None = None,
    n_rotations: int = 4,
    tol: Tolerance | None = None,
    atol: float | None = None,
    seed: int = 0,
) -> ComparisonReport:
    """Check ``func(rotate_input(R, x)) == rotate_output(R, func(x))`` for several ``R``.

    ``rotations`` (``(n, 3, 3)``, proper or improper) default to ``n_rotations`` random
    proper rotations. The tolerance defaults to ``64 * eps`` times the largest output.
    Returns the worst report.
    """
    if rotations is None:
        rotations = random_rotations(n_rotations, seed)
    y = _array(func(x), "func(x)")
    if tol is None and atol is None:
        atol = 64 * eps(np.float64) * max(1.0, float(np.max(np.abs(y))) if y.size else 1.0)
    worst = None
    for k, R in enumerate(np.asarray(rotations)):
        lhs = _array(func(rotate_input(R, x)), f"func(rotate_input(R, x)) (rotation {k})")
        rhs = _array(rotate_output(R, y), f"rotate_output(R, y) (rotation {k})")
        if lhs.shape != rhs.shape:
            raise ValueError(f"func(rotate_input(R, x)) has shape {lhs.shape} but "
                             f"rotate_output(R, func(x)) has shape {rhs.shape} (rotation {k}); "
                             "they must match")
        rep = compare_arrays(lhs, rhs, tol, atol=atol, label=f"rotation {k}")
        _check(rep, "equivariance f(R x) = D(R) f(x)")
        if worst is None or rep.max_abs > worst.max_abs:
            worst = rep
    return worst


def _array(value, name: str) -> np.ndarray:
    """``value`` as a NumPy array; ``ValueError`` naming ``name`` when it is ragged."""
    try:
        return np.asarray(value)
    except ValueError as exc:
        raise ValueError(f"{name} is ragged (lists of different lengths) or not an array of "
                         f"numbers: {str(exc).splitlines()[0]}") from None


def _sh_values(sh: Callable, l_max: int, xyz: np.ndarray) -> np.ndarray:
    values = _array(sh(l_max, xyz), f"sh(l_max={l_max}, xyz)")
    expected = (len(xyz), (l_max + 1) ** 2)
    if values.shape != expected:
        raise AssertionError(
            f"sh(l_max={l_max}, xyz of shape {xyz.shape}) returned shape {values.shape}; "
            f"the convention sh(l_max, xyz) returns (n, (l_max+1)**2) = {expected}"
        )
    return values


def _sh_checked(sh: Callable, l_max: int) -> Callable[[np.ndarray], np.ndarray]:
    require_signature(sh, "sh")
    if isinstance(l_max, bool) or not isinstance(l_max, (int, np.integer)) or l_max < 0:
        raise ValueError(f"l_max={l_max!r} must be a non-negative integer")
    return lambda xyz: _sh_values(sh, int(l_max), np.asarray(xyz))


def assert_sh_equivariant(sh: Callable, l_max: int, n_points: int = 16, seed: int = 0):
    """Equivariance of real spherical harmonics ``sh(l_max, xyz) -> (n, (l_max+1)**2)``:
    ``Y(R r) = D_real(R) Y(r)`` (tolerance: :func:`tolerance` ``("sh", l_max)``).

    ``sh`` follows :mod:`o3ref.verify.callables`; wrap a function of ``xyz`` alone with
    :func:`o3ref.verify.callables.from_xyz_function`.
    """
    values = _sh_checked(sh, l_max)
    xyz = np.random.default_rng(seed).standard_normal((n_points, 3))
    t = tolerance("sh", l_max)
    return assert_equivariant(
        values, xyz, rotate_points, sh_rotator(l_max), tol=Tolerance(
            4 * t.atol, 0.0, "SH error on both sides plus the D product: 4x the SH policy"
        ), seed=seed
    )


def sphere_quadrature(degree: int) -> tuple[np.ndarray, np.ndarray]:
    """Points ``(n, 3)`` and weights integrating polynomials of ``degree`` on the unit sphere
    exactly (Gauss-Legendre in ``cos(theta)`` times uniform ``phi``); weights sum to 4 pi."""
    n_theta = degree // 2 + 1
    n_phi = degree + 1
    ct, wt = np.polynomial.legendre.leggauss(n_theta)
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    st = np.sqrt(1 - ct**2)
    pts = np.stack(
        [
            np.outer(st, np.cos(phi)).ravel(),
            np.outer(st, np.sin(phi)).ravel(),
            np.repeat(ct, n_phi),
        ],
        axis=1,
    )
    w = np.repeat(wt, n_phi) * (2 * np.pi / n_phi)
    return pts, w


def assert_orthonormal_sh(sh: Callable, l_max: int) -> ComparisonReport:
    """``int Y_lm Y_l'm' dOmega = delta`` for ``sh(l_max, xyz) -> (n, (l_max+1)**2)``
    (:mod:`o3ref.verify.callables`), on a quadrature exact to degree ``2 l_max``."""
    values = _sh_checked(sh, l_max)
    pts, w = sphere_quadrature(2 * l_max)
    y = values(pts)
    gram = (y * w[:, None]).T @ np.conj(y)
    t = tolerance("sh", l_max)
    return _check(
        compare_arrays(
            gram,
            np.eye(y.shape[1]),
            atol=4 * (2 * l_max + 1) * t.atol,
            label="Gram matrix",
            names=["row (l*l+l+m)", "column (l*l+l+m)"],
        ),
        "orthonormality on the sphere",
    )


def assert_orthogonal(matrices, tol: Tolerance | None = None) -> ComparisonReport:
    """``D D^dagger = I`` for a matrix ``(d, d)`` or a stack ``(n, d, d)``."""
    m = _array(matrices, "matrices")
    if m.ndim == 2:
        m = m[None]
    if m.ndim != 3 or m.shape[-1] != m.shape[-2]:
        raise ValueError(f"matrices has shape {m.shape}; it must be (d, d) or (n, d, d)")
    d = m.shape[-1]
    prod = m @ np.conj(np.swapaxes(m, -1, -2))
    eye = np.broadcast_to(np.eye(d), prod.shape)
    if tol is None:
        tol = tolerance("wigner_d", (d - 1) // 2)
    return _check(compare_arrays(prod, eye, tol, label="D D^T"), "orthogonality D D^T = I")


def _d_on_matrices(wigner_d: Callable, l: int, rotations: np.ndarray, takes: str) -> np.ndarray:
    # the user's D at each rotation of a stack (n, 3, 3), checked to be (2l+1, 2l+1)
    if takes == "angles":
        args = [tuple(float(t) for t in a) for a in matrix_to_euler(rotations)]
    else:
        args = [(R,) for R in rotations]
    out = []
    for a in args:
        d = np.asarray(wigner_d(l, *a))
        if d.shape != (2 * l + 1, 2 * l + 1):
            raise AssertionError(
                f"wigner_d(l={l}, ...) returned shape {d.shape}; the convention "
                f"wigner_d(l, ...) returns (2l+1, 2l+1) = {(2 * l + 1, 2 * l + 1)}"
            )
        out.append(d)
    return np.stack(out)


def assert_homomorphism(
    wigner_d: Callable,
    l: int,
    *,
    takes: str = "angles",
    n_pairs: int = 4,
    tol: Tolerance | None = None,
    seed: int = 0,
) -> ComparisonReport:
    """``D(R1 R2) = D(R1) D(R2)`` and ``D(I) = I`` for the degree-``l`` representation.

    ``wigner_d(l, alpha, beta, gamma) -> (2l+1, 2l+1)`` (ZYZ Euler angles of an active
    rotation, :mod:`o3ref.verify.callables`); with ``takes="matrix"``, ``wigner_d(l, R)`` for a
    rotation matrix ``R (3, 3)``. A batched function of matrices, ``d_func(R (n, 3, 3))``, goes
    through :func:`o3ref.verify.callables.from_matrix_function`. The angles come from
    :func:`matrix_to_euler` of random rotations, so a function using other Euler angles fails.
    The tolerance defaults to 3x the Wigner-D policy (three evaluations).
    """
    if takes not in ("angles", "matrix"):
        raise ValueError(f"takes={takes!r} must be 'angles' or 'matrix'")
    require_signature(wigner_d, "wigner_d" if takes == "angles" else "wigner_d_matrix")
    if isinstance(l, bool) or not isinstance(l, (int, np.integer)) or l < 0:
        raise ValueError(f"l={l!r} must be a non-negative integer")
    l = int(l)
    r1 = random_rotations(n_pairs, seed)
    r2 = random_rotations(n_pairs, seed + 1)
    d12 = _d_on_matrices(wigner_d, l, r1 @ r2, takes)
    if tol is None:
        tol = tolerance("wigner_d", l)
        tol = Tolerance(3 * tol.atol, 0.0, "three D evaluations: 3x the D policy")
    d1 = _d_on_matrices(wigner_d, l, r1, takes)
    d2 = _d_on_matrices(wigner_d, l, r2, takes)
    rep = compare_arrays(d12, d1 @ d2, tol, label="D(R1 R2)")
    _check(rep, "homomorphism D(R1 R2) = D(R1) D(R2)")
    d_id = _d_on_matrices(wigner_d, l, np.eye(3)[None], takes)
    return _check(compare_arrays(d_id[0], np.eye(2 * l + 1), tol, label="D(I)"), "D(I) = I")


def assert_parity(sh: Callable, l_max: int, n_points: int = 16, seed: int = 0):
    """``Y_lm(-r) = (-1)^l Y_lm(r)`` for ``sh(l_max, xyz) -> (n, (l_max+1)**2)``
    (:mod:`o3ref.verify.callables`)."""
    values = _sh_checked(sh, l_max)
    xyz = np.random.default_rng(seed).standard_normal((n_points, 3))
    sign = np.concatenate([np.full(2 * l + 1, (-1.0) ** l) for l in range(l_max + 1)])
    return _check(
        compare_arrays(
            values(-xyz),
            values(xyz) * sign,
            tolerance("sh", l_max),
            label="Y(-r)",
            names=["point", "l*l+l+m"],
        ),
        "parity Y_lm(-r) = (-1)^l Y_lm(r)",
    )


def assert_gradient_fd(
    func: Callable,
    grad_func: Callable,
    x,
    *,
    h: float = 1e-3,
    atol: float | None = None,
) -> ComparisonReport:
    """Gradients against 5-point central differences.

    ``func(x) -> (n, k)`` and ``grad_func(x) -> (n, 3, k)`` (the layout of sphericart and
    ``o3ref.fast``) for points ``x`` of shape ``(n, 3)``. The 5-point stencil has truncation
    error ``h^4 |f^(5)| / 30`` and rounding ``~ eps |f| / h``; the default ``atol``,
    ``1e4 * eps / h`` times the largest value, covers both for smooth functions of moderate
    degree at ``h = 1e-3``.
    """
    x = np.asarray(x, dtype=np.float64)
    g = np.asarray(grad_func(x))
    f0 = np.asarray(func(x))
    fd = np.zeros_like(g)
    for a in range(3):
        step = np.zeros(3)
        step[a] = h
        fd[:, a] = (
            -np.asarray(func(x + 2 * step))
            + 8 * np.asarray(func(x + step))
            - 8 * np.asarray(func(x - step))
            + np.asarray(func(x - 2 * step))
        ) / (12 * h)
    if atol is None:
        atol = 1e4 * eps(np.float64) / h * max(1.0, float(np.max(np.abs(f0))))
    return _check(
        compare_arrays(g, fd, atol=atol, label="gradient", names=["point", "direction", "output"]),
        "gradient = finite differences",
    )
