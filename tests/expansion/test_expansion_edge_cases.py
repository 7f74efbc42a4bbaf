"""Bad input and edge cases: a clear error or the documented result, never a NaN."""

from __future__ import annotations

import ase
import mpmath
import numpy as np
import pytest
from expansion_helpers import SEED_HYPERS, expansion_atol, water_frame

from o3ref import reference
from o3ref.fast import SphericalExpansion
from o3ref.verify.compare import assert_close
from o3ref.verify.tolerances import tolerance


@pytest.fixture(scope="module")
def calc():
    return SphericalExpansion(**SEED_HYPERS)


def test_coincident_atoms_are_refused(calc):
    frame = ase.Atoms("OHH", positions=[[0, 0, 0], [0.5, 0, 0], [0.5, 0, 0]])
    with pytest.raises(ValueError, match=r"atoms 1 and 2 of frames\[1\] coincide \(distance 0 <"):
        calc.compute([water_frame(0), frame])
    # a periodic image on top of another atom is the same problem
    frame = ase.Atoms("HH", positions=[[0, 0, 0], [1.0, 0, 0]], cell=[1.0, 5, 5], pbc=True)
    with pytest.raises(ValueError, match=r"atoms 0 and 1 of frames\[0\] coincide"):
        calc.compute(frame)


def test_non_finite_positions_are_refused(calc):
    frame = water_frame(3)
    frame.positions[2, 1] = np.nan
    match = r"positions of frames\[0\] atom 2 = \[.*nan.*\] must be finite"
    with pytest.raises(ValueError, match=match):
        calc.compute(frame)


def test_empty_frames_and_empty_lists(calc):
    empty = calc.compute([])
    assert len(empty.keys) == 0 and empty.keys.names == [
        "o3_lambda", "o3_sigma", "center_type", "neighbor_type"]
    assert len(calc.compute(ase.Atoms()).keys) == 0
    # an empty frame adds no sample but keeps the numbering of the others
    tensor = calc.compute([ase.Atoms(), water_frame(5)])
    for block in tensor.blocks():
        assert set(block.samples.column("system").tolist()) == {1}
        assert np.all(np.isfinite(block.values))


def test_lone_atom_has_only_its_own_term(calc):
    tensor = calc.compute(ase.Atoms("C", positions=[[0, 0, 0]]), gradients=["positions"])
    assert tensor.keys.column("o3_lambda").tolist() == [0, 1, 2, 3, 4]
    assert set(tensor.keys.column("neighbor_type").tolist()) == {6}
    block = tensor.block(o3_lambda=0)
    # w_c I_n0(0) Y_00 from the mpmath reference
    radial = reference.radial_integral(0, 0, 2.0, 6, 0.2)
    expected = np.array([float(v / (2 * mpmath.sqrt(mpmath.pi))) for v in radial])
    # the radial policy: rounding amplified by cond(S) of the GTO overlap, against the
    # largest value (an absolute bound: the n = 3 value is -0.0054, near zero)
    overlap = np.array(reference.gto_overlap(2.0, 6, dps=20).tolist(), dtype=float)
    tol = tolerance("radial", l=0, scale=np.linalg.cond(overlap) * np.abs(expected).max())
    assert_close(block.values[0, 0], expected, tol)
    for l in range(1, 5):
        assert not tensor.block(o3_lambda=l).values.any()
    assert not tensor.block(o3_lambda=0).gradient("positions").values.any()


def test_species_missing_in_some_frames_keeps_keys_consistent(calc):
    frames = [water_frame(1), ase.Atoms("CH", positions=[[0, 0, 0], [1.1, 0, 0]]), water_frame(2)]
    tensor = calc.compute(frames)
    pairs = {(int(c), int(a)) for c, a in zip(tensor.keys.column("center_type"),
                                               tensor.keys.column("neighbor_type"), strict=True)}
    assert pairs == {(1, 1), (1, 8), (8, 1), (8, 8), (6, 6), (6, 1), (1, 6)}
    carbon = tensor.block(o3_lambda=0, center_type=6, neighbor_type=1)
    assert carbon.samples.values.tolist() == [[1, 0]]
    for l in range(5):  # every pair of types has every l
        assert len(tensor.blocks(o3_lambda=l)) == 7
    # computing frame by frame gives the same numbers for the frames' own samples
    alone = calc.compute(frames[2]).block(o3_lambda=2, center_type=8, neighbor_type=1)
    together = tensor.block(o3_lambda=2, center_type=8, neighbor_type=1)
    np.testing.assert_allclose(together.values[together.samples.column("system") == 2],
                               alone.values,
                               atol=expansion_atol(SEED_HYPERS, 2, np.abs(alone.values).max(), 2))


def test_zero_size_cell_is_refused(calc):
    frame = ase.Atoms("H", positions=[[0, 0, 0]], cell=np.zeros((3, 3)), pbc=True)
    with pytest.raises(ValueError, match=r"has zero size along a periodic direction"):
        calc.compute(frame)


@pytest.mark.parametrize(
    "frames, gradients, error, match",
    [("H2O", None, TypeError, r"frames=str must be an ase.Atoms or a list of ase.Atoms"),
     ([np.zeros((3, 3))], None, TypeError, r"frames\[0\]=ndarray must be an ase.Atoms"),
     ([ase.Atoms()], "positions", ValueError, r"gradients='positions' must be None or a list"),
     ([ase.Atoms()], ["cell"], ValueError, r"only 'positions' gradients are supported")],
)
def test_bad_arguments(calc, frames, gradients, error, match):
    with pytest.raises(error, match=match):
        calc.compute(frames, gradients=gradients)


def test_seed_gradients_flag_turns_gradients_on():
    tensor = SphericalExpansion(**dict(SEED_HYPERS, gradients=True)).compute(water_frame(7))
    assert tensor.block(0).gradients_list() == ["positions"]
    assert SphericalExpansion(**SEED_HYPERS).compute(water_frame(7)).block(0).gradients_list() == []


def test_atoms_at_the_cutoff_contribute_nothing_and_stay_finite(calc):
    frame = ase.Atoms("HH", positions=[[0, 0, 0], [0, 0, 2.0 - 1e-12]])
    tensor = calc.compute(frame, gradients=["positions"])
    for block in tensor.blocks():
        assert np.all(np.isfinite(block.values))
        assert np.all(np.isfinite(block.gradient("positions").values))
    lone = calc.compute(ase.Atoms("H", positions=[[0, 0, 0]])).block(o3_lambda=0)
    np.testing.assert_allclose(tensor.block(o3_lambda=0).values[0], lone.values[0],
                               atol=expansion_atol(SEED_HYPERS, 0, np.abs(lone.values).max(), 2))
