"""Batched rotations: ZYZ Euler angles, matrices, unit quaternions, axis-angle.

Conventions: :mod:`o3ref.reference.conventions`. Rotations are active (``r -> R r``);
``R(alpha, beta, gamma) = Rz(alpha) @ Ry(beta) @ Rz(gamma)`` (intrinsic z-y'-z'', scipy
``Rotation.from_euler("ZYZ", ...)``). Quaternions are **scalar-first** ``(w, x, y, z)``,
``q = (cos(t/2), sin(t/2) n)`` for the rotation by ``t`` about the unit axis ``n``, and the
Hamilton product ``q1 * q2`` is the rotation ``R(q1) @ R(q2)``.

Canonical forms returned by the ``*_to_*`` conversions (so that round trips are defined):

- Euler angles: ``alpha, gamma`` in ``(-pi, pi]``, ``beta`` in ``[0, pi]``. At gimbal lock
  (``beta`` within ``GIMBAL_TOL`` of ``0`` or ``pi``) only ``alpha +- gamma`` is defined; we
  return ``gamma = 0``.
- Quaternions: ``w >= 0``; when ``w == 0`` the first non-zero of ``(x, y, z)`` is positive.
- Axis-angle: angle in ``[0, pi]``; for angle ``0`` the axis is ``(0, 0, 1)``.

Input rules (all public functions): arrays of real numbers (integer arrays are converted to
float64; bool, complex and object arrays raise ``TypeError``), finite values, documented
trailing shapes; rotation matrices must be orthogonal with determinant +1 and quaternions
of unit norm, both within ``ORTHOGONALITY_TOL``.

>>> import numpy as np
>>> np.round(rotation_matrix(np.pi / 2, 0.0, 0.0) @ [1.0, 0.0, 0.0], 12) + 0.0
array([0., 1., 0.])
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "GIMBAL_TOL",
    "ORTHOGONALITY_TOL",
    "as_float_array",
    "check_rotation_matrices",
    "check_quaternions",
    "rotation_matrix",
    "euler_to_matrix",
    "matrix_to_euler",
    "quaternion_to_matrix",
    "matrix_to_quaternion",
    "euler_to_quaternion",
    "quaternion_to_euler",
    "axis_angle_to_matrix",
    "matrix_to_axis_angle",
    "axis_angle_to_quaternion",
    "quaternion_to_axis_angle",
    "compose_rotations",
    "inverse_rotation",
    "quaternion_multiply",
    "quaternion_inverse",
    "random_quaternions",
    "random_rotations",
]

GIMBAL_TOL = 1e-15
ORTHOGONALITY_TOL = 1e-10


def as_float_array(name: str, value, trailing: tuple | None = None) -> np.ndarray:
    """``value`` as a finite float64 array, checking its dtype and its trailing shape.

    Integer arrays are converted (exactly, for |values| < 2**53); bool, complex, object and
    string inputs raise ``TypeError``; NaN or inf raise ``ValueError``.

    >>> as_float_array("xyz", [[1, 2, 3]], (3,))
    array([[1., 2., 3.]])
    """
    arr = np.asarray(value)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
    ):
        raise TypeError(
            f"{name} must be an array of real numbers (float or int), got dtype {arr.dtype}"
        )
    arr = np.asarray(arr, dtype=np.float64)
    if trailing is not None:
        nt = len(trailing)
        if arr.ndim < nt or tuple(arr.shape[arr.ndim - nt :]) != tuple(trailing):
            want = ", ".join(["..."] + [str(t) for t in trailing])
            raise ValueError(f"{name} must have shape ({want}), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite, got NaN or inf at index {_first_bad(arr)}")
    return arr


def _first_bad(arr: np.ndarray):
    idx = np.argwhere(~np.isfinite(arr))[0]
    return tuple(int(i) for i in idx)


def check_rotation_matrices(name: str, value, tol: float = ORTHOGONALITY_TOL) -> np.ndarray:
    """``value`` as float64 ``(..., 3, 3)`` after checking ``R R^T = 1`` and ``det R = +1``."""
    R = as_float_array(name, value, (3, 3))
    err = np.abs(R @ np.swapaxes(R, -1, -2) - np.eye(3)).max(axis=(-1, -2))
    if R.size and (err > tol).any():
        i = int(np.argmax(err))
        raise ValueError(
            f"{name} must be orthogonal (|R R^T - 1| <= {tol}), got |R R^T - 1| = "
            f"{float(err.flat[i]):.3g} for the matrix at flat index {i}"
        )
    det = np.linalg.det(R)
    if R.size and (det < 0).any():
        i = int(np.argmin(det))
        raise ValueError(
            f"{name} must be proper rotations (det R = +1), got det R = {float(det.flat[i]):.3g} "
            f"at flat index {i}; an improper rotation -R acts as (-1)^l D(R)"
        )
    return R


def check_quaternions(name: str, value, tol: float = ORTHOGONALITY_TOL) -> np.ndarray:
    """``value`` as float64 ``(..., 4)`` after checking unit norm."""
    q = as_float_array(name, value, (4,))
    err = np.abs(np.sum(q * q, axis=-1) - 1.0)
    if q.size and (err > tol).any():
        i = int(np.argmax(err))
        raise ValueError(
            f"{name} must be unit quaternions (| |q|^2 - 1 | <= {tol}), got |q|^2 - 1 = "
            f"{float(np.sum(q * q, axis=-1).flat[i] - 1):.3g} at flat index {i}"
        )
    return q


def _rz(t: np.ndarray) -> np.ndarray:
    c, s = np.cos(t), np.sin(t)
    out = np.zeros(t.shape + (3, 3))
    out[..., 0, 0] = c
    out[..., 0, 1] = -s
    out[..., 1, 0] = s
    out[..., 1, 1] = c
    out[..., 2, 2] = 1.0
    return out


def _ry(t: np.ndarray) -> np.ndarray:
    c, s = np.cos(t), np.sin(t)
    out = np.zeros(t.shape + (3, 3))
    out[..., 0, 0] = c
    out[..., 0, 2] = s
    out[..., 2, 0] = -s
    out[..., 2, 2] = c
    out[..., 1, 1] = 1.0
    return out


def rotation_matrix(alpha, beta, gamma) -> np.ndarray:
    """``Rz(alpha) @ Ry(beta) @ Rz(gamma)``, batched over the broadcast shape of the angles.

    Conventions: :mod:`o3ref.reference.conventions` (active ZYZ).

    >>> R = rotation_matrix(0.0, np.pi / 2, 0.0)
    >>> np.round(R @ [0.0, 0.0, 1.0], 12) + 0.0
    array([1., 0., 0.])
    """
    a = as_float_array("alpha", alpha)
    b = as_float_array("beta", beta)
    g = as_float_array("gamma", gamma)
    a, b, g = np.broadcast_arrays(a, b, g)
    return _rz(a) @ _ry(b) @ _rz(g)


def euler_to_matrix(angles) -> np.ndarray:
    """ZYZ angles ``(..., 3)`` = ``(alpha, beta, gamma)`` to matrices ``(..., 3, 3)``."""
    angles = as_float_array("angles", angles, (3,))
    return rotation_matrix(angles[..., 0], angles[..., 1], angles[..., 2])


def _wrap(t: np.ndarray) -> np.ndarray:
    """Angles mapped to ``(-pi, pi]``."""
    out = np.pi - np.mod(np.pi - t, 2 * np.pi)
    return out


def _matrix_to_euler(R: np.ndarray) -> np.ndarray:
    """ZYZ angles, each combination taken where it is well conditioned.

    ``alpha + gamma`` is read from the upper 2x2 block (exact near ``beta = 0``),
    ``alpha - gamma`` likewise near ``beta = pi``; the other combination comes from the
    textbook ``alpha = atan2(R12, R02)``, ``gamma = atan2(R21, -R20)`` (error ~eps/sin beta,
    which any function of the rotation only feels multiplied by ~sin beta).
    """
    sin_b = np.hypot(R[..., 0, 2], R[..., 1, 2])
    beta = np.arctan2(sin_b, R[..., 2, 2])
    alpha_t = np.arctan2(R[..., 1, 2], R[..., 0, 2])
    gamma_t = np.arctan2(R[..., 2, 1], -R[..., 2, 0])
    s = np.arctan2(R[..., 1, 0] - R[..., 0, 1], R[..., 0, 0] + R[..., 1, 1])
    d = np.arctan2(-(R[..., 1, 0] + R[..., 0, 1]), R[..., 1, 1] - R[..., 0, 0])
    upper = R[..., 2, 2] >= 0
    s = np.where(upper, s, alpha_t + gamma_t)
    d = np.where(upper, alpha_t - gamma_t, d)
    alpha = 0.5 * (s + d)
    # (s + d)/2 is defined up to pi: take the branch nearest to the textbook alpha
    alpha = np.where(np.abs(_wrap(alpha - alpha_t)) > np.pi / 2, alpha + np.pi, alpha)
    gamma = s - alpha
    # gimbal lock: only alpha + gamma (beta = 0) or alpha - gamma (beta = pi) is defined
    lock0 = beta < GIMBAL_TOL
    lockpi = beta > np.pi - GIMBAL_TOL
    alpha = np.where(lock0, s, np.where(lockpi, d, alpha))
    gamma = np.where(lock0 | lockpi, 0.0, gamma)
    return np.stack([_wrap(alpha), beta, _wrap(gamma)], axis=-1)


def matrix_to_euler(R) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)`` to ZYZ angles ``(..., 3)`` (canonical form above).

    >>> matrix_to_euler(rotation_matrix(0.3, 0.0, 0.2)).round(12) + 0.0
    array([0.5, 0. , 0. ])
    """
    return _matrix_to_euler(check_rotation_matrices("R", R))


