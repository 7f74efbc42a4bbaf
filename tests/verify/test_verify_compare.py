"""Tolerance policies and comparison reports (arrays, mpmath objects, TensorMaps)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from metatensor import Labels, TensorBlock, TensorMap

from o3ref.verify.compare import assert_close, compare_arrays, compare_tensormaps, to_numeric
from o3ref.verify.tolerances import (
    POLICIES,
    Tolerance,
    eps,
    mpmath_tolerance,
    policy_text,
    tolerance,
)

EPS64 = 2.0**-52


def test_eps_per_dtype():
    assert eps(np.float64) == EPS64
    assert eps(np.float32) == 2.0**-23
    assert eps(np.complex128) == EPS64
    with pytest.raises(TypeError, match="dtype=int64 must be a floating or complex dtype"):
        eps(np.int64)


def test_tolerance_formula_and_reason():
    t = tolerance("sh", l=3)
    assert t.atol == 49 * EPS64 and t.rtol == 0.0
    assert "recurrence" in t.reason
    assert tolerance("wigner_d", 2).atol == 8 * 25 * EPS64
    assert tolerance("sh", 3, dtype=np.float32).atol == 49 * 2.0**-23
    assert policy_text("sh") == "(2l+1)^2 eps" and policy_text("cartesian") == "16 eps"
    assert policy_text("cg") == "16(2l+1) eps"
    assert tolerance("expansion", 0, scale=10.0).atol == 16 * 10.0 * EPS64


def test_every_policy_explains_itself():
    for name, (c, p, why) in POLICIES.items():
        assert c > 0 and p >= 0 and len(why) > 30, name


def test_tolerance_bad_input():
    with pytest.raises(ValueError, match="quantity='shh' must be one of"):
        tolerance("shh")
    with pytest.raises(ValueError, match="l=-1 must be a non-negative integer"):
        tolerance("sh", -1)
    with pytest.raises(ValueError, match="dps=0 must be a positive integer"):
        mpmath_tolerance(0)
    assert mpmath_tolerance(30).atol == 10.0**-27


def test_to_numeric_exact_types():
    from fractions import Fraction

    import sympy

    arr = np.array([mpmath.mpf(1) / 3, Fraction(1, 4), sympy.sqrt(2), 3], dtype=object)
    np.testing.assert_array_equal(to_numeric(arr), [1 / 3, 0.25, 2**0.5, 3.0])
    assert to_numeric(np.array([mpmath.mpc(1, 2)], dtype=object)).dtype == np.complex128


def test_report_locates_the_worst_entry():
    expected = np.zeros((3, 4))
    actual = expected.copy()
    actual[2, 1] = 1e-10
    actual[0, 0] = 1e-14
    rep = compare_arrays(actual, expected, atol=1e-12, names=["point", "m"])
    assert not rep.passed and rep.n_failed == 1
    assert rep.worst_index == (2, 1) and rep.max_abs == 1e-10
    text = str(rep)
    assert "FAILED (1 of 12 entries)" in text and "point = 2, m = 1" in text


def test_relative_error_ignores_near_zeros():
    rep = compare_arrays([1.0, 1e-30], [1.0 + 1e-15, 0.0], atol=1e-12)
    # the relative error is the float spacing at 1 over 1 (about 1.1e-15), not 1e-30/0
    assert rep.passed and rep.max_rel == abs((1.0 + 1e-15) - 1.0) / (1.0 + 1e-15)


def test_nan_is_a_failure():
    rep = compare_arrays([np.nan, 1.0], [0.0, 1.0], atol=1.0)
    assert not rep.passed and rep.worst_index == (0,)
    # on the expected side too (NaN compares False with every tolerance)
    rep = compare_arrays([0.0, 1.0, 2.0], [0.0, np.nan, 2.0], atol=1.0)
    assert not rep.passed and rep.n_failed == 1 and rep.worst_index == (1,)
    rep = compare_arrays([np.inf], [np.inf], atol=1.0)
    assert not rep.passed


def test_assert_close_raises_with_report():
    with pytest.raises(AssertionError, match=r"max abs err 1\.000e-03"):
        assert_close([1.001], [1.0], Tolerance(1e-6, 0.0, "test"))
    with pytest.raises(ValueError, match=r"actual.shape=\(2,\) must equal expected.shape=\(3,\)"):
        compare_arrays([1, 2], [1, 2, 3], atol=1)
    with pytest.raises(TypeError, match="needs tol"):
        compare_arrays([1], [1])


def _tensor(values_by_l, properties=2):
    blocks = []
    for l, values in values_by_l.items():
        blocks.append(TensorBlock(
            values=np.asarray(values, dtype=float),
            samples=Labels(["system"], np.arange(values.shape[0]).reshape(-1, 1)),
            components=[Labels(["o3_mu"], np.arange(-l, l + 1).reshape(-1, 1))],
            properties=Labels(["n"], np.arange(properties).reshape(-1, 1))))
    keys = Labels(["o3_lambda"], np.array(sorted(values_by_l)).reshape(-1, 1))
    return TensorMap(keys, blocks)


def test_compare_tensormaps():
    rng = np.random.default_rng(0)
    vals = {0: rng.standard_normal((3, 1, 2)), 1: rng.standard_normal((3, 3, 2))}
    a = _tensor(vals)
    assert compare_tensormaps(a, _tensor(vals), atol=0.0).passed
    bumped = {0: vals[0], 1: vals[1].copy()}
    bumped[1][2, 0, 1] += 1e-6
    rep = compare_tensormaps(_tensor(bumped), a, tol=lambda key: tolerance("sh", key["o3_lambda"]))
    assert not rep.passed
    assert "[o3_lambda=1]" in str(rep) and "sample = 2, o3_mu = 0, property = 1" in str(rep)
    rep = compare_tensormaps(_tensor({0: vals[0]}), a, atol=1.0)
    assert not rep.passed and "only in expected [(1,)]" in str(rep)
    rep = compare_tensormaps(_tensor({0: vals[0][:, :, :1], 1: vals[1][:, :, :1]}, 1), a,
                             atol=1.0)
    assert "properties" in str(rep)


# ------------------------------------------------------------------ tolerances that mean nothing


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1e-12])
def test_nan_infinite_or_negative_tolerances_are_refused(bad):
    # a NaN tolerance would pass everything: |a - e| <= nan is False, so nothing "fails"
    with pytest.raises(ValueError, match=rf"atol={bad!r} must be a finite, non-negative"):
        compare_arrays([1.0], [2.0], atol=bad)
    with pytest.raises(ValueError, match=rf"rtol={bad!r} must be a finite, non-negative"):
        compare_arrays([1.0], [2.0], atol=0.0, rtol=bad)
    with pytest.raises(ValueError, match=rf"atol={bad!r} must be a finite, non-negative"):
        Tolerance(bad, 0.0, "test")
    with pytest.raises(ValueError, match=rf"rtol={bad!r} must be a finite, non-negative"):
        Tolerance(0.0, bad, "test")


def test_tolerance_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError, match=r"atol='1e-3' must be a real number"):
        compare_arrays([1.0], [1.0], atol="1e-3")


def test_equivariance_check_refuses_a_nan_tolerance():
    from o3ref.verify.properties import assert_equivariant, rotate_points

    def not_equivariant(x):  # the x coordinate only: not a vector function
        return np.asarray(x)[:, :1]

    x = np.random.default_rng(0).standard_normal((4, 3))
    with pytest.raises(AssertionError, match="equivariance"):
        assert_equivariant(not_equivariant, x, rotate_points, lambda R, y: y, atol=1e-12)
    with pytest.raises(ValueError, match=r"atol=nan must be a finite, non-negative"):
        assert_equivariant(not_equivariant, x, rotate_points, lambda R, y: y,
                           atol=float("nan"))


@pytest.mark.parametrize("bad, error, words", [
    ([[1.0, 2.0], [3.0]], ValueError, "actual must be a rectangular array"),
    ([1.0, "x"], TypeError, "actual must hold numbers"),
])
def test_compare_arrays_names_the_argument_of_a_bad_input(bad, error, words):
    with pytest.raises(error, match=words):
        compare_arrays(bad, [1.0, 2.0], atol=1e-12)
    with pytest.raises(error, match=words.replace("actual", "expected")):
        compare_arrays([1.0, 2.0], bad, atol=1e-12)


def test_compare_tensormaps_names_an_argument_that_is_no_tensormap():
    with pytest.raises(TypeError, match="expected must be a metatensor TensorMap, got list"):
        compare_tensormaps(_tensor({0: np.ones((2, 1, 2))}), [1.0], atol=1.0)
