"""Neighbour lists against brute force over images and against ase's neighbour list."""

from __future__ import annotations

import itertools

import ase
import numpy as np
import pytest
from ase.neighborlist import neighbor_list as ase_neighbor_list
from expansion_helpers import water_box

from o3ref.fast.neighbors import (
    batched_molecule_neighbors,
    frames_neighbor_pairs,
    neighbor_list,
)
from o3ref.verify.tolerances import tolerance


def brute_force(positions, cell, pbc, cutoff, reach=7):
    """Every shift in [-reach, reach] along periodic axes, every pair: a plain loop."""
    ranges = [range(-reach, reach + 1) if p else range(1) for p in pbc]
    out = set()
    for shift in itertools.product(*ranges):
        offset = np.array(shift) @ cell
        for i, j in itertools.product(range(len(positions)), repeat=2):
            if i == j and not any(shift):
                continue
            if np.linalg.norm(positions[j] - positions[i] + offset) < cutoff:
                out.add((i, j, shift))
    return out


def as_set(nl):
    return set(zip(nl.first.tolist(), nl.second.tolist(), map(tuple, nl.shifts.tolist()),
                   strict=True))


@pytest.mark.parametrize("seed", range(8))
def test_random_cells_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6))
    cell = np.eye(3) * 2.5 + rng.uniform(-0.5, 0.5, (3, 3))
    pbc = [bool(v) for v in rng.random(3) < 0.7]
    positions = rng.uniform(-1, 4, (n, 3))  # some atoms outside the cell: wrapping must not matter
    cutoff = float(rng.uniform(1.0, 4.0))  # up to well above half the cell: several images
    nl = neighbor_list(positions, cell, pbc, cutoff)
    assert as_set(nl) == brute_force(positions, cell, pbc, cutoff)
    assert len(nl.first) == len(as_set(nl))  # no duplicates
    expected = positions[nl.second] - positions[nl.first] + nl.shifts @ cell
    # a difference of positions plus a shift: a few roundings of numbers up to |positions|
    size = np.abs(positions).max() + np.abs(nl.shifts @ cell).max(initial=0.0)
    np.testing.assert_allclose(nl.vectors, expected, atol=tolerance("cartesian", scale=size).atol)
    assert np.all(np.linalg.norm(nl.vectors, axis=1) < cutoff)


def test_self_images_of_a_single_atom():
    # one atom, cubic cell of side 2, cutoff 2.5: the 6 face images (2), not the edges (2.83)
    nl = neighbor_list([[0.3, 0.1, 0.2]], np.eye(3) * 2.0, [True] * 3, 2.5)
    assert sorted(map(tuple, nl.shifts.tolist())) == sorted(
        [s for s in itertools.product((-1, 0, 1), repeat=3) if sum(map(abs, s)) == 1]
    )
    assert np.all(nl.first == 0) and np.all(nl.second == 0)
    # far more images when the cutoff spans several periods along a thin axis
    nl = neighbor_list([[0.0, 0.0, 0.0]], np.diag([0.5, 10.0, 10.0]), [True, False, False], 2.2)
    assert sorted(nl.shifts[:, 0].tolist()) == [-4, -3, -2, -1, 1, 2, 3, 4]


def test_full_list_symmetry_and_order():
    rng = np.random.default_rng(1)
    positions = rng.uniform(0, 3, (6, 3))
    nl = neighbor_list(positions, np.eye(3) * 3, [True, True, False], 2.0)
    pairs = as_set(nl)
    assert all((j, i, tuple(-np.array(s))) in pairs for i, j, s in pairs)
    keys = list(zip(nl.first.tolist(), nl.second.tolist(), map(tuple, nl.shifts.tolist()),
                    strict=True))
    assert keys == sorted(keys)