def _quaternion_to_matrix(q: np.ndarray) -> np.ndarray:
    w, x, y, z = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    out = np.empty(q.shape[:-1] + (3, 3))
    out[..., 0, 0] = 1 - 2 * (y * y + z * z)
    out[..., 0, 1] = 2 * (x * y - w * z)
    out[..., 0, 2] = 2 * (x * z + w * y)
    out[..., 1, 0] = 2 * (x * y + w * z)
    out[..., 1, 1] = 1 - 2 * (x * x + z * z)
    out[..., 1, 2] = 2 * (y * z - w * x)
    out[..., 2, 0] = 2 * (x * z - w * y)
    out[..., 2, 1] = 2 * (y * z + w * x)
    out[..., 2, 2] = 1 - 2 * (x * x + y * y)
    return out


def quaternion_to_matrix(q) -> np.ndarray:
    """Unit quaternions ``(..., 4)``, scalar first ``(w, x, y, z)``, to matrices ``(..., 3, 3)``.

    >>> s = np.sqrt(0.5)
    >>> np.round(quaternion_to_matrix([s, 0.0, 0.0, s]) @ [1.0, 0.0, 0.0], 12) + 0.0
    array([0., 1., 0.])
    """
    return _quaternion_to_matrix(check_quaternions("q", q))


