"""Float real Clebsch-Gordan coefficients of o3ref.fast: exhaustive comparison with the exact
reference (every triple with l1, l2 <= 12), sympy's complex CG, closed forms, equivariance,
orthogonality, the sparse form and couple/decouple."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import o3ref.reference as reference
from o3ref.fast import (
    cg_product,
    complex_clebsch_gordan,
    couple,
    decouple,
    random_rotations,
    real_clebsch_gordan,
    real_clebsch_gordan_sparse,
    wigner_D_real_blocks,
)
from o3ref.verify.tolerances import tolerance


def test_every_triple_vs_exact_reference():
    """|fast - exact| within the cg policy for every (l1, l2, L), l1, l2 <= 12; exact zeros
    stay zero."""
    worst = 0.0
    for l1 in range(13):
        for l2 in range(13):
            for L in range(abs(l1 - l2), l1 + l2 + 1):
                exact = reference.real_clebsch_gordan(l1, l2, L)
                ref = np.array(exact, dtype=float)
                ours = real_clebsch_gordan(l1, l2, L)
                err = np.abs(ours - ref).max()
                worst = max(worst, err)
                assert err <= tolerance("cg", L).atol, (l1, l2, L, err)
                np.testing.assert_array_equal(ours == 0, ref == 0)
    assert worst > 0  # the comparison did look at rounded numbers


def test_complex_vs_sympy():
    from sympy.physics.wigner import clebsch_gordan

    for l1, l2, L in [(1, 1, 0), (2, 1, 2), (3, 2, 4), (4, 4, 3)]:
        C = complex_clebsch_gordan(l1, l2, L)
        for m1 in range(-l1, l1 + 1):
            for m2 in range(-l2, l2 + 1):
                M = m1 + m2
                if abs(M) <= L:
                    exact = float(clebsch_gordan(l1, l2, L, m1, m2, M))
                    assert abs(C[m1 + l1, m2 + l2, M + L] - exact) <= tolerance("cg", L).atol


def test_closed_forms_l1():
    """(1,1)->0 is -(u.v)/sqrt3, (1,1)->1 is (u x v)/sqrt2 in (y, z, x) order (CONVENTIONS.md)."""
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=3), rng.normal(size=3)  # Cartesian
    P = [1, 2, 0]
    us, vs = u[P], v[P]
    C0, C1 = real_clebsch_gordan(1, 1, 0), real_clebsch_gordan(1, 1, 1)
    # nine products of O(|u||v|) values with coefficients within the cg policy
    tol = tolerance("cg", 1, scale=9 * np.linalg.norm(u) * np.linalg.norm(v)).atol
    assert abs(np.einsum("abM,a,b->M", C0, us, vs)[0] - (-u @ v / math.sqrt(3))) <= tol
    np.testing.assert_allclose(np.einsum("abM,a,b->M", C1, us, vs),
                               np.cross(u, v)[P] / math.sqrt(2), atol=tol)


@pytest.mark.parametrize("l1, l2, L", [(1, 1, 2), (2, 1, 1), (2, 2, 3), (1, 2, 2)])
def test_equivariance(impl, l1, l2, L):
    """sum C (D1 x)(D2 z) = D^L (sum C x z), with D from fast (checked against the
    reference in test_fast_wigner.py), for both implementations of C."""
    C = impl.cg(l1, l2, L)
    R = random_rotations(3, seed=5)
    D = wigner_D_real_blocks(max(l1, l2, L), R)
    rng = np.random.default_rng(1)
    x, z = rng.normal(size=2 * l1 + 1), rng.normal(size=2 * l2 + 1)
    for k in range(3):
        lhs = np.einsum("abM,a,b->M", C, D[l1][k] @ x, D[l2][k] @ z)
        rhs = D[L][k] @ np.einsum("abM,a,b->M", C, x, z)
        # D within its policy, C within its own, (2l1+1)(2l2+1) products of the O(|x||z|) inputs
        size = (2 * l1 + 1) * (2 * l2 + 1) * np.linalg.norm(x) * np.linalg.norm(z)
        tol = (tolerance("cg", L).atol + 3 * tolerance("wigner_d", max(l1, l2, L)).atol) * size
        np.testing.assert_allclose(lhs, rhs, atol=tol)


@settings(max_examples=15, deadline=None)
@given(l1=st.integers(0, 7), l2=st.integers(0, 7))
def test_orthogonality(l1, l2):
    """Over all L the real CG is an orthogonal change of basis (m1, m2) -> (L, M)."""
    cols = [real_clebsch_gordan(l1, l2, L).reshape((2 * l1 + 1) * (2 * l2 + 1), -1)
            for L in range(abs(l1 - l2), l1 + l2 + 1)]
    M = np.concatenate(cols, axis=1)
    # sums of (2l1+1)(2l2+1) products of coefficients within the cg policy
    tol = 2 * tolerance("cg", l1 + l2).atol
    np.testing.assert_allclose(M.T @ M, np.eye(M.shape[0]), atol=tol)
    np.testing.assert_allclose(M @ M.T, np.eye(M.shape[0]), atol=tol)


def test_triangle_rule_zero_and_cache_read_only():
    assert not real_clebsch_gordan(1, 1, 3).any()
    C = real_clebsch_gordan(2, 2, 2)
    assert C is real_clebsch_gordan(2, 2, 2)
    with pytest.raises(ValueError, match="read-only"):
        C[0, 0, 0] = 1.0


def test_sparse_matches_dense():
    for l1, l2, L in [(1, 1, 1), (3, 2, 4), (5, 5, 6)]:
        m1, m2, M, vals = real_clebsch_gordan_sparse(l1, l2, L)
        dense = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
        dense[m1, m2, M] = vals
        np.testing.assert_array_equal(dense, real_clebsch_gordan(l1, l2, L))
        assert (vals != 0).all()


def test_couple_decouple_round_trip_and_axes():
    rng = np.random.default_rng(2)
    t = rng.normal(size=(5, 4, 7, 6))  # m1 (l1=2) on axis 0, m2 (l2=3) on axis 2
    parts = couple(t, 2, 3, axes=(0, 2))
    assert sorted(parts) == [1, 2, 3, 4, 5]
    assert parts[5].shape == (4, 6, 11)
    back = decouple(parts, 2, 3, axes=(0, 2))
    # there and back: two sums over up to 35 products with coefficients within the cg policy
    tol = 2 * 35 * tolerance("cg", 5, scale=np.abs(t).max()).atol
    np.testing.assert_allclose(back, t, atol=tol)
    # cg_product equals couple of the outer product
    x, z = rng.normal(size=(4, 5)), rng.normal(size=(7, 4))
    prod = cg_product(x, z, 2, 3, 4, axis1=-1, axis2=0)
    outer = np.einsum("na,bn->nab", x, z)
    np.testing.assert_allclose(prod, couple(outer, 2, 3)[4],
                               atol=2 * 35 * tolerance("cg", 4, scale=np.abs(outer).max()).atol)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: real_clebsch_gordan(-1, 1, 1), ValueError, r"l1=-1 must be a non-negative"),
        (lambda: real_clebsch_gordan(1, 0.5, 1), TypeError, r"l2=0.5 must be a non-negative"),
        (lambda: real_clebsch_gordan(1, 1, "2"), TypeError, r"L='2' must be a non-negative"),
        (lambda: couple(np.zeros((3, 4)), 1, 1), ValueError,
         r"t must have 2\*1\+1 = 3 components along axis -1, got shape \(3, 4\)"),
        (lambda: decouple({0: np.zeros(1), 1: np.zeros(3)}, 1, 1), ValueError,
         r"parts must have the keys L = \[0, 1, 2\], got \[0, 1\]"),
        (lambda: cg_product(np.zeros(3), np.zeros(4), 1, 1, 1), ValueError,
         r"x2 must have 2\*1\+1 = 3 components"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