def test_water_box_against_ase():
    box = water_box(3, seed=2)
    nl = neighbor_list(box.positions, box.cell.array, box.pbc, 5.0)
    i, j, shifts = ase_neighbor_list("ijS", box, 5.0, self_interaction=False)
    expected = set(zip(i.tolist(), j.tolist(), map(tuple, shifts.tolist()), strict=True))
    assert as_set(nl) == expected


def test_molecule_and_degenerate_cell():
    positions = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [5.0, 0.0, 0.0]])
    nl = neighbor_list(positions, np.zeros((3, 3)), [False] * 3, 1.5)
    assert as_set(nl) == {(0, 1, (0, 0, 0)), (1, 0, (0, 0, 0))}
    # periodic along x only, with zero cell vectors on the open axes (ase's default)
    nl = neighbor_list(positions, np.diag([6.0, 0.0, 0.0]), [True, False, False], 1.5)
    assert as_set(nl) == {(0, 1, (0, 0, 0)), (1, 0, (0, 0, 0)),
                          (0, 2, (-1, 0, 0)), (2, 0, (1, 0, 0))}


@pytest.mark.parametrize(
    "cell, pbc",
    [(np.zeros((3, 3)), [True, True, True]),
     (np.diag([3.0, 3.0, 0.0]), [True, True, True]),
     ([[1.0, 0, 0], [2.0, 0, 0], [0, 0, 1.0]], [True, True, False])],
)
def test_zero_size_cells_are_refused(cell, pbc):
    with pytest.raises(ValueError, match=r"has zero size along a periodic direction"):
        neighbor_list(np.zeros((1, 3)), cell, pbc, 1.0)


def test_bad_cutoff_and_cell():
    with pytest.raises(ValueError, match=r"cutoff=0 must be positive"):
        neighbor_list(np.zeros((1, 3)), np.eye(3), [True] * 3, 0)
    with pytest.raises(ValueError, match=r"must be finite"):
        neighbor_list(np.zeros((1, 3)), np.eye(3) * np.nan, [True] * 3, 1.0)


def test_batched_molecules_and_frames_match_single_frames():
    rng = np.random.default_rng(3)
    stacked = rng.uniform(0, 2, (5, 4, 3))
    frame, first, second, vectors = batched_molecule_neighbors(stacked, 1.2)
    for f in range(5):
        nl = neighbor_list(stacked[f], np.zeros((3, 3)), [False] * 3, 1.2)
        sel = frame == f
        assert set(zip(first[sel].tolist(), second[sel].tolist(), strict=True)) == set(
            zip(nl.first.tolist(), nl.second.tolist(), strict=True))
        np.testing.assert_allclose(vectors[sel], stacked[f][second[sel]] - stacked[f][first[sel]],
                                   atol=tolerance("cartesian", scale=np.abs(stacked).max()).atol)
    # mixed list: molecules (batched), an empty frame and a periodic cell (one by one)
    frames = [ase.Atoms("H4", positions=stacked[0]), ase.Atoms(), water_box(1),
              ase.Atoms("H4", positions=stacked[1])]
    first, second, vectors = frames_neighbor_pairs(
        [f.positions for f in frames], [f.cell.array for f in frames], [f.pbc for f in frames], 3.0)
    offsets = np.cumsum([0] + [len(f) for f in frames])
    for f, atoms in enumerate(frames):
        sel = (first >= offsets[f]) & (first < offsets[f + 1])
        i, j, shifts = ase_neighbor_list("ijS", atoms, 3.0, self_interaction=False)
        assert sel.sum() == len(i)
        assert np.all((second[sel] >= offsets[f]) & (second[sel] < offsets[f + 1]))
        expected = np.sort(np.linalg.norm(
            atoms.positions[j] - atoms.positions[i] + shifts @ atoms.cell.array, axis=1))
        size = np.abs(atoms.positions).max(initial=1.0) + np.abs(atoms.cell.array).max() * 3
        np.testing.assert_allclose(np.sort(np.linalg.norm(vectors[sel], axis=1)), expected,
                                   atol=tolerance("cartesian", scale=size).atol)
