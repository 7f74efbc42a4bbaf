"""Exact Clebsch-Gordan tables: o3ref.reference against sympy.physics.wigner.

Run: ``python -m pytest --bench tests/benchmarks/test_reference_cg.py --benchmark-only``.

Fairness: both sides compute the same full table cold. Before each round our coefficient
caches are emptied (``o3ref.reference.clear_caches``) and sympy's global cache is cleared
(``sympy.core.cache.clear_cache``); sympy's clebsch_gordan keeps no per-coefficient cache
of its own (only its factorial list, which is warm after the first call, as ours is).
sympy takes 10-30 s for the table, so it is timed for one round; ours for five.
"""

from __future__ import annotations

import importlib
from fractions import Fraction

import pytest
import sympy

from o3ref.reference import clear_caches, clebsch_gordan, real_clebsch_gordan

L_MAX_COMPLEX = 8
L_MAX_REAL = 12


def _arguments(l_max):
    """Every (l1, m1, l2, m2, L, M) with l1, l2 <= l_max, all L, m1, m2, M = m1 + m2."""
    return [
        (l1, m1, l2, m2, L, m1 + m2)
        for l1 in range(l_max + 1)
        for l2 in range(l_max + 1)
        for L in range(abs(l1 - l2), l1 + l2 + 1)
        for m1 in range(-l1, l1 + 1)
        for m2 in range(-l2, l2 + 1)
        if abs(m1 + m2) <= L
    ]


def _o3ref_table(args):
    return [clebsch_gordan(*a) for a in args]


def _sympy_table(args):
    cg = importlib.import_module("sympy.physics.wigner").clebsch_gordan
    return [cg(l1, l2, L, m1, m2, M) for l1, m1, l2, m2, L, M in args]


@pytest.mark.benchmark(group="exact complex CG table, l1, l2 <= 8 (47241 coefficients)")
def test_o3ref_complex_cg_table(benchmark):
    args = _arguments(L_MAX_COMPLEX)
    result = benchmark.pedantic(
        _o3ref_table, args=(args,), setup=clear_caches, rounds=5, iterations=1
    )
    # check against sympy once, on every 23rd coefficient (the full check is a unit test)
    sample = args[::23]
    assert result[::23] == _sympy_table(sample)


@pytest.mark.benchmark(group="exact complex CG table, l1, l2 <= 8 (47241 coefficients)")
def test_sympy_complex_cg_table(benchmark):
    pytest.importorskip("sympy.physics.wigner")
    args = _arguments(L_MAX_COMPLEX)
    result = benchmark.pedantic(
        _sympy_table,
        args=(args,),
        setup=sympy.core.cache.clear_cache,
        rounds=1,
        iterations=1,
    )
    clear_caches()
    assert result[::23] == _o3ref_table(args[::23])


def _real_triples(l_max):
    """Every (l1, l2, L) with l1, l2, L <= l_max and the triangle rule (1105 for 12)."""
    return [
        (l1, l2, L)
        for l1 in range(l_max + 1)
        for l2 in range(l_max + 1)
        for L in range(abs(l1 - l2), min(l1 + l2, l_max) + 1)
    ]


def _o3ref_real_table(triples):
    return [real_clebsch_gordan(*t) for t in triples]


@pytest.mark.benchmark(group="exact real CG table, l1, l2, L <= 12 (goal: under 2 s)")
def test_o3ref_real_cg_table(benchmark):
    triples = _real_triples(L_MAX_REAL)
    result = benchmark.pedantic(
        _o3ref_real_table,
        args=(triples,),
        setup=clear_caches,
        rounds=3,
        iterations=1,
    )
    assert len(result) == 1105
    # an exact identity, not a count copied from a run: the (2L+1) columns C[:, :, M] are
    # orthonormal, so the squares of each array's entries add up to exactly 2L+1
    for (l1, l2, L), c in zip(triples, result, strict=True):
        assert sum(Fraction(v.p, v.q) for v in c.flat if v) == 2 * L + 1, (l1, l2, L)
    # spot check against the closed forms of (1, 1) -> 0 and (1, 1) -> 1
    c0 = result[triples.index((1, 1, 0))]
    assert [str(c0[i, i, 0]) for i in range(3)] == ["-sqrt(1/3)"] * 3
    c1 = result[triples.index((1, 1, 1))]
    assert str(c1[0, 1, 2]) == "sqrt(1/2)" and str(c1[1, 0, 2]) == "-sqrt(1/2)"
