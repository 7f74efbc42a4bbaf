"""Shared structures and comparisons for the spherical-expansion tests (imported by them)."""

from __future__ import annotations

import ase
import numpy as np

from o3ref.fast.hypers import seed_hypers
from o3ref.verify.structures import seed_water_frame as water_frame
from o3ref.verify.structures import seed_water_frames as seed_frames
from o3ref.verify.structures import water_box
from o3ref.verify.tolerances import tolerance

__all__ = ["SEED_HYPERS", "water_frame", "seed_frames", "water_box", "random_structure",
           "block_errors", "assert_tensormaps_close", "expansion_atol"]

# the seed tutorial's hypers ("Equivariant ML models", rascaline keyword spelling)
SEED_HYPERS = dict(seed_hypers(), gradients=False)


def expansion_atol(hypers: dict, l: int, magnitude: float, factor: float = 1.0) -> float:
    """The ``expansion`` policy of :mod:`o3ref.verify.tolerances`: rounding amplified by
    cond(S) of the GTO overlap, at degree ``l``, against ``magnitude`` (the block's largest
    value), times ``factor`` for the operations a test adds on top (a rotation, a sum)."""
    from o3ref.fast.radial import gto_overlap

    n_radial = hypers["max_radial"]
    cond = float(np.linalg.cond(gto_overlap(hypers["cutoff"], n_radial)))
    return factor * tolerance("expansion", l, scale=cond * magnitude).atol


def two_implementations_rtol(hypers: dict, gradients: bool = False) -> float:
    """o3ref's default (splined) expansion against featomic's analytic path, relative to the
    block's norm: each float64 expansion within the ``expansion`` policy at ``l_max``, plus the
    accuracy of o3ref's radial spline (``radial_spline``; ``radial_spline_derivative`` when
    position gradients are compared too)."""
    from o3ref.fast.hypers import ExpansionHypers
    from o3ref.fast.radial import gto_overlap

    h = ExpansionHypers.from_kwargs(**hypers)
    cond = float(np.linalg.cond(gto_overlap(h.cutoff, h.n_radial)))
    policy = "radial_spline_derivative" if gradients else "radial_spline"
    spline = tolerance(policy).atol if h.spline else 0.0
    return 2 * tolerance("expansion", h.l_max, scale=cond).atol + spline


def random_structure(rng, n_atoms, species, periodic, box=3.0, min_distance=0.5):
    """Random atoms in a (possibly periodic, slightly skewed) box, no two closer than
    ``min_distance`` (periodic images included)."""
    cell = np.eye(3) * box + rng.uniform(-0.3, 0.3, (3, 3))
    while True:
        positions = rng.uniform(0, 1, (n_atoms, 3)) @ cell
        atoms = ase.Atoms(numbers=rng.choice(species, n_atoms), positions=positions,
                          cell=cell if periodic else None, pbc=periodic)
        if n_atoms == 1 or atoms.get_all_distances(mic=periodic)[
            np.triu_indices(n_atoms, 1)
        ].min() > min_distance:
            return atoms


def block_errors(expected, actual, scale):
    """max |expected - actual| divided by ``max(||expected||, scale)``."""
    expected = np.asarray(expected, dtype=np.float64)
    return np.abs(expected - actual).max() / max(np.linalg.norm(expected), scale)


def assert_tensormaps_close(expected, actual, rtol, gradients=False):
    """Same keys, samples, components, properties; every block within ``rtol`` of its norm.

    Blocks that vanish by symmetry (their norm is rounding) are measured against
    ``1e-6`` times the largest block norm instead.
    """
    assert expected.keys == actual.keys
    largest = max(np.linalg.norm(b.values) for b in expected.blocks())
    for key, block in expected.items():
        other = actual.block(key)
        assert block.samples == other.samples, key
        assert block.components == other.components, key
        assert block.properties == other.properties, key
        assert block_errors(block.values, other.values, 1e-6 * largest) <= rtol, key
        if gradients:
            grad, other_grad = block.gradient("positions"), other.gradient("positions")
            assert grad.samples == other_grad.samples, key
            assert grad.components == other_grad.components, key
            glargest = max(np.linalg.norm(b.gradient("positions").values)
                           for b in expected.blocks())
            assert block_errors(grad.values, other_grad.values, 1e-6 * glargest) <= rtol, key
