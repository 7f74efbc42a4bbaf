"""Output arrays used again: a result its caller has dropped lends its memory to the next call.

``SphericalExpansion`` keeps the output arrays of its last call; the next call zeroes and
fills the ones nothing else refers to any more (no block, no view left), and allocates new
ones for the others (issue 21: fresh memory's page faults made the rounds of the 1,536-atom
box spread). A result still held is never written into.
"""

from __future__ import annotations

import copy
import gc
import weakref

import numpy as np
from expansion_helpers import SEED_HYPERS, random_structure, seed_frames

from o3ref.fast import SphericalExpansion


def _arrays(result):
    """Copies of every values and gradient array of a result, by key."""
    return {tuple(int(v) for v in key.values): (block.values.copy(),
                                                block.gradient("positions").values.copy())
            for key, block in result.items()}


def _owners(result):
    """Weak references to the arrays that own the result's memory (a view's ``base``)."""
    return [weakref.ref(block.values.base) for block in result.blocks()]


def _same(result, arrays):
    got = _arrays(result)
    assert got.keys() == arrays.keys()
    for key, (values, grads) in arrays.items():
        assert np.array_equal(got[key][0], values), key
        assert np.array_equal(got[key][1], grads), key


def test_a_held_result_is_never_written_into():
    frames = seed_frames()[:6]
    other = [random_structure(np.random.default_rng(5), 9, [1, 8], periodic=True)]
    calc = SphericalExpansion(**SEED_HYPERS)
    first = calc.compute(frames, gradients=["positions"])
    before = _arrays(first)
    for structures in (frames, other, frames):
        calc.compute(structures, gradients=["positions"])
        _same(first, before)


def test_a_dropped_result_lends_its_memory_and_the_next_is_exact():
    frames = seed_frames()[:6]
    smaller = seed_frames()[:4]  # a smaller call fits the arrays of a larger one
    calc = SphericalExpansion(**SEED_HYPERS)
    expected = _arrays(SphericalExpansion(**SEED_HYPERS).compute(smaller,
                                                                 gradients=["positions"]))
    result = calc.compute(frames, gradients=["positions"])
    owners = _owners(result)
    del result
    gc.collect()
    again = calc.compute(smaller, gradients=["positions"])
    # the same arrays, alive and holding the new result
    assert all(owner() is not None for owner in owners)
    assert {id(owner()) for owner in owners} == {id(o()) for o in _owners(again)}
    _same(again, expected)  # zeroed before it was filled again


def test_one_block_kept_keeps_its_array_out_of_the_next_call():
    calc = SphericalExpansion(**SEED_HYPERS)
    result = calc.compute(seed_frames()[:6], gradients=["positions"])
    kept = result.block(0).gradient("positions").values
    copy = kept.copy()
    del result
    calc.compute(seed_frames()[6:12], gradients=["positions"])  # other values, same sizes
    calc.compute(seed_frames()[6:12])
    assert np.array_equal(kept, copy)


def test_copies_leave_the_spare_arrays_behind():
    calc = SphericalExpansion(**SEED_HYPERS)
    result = calc.compute(seed_frames()[:3], gradients=["positions"])
    copied = copy.deepcopy(calc)
    assert copied._spares == [] and len(calc._spares) > 0
    _same(copied.compute(seed_frames()[:3], gradients=["positions"]), _arrays(result))
