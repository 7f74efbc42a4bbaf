"""verify.gradients: per-atom, per-axis central differences against analytic gradients."""

from __future__ import annotations

import ase
import numpy as np
import pytest
from metatensor import TensorBlock, TensorMap

from o3ref.fast import SphericalExpansion
from o3ref.verify.layers.gradients import assert_position_gradients
from o3ref.verify.tolerances import fd_step, tolerance

HYPERS = dict(cutoff=2.5, max_radial=2, max_angular=2, atomic_gaussian_width=0.3,
              cutoff_function={"ShiftedCosine": {"width": 0.5}})


def _frames():
    water = ase.Atoms("OHH", positions=[[0, 0, 0], [0.95, 0.1, 0.05], [-0.3, 0.9, 0.1]])
    co = ase.Atoms("CO", positions=[[0.1, 0.0, 0.2], [0.0, 0.3, 1.3]])
    return [water, co]


def _expansion(frames):
    return SphericalExpansion(**HYPERS).compute(frames, gradients=["positions"])


def test_step_from_dtype():
    # eps^(1/3) with eps = 2^-52 (float64) and 2^-23 (float32): 6.055e-6 and 4.92e-3
    assert fd_step(np.float64) == pytest.approx(2.0 ** (-52 / 3), abs=tolerance("rotation",
                                                                             scale=1e-5).atol)
    assert fd_step(np.float32) == pytest.approx(2.0 ** (-23 / 3), abs=tolerance("rotation",
                                                                             scale=1e-2).atol)


def test_o3ref_spherical_expansion_gradients_pass():
    report = assert_position_gradients(_expansion, _frames())
    assert report.passed and report.step == fd_step(np.float64)
    assert len(report.rows) == len(_expansion(_frames()).keys)


def _broken(frames):
    """The expansion with the centre's own gradient entries dropped: what a descriptor that
    holds the centres fixed returns (dscribe's SOAP without attach=True)."""
    tensor = _expansion(frames)
    blocks = []
    for block in tensor.blocks():
        gradient = block.gradient("positions")
        values = np.array(gradient.values)
        g = np.asarray(gradient.samples.values)
        centre_atoms = np.asarray(block.samples.values)[g[:, 0], 1]
        values[g[:, 2] == centre_atoms] = 0.0
        new = TensorBlock(np.array(block.values), block.samples, block.components,
                          block.properties)
        new.add_gradient("positions", TensorBlock(values, gradient.samples,
                                                  gradient.components, gradient.properties))
        blocks.append(new)
    return TensorMap(tensor.keys, blocks)


def test_a_gradient_that_holds_the_centre_fixed_fails():
    with pytest.raises(AssertionError, match="position gradients disagree") as info:
        assert_position_gradients(_broken, _frames()[0], atoms=[0])
    assert "FAILED" in str(info.value) and "worst at frame" in str(info.value)


def _pair_energy(frame):
    """Per-atom energies e_i = sum_j exp(-|r_ij|^2) / 2 and their gradient, dense."""
    r = frame.positions
    diff = r[None, :, :] - r[:, None, :]  # r_j - r_i
    w = np.exp(-(diff**2).sum(-1)) * (1 - np.eye(len(r)))
    values = 0.5 * w.sum(axis=1)[:, None]
    grad = np.zeros((len(r), len(r), 3, 1))
    for i in range(len(r)):
        for j in range(len(r)):
            if i != j:
                g = -w[i, j] * diff[i, j]  # d e_i / d r_j
                grad[i, j, :, 0] += g
                grad[i, i, :, 0] -= g
    return values, grad


def test_dense_form_passes_and_a_forgotten_neighbour_fails():
    frame = ase.Atoms("H3", positions=[[0, 0, 0], [0.8, 0.1, 0.0], [0.2, 0.7, 0.5]])
    assert assert_position_gradients(_pair_energy, frame).passed

    def forgetful(f):
        values, grad = _pair_energy(f)
        grad[0, 2] = 0.0  # centre 0 ignores neighbour 2 (a translation check cannot see it
        grad[0, 0] = -grad[0, 1]  # once the centre's entry is made consistent with that)
        return values, grad

    with pytest.raises(AssertionError, match=r"dense: max err .* FAILED; worst at frame 0"):
        assert_position_gradients(forgetful, frame)


def test_moved_atoms_can_be_limited():
    frame = ase.Atoms("H3", positions=[[0, 0, 0], [0.8, 0.1, 0.0], [0.2, 0.7, 0.5]])
    report = assert_position_gradients(_pair_energy, frame, atoms=[1])
    assert report.rows[0]["atom"] == 1


def test_dense_shape_mismatch_is_a_value_error():
    frame = ase.Atoms("H2", positions=[[0, 0, 0], [0.8, 0.1, 0.0]])
    with pytest.raises(ValueError, match=r"\(centres, atoms, 3, ...\) needs \(2, 2, 3, ...\)"):
        assert_position_gradients(lambda f: (np.zeros((2, 1)), np.zeros((2, 3, 1))), frame)


def test_no_frames_is_a_value_error():
    with pytest.raises(ValueError, match="frames must hold at least one"):
        assert_position_gradients(_pair_energy, [])
