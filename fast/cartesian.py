"""Cartesian vectors and rank-2 tensors to spherical (real, l-indexed) form and back.

Conventions: :mod:`o3ref.reference.conventions` — a vector ``(x, y, z)`` is the ``l = 1``
spherical vector ``(y, z, x)`` (m = -1, 0, 1; no scaling, no sign); a rank-2 tensor ``T``
couples to ``L = 0, 1, 2`` with the real CG of ``(1, 1)``:
``T_L[M] = sum C[m1, m2, M] T_sph[m1, m2]`` with ``T_sph = P T P^T``. The inverse uses the
orthogonality of the CG, so round trips are exact to rounding. Under a rotation,
``T -> R T R^T`` maps ``T_L -> D_real^L(R) T_L``.

Every function takes the axis (or axes) that hold the Cartesian components explicitly: an
array is never searched for "an axis of length 3".

>>> import numpy as np
>>> xyz_to_spherical(np.array([1.0, 2.0, 3.0]))
array([2., 3., 1.])
>>> parts = tensor_to_spherical(np.eye(3))
>>> np.round(parts[0] * np.sqrt(3), 12) + 0.0  # the (1,1)->0 CG is -(u.v)/sqrt3
array([-3.])
"""

from __future__ import annotations

import numpy as np

from .clebsch_gordan import couple, decouple
from .rotations import as_float_array

__all__ = ["xyz_to_spherical", "spherical_to_xyz", "tensor_to_spherical", "spherical_to_tensor"]

# (x, y, z) -> (y, z, x) and back, as index permutations
_TO_SPH = np.array([1, 2, 0])
_TO_XYZ = np.array([2, 0, 1])


def _check_axis(name: str, arr: np.ndarray, axis: int) -> int:
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"axis={axis} is out of range for {name} of shape {arr.shape}")
    if arr.shape[axis] != 3:
        raise ValueError(
            f"{name} must have 3 components along axis {axis}, got shape {arr.shape}"
        )
    return axis % arr.ndim


def xyz_to_spherical(v, axis: int = -1) -> np.ndarray:
    """``(x, y, z)`` along ``axis`` to the ``l = 1`` components ``(y, z, x)``."""
    v = as_float_array("v", v)
    axis = _check_axis("v", v, axis)
    return np.take(v, _TO_SPH, axis=axis)


def spherical_to_xyz(v, axis: int = -1) -> np.ndarray:
    """``l = 1`` components ``(y, z, x)`` along ``axis`` back to ``(x, y, z)``."""
    v = as_float_array("v", v)
    axis = _check_axis("v", v, axis)
    return np.take(v, _TO_XYZ, axis=axis)


def tensor_to_spherical(t, axes: tuple[int, int] = (-2, -1)) -> dict[int, np.ndarray]:
    """Rank-2 Cartesian tensors (indices along ``axes``) to ``{L: (..., 2L+1)}``, L = 0, 1, 2.

    ``L = 0`` is ``-trace/sqrt3``, ``L = 1`` the antisymmetric part, ``L = 2`` the symmetric
    traceless part; the remaining axes keep their order and ``M`` is last.
    """
    t = as_float_array("t", t)
    if len(axes) != 2:
        raise ValueError(f"axes must be two axes, got axes={axes}")
    a0 = _check_axis("t", t, axes[0])
    a1 = _check_axis("t", t, axes[1])
    if a0 == a1:
        raise ValueError(f"axes must be two different axes, got axes={axes}")
    t = np.moveaxis(t, (a0, a1), (-2, -1))
    t = t[..., _TO_SPH, :][..., _TO_SPH]
    return couple(t, 1, 1, axes=(-2, -1))


def spherical_to_tensor(parts: dict, axes: tuple[int, int] = (-2, -1)) -> np.ndarray:
    """Inverse of :func:`tensor_to_spherical`: ``{0, 1, 2}`` parts (M last) to Cartesian ``T``."""
    if not isinstance(parts, dict):
        raise TypeError(
            f"parts must be a dict {{L: array}} for L = 0, 1, 2, got {type(parts).__name__}"
        )
    checked = {L: as_float_array(f"parts[{L}]", p) for L, p in parts.items()}
    t = decouple(checked, 1, 1, axes=(-2, -1))
    t = t[..., _TO_XYZ, :][..., _TO_XYZ]
    return np.moveaxis(t, (-2, -1), axes)
