"""The mpmath route of coupling_basis (``dps=N``): against the exact route where both exist,
equivariant at its own precision beyond the exact limits (rotations from
``reference.wigner_D_real``, an independent derivation), and a certificate that sees an
error."""

from __future__ import annotations

import itertools

import mpmath
import numpy as np
import pytest

from o3ref.fast import wigner_D_real_blocks
from o3ref.reference import _coupling_mp
from o3ref.reference.coupling import (
    _copy_count,
    coupling_basis,
    coupling_dimension,
    exact_fits,
)
from o3ref.reference.wigner import wigner_D_real
from o3ref.verify.properties import random_rotations
from o3ref.verify.tolerances import tolerance

SMALL = [("0e+1o", 3, 1, -1), ("2e", 3, 2, 1), ("2x1o", 2, 0, 1), ("1o+1e", 2, 1, -1),
         ("0e+1o+2e", 3, 2, 1), ("2x1o+1e", 3, 1, 1), ("3o", 2, 4, 1), ("1o", 4, 0, 1)]


def _mp(v):
    return v.sign * mpmath.sqrt(mpmath.mpf(v.p) / v.q) if v.sign else mpmath.mpf(0)


def _orthonormal(vectors):
    out = []
    for v in vectors:
        for q in out:
            v = v - mpmath.fdot(v, q) * q
        n = mpmath.sqrt(mpmath.fdot(v, v))
        assert n > mpmath.mpf(10) ** -20  # the exact tensors are independent
        out.append(v / n)
    return out


@pytest.mark.parametrize("irreps,degree,L,parity", SMALL)
def test_mpmath_basis_spans_the_exact_space(irreps, degree, L, parity):
    dps = 30
    exact = coupling_basis(irreps, degree, L, parity)
    approx = coupling_basis(irreps, degree, L, parity, dps=dps)
    assert approx.dimension == exact.dimension == coupling_dimension(irreps, degree, L, parity)
    assert 0 < approx.error_bound <= 10.0**-dps and approx.gram_error <= 10.0**-dps
    with mpmath.workprec(approx.working_bits + 64):
        E = _orthonormal([mpmath.matrix([_mp(v) for v in t.ravel()]) for t in exact.tensors])
        for t in approx.tensors:
            a = mpmath.matrix(list(t.ravel()))
            assert abs(mpmath.sqrt(mpmath.fdot(a, a)) - 1) <= 10.0**-dps  # unit norm
            r = a - sum((mpmath.fdot(a, q) * q for q in E), mpmath.matrix(len(a), 1))
            # the measured distance from the exact span is within the stated bound
            assert mpmath.sqrt(mpmath.fdot(r, r)) <= approx.error_bound


def _polynomial(T, x):
    """``T(x, ..., x)`` for a dense tensor ``(d,) * nu + (2L+1,)`` and a vector ``x``."""
    out = T
    while out.ndim > 1:
        out = np.tensordot(x, out, axes=([0], [0]))
    return out


def test_beyond_the_exact_limits_equivariant_at_its_precision():
    irreps, degree, L, parity, dps = "2e", 6, 2, 1, 25
    assert not exact_fits(irreps, degree, L, parity)
    with pytest.raises(ValueError, match="dps=N"):
        coupling_basis(irreps, degree, L, parity)
    b = coupling_basis(irreps, degree, L, parity, dps=dps)
    assert b.dimension == b.character_dimension == 2
    assert b.error_bound <= 10.0**-dps and b.dps == dps
    angles = ("0.3", "1.1", "-2.0")  # any real angles; the D matrices are good to 10^-40
    D2, DL = (wigner_D_real(l, *angles, dps=40) for l in (2, L))
    rng = np.random.default_rng(5)
    with mpmath.workdps(40):
        for _ in range(2):
            x = np.array([mpmath.mpf(float(v)) for v in rng.standard_normal(5)], dtype=object)
            for T in b.tensors:
                lhs = _polynomial(T, D2.dot(x))
                rhs = DL.dot(_polynomial(T, x))
                scale = max(abs(v) for v in rhs)
                assert scale > 1e-3  # the check can fail
                # |x| ~ 2: a polynomial of degree 6 with unit coefficients, error <= 10^-dps each
                assert max(abs(p - q) for p, q in zip(lhs, rhs, strict=True)) <= \
                    10.0**-dps * 5**degree * 10
    # symmetric: the entries of a permuted index are the same objects' values
    T = b.tensors[0]
    for perm in itertools.islice(itertools.permutations(range(degree)), 5):
        assert all(a == c for a, c in zip(T.ravel(), np.transpose(T, perm + (degree,)).ravel(),
                                          strict=True))