def _canonical_quaternion(q: np.ndarray) -> np.ndarray:
    sign = np.sign(q[..., 0])
    for k in (1, 2, 3):
        sign = np.where(sign == 0, np.sign(q[..., k]), sign)
    return q * np.where(sign == 0, 1.0, sign)[..., None]


def _matrix_to_quaternion(R: np.ndarray) -> np.ndarray:
    # Shepperd's method: pick the largest of 4 w^2, 4 x^2, 4 y^2, 4 z^2 for stability
    tr = R[..., 0, 0] + R[..., 1, 1] + R[..., 2, 2]
    cand = np.stack([tr, R[..., 0, 0], R[..., 1, 1], R[..., 2, 2]], axis=-1)
    k = np.argmax(cand, axis=-1)
    r = R
    with np.errstate(divide="ignore", invalid="ignore"):
        t0 = 2 * np.sqrt(np.maximum(1 + tr, 0.0))
        q0 = np.stack(
            [t0 / 4, (r[..., 2, 1] - r[..., 1, 2]) / t0, (r[..., 0, 2] - r[..., 2, 0]) / t0,
             (r[..., 1, 0] - r[..., 0, 1]) / t0],
            axis=-1,
        )
        t1 = 2 * np.sqrt(np.maximum(1 + r[..., 0, 0] - r[..., 1, 1] - r[..., 2, 2], 0.0))
        q1 = np.stack(
            [(r[..., 2, 1] - r[..., 1, 2]) / t1, t1 / 4, (r[..., 0, 1] + r[..., 1, 0]) / t1,
             (r[..., 0, 2] + r[..., 2, 0]) / t1],
            axis=-1,
        )
        t2 = 2 * np.sqrt(np.maximum(1 - r[..., 0, 0] + r[..., 1, 1] - r[..., 2, 2], 0.0))
        q2 = np.stack(
            [(r[..., 0, 2] - r[..., 2, 0]) / t2, (r[..., 0, 1] + r[..., 1, 0]) / t2, t2 / 4,
             (r[..., 1, 2] + r[..., 2, 1]) / t2],
            axis=-1,
        )
        t3 = 2 * np.sqrt(np.maximum(1 - r[..., 0, 0] - r[..., 1, 1] + r[..., 2, 2], 0.0))
        q3 = np.stack(
            [(r[..., 1, 0] - r[..., 0, 1]) / t3, (r[..., 0, 2] + r[..., 2, 0]) / t3,
             (r[..., 1, 2] + r[..., 2, 1]) / t3, t3 / 4],
            axis=-1,
        )
    kk = k[..., None]
    q = np.where(kk == 0, q0, np.where(kk == 1, q1, np.where(kk == 2, q2, q3)))
    q /= np.linalg.norm(q, axis=-1, keepdims=True)
    return _canonical_quaternion(q)


