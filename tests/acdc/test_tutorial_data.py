"""o3ref's water data set and the tutorial's targets as metatensor blocks."""

from __future__ import annotations

import importlib.resources
import math

import numpy as np
import pytest

from o3ref.verify.structures.targets import (
    dipole_tensor,
    energy_block,
    frame_forces,
    read_frames,
    spherical_to_xyz,
    xyz_to_spherical,
)

DATA = importlib.resources.files("o3ref.data") / "water-dipoles.xyz"


@pytest.fixture(scope="module")
def ours():
    return read_frames(DATA)


def test_data_grid_geometry_and_order(ours):
    assert len(ours) == 121
    for k, frame in enumerate(ours):
        oh1 = 0.70 + 0.05 * (k // 11)
        hoh = math.radians(60 + 10 * (k % 11))
        assert frame.get_chemical_symbols() == ["O", "H", "H"]
        assert frame.info["OH1"] == pytest.approx(oh1, abs=1e-12)
        assert frame.info["OH2"] == pytest.approx(1.90 - oh1, abs=1e-12)
        expected = [
            [0, 0, 0],
            [-oh1 * math.sin(hoh / 2), oh1 * math.cos(hoh / 2), 0],
            [(1.90 - oh1) * math.sin(hoh / 2), (1.90 - oh1) * math.cos(hoh / 2), 0],
        ]
        np.testing.assert_allclose(frame.positions, expected, rtol=0, atol=1e-12)


def test_data_properties_and_units(ours):
    energies = np.array([f.get_potential_energy() for f in ours])
    dipoles = np.array([f.get_dipole_moment() for f in ours])
    forces = np.array([f.get_forces() for f in ours])
    # total PBE0 energy of water in eV (about -76.3 Hartree), planar molecule
    assert np.all((-2080 < energies) & (energies < -2060))
    assert np.all(np.abs(dipoles[:, 2]) == 0) and np.all(np.abs(forces[:, :, 2]) == 0)
    # e*A: water's dipole is about 0.39 e*A (1.85 D) near equilibrium
    assert 0.3 < np.linalg.norm(dipoles[60]) < 0.5
    # forces are minus the gradient: total force vanishes (translation invariance) up to the grid
    assert np.abs(forces.sum(axis=1)).max() < 1e-2
    assert all(f.info["method"] == "PBE0" and f.info["basis"] == "aug-cc-pVDZ" for f in ours)


def test_data_forces_are_minus_energy_gradient(ours):
    # the grid: frame k and k+1 differ by 10 degrees of HOH at fixed bond lengths; the energy
    # change along that path equals -int F . dr to second order (trapezoid rule)
    for k in (12, 55, 78):
        a, b = ours[k], ours[k + 1]
        dr = b.positions - a.positions
        work = -0.5 * ((a.get_forces() + b.get_forces()) * dr).sum()
        delta = b.get_potential_energy() - a.get_potential_energy()
        assert work == pytest.approx(delta, rel=0.05, abs=5e-3)


def test_data_mirror_symmetry(ours):
    # swapping OH1 and OH2 mirrors the molecule through the yz plane: same energy, dipole x -> -x
    for i in range(11):
        for j in range(11):
            a, b = ours[11 * i + j], ours[11 * (10 - i) + j]
            assert a.get_potential_energy() == pytest.approx(b.get_potential_energy(), abs=1e-6)
            mirrored = b.get_dipole_moment() * [-1, 1, 1]
            np.testing.assert_allclose(a.get_dipole_moment(), mirrored, rtol=0, atol=1e-6)


def test_data_close_to_the_tutorial_dipoles(ours, tutorial_xyz):
    theirs = read_frames(tutorial_xyz)
    np.testing.assert_allclose([f.positions for f in ours], [f.positions for f in theirs],
                               rtol=0, atol=1e-8)
    ours_d = np.array([f.get_dipole_moment() for f in ours])
    theirs_d = np.array([f.get_dipole_moment() for f in theirs])
    # different methods (PBE0 vs Partridge-Schwenke): close, not equal
    assert np.sqrt(np.mean((ours_d - theirs_d) ** 2)) < 0.01


def test_targets_energy_block(ours):
    block = energy_block(ours)
    assert block.values.shape == (121, 1)
    gradient = block.gradient("positions")
    assert list(gradient.samples.names) == ["sample", "system", "atom"]
    assert gradient.values.shape == (363, 3, 1)
    np.testing.assert_array_equal(gradient.values[3:6, :, 0], -ours[1].get_forces())
    assert gradient.samples.values[4].tolist() == [1, 1, 1]


def test_targets_dipole_block_is_y_z_x(ours):
    tensor = dipole_tensor(ours[:2])
    assert tensor.keys.names == ["o3_lambda", "o3_sigma"]
    assert tensor.keys.values.tolist() == [[1, 1]]
    block = tensor.block(0)
    assert block.components[0].values.ravel().tolist() == [-1, 0, 1]
    x, y, z = ours[1].get_dipole_moment()
    assert block.values[1, :, 0].tolist() == [y, z, x]


def test_targets_tutorial_file_uses_force_array(tutorial_xyz):
    frames = read_frames(tutorial_xyz)
    np.testing.assert_array_equal(frame_forces(frames[0]), frames[0].arrays["force"])
    assert energy_block(frames).values.shape == (121, 1)


def test_targets_vector_conversion_needs_an_axis():
    v = np.arange(9.0).reshape(3, 3)
    assert xyz_to_spherical(v, axis=0)[:, 0].tolist() == [3.0, 6.0, 0.0]
    assert np.array_equal(spherical_to_xyz(xyz_to_spherical(v, axis=1), axis=1), v)
    with pytest.raises(ValueError, match="axis=1 has length 2: a vector axis must have length 3"):
        xyz_to_spherical(np.zeros((3, 2)), axis=1)
