"""compare_layers: every outcome class on NumPy layers built from o3ref's CG."""

from __future__ import annotations

import numpy as np
from layer_helpers import bilinear_layer, random_scalars

from o3ref.verify.layers.compare_layers import compare_layers

IR1, IR2, IR_OUT = "0e+1o", "1o+1e", "0e+1o+1e+2e"
COEF = random_scalars(IR1, IR2, IR_OUT, seed=11)
PATHS = [tuple(int(v) for v in i) for i in np.argwhere(COEF != 0)]


def _cmp(coef_g, **kw):
    f = bilinear_layer(IR1, IR2, IR_OUT, COEF)
    g = bilinear_layer(IR1, IR2, IR_OUT, coef_g, **{k: v for k, v in kw.items()
                                                   if k in ("blocks",)})
    return compare_layers(f, g, IR1, IR2, IR_OUT)


def test_equal_across_frames_and_layouts():
    f = bilinear_layer(IR1, IR2, IR_OUT, COEF)
    g = bilinear_layer(IR1, IR2, IR_OUT, COEF, frame="e3nn", layout="ir_mul")
    c = compare_layers(f, g, IR1, IR2, IR_OUT, frame_g="e3nn", layout_g="ir_mul")
    assert c.outcome == "equal" and c.passed, str(c)


def test_global_factor():
    c = _cmp(-1.5 * COEF)
    assert c.outcome == "global factor" and not c.passed
    assert abs(c.factor + 1.5) < 1e-12
    assert "g/f = -1.5" in str(c)


def test_sign_flip_named():
    coef = COEF.copy()
    path = PATHS[3]
    coef[path] *= -1
    c = _cmp(coef)
    assert c.outcome == "sign flips" and not c.passed
    assert [r["index"] for r in c.rows] == [path]
    assert c.rows[0]["label"] in str(c) and "sign flipped" in str(c)


def test_per_path_factors_table():
    coef = COEF.copy()
    coef[PATHS[0]] *= 2.0
    coef[PATHS[2]] *= np.sqrt(3.0)
    c = _cmp(coef)
    assert c.outcome == "per-path factors"
    ratios = {r["index"]: r["ratio"] for r in c.rows}
    assert set(ratios) == {PATHS[0], PATHS[2]}
    assert abs(ratios[PATHS[0]] - 2.0) < 1e-12 and abs(ratios[PATHS[2]] - np.sqrt(3)) < 1e-12


def test_missing_and_extra_paths():
    coef = COEF.copy()
    coef[PATHS[1]] = 0.0
    c = _cmp(coef)
    assert c.outcome == "missing or extra paths"
    assert [(r["index"], r["what"]) for r in c.rows] == [(PATHS[1], "missing in g")]
    f = bilinear_layer(IR1, IR2, IR_OUT, coef)
    g = bilinear_layer(IR1, IR2, IR_OUT, COEF)
    c = compare_layers(f, g, IR1, IR2, IR_OUT)
    assert c.outcome == "missing or extra paths" and "extra in g" in c.rows[0]["what"]


def test_non_equivariant_residue():
    path = PATHS[4]
    shape = tuple(int(2 * l + 1) for l in (0, 0, 0))  # placeholder, replaced below
    del shape
    from layer_helpers import copy_list

    dims = [len(copy_list(ir)[i][2]) for ir, i in zip((IR1, IR2, IR_OUT), path, strict=True)]
    block = np.random.default_rng(3).standard_normal(dims)
    c = _cmp(COEF, blocks={path: block})
    assert c.outcome == "non-equivariant residue" and not c.passed
    assert [r["index"] for r in c.rows] == [path]
    assert "g: residual" in str(c)
