"""The chunked pair pipeline: any chunk size gives the same expansion (issue 21).

Chunks of one pair cut every segment (and every run of periodic images of one neighbour)
into pieces, so that each piece is added on top of the previous ones; a single chunk holds
everything. Both must agree, values and gradients, within the ``expansion`` policy (the
sums run in another order; measured against the largest block), on structures with long
segments (a thin cell), an atom's own periodic images (a small cell), repeated images of a
neighbour, and empty space.
"""

from __future__ import annotations

import ase
import numpy as np
import pytest
from expansion_helpers import SEED_HYPERS, random_structure, seed_frames

import o3ref.fast.expansion as expansion
from o3ref.fast import SphericalExpansion
from o3ref.fast.expansion_layout import chunk_bounds, layout
from o3ref.fast.radial import gto_overlap
from o3ref.verify.structures import sparse_box, thin_cell
from o3ref.verify.tolerances import tolerance


def _small_cell():
    # a 2.5 A cell and a 2 A cutoff: every atom sees its own images at +-a (self-images)
    return ase.Atoms("OH2", positions=[[0, 0, 0], [0.9, 0.1, 0], [-0.2, 0.9, 0.1]],
                     cell=[2.5, 2.6, 2.7], pbc=True)


STRUCTURES = {
    "seed": lambda: seed_frames()[:12],
    "thin cell": lambda: [thin_cell(0.05)],
    "small cell": lambda: [_small_cell()],
    "random periodic": lambda: [random_structure(np.random.default_rng(3), 12, [1, 6, 8],
                                                 periodic=True)],
    "sparse": lambda: [sparse_box(40, 12.0)],
}


def _compute(monkeypatch, frames, chunk_pairs):
    with monkeypatch.context() as patch:
        if chunk_pairs is None:  # one chunk
            patch.setattr(expansion, "CHUNK_BYTES", 1 << 40)
        else:
            patch.setattr(expansion, "CHUNK_BYTES", 1)
            patch.setattr(expansion, "MIN_CHUNK_PAIRS", chunk_pairs)
        return SphericalExpansion(**SEED_HYPERS).compute(frames, gradients=["positions"])


@pytest.mark.parametrize("name", list(STRUCTURES))
@pytest.mark.parametrize("chunk_pairs", [1, 7])
def test_any_chunk_size_gives_the_same_expansion(monkeypatch, name, chunk_pairs):
    frames = STRUCTURES[name]()
    whole = _compute(monkeypatch, frames, None)
    pieces = _compute(monkeypatch, frames, chunk_pairs)
    cond = float(np.linalg.cond(gto_overlap(SEED_HYPERS["cutoff"], SEED_HYPERS["max_radial"])))
    rtol = tolerance("expansion", SEED_HYPERS["max_angular"], scale=cond).atol
    assert whole.keys == pieces.keys
    # against the largest block: the terms of a block that vanishes by symmetry (odd l
    # in a flat cell) are of that size, its value is their rounding
    largest = max(np.abs(b.values).max() for b in whole.blocks())
    glargest = max(np.abs(b.gradient("positions").values).max() for b in whole.blocks())
    for key, block in whole.items():
        other = pieces.block(key)
        assert block.samples == other.samples, key
        grad, other_grad = block.gradient("positions"), other.gradient("positions")
        assert grad.samples == other_grad.samples, key
        assert np.all(np.isfinite(other.values)) and np.all(np.isfinite(other_grad.values))
        assert np.abs(block.values - other.values).max() <= rtol * largest, key
        assert np.abs(grad.values - other_grad.values).max() <= rtol * glargest, key


def test_chunks_cover_every_pair_once_and_keep_whole_segments():
    # segments (centre 0: 5 pairs, centre 1: 2, centre 2: 4) in chunks of at most 4 pairs
    first = np.array([0] * 5 + [1] * 2 + [2] * 4)
    second = np.array([1, 2, 3, 4, 5, 0, 2, 0, 1, 3, 4])
    lay = layout(np.full(6, 8), first, second, gradients=False)
    chunks = list(chunk_bounds(lay, 4))
    # centre 0 is cut after 4 pairs; its last pair goes with the whole segment of centre 1
    assert [(c.lo, c.hi, c.whole) for c in chunks] == [(0, 4, False), (4, 7, False),
                                                       (7, 11, True)]
    assert [c.starts.tolist() for c in chunks] == [[0], [0, 1], [0]]
    assert [c.rows.tolist() for c in chunks] == [[0], [0, 1], [2]]
