"""o3ref.reference.coupling: exact ranks against the character counts, known
decompositions, and the basis tensors checked as symmetric, equivariant and independent."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from o3ref.fast import wigner_D_real_blocks
from o3ref.reference.coupling import coupling_basis, coupling_dimension
from o3ref.verify.properties import random_rotations
from o3ref.verify.tolerances import tolerance

IRREPS = ["0e", "1o", "1e", "2e", "2o", "3o", "3e", "2x1o", "0e+1o", "1o+1e", "0e+1o+2e+3o"]


@pytest.mark.parametrize("irreps", IRREPS)
def test_exact_rank_equals_character_count(irreps):
    l_in = max(int(t.split("x")[-1][0]) for t in irreps.split("+"))
    for degree, parity in itertools.product((1, 2, 3), (1, -1)):
        for L in range(0, degree * l_in + 2):
            b = coupling_basis(irreps, degree, L, parity)
            assert b.dimension == b.character_dimension, (degree, L, parity)


# Sym^nu V_l by hand (weights): Sym^2 V_1 = 0+2, Sym^3 V_1 = 1+3, Sym^2 V_2 = 0+2+4,
# Sym^3 V_2 = 0+2+3+4+6 (dim 35), Sym^2 V_3 = 0+2+4+6
KNOWN = {("1o", 2): {0: 1, 2: 1}, ("1o", 3): {1: 1, 3: 1}, ("2e", 2): {0: 1, 2: 1, 4: 1},
         ("2e", 3): {0: 1, 2: 1, 3: 1, 4: 1, 6: 1}, ("3o", 2): {0: 1, 2: 1, 4: 1, 6: 1}}


@pytest.mark.parametrize("key", sorted(KNOWN))
def test_character_counts_known_decompositions(key):
    irreps, degree = key
    parity = (-1 if irreps.endswith("o") else 1) ** degree
    counts = {L: coupling_dimension(irreps, degree, L, parity) for L in range(10)}
    assert {L: c for L, c in counts.items() if c} == KNOWN[key]
    assert all(coupling_dimension(irreps, degree, L, -parity) == 0 for L in range(10))


def _block_rotation(irreps_ls, D):
    dim = sum(2 * l + 1 for l in irreps_ls)
    out = np.zeros((dim, dim))
    start = 0
    for l in irreps_ls:
        out[start:start + 2 * l + 1, start:start + 2 * l + 1] = D[l]
        start += 2 * l + 1
    return out


@pytest.mark.parametrize("irreps,degree,L,parity", [("0e+1o", 3, 1, -1), ("2e", 3, 2, 1),
                                                     ("1o+1e", 2, 1, -1), ("2x1o", 2, 0, 1)])
def test_basis_symmetric_equivariant_independent(irreps, degree, L, parity):
    b = coupling_basis(irreps, degree, L, parity)
    assert b.dimension >= 1
    T = b.to_float()
    ls = [1, 1] if irreps == "2x1o" else [int(t[0]) for t in irreps.split("+")]
    R = random_rotations(2, 5)
    for r in R:
        Ds = wigner_D_real_blocks(max(ls + [L]), r[None])
        D = {l: Ds[l][0] for l in set(ls + [L])}
        G = _block_rotation(ls, D)
        for k in range(b.dimension):
            # sum_j T[j1..j_nu, M] G[j1, i1] ... G[j_nu, i_nu] = sum_N D[M, N] T[i1..i_nu, N]
            lhs = T[k]
            for _ in range(degree):
                lhs = np.tensordot(lhs, G, axes=([0], [0]))
            lhs = np.moveaxis(lhs, 0, -1)
            rhs = T[k] @ D[L].T
            scale = float(np.abs(T[k]).max()) * len(G) ** degree  # sums of dim^nu terms
            tol = tolerance("irreps_layer", max(ls + [L]), scale=scale)
            assert np.abs(lhs - rhs).max() <= tol.atol
            assert np.abs(rhs).max() > 1e3 * tol.atol  # the check can fail
    for k, perm in itertools.product(range(b.dimension), itertools.permutations(range(degree))):
        assert np.array_equal(T[k], np.transpose(T[k], perm + (degree,)))
    flat = T.reshape(b.dimension, -1)
    s = np.linalg.svd(flat, compute_uv=False)
    assert s[-1] > 1e-6 * s[0]  # independent well above rounding


def test_bad_arguments():
    with pytest.raises(ValueError, match="degree=0"):
        coupling_basis("1o", 0, 1, -1)
    with pytest.raises(ValueError, match="parity=2"):
        coupling_dimension("1o", 2, 1, 2)
    with pytest.raises(ValueError, match="term"):
        coupling_basis("1q", 2, 1, 1)
    with pytest.raises(TypeError, match="irreps"):
        coupling_dimension(3, 2, 1, 1)
