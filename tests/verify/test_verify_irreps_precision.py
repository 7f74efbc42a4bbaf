"""assert_equivariant_irreps: the float32 policy is tight, and a failure names what was
measured (issue 19, classes 3 and 4)."""

from __future__ import annotations

import numpy as np
import pytest

from o3ref.verify.layers.irreps import assert_equivariant_irreps
from o3ref.verify.tolerances import eps, irreps_layer_tolerance, tolerance

F32 = np.float32


def cross_layer(strength=0.0, bias=0.0, dtype=F32):
    """2x1o -> 2x1o: equivariant products of the two vectors, plus a channel mix of weight
    ``strength * x[0]`` (x-dependent: breaks equivariance) and a bias on the 1o output."""
    def f(x):
        u, v = x[..., 0:3], x[..., 3:6]
        a = u + v * np.sum(u * v, axis=-1, keepdims=True) * dtype(0.5)
        b = v + u * np.sum(u * u, axis=-1, keepdims=True) * dtype(0.25)
        if strength:
            a = a + dtype(strength) * x[..., :1] * v  # weight proportional to x
        out = np.concatenate([a, b], axis=-1)
        return (out + dtype(bias) * np.array([0, 0, 1, 0, 0, 0], dtype=dtype)).astype(dtype)
    return f


def test_float32_policy_comes_from_eps32_and_the_output():
    t = irreps_layer_tolerance(1, F32, 3.0, n_inputs=6)
    assert t.atol == 2 * 3 * eps(F32) * 3.0
    assert t.atol < 10 * eps(F32) * 3.0  # ten ulps of the output above rounding fail at l = 1
    assert irreps_layer_tolerance(1, F32, 3.0, n_inputs=800).atol == t.atol * 10.0
    # float64 keeps its policy
    assert irreps_layer_tolerance(2, np.float64, 2.0).atol == tolerance(
        "irreps_layer", 2, np.float64, 2.0).atol


def test_correct_float32_layer_passes_and_1e_6_mixing_fails():
    report = assert_equivariant_irreps(cross_layer(), "2x1o", "2x1o", dtype=F32,
                                       n_samples=16, n_rotations=5)
    worst = max(max(r["proper"], r["improper"]) for r in report.rows)
    assert worst <= report.tolerance
    with pytest.raises(AssertionError, match="does not hold"):
        assert_equivariant_irreps(cross_layer(strength=1e-6), "2x1o", "2x1o", dtype=F32,
                                  n_samples=16, n_rotations=5)


def test_a_bias_on_a_vector_output_is_named():
    with pytest.raises(AssertionError, match=r"f\(0\)\| = .*a bias on 2x1o"):
        assert_equivariant_irreps(cross_layer(bias=1e-3, dtype=np.float64), "2x1o", "2x1o")


def test_input_dependent_mixing_is_named():
    def linear_mix(x):  # identity, plus channel 1 mixed into channel 0 by a weight ~ x[0]
        out = x.copy()
        out[..., 0:3] += 1e-3 * x[..., :1] * x[..., 3:6]
        return out
    with pytest.raises(AssertionError, match="grows faster than the output.*input-dependent"):
        assert_equivariant_irreps(linear_mix, "2x1o", "2x1o")


def test_a_fixed_wrong_map_asks_for_l_frame_or_layout():
    def swapped(x):  # the components of each vector permuted: a fixed map, not D(R)
        return x[..., [1, 0, 2, 4, 3, 5]]
    with pytest.raises(AssertionError, match="fixed map that is not D_out"):
        assert_equivariant_irreps(swapped, "2x1o", "2x1o")
