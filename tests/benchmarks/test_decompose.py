"""decompose_bilinear of a product of three-irrep inputs into a three-irrep output.

Run: ``python -m pytest --bench tests/benchmarks/test_decompose.py --benchmark-only``.

The layer is ``16x0e+16x1o+16x2e`` x ``0e+1o+2e`` -> ``16x0e+16x1o+16x2e`` (a convolution's
tensor product with spherical harmonics up to l = 2): 12,096 scalars. The layer itself is one
dense einsum (so the time is the decomposition's: probing, block projections, the exact CG
rounded once). The exact CG caches are emptied before each round. Goal: under 5 s.
"""

from __future__ import annotations

import importlib

import numpy as np

from o3ref.verify.layers.decompose import decompose_bilinear

IR1, IR2, IR_OUT = "16x0e+16x1o+16x2e", "0e+1o+2e", "16x0e+16x1o+16x2e"
_real_cg = importlib.import_module("o3ref.reference.real_cg")
_layer_copies = importlib.import_module("o3ref.verify.layers._copies")


def _dense_layer():
    # random scalars times the CG, as one dense (d1, d2, d_out) tensor
    from o3ref.reference import real_clebsch_gordan
    from o3ref.verify.layers._copies import copies, triangle_allowed

    rng = np.random.default_rng(0)
    c1, c2, co = copies(IR1), copies(IR2), copies(IR_OUT)
    T = np.zeros((sum(len(c.index) for c in c1), sum(len(c.index) for c in c2),
                  sum(len(c.index) for c in co)))
    cg = {}
    for a in c1:
        for b in c2:
            for c in co:
                if triangle_allowed(a, b, c):
                    key = (a.l, b.l, c.l)
                    if key not in cg:
                        cg[key] = np.vectorize(float)(real_clebsch_gordan(*key))
                    T[np.ix_(a.index, b.index, c.index)] = rng.normal() * cg[key]
    return lambda x1, x2: np.einsum("abk,na,nb->nk", T, x1, x2, optimize=True)


def test_decompose_three_by_three(benchmark):
    f = _dense_layer()

    def run():
        _real_cg._clear_caches()
        _layer_copies._exact_cg_float.cache_clear()
        return decompose_bilinear(f, IR1, IR2, IR_OUT)

    report = benchmark.pedantic(run, rounds=3, iterations=1)
    assert report.passed
    assert benchmark.stats.stats.median < 5.0
