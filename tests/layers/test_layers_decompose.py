"""decompose_bilinear / decompose_linear on NumPy layers built from o3ref's exact CG."""

from __future__ import annotations

import numpy as np
import pytest
from layer_helpers import bilinear_layer, copy_list, linear_layer, random_scalars

from o3ref.verify.layers.decompose import decompose_bilinear, decompose_linear

IR1, IR2, IR_OUT = "2x0e+1o+1e", "0e+2x1o", "0e+1o+2x1e+2e+1x2o"


@pytest.mark.parametrize("frame", ["o3ref", "e3nn"])
@pytest.mark.parametrize("layout", ["mul_ir", "ir_mul"])
def test_every_scalar_recovered(frame, layout):
    coef = random_scalars(IR1, IR2, IR_OUT, seed=1)
    f = bilinear_layer(IR1, IR2, IR_OUT, coef, frame=frame, layout=layout)
    r = decompose_bilinear(f, IR1, IR2, IR_OUT, frame=frame, layout=layout)
    assert r.passed, r.table()
    assert r.coefficients.shape == coef.shape
    err = np.abs(r.coefficients - coef)
    assert (err <= r.coefficient_tolerances).all(), err.max()
    # a tolerance that could not fail would be useless: it is a few thousand ulps here
    assert r.coefficient_tolerances.max() < 1e-11
    assert (r.coefficients[~r.allowed] == 0).all()
    assert np.count_nonzero(r.allowed) == np.count_nonzero(coef)


def test_frame_matters_for_a_frame_with_signs():
    """A frame that is not a rotation of o3ref's (one component of l = 1 negated, l = 2
    kept) changes the blocks; decomposed in o3ref's frame the layer is not CG."""

    class Flip:
        name = "flip y"

        @staticmethod
        def matrix(l):
            M = np.eye(2 * l + 1)
            if l == 1:
                M[0, 0] = -1.0
            return M

    ir = "1o"
    coef = random_scalars(ir, ir, "2e", seed=2)
    f = bilinear_layer(ir, ir, "2e", coef, frame=Flip())
    assert decompose_bilinear(f, ir, ir, "2e", frame=Flip()).passed
    wrong = decompose_bilinear(f, ir, ir, "2e")
    assert not wrong.passed and wrong.failures()[0]["index"] == (0, 0, 0)


def test_non_cg_block_located_by_triple():
    coef = random_scalars(IR1, IR2, IR_OUT, seed=3)
    i, j, k = 2, 1, 3  # 1o x 1o -> 1e (copy 0 of 2x1e)
    c1, c2, co = copy_list(IR1), copy_list(IR2), copy_list(IR_OUT)
    assert (c1[i][0], c2[j][0], co[k][0]) == (1, 1, 1) and coef[i, j, k] != 0
    rng = np.random.default_rng(0)
    bad = rng.standard_normal((3, 3, 3))
    f = bilinear_layer(IR1, IR2, IR_OUT, coef, blocks={(i, j, k): bad})
    r = decompose_bilinear(f, IR1, IR2, IR_OUT)
    assert not r.passed
    assert [x["index"] for x in r.failures()] == [(i, j, k)]
    assert r.residuals[i, j, k] > 0.1
    assert "in1[2]=1o x in2[1]=1o -> out[3]=1e" in r.table()


def test_forbidden_path_located():
    """A block where parity forbids a path (1o x 1o -> 1o) is all residual."""
    coef = random_scalars("1o", "1o", "1o+1e", seed=4)
    assert coef[0, 0, 0] == 0
    blocks = {(0, 0, 0): np.ones((3, 3, 3))}
    r = decompose_bilinear(bilinear_layer("1o", "1o", "1o+1e", coef, blocks=blocks),
                           "1o", "1o", "1o+1e")
    assert not r.passed and r.failures()[0]["index"] == (0, 0, 0)
    assert not r.failures()[0]["allowed"] and r.residuals[0, 0, 0] == 1.0
    assert "no path" in r.table()


def test_nan_and_bias_fail():
    coef = random_scalars("1o", "1o", "0e+1e", seed=5)
    f = bilinear_layer("1o", "1o", "0e+1e", coef)
    r = decompose_bilinear(lambda a, b: f(a, b) * np.nan, "1o", "1o", "0e+1e")
    assert not r.passed and "FAILED" in str(r)  # printed without a NaN warning
    r = decompose_bilinear(lambda a, b: f(a, b) + 0.25, "1o", "1o", "0e+1e")
    assert not r.passed and not r.structure_ok and "not bilinear" in r.table()


