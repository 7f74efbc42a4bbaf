"""Every layer check decides through the one comparison core (:func:`o3ref.verify.compare.
compare_arrays`): NaN and inf never pass, and a non-finite or negative tolerance is refused
with a ValueError naming ``tol`` (issue 18: Python's ``max(0.0, nan)`` is 0.0, so a layer
returning NaN used to pass)."""

from __future__ import annotations

import ase
import numpy as np
import pytest

from o3ref.verify.layers import (
    assert_equivariant_irreps,
    assert_position_gradients,
    compare_change_of_basis,
)


def _identity(x):
    return x


def test_an_equivariant_layer_passes():  # the control: the checks below can pass
    assert assert_equivariant_irreps(_identity, "1o+2e", "1o+2e").passed


def test_a_layer_returning_all_nan_fails():
    with pytest.raises(AssertionError, match="NaN or inf"):
        assert_equivariant_irreps(lambda x: np.full_like(x, np.nan), "1o+2e", "1o+2e")


def test_one_nan_component_fails():
    def one_nan(x):
        y = np.array(x, dtype=np.float64)
        y[..., 4] = np.nan  # one component of the 2e block, every sample
        return y

    with pytest.raises(AssertionError) as info:
        assert_equivariant_irreps(one_nan, "1o+2e", "1o+2e")
    failing = [line for line in str(info.value).splitlines() if "NaN or inf" in line]
    assert len(failing) == 1 and "2e" in failing[0]  # the 1o block is still judged fine


def test_one_inf_component_fails():
    def one_inf(x):
        y = np.array(x, dtype=np.float64)
        y[0, 0] = np.inf
        return y

    with pytest.raises(AssertionError):
        assert_equivariant_irreps(one_inf, "1o+2e", "1o+2e")


@pytest.mark.parametrize("bad", [np.inf, np.nan, -1e-3])
def test_irreps_refuse_a_meaningless_tolerance(bad):
    with pytest.raises(ValueError, match="tol="):
        assert_equivariant_irreps(_identity, "1o", "1o", tol=bad)


def _pair_energy(frame):
    """Per atom ``e_i = sum_j |r_i - r_j|^2`` and its exact gradient (centres, atoms, 3)."""
    r = frame.get_positions()
    n = len(r)
    values = np.array([[np.sum((r[i] - r) ** 2)] for i in range(n)])
    grads = np.zeros((n, n, 3, 1))
    for i in range(n):
        for a in range(n):
            if a == i:
                grads[i, a, :, 0] = 2 * np.sum(r[i] - r, axis=0)
            else:
                grads[i, a, :, 0] = -2 * (r[i] - r[a])
    return values, grads


def _frame():
    return ase.Atoms("OHH", positions=[[0, 0, 0], [0.95, 0.1, 0.05], [-0.3, 0.9, 0.1]])


def test_exact_gradients_pass():
    assert assert_position_gradients(_pair_energy, [_frame()]).passed


def test_one_atoms_nan_gradient_fails():
    def nan_for_atom_1(frame):
        values, grads = _pair_energy(frame)
        grads[:, 1] = np.nan
        return values, grads

    with pytest.raises(AssertionError, match="finite differences"):
        assert_position_gradients(nan_for_atom_1, [_frame()])


def test_nan_values_fail_the_gradient_check():
    def nan_values(frame):
        values, grads = _pair_energy(frame)
        return np.full_like(values, np.nan), grads

    with pytest.raises(AssertionError):
        assert_position_gradients(nan_values, [_frame()])


@pytest.mark.parametrize("bad", [np.inf, np.nan, -1.0])
def test_gradients_refuse_a_meaningless_tolerance(bad):
    with pytest.raises(ValueError, match="tol="):
        assert_position_gradients(_pair_energy, [_frame()], tol=bad)


def _symmetric_basis():
    from o3ref.verify.layers import cartesian_basis

    basis = cartesian_basis("ij=ji")
    return np.concatenate([basis[0].reshape(1, 9), basis[2].reshape(5, 9)])


def test_change_of_basis_control_passes():
    assert compare_change_of_basis(_symmetric_basis(), "ij=ji", irreps="0e+2e").passed


def test_a_change_of_basis_with_nan_fails():
    Q = _symmetric_basis()
    Q[3, 4] = np.nan
    assert not compare_change_of_basis(Q, "ij=ji", irreps="0e+2e").passed


@pytest.mark.parametrize("bad", [np.inf, np.nan, -1.0])
def test_change_of_basis_refuses_a_meaningless_tolerance(bad):
    with pytest.raises(ValueError, match="tol="):
        compare_change_of_basis(_symmetric_basis(), "ij=ji", irreps="0e+2e", tol=bad)
