"""``o3ref.data.load_water_dipoles()``: the bundled data set in one call, in the units its
docstring states (positions Å, energy eV, forces eV/Å, dipole e·Å)."""

from __future__ import annotations

import numpy as np
import pytest
from ase.units import Debye, Hartree

from o3ref.data import load_water_dipoles


@pytest.fixture(scope="module")
def frames():
    return load_water_dipoles()


def _frame(frames, oh1, hoh):
    (match,) = [f for f in frames if np.isclose(f.info["OH1"], oh1) and f.info["HOH"] == hoh]
    return match


def test_121_water_frames_in_the_documented_order(frames):
    assert len(frames) == 121
    assert {f.get_chemical_formula() for f in frames} == {"H2O"}
    # the file's info fields are written with their printed digits: exact as decimals
    assert (frames[81].info["OH1"], frames[81].info["HOH"]) == (1.05, 100.0)
    # the README's geometry: O at the origin, H1 = OH1 (-sin(HOH/2), cos(HOH/2), 0)
    half = np.radians(100.0) / 2
    np.testing.assert_allclose(frames[81].positions[1], 1.05 * np.array(
        [-np.sin(half), np.cos(half), 0.0]), atol=1e-9)


def test_energy_is_in_ev(frames):
    # a total PBE0 energy of water is about -76.4 Hartree; in eV that is about -2080
    energies = np.array([f.get_potential_energy() for f in frames])
    assert np.all((energies / Hartree > -77.0) & (energies / Hartree < -75.5))


def test_forces_are_minus_the_energy_gradient_in_ev_per_angstrom(frames):
    # OH1 -> OH1 + d with OH2 = 1.90 - OH1 at fixed HOH moves H1 by +d along its bond and
    # H2 by -d along its bond. The 5-point difference over the grid (h = 0.05 Å) has a
    # truncation error h^4 |E^(5)| / 30, about 5e-4 of the slope here; 1e-2 leaves room for
    # it, while other units (Hartree, bohr) would be off by a factor 27 to 51.
    h = 0.05
    for mid in (0.80, 1.10):  # not 0.95: there the two bonds are equal and the slope is 0
        for hoh in (90.0, 140.0):
            e = [_frame(frames, mid + k * h, hoh).get_potential_energy() for k in (-2, -1, 1, 2)]
            slope = (e[0] - 8 * e[1] + 8 * e[2] - e[3]) / (12 * h)
            middle = _frame(frames, mid, hoh)
            pos, forces = middle.positions, middle.get_forces()
            u1 = pos[1] / np.linalg.norm(pos[1])
            u2 = pos[2] / np.linalg.norm(pos[2])
            from_forces = -(forces[1] @ u1) + forces[2] @ u2
            assert abs(slope) > 10.0
            # a physical check of units (see above), not a floating-point tolerance
            assert from_forces == pytest.approx(slope, rel=1e-2, abs=0.0)


def test_dipole_is_in_electron_angstrom(frames):
    # near the equilibrium geometry the dipole of water is about 1.85 debye = 0.385 e·Å
    dipole = np.linalg.norm(_frame(frames, 0.95, 100.0).get_dipole_moment())
    assert 1.6 * Debye < dipole < 2.1 * Debye
