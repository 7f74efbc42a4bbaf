"""fast.SphericalExpansion against the 30-digit mpmath reference, and the seed's numbers."""

from __future__ import annotations

import ase
import ase.io
import numpy as np
import pytest
from expansion_helpers import SEED_HYPERS, random_structure, water_frame

from o3ref.fast import SphericalExpansion, rotation_matrix
from o3ref.reference import spherical_expansion
from o3ref.verify.tolerances import tolerance
from o3ref.verify.tutorial import published as seed

# the seed tutorial's executed outputs (CONVENTIONS.md, "Reference numbers")
SEED_ROTATED_OH_L2_M_MINUS2 = seed.NU1_OH_L2_M_MINUS2
SEED_OO_SELF_L0 = seed.NU1_OO_SELF_L0


def _reference(frames, **hypers):
    return spherical_expansion(
        frames, cutoff=hypers["cutoff"], n_radial=hypers["max_radial"],
        l_max=hypers["max_angular"], density_width=hypers["atomic_gaussian_width"],
        center_atom_weight=hypers.get("center_atom_weight", 1.0),
        smoothing="Step" if "Step" in hypers["cutoff_function"] else "ShiftedCosine",
        smoothing_width=hypers["cutoff_function"].get("ShiftedCosine", {}).get("width"),
        dps=30,
    )


def _assert_matches_reference(frames, hypers, rtol=1e-10):
    expected = _reference(frames, **hypers)
    actual = SphericalExpansion(**hypers).compute(frames)
    assert len(actual.keys) == len(expected)
    largest = max(np.linalg.norm(np.array(v, dtype=float)) for _, v in expected.values())
    for (l, center, neighbor), (samples, values) in expected.items():
        block = actual.block(o3_lambda=l, center_type=center, neighbor_type=neighbor)
        assert [tuple(s) for s in block.samples.values.tolist()] == samples
        values = np.array(values, dtype=float)
        # blocks that vanish by symmetry are held to 1e-6 of the largest block instead
        scale = max(np.linalg.norm(values), 1e-6 * largest)
        assert np.abs(block.values - values).max() <= rtol * scale, (l, center, neighbor)


@pytest.mark.parametrize(
    "seed, species, periodic",
    [(0, [8], False), (1, [1, 8], False), (2, [1, 6, 8], False),
     (3, [1], True), (4, [1, 8], True), (5, [1, 6, 8], True)],
)
def test_random_structures_match_the_30_digit_reference(seed, species, periodic):
    rng = np.random.default_rng(seed)
    frames = [random_structure(rng, int(rng.integers(2, 5)), species, periodic, box=3.2)
              for _ in range(2)]
    hypers = {"cutoff": 2.8, "max_radial": 4, "max_angular": 3,
              "atomic_gaussian_width": float(rng.uniform(0.25, 0.5)),
              "cutoff_function": {"ShiftedCosine": {"width": 0.6}},
              "center_atom_weight": float(rng.uniform(0.2, 1.5))}
    _assert_matches_reference(frames, hypers)


def test_step_cutoff_and_closed_form_match_the_reference():
    rng = np.random.default_rng(11)
    frames = [random_structure(rng, 4, [1, 8], True, box=3.0)]
    hypers = {"cutoff": 2.5, "max_radial": 3, "max_angular": 2, "atomic_gaussian_width": 0.3,
              "radial_basis": {"Gto": {"splined_radial_integral": False}},
              "cutoff_function": {"Step": {}}, "center_atom_weight": 0.0}
    _assert_matches_reference(frames, hypers)


def test_seed_hypers_on_frame_81_match_the_reference():
    _assert_matches_reference([water_frame(81)], SEED_HYPERS)


def _rotated_frame_81(frame):
    # the seed's rotated_structures[11]: alpha = 0, beta = pi/3, gamma = 6 pi/7 (ZYZ, active)
    rotation = np.asarray(rotation_matrix(0.0, np.pi / 3, 6 * np.pi / 7)).reshape(3, 3)
    rotated = frame.copy()
    rotated.positions = frame.positions @ rotation.T
    return rotated


def _check_seed_numbers(frame):
    # printed to 8 decimals by a calculator with splined radial integrals (PITFALLS.md: ~3e-8
    # relative): agreement to one unit of the last printed digit (the closed form gives
    # 0.0096370848 where the seed printed 0.00963709)
    calculator = SphericalExpansion(**SEED_HYPERS)
    rotated = calculator.compute(_rotated_frame_81(frame))
    block = rotated.block(o3_lambda=2, center_type=8, neighbor_type=1)
    np.testing.assert_allclose(block.values[0, 0], SEED_ROTATED_OH_L2_M_MINUS2, rtol=0, atol=1e-8)
    own = calculator.compute(frame).block(o3_lambda=0, center_type=8, neighbor_type=8)
    np.testing.assert_allclose(own.values[0, 0], SEED_OO_SELF_L0, rtol=0, atol=1e-8)


def test_seed_printed_coefficients_from_the_grid_formula():
    # geometry from the grid formula: a few roundings of numbers of size ~1 (or ~100 degrees)
    assert water_frame(0).get_distance(0, 1) == pytest.approx(0.70, abs=tolerance("rotation").atol)
    assert water_frame(1).get_angle(1, 0, 2) == pytest.approx(
        70.0, abs=tolerance("rotation", scale=180 / np.pi).atol)  # arccos, in degrees
    _check_seed_numbers(water_frame(81))


def test_seed_printed_coefficients_from_the_data_file(tutorial_xyz):
    frame = ase.io.read(tutorial_xyz, index=81)
    # the file's info fields are written with their printed digits: exact as decimals
    assert frame.info["OH1"] == 1.05 and frame.info["HOH"] == 100.0
    _check_seed_numbers(ase.Atoms(frame.numbers, positions=frame.positions))