def test_float32_layer_judged_at_float32():
    coef = random_scalars("1o+2e", "1o", "1e+2o", seed=6)
    f = bilinear_layer("1o+2e", "1o", "1e+2o", coef)
    r = decompose_bilinear(lambda a, b: f(a, b).astype(np.float32), "1o+2e", "1o", "1e+2o")
    assert r.dtype == "float32" and r.passed, r.table()
    assert (np.abs(r.coefficients - coef) <= r.coefficient_tolerances).all()
    r64 = decompose_bilinear(lambda a, b: f(a, b).astype(np.float32), "1o+2e", "1o", "1e+2o",
                             dtype=np.float64)
    assert not r64.passed  # float32 rounding is far above the float64 policy


def test_bad_arguments():
    f = bilinear_layer("1o", "1o", "0e", np.ones((1, 1, 1)))
    with pytest.raises(ValueError, match="frame='nope'"):
        decompose_bilinear(f, "1o", "1o", "0e", frame="nope")
    with pytest.raises(ValueError, match="layout='ir'"):
        decompose_bilinear(f, "1o", "1o", "0e", layout="ir")
    with pytest.raises(ValueError, match="irreps_out needs"):
        decompose_bilinear(f, "1o", "1o", "0e+0e")
    with pytest.raises(TypeError, match="callable"):
        decompose_bilinear(3, "1o", "1o", "0e")


def test_linear_recovered_and_wrong_block_located():
    ir_in, ir_out = "2x0e+1o+2e", "0e+2x1o+2e"
    ci, co = copy_list(ir_in), copy_list(ir_out)
    rng = np.random.default_rng(7)
    coef = np.array([[rng.normal() if a[:2] == c[:2] else 0.0 for c in co] for a in ci])
    for frame in ("o3ref", "e3nn"):
        r = decompose_linear(linear_layer(ir_in, ir_out, coef), ir_in, ir_out, frame=frame)
        assert r.passed, r.table()
        assert (np.abs(r.coefficients - coef) <= r.coefficient_tolerances).all()
    mix = np.diag([1.0, 2.0, 3.0])  # not a multiple of the identity
    f = linear_layer(ir_in, ir_out, coef, blocks={(2, 2): mix})
    r = decompose_linear(f, ir_in, ir_out)
    assert [x["index"] for x in r.failures()] == [(2, 2)]
    assert "in[2]=1o -> out[2]=1o" in r.table()


def test_convention_map_frame():
    """A ConventionMap frame (sympy's Znm signs: not a rotation of o3ref's basis) is applied:
    the layer written in it is all CG there, and not in o3ref's frame."""
    from o3ref.verify.convention_maps import NAMED_MAPS, SH_SIGNS

    sign = SH_SIGNS["sympy Znm signs"]

    class Znm:  # the same frame, from the sign piece alone
        @staticmethod
        def matrix(l):
            return np.diag([float(sign.exact(l, m)) for m in range(-l, l + 1)])

    ir1, ir2, ir_out = "1o+2e", "1o", "1e+2o+2e"
    coef = random_scalars(ir1, ir2, ir_out, seed=8)
    f = bilinear_layer(ir1, ir2, ir_out, coef, frame=Znm())
    r = decompose_bilinear(f, ir1, ir2, ir_out, frame=NAMED_MAPS["sh", "sympy Znm"])
    assert r.passed, r.table()
    assert (np.abs(r.coefficients - coef) <= r.coefficient_tolerances).all()
    assert not decompose_bilinear(f, ir1, ir2, ir_out).passed
    with pytest.raises(ValueError, match="kind 'sh'"):
        decompose_bilinear(f, ir1, ir2, ir_out, frame=NAMED_MAPS["cg", "e3nn wigner_3j"])


def test_too_large_refused_before_probing():
    calls = []
    with pytest.raises(ValueError, match="MAX_PROBED_ENTRIES"):
        decompose_bilinear(lambda a, b: calls.append(1), "400x1o", "400x1o", "400x0e")
    assert not calls
