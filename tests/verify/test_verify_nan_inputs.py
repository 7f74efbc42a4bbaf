"""NaN, infinite tolerances and misspelt property names never pass (issue 19, class 2)."""

from __future__ import annotations

import ase
import numpy as np
import pytest

from o3ref.verify.conformance import check_sh_properties
from o3ref.verify.layers.gradients import assert_position_gradients
from o3ref.verify.layers.irreps import assert_equivariant_irreps
from o3ref.verify.properties import SH_PROPERTIES
from o3ref.verify.tolerances import PrecisionPolicy

FRAME = ase.Atoms("H3", positions=[[0, 0, 0], [0.3, 0.4, 0.5], [-0.2, 0.6, 0.1]])


def pair(frame, *, nan_atom=None, factor=1.0):
    """values (1, 1) = |r_1 - r_0|^2 + |r_2 - r_0|^2 and its gradient (1, 3, 3, 1)."""
    p = frame.positions
    d1, d2 = p[1] - p[0], p[2] - p[0]
    grad = factor * np.stack([-2 * d1 - 2 * d2, 2 * d1, 2 * d2])[None, :, :, None]
    if nan_atom is not None:
        grad[0, nan_atom, 0, 0] = np.nan
    return np.array([[d1 @ d1 + d2 @ d2]]), grad


@pytest.mark.parametrize("prop", ["nonsense", "Parity", "", "equivariance"])
def test_check_sh_properties_refuses_an_unknown_prop(prop):
    with pytest.raises(ValueError, match=f"prop={prop!r} must be one of orthonormal, parity, "
                       "equivariant"):
        check_sh_properties(lambda l, xyz: 1 / 0, 2, PrecisionPolicy(), prop)


def test_check_sh_properties_refuses_a_non_string_prop():
    with pytest.raises(TypeError, match="prop=3"):
        check_sh_properties(lambda l, xyz: 1 / 0, 2, PrecisionPolicy(), 3)
    assert SH_PROPERTIES == ("orthonormal", "parity", "equivariant")


def _vector_layer(nan=None):
    def f(x):
        y = 2.0 * x
        if nan == "all":
            y = np.full_like(y, np.nan)
        elif nan == "one":
            y = y.copy()
            y[0, 1] = np.nan
        return y
    return f


@pytest.mark.parametrize("nan", ["all", "one"])
def test_irreps_layer_returning_nan_fails(nan):
    with pytest.raises(AssertionError, match="NaN or inf"):
        assert_equivariant_irreps(_vector_layer(nan), "2x1o", "2x1o")


@pytest.mark.parametrize("tol", [np.inf, np.nan, -1.0])
def test_irreps_infinite_or_nan_tolerance_is_refused(tol):
    with pytest.raises(ValueError, match="tol="):
        assert_equivariant_irreps(_vector_layer(), "2x1o", "2x1o", tol=tol)


def test_gradients_nan_on_one_atom_fails():
    assert assert_position_gradients(pair, FRAME).passed
    with pytest.raises(AssertionError, match="disagree"):
        assert_position_gradients(lambda fr: pair(fr, nan_atom=2), FRAME)


@pytest.mark.parametrize("tol", [np.inf, np.nan])
def test_gradients_infinite_tolerance_is_refused_and_3x_wrong_fails(tol):
    with pytest.raises(ValueError, match="tol="):
        assert_position_gradients(lambda fr: pair(fr, factor=3.0), FRAME, tol=tol)
    with pytest.raises(AssertionError):
        assert_position_gradients(lambda fr: pair(fr, factor=3.0), FRAME)
