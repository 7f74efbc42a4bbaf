"""name_normalisation on NumPy layers written to e3nn's formulas (written out here again:
``alpha = 2L+1 | (2l1+1)(2l2+1) | 1``, fan-in per output entry, ``w3j = s C / sqrt(2L+1)``
with ``s = (-1)^floor((l1+l2-L)/2)``), not taken from the code under test."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from layer_helpers import allowed, bilinear_layer, copy_list

from o3ref.verify.layers.decompose import decompose_bilinear
from o3ref.verify.layers.irreps import parse_irreps
from o3ref.verify.layers.normalisation import name_normalisation


def _sign(l1, l2, L):
    return (-1) ** ((l1 + l2 - L) // 2)


def _alpha(irrep, l1, l2, L):
    return {"component": 2 * L + 1, "norm": (2 * l1 + 1) * (2 * l2 + 1), "none": 1}[irrep]


def full_tensor_product(ir1, ir2, irrep):
    """e3nn FullTensorProduct: one output entry mul1*mul2 x L per (entry1, entry2, L)."""
    out, coef_of = [], {}
    e1, e2 = parse_irreps(ir1), parse_irreps(ir2)
    for (m1, l1, p1), (m2, l2, p2) in itertools.product(e1, e2):
        for L in range(abs(l1 - l2), l1 + l2 + 1):
            out.append((m1 * m2, L, p1 * p2))
    ir_out = "+".join(f"{m}x{L}{'e' if p == 1 else 'o'}" for m, L, p in out)
    c1, c2, co = copy_list(ir1), copy_list(ir2), copy_list(ir_out)
    coef = np.zeros((len(c1), len(c2), len(co)))
    k = 0
    off1 = np.cumsum([0] + [m for m, _, _ in e1])
    off2 = np.cumsum([0] + [m for m, _, _ in e2])
    for (a, (m1, l1, _)), (b, (m2, l2, _)) in itertools.product(enumerate(e1), enumerate(e2)):
        for L in range(abs(l1 - l2), l1 + l2 + 1):
            value = _sign(l1, l2, L) * math.sqrt(_alpha(irrep, l1, l2, L) / (2 * L + 1))
            for u, v in itertools.product(range(m1), range(m2)):
                coef[off1[a] + u, off2[b] + v, k] = value
                k += 1
    del coef_of
    return ir_out, coef


@pytest.mark.parametrize("irrep", ["component", "norm", "none"])
def test_full_tensor_product_named(irrep):
    ir1, ir2 = "2x0e+1o", "1o+2e"
    ir_out, coef = full_tensor_product(ir1, ir2, irrep)
    report = decompose_bilinear(bilinear_layer(ir1, ir2, ir_out, coef), ir1, ir2, ir_out)
    named = name_normalisation(report)
    e3nn = {m for m in named.matches if m.startswith("e3nn (")}
    # one input pair per output copy: e3nn's three path normalisations coincide here
    assert e3nn == {f"e3nn ({irrep!r}, {p!r})" for p in ("element", "path", "none")}, named
    assert ("cuequivariance (normalize_paths_for_operand(-1))" in named.matches) == (
        irrep == "component")


def fully_connected(ir1, ir2, ir_out, irrep, path, seed=0):
    """e3nn FullyConnectedTensorProduct (uvw on every allowed entry triple) with random
    weights: returns (coefficients, weights)."""
    e1, e2, eo = parse_irreps(ir1), parse_irreps(ir2), parse_irreps(ir_out)
    instr = [(a, b, c) for a, b, c in itertools.product(range(len(e1)), range(len(e2)),
                                                         range(len(eo)))
             if allowed(e1[a][1:], e2[b][1:], eo[c][1:])]
    c1, c2, co = copy_list(ir1), copy_list(ir2), copy_list(ir_out)
    entry = [[k for k, (m, _, _) in enumerate(e) for _ in range(m)] for e in (e1, e2, eo)]
    rng = np.random.default_rng(seed)
    weights = np.zeros((len(c1), len(c2), len(co)))
    coef = np.zeros_like(weights)
    for i, j, k in itertools.product(range(len(c1)), range(len(c2)), range(len(co))):
        ins = (entry[0][i], entry[1][j], entry[2][k])
        if ins not in instr:
            continue
        (m1, l1, _), (m2, l2, _), (_, L, _) = e1[ins[0]], e2[ins[1]], eo[ins[2]]
        into = [t for t in instr if t[2] == ins[2]]
        x = {"element": sum(e1[t[0]][0] * e2[t[1]][0] for t in into),
             "path": m1 * m2 * len(into), "none": 1}[path]
        w = rng.uniform(0.5, 1.5) * rng.choice([-1.0, 1.0])
        weights[i, j, k] = w
        coef[i, j, k] = w * _sign(l1, l2, L) * math.sqrt(_alpha(irrep, l1, l2, L) / x
                                                         / (2 * L + 1))
    return coef, weights


@pytest.mark.parametrize("irrep", ["component", "norm", "none"])
@pytest.mark.parametrize("path", ["element", "path", "none"])
def test_fully_connected_named_with_weights(irrep, path):
    ir1, ir2, ir_out = "2x0e+1o", "0e+1o", "0e+2x1o+1e"
    coef, weights = fully_connected(ir1, ir2, ir_out, irrep, path)
    report = decompose_bilinear(bilinear_layer(ir1, ir2, ir_out, coef), ir1, ir2, ir_out)
    named = name_normalisation(report, weights)
    e3nn = [m for m in named.matches if m.startswith("e3nn (")]
    assert e3nn == [f"e3nn ({irrep!r}, {path!r})"], str(named)
    assert all(abs(r["factor"] * r["weight"] - r["coefficient"]) < 1e-12 for r in named.rows)


def test_deviating_triple_named():
    ir1, ir2 = "1o", "1o+2e"
    ir_out, coef = full_tensor_product(ir1, ir2, "component")
    bad = tuple(int(v) for v in np.argwhere(coef != 0)[2])
    coef[bad] *= 1.1
    report = decompose_bilinear(bilinear_layer(ir1, ir2, ir_out, coef), ir1, ir2, ir_out)
    assert report.passed  # still equivariant: only the scalar is off
    named = name_normalisation(report)
    assert not named.named and [r["index"] for r in named.deviating] == [bad]
    best, off = named.closest()
    # (with one input pair per output copy, e3nn's signs with plain CG tie with 'component')
    assert [r["index"] for r in off] == [bad]
    assert all(best in r["fits"] for r in named.rows if r["index"] != bad)
    assert "deviates from every one" in str(named)


def test_bad_weights_shape():
    ir_out, coef = full_tensor_product("1o", "1o", "component")
    report = decompose_bilinear(bilinear_layer("1o", "1o", ir_out, coef), "1o", "1o", ir_out)
    with pytest.raises(ValueError, match="weights.shape"):
        name_normalisation(report, np.ones((2, 2)))


def test_e3nn_04_signs_named_apart():
    """e3nn 0.4.x's stored wigner_3j is negated at (1, 2, 2) (PITFALLS.md)."""
    ir_out, coef = full_tensor_product("1o", "2e", "component")
    copies_out = copy_list(ir_out)
    for k, c in enumerate(copies_out):
        if c[0] == 2:
            coef[0, 0, k] *= -1
    report = decompose_bilinear(bilinear_layer("1o", "2e", ir_out, coef), "1o", "2e", ir_out)
    named = name_normalisation(report)
    assert "e3nn 0.4.x ('component', 'element')" in named.matches
    assert "e3nn ('component', 'element')" not in named.matches