def matrix_to_quaternion(R) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)`` to canonical unit quaternions ``(..., 4)`` (w first)."""
    return _matrix_to_quaternion(check_rotation_matrices("R", R))


def _euler_to_quaternion(angles: np.ndarray) -> np.ndarray:
    a, b, g = angles[..., 0], angles[..., 1], angles[..., 2]
    # qz(a) qy(b) qz(g) in closed form
    cb, sb = np.cos(b / 2), np.sin(b / 2)
    sp, dm = (a + g) / 2, (a - g) / 2
    q = np.stack([cb * np.cos(sp), -sb * np.sin(dm), sb * np.cos(dm), cb * np.sin(sp)], axis=-1)
    return _canonical_quaternion(q)


def euler_to_quaternion(angles) -> np.ndarray:
    """ZYZ angles ``(..., 3)`` to canonical unit quaternions ``(..., 4)`` (w first)."""
    return _euler_to_quaternion(as_float_array("angles", angles, (3,)))


def quaternion_to_euler(q) -> np.ndarray:
    """Unit quaternions ``(..., 4)`` (w first) to ZYZ angles ``(..., 3)`` (canonical form)."""
    return _matrix_to_euler(_quaternion_to_matrix(check_quaternions("q", q)))


def _axis_angle_to_quaternion(axis: np.ndarray, angle: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(axis, axis=-1)
    if axis.size and (np.abs(norm - 1) > ORTHOGONALITY_TOL).any():
        i = int(np.argmax(np.abs(norm - 1)))
        raise ValueError(
            f"axis must be unit vectors (| |n| - 1 | <= {ORTHOGONALITY_TOL}), got |n| = "
            f"{float(norm.flat[i]):.6g} at flat index {i}"
        )
    axis, angle = np.broadcast_arrays(axis, angle[..., None])
    angle = angle[..., 0]
    q = np.concatenate([np.cos(angle / 2)[..., None], np.sin(angle / 2)[..., None] * axis], -1)
    return _canonical_quaternion(q)


def axis_angle_to_quaternion(axis, angle) -> np.ndarray:
    """Unit ``axis`` ``(..., 3)`` and ``angle`` ``(...)`` to canonical quaternions ``(..., 4)``."""
    return _axis_angle_to_quaternion(
        as_float_array("axis", axis, (3,)), as_float_array("angle", angle)
    )


def axis_angle_to_matrix(axis, angle) -> np.ndarray:
    """Rotation by ``angle`` about the unit ``axis`` (right-hand rule) as ``(..., 3, 3)``.

    >>> R = axis_angle_to_matrix([0.0, 0.0, 1.0], np.pi / 2)
    >>> np.round(R @ [1.0, 0.0, 0.0], 12) + 0.0
    array([0., 1., 0.])
    """
    return _quaternion_to_matrix(axis_angle_to_quaternion(axis, angle))


def _quaternion_to_axis_angle(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    q = _canonical_quaternion(q)
    v = q[..., 1:]
    # scale by the largest component first: for angles below ~1e-154 the squares in a plain
    # norm underflow to subnormals and the axis would come out with |n| != 1
    scale = np.max(np.abs(v), axis=-1)
    nonzero = scale > 0
    u = v / np.where(nonzero, scale, 1.0)[..., None]
    u_norm = np.linalg.norm(u, axis=-1)
    angle = 2 * np.arctan2(u_norm * scale, q[..., 0])
    axis = np.where(
        nonzero[..., None], u / np.where(nonzero, u_norm, 1.0)[..., None], np.array([0.0, 0.0, 1.0])
    )
    return axis, angle


def quaternion_to_axis_angle(q) -> tuple[np.ndarray, np.ndarray]:
    """Unit quaternions ``(..., 4)`` to ``(axis (..., 3), angle (...))``, angle in ``[0, pi]``."""
    return _quaternion_to_axis_angle(check_quaternions("q", q))


def matrix_to_axis_angle(R) -> tuple[np.ndarray, np.ndarray]:
    """Rotation matrices to ``(axis (..., 3), angle (...))``, angle in ``[0, pi]``."""
    return _quaternion_to_axis_angle(matrix_to_quaternion(R))


def compose_rotations(R1, R2) -> np.ndarray:
    """``R1 @ R2`` (first apply ``R2``, then ``R1``), batched with broadcasting."""
    return check_rotation_matrices("R1", R1) @ check_rotation_matrices("R2", R2)


def inverse_rotation(R) -> np.ndarray:
    """``R^T``, the inverse of each rotation matrix."""
    return np.swapaxes(check_rotation_matrices("R", R), -1, -2).copy()


def quaternion_multiply(q1, q2) -> np.ndarray:
    """Hamilton product ``q1 * q2`` (scalar first); ``R(q1 * q2) = R(q1) @ R(q2)``."""
    a = as_float_array("q1", q1, (4,))
    b = as_float_array("q2", q2, (4,))
    w1, x1, y1, z1 = np.moveaxis(a, -1, 0)
    w2, x2, y2, z2 = np.moveaxis(b, -1, 0)
    return np.stack(
        [
            w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
            w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
            w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
            w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
        ],
        axis=-1,
    )


def quaternion_inverse(q) -> np.ndarray:
    """Inverse of unit quaternions: the conjugate ``(w, -x, -y, -z)``."""
    q = check_quaternions("q", q)
    return q * np.array([1.0, -1.0, -1.0, -1.0])


def random_quaternions(n: int, seed=None) -> np.ndarray:
    """``n`` canonical unit quaternions, uniform (Haar) on SO(3): normalised 4D Gaussians."""
    from .indexing import check_l

    n = check_l("n", n)
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((n, 4))
    q /= np.linalg.norm(q, axis=-1, keepdims=True)
    return _canonical_quaternion(q)


def random_rotations(n: int, seed=None) -> np.ndarray:
    """``n`` rotation matrices ``(n, 3, 3)`` uniform (Haar) on SO(3), reproducible by ``seed``.

    >>> R = random_rotations(2, seed=0)
    >>> bool(np.allclose(R @ R.transpose(0, 2, 1), np.eye(3)))
    True
    """
    return _quaternion_to_matrix(random_quaternions(n, seed=seed))