def test_large_irrep_in_float64():
    """``5o`` at degree 4 (32 s exactly, refused now): float64 checks of the mpmath basis."""
    b = coupling_basis("5o", 4, 2, 1, dps=20)
    assert b.dimension == b.character_dimension == 4
    T = b.to_float()
    flat = T.reshape(4, -1)
    tol = tolerance("irreps_layer", 5, scale=1.0)
    assert np.abs(flat @ flat.T - np.eye(4)).max() <= tol.atol
    R = random_rotations(1, 3)[0]
    Ds = wigner_D_real_blocks(5, R[None])
    D5, D2 = Ds[5][0], Ds[2][0]
    for k in range(4):
        lhs = T[k]
        for _ in range(4):
            lhs = np.tensordot(lhs, D5, axes=([0], [0]))
        lhs = np.moveaxis(lhs, 0, -1)
        rhs = T[k] @ D2.T
        tol = tolerance("irreps_layer", 5, scale=float(np.abs(T[k]).max()) * 11**4)
        assert np.abs(lhs - rhs).max() <= tol.atol
        assert np.abs(rhs).max() > 1e3 * tol.atol


def test_the_certificate_sees_an_error():
    wp = _coupling_mp._wp(30)
    parts = ((1, 1), (2, 1))
    block = list(_coupling_mp._chain(parts, 2, wp, _copy_count))
    clean, _ = _coupling_mp._certify(block, parts, 2, wp)
    assert clean < 1e-40
    bad = [t.copy() for t in block]
    bad[0][0, 0, 0] += 1 << (wp - 30)  # 1e-9 of a unit tensor, not equivariant
    dirty, _ = _coupling_mp._certify(bad, parts, 2, wp)
    # one entry moved by d = 2^-30: its distance from the space is about d, the bound a few d
    assert 0.5 * 2.0**-30 < dirty < 10 * 2.0**-30


@pytest.mark.parametrize("dps", [0, -3, True, "30", 2.5, 1001])
def test_bad_dps(dps):
    with pytest.raises(ValueError, match="dps="):
        coupling_basis("1o", 2, 0, 1, dps=dps)


def test_refused_before_work():
    with pytest.raises(ValueError, match="MAX_MP_ENTRIES"):
        coupling_basis("8x2e", 4, 0, 1, dps=20)
    with pytest.raises(ValueError, match="MAX_TREE_WORK"):
        coupling_basis("5o", 4, 2, 1)


def test_decompose_polynomial_beyond_the_exact_limits():
    """A degree-6 layer on ``2e``: its degree-6 space is refused by the exact route, so the
    referee fits on the certified mpmath basis, and reaches it in full."""
    from o3ref.verify import decompose_polynomial

    bases = [coupling_basis("2e", nu, 2, 1, dps=None if exact_fits("2e", nu, 2, 1) else 20)
             .to_float() for nu in range(1, 7)]
    assert not exact_fits("2e", 6, 2, 1)

    def layer(seed):
        w = [np.random.default_rng(seed + nu).standard_normal(len(B))
             for nu, B in enumerate(bases)]

        def f(A):
            out = 0
            for B, ws in zip(bases, w, strict=True):
                V = np.tensordot(A, np.tensordot(ws, B, axes=(0, 0)), axes=([1], [0]))
                while V.ndim > 2:
                    V = np.einsum("si,si...->s...", A, V)
                out = out + V
            return out
        return f

    report = decompose_polynomial(layer(0), "2e", "2e", 6, samples=[layer(10)])
    assert report.passed, str(report)
    rows = {r.degree: r for r in report.rows}
    assert rows[6].exact_dim == rows[6].reached == 2
