"""Cartesian <-> spherical tensors of o3ref.fast: exact round trips, explicit axes, the
closed forms of CONVENTIONS.md, and rotation behaviour against fast Wigner D."""

from __future__ import annotations

import math

import numpy as np
import pytest

import o3ref.reference as reference
from o3ref.fast import random_rotations, wigner_D_real_blocks
from o3ref.fast.cartesian import (
    spherical_to_tensor,
    spherical_to_xyz,
    tensor_to_spherical,
    xyz_to_spherical,
)
from o3ref.verify.tolerances import tolerance


def test_vector_convention_and_round_trip():
    np.testing.assert_array_equal(xyz_to_spherical([1.0, 2.0, 3.0]), [2.0, 3.0, 1.0])
    v = np.random.default_rng(0).normal(size=(3, 5, 3))
    for axis in (0, 2, -1):
        np.testing.assert_array_equal(spherical_to_xyz(xyz_to_spherical(v, axis), axis), v)
    # the axis is explicit: the first axis of length 3 is not the one converted by default
    np.testing.assert_array_equal(xyz_to_spherical(v, axis=0)[0], v[1])


def test_vector_vs_reference():
    v = [1, -2, 5]
    ours = xyz_to_spherical(np.array(v, dtype=float))
    np.testing.assert_array_equal(ours, np.array(reference.vector_to_spherical(v), float).ravel())


def test_tensor_round_trip_exact():
    t = np.random.default_rng(1).normal(size=(7, 3, 3))
    parts = tensor_to_spherical(t)
    assert [parts[L].shape for L in (0, 1, 2)] == [(7, 1), (7, 3), (7, 5)]
    tol = tolerance("cartesian", scale=np.abs(t).max()).atol
    np.testing.assert_allclose(spherical_to_tensor(parts), t, atol=tol, rtol=0)


def test_tensor_axes_explicit():
    t = np.random.default_rng(2).normal(size=(3, 4, 3))  # indices on axes 0 and 2
    parts = tensor_to_spherical(t, axes=(0, 2))
    ref = tensor_to_spherical(np.moveaxis(t, (0, 2), (-2, -1)))
    for L in range(3):
        np.testing.assert_array_equal(parts[L], ref[L])
    np.testing.assert_allclose(spherical_to_tensor(parts, axes=(0, 2)), t,
                               atol=tolerance("cartesian", scale=np.abs(t).max()).atol)


def test_tensor_closed_forms():
    """L=0 is -trace/sqrt3, L=1 the antisymmetric part as (u x v)/sqrt2 in (y, z, x), L=2
    vanishes for isotropic and antisymmetric tensors."""
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=3), rng.normal(size=3)
    parts = tensor_to_spherical(np.outer(u, v))
    tol = tolerance("cartesian", scale=np.abs(np.outer(u, v)).max()).atol
    assert abs(parts[0][0] - (-(u @ v) / math.sqrt(3))) <= tol
    np.testing.assert_allclose(parts[1], np.cross(u, v)[[1, 2, 0]] / math.sqrt(2), atol=tol)
    iso = tensor_to_spherical(2.5 * np.eye(3))
    np.testing.assert_allclose(iso[1], 0, atol=tolerance("cartesian", scale=2.5).atol)
    np.testing.assert_allclose(iso[2], 0, atol=tolerance("cartesian", scale=2.5).atol)


def test_tensor_rotation():
    """T -> R T R^T maps T_L -> D^L(R) T_L."""
    R = random_rotations(4, seed=4)
    t = np.random.default_rng(5).normal(size=(4, 3, 3))
    D = wigner_D_real_blocks(2, R)
    rot = tensor_to_spherical(R @ t @ R.transpose(0, 2, 1))
    parts = tensor_to_spherical(t)
    for L in range(3):
        # conversions within the cartesian policy, D within its own, 2L+1 terms
        size = np.abs(t).max() * 3
        tol = (2 * tolerance("cartesian").atol + (2 * L + 1) * tolerance("wigner_d", L).atol) * size
        np.testing.assert_allclose(rot[L], np.einsum("nab,nb->na", D[L], parts[L]), atol=tol)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: xyz_to_spherical(np.zeros((3, 4))), ValueError,
         r"v must have 3 components along axis -1, got shape \(3, 4\)"),
        (lambda: xyz_to_spherical(np.zeros(3), axis=1), ValueError,
         r"axis=1 is out of range for v of shape \(3,\)"),
        (lambda: xyz_to_spherical(np.array([1j, 0, 0])), TypeError, r"v must be an array of real"),
        (lambda: tensor_to_spherical(np.zeros((3, 3)), axes=(0, 0)), ValueError,
         r"axes must be two different axes, got axes=\(0, 0\)"),
        (lambda: tensor_to_spherical(np.zeros((3, 2))), ValueError,
         r"t must have 3 components along axis -1"),
        (lambda: spherical_to_tensor([np.zeros(1)]), TypeError, r"parts must be a dict"),
        (lambda: spherical_to_tensor({0: np.zeros(1), 1: np.full(3, np.nan), 2: np.zeros(5)}),
         ValueError, r"parts\[1\] must be finite"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
