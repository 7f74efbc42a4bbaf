"""Issue 10, class 4 (unbounded degree) and issue 13 item 2 (naming) for the real Wigner D.

``wigner_D_real_blocks(l_max, R)`` keeps memory proportional to its output: the ``(2l+1)^3``
beta tables are cached for ``l <= 32`` only, the J matrices take one rotation's output, and
a request above the memory budget is refused with its estimate before anything is built.
Oracles: orthogonality, the homomorphism ``D(R1 R2) = D(R1) D(R2)`` and
``Y(R r) = D(R) Y(r)`` with the independently derived harmonics; byte counts by formula.
"""

from __future__ import annotations

import numpy as np
import pytest

import o3ref.fast as fast
from o3ref.fast import wigner
from o3ref.fast.indexing import l_slice
from o3ref.verify.tolerances import tolerance


@pytest.fixture
def small_budget():
    previous = fast.set_memory_budget(100 * 2**20)
    yield
    fast.set_memory_budget(previous)


def _output_bytes(l_max: int, n: int) -> int:
    return 8 * n * sum((2 * l + 1) ** 2 for l in range(l_max + 1))


def test_alias_warns_and_returns_the_same():
    R = fast.random_rotations(2, seed=3)
    with pytest.warns(DeprecationWarning, match="use wigner_D_real_blocks"):
        old = fast.wigner_D_real(3, R)
    new = fast.wigner_D_real_blocks(3, R)
    assert len(old) == len(new) == 4
    for a, b in zip(old, new, strict=True):
        assert np.array_equal(a, b)


def test_l200_over_budget_refused_with_estimate(small_budget):
    before = len(wigner._J_CACHE)
    with pytest.raises(ValueError, match=r"l_max=200.*estimated (\d+) bytes") as info:
        fast.wigner_D_real_blocks(200, fast.random_rotations(2, seed=0))
    estimate = int(info.value.args[0].split("estimated ")[1].split(" ")[0])
    assert estimate >= _output_bytes(200, 2)  # at least the output itself
    assert estimate <= 4 * _output_bytes(200, 2)  # and no (2l+1)^3 table per l
    assert len(wigner._J_CACHE) == before  # refused before any work
    with pytest.raises(ValueError, match=r"l_max=200.*memory budget"):
        fast.WignerDReal(200)


def test_l1000_refused_at_the_default_budget():
    assert fast.memory_budget() == 4 * 2**30
    with pytest.raises(ValueError, match=r"l_max=1000.*set_memory_budget"):
        fast.wigner_D_real_blocks(1000, np.eye(3)[None])


def test_any_degree_refused_at_once():
    """The estimate is a closed form: l_max = 10**9 is refused without looping over l."""
    with pytest.raises(ValueError, match=r"l_max=1000000000.*estimated \d+ bytes"):
        fast.wigner_D_real_blocks(10**9, np.eye(3)[None])
    assert wigner._estimate_bytes(7, 3) >= _output_bytes(7, 4) + 8 * sum(
        (2 * l + 1) ** 3 for l in range(8))


def test_caches_proportionate_to_the_output():
    D = fast.wigner_D_real_blocks(40, fast.random_rotations(1, seed=5))
    assert wigner._beta_basis.cache_info().currsize <= wigner._BASIS_MAX + 1
    j_bytes = sum(J.nbytes for J in wigner._J_CACHE[:41])
    assert j_bytes == _output_bytes(40, 1) == sum(d[0].nbytes for d in D)


def test_above_the_cached_tables_still_a_representation():
    """l = 33..40 take the per-rotation product path: same properties as below."""
    R1, R2 = fast.random_rotations(2, seed=8)
    D1, D2, D12 = (fast.wigner_D_real_blocks(40, R[None]) for R in (R1, R2, R1 @ R2))
    xyz = np.random.default_rng(1).normal(size=(5, 3))
    sh = fast.SphericalHarmonics(40)
    Y, YR = sh.compute(xyz), sh.compute(xyz @ R1.T)
    for l in (32, 33, 36, 40):
        tol = tolerance("wigner_d", l).atol
        n = 2 * l + 1
        assert np.abs(D1[l][0] @ D1[l][0].T - np.eye(n)).max() <= tol
        assert np.abs(D1[l][0] @ D2[l][0] - D12[l][0]).max() <= 2 * tol
        # |Y_l| <= sqrt((2l+1)/4pi): each product sums 2l+1 terms of D's error times Y
        bound = tol * np.sqrt(n / (4 * np.pi)) + 2 * tolerance("sh", l).atol
        assert np.abs(YR[:, l_slice(l)] - Y[:, l_slice(l)] @ D1[l][0].T).max() <= bound


def test_budget_setter_checks_its_argument():
    with pytest.raises(ValueError, match=r"nbytes=-1 must be a positive integer"):
        fast.set_memory_budget(-1)
