"""Spherical expansion: o3ref.fast against featomic, single-threaded, side by side.

Run with ``python -m pytest --bench tests/benchmarks/test_expansion.py --benchmark-only``.
Goals (issue 4): seed water set at most 0.5x featomic's time (values and gradients); a
1536-atom periodic water box (cutoff 5 A, 9 radial functions, l_max 6) at most 1.5x for values
and 1x with gradients. Both sides use their default splined radial integrals (featomic's
``spline_accuracy`` 1e-8, ours 1e-10). Each benchmark checks its result against the other
library once (or for finite values when featomic is absent).
"""

from __future__ import annotations

import numpy as np
import pytest

from o3ref.fast import ExpansionHypers, SphericalExpansion
from o3ref.verify.bench import BOX_HYPERS as BOX
from o3ref.verify.structures import seed_water_frames, water_box

SEED = {"cutoff": 2.0, "max_radial": 6, "max_angular": 4, "atomic_gaussian_width": 0.2,
        "radial_basis": {"Gto": {}}, "cutoff_function": {"ShiftedCosine": {"width": 0.5}},
        "center_atom_weight": 1.0}


CASES = {
    "seed": (SEED, seed_water_frames, 10),
    "box": (BOX, lambda: water_box(8), 3),
}


def _featomic_hypers(hypers):
    out = ExpansionHypers.from_kwargs(**hypers).to_featomic()
    del out["basis"]["spline_accuracy"]  # featomic's default splines
    return out


def _check(result, other, gradients):
    """Same keys and samples, every block within 1e-6 of its norm (featomic's splines)."""
    assert result.keys == other.keys
    for key, block in result.items():
        theirs = other.block(key)
        assert block.samples == theirs.samples
        scale = max(np.linalg.norm(theirs.values), 1e-12)
        assert np.abs(block.values - theirs.values).max() <= 1e-6 * scale
        if gradients:
            g, h = block.gradient("positions"), theirs.gradient("positions")
            assert g.samples == h.samples
            assert np.abs(g.values - h.values).max() <= 1e-6 * max(np.linalg.norm(h.values), 1e-12)


def _run(benchmark, library, case, gradients):
    hypers, build, rounds = CASES[case]
    frames = build()
    grads = ["positions"] if gradients else None
    if library == "featomic":
        featomic = pytest.importorskip("featomic")
        calculator = featomic.SphericalExpansion(**_featomic_hypers(hypers))
    else:
        calculator = SphericalExpansion(**hypers)  # builds (and caches) the radial spline
    result = benchmark.pedantic(calculator.compute, args=(frames,), kwargs={"gradients": grads},
                                rounds=rounds, iterations=1, warmup_rounds=1)
    try:
        import featomic
    except ImportError:
        for block in result.blocks():
            assert np.all(np.isfinite(block.values))
        return
    if library == "featomic":
        other = SphericalExpansion(**hypers).compute(frames, gradients=grads)
    else:
        other = featomic.SphericalExpansion(**_featomic_hypers(hypers)).compute(
            frames, gradients=grads)
    _check(result, other, gradients)


@pytest.mark.benchmark(group="expansion: seed water set, values")
@pytest.mark.parametrize("library", ["o3ref", "featomic"])
def test_seed_values(benchmark, library):
    _run(benchmark, library, "seed", gradients=False)


@pytest.mark.benchmark(group="expansion: seed water set, with gradients")
@pytest.mark.parametrize("library", ["o3ref", "featomic"])
def test_seed_gradients(benchmark, library):
    _run(benchmark, library, "seed", gradients=True)


@pytest.mark.benchmark(group="expansion: 1536-atom water box, values")
@pytest.mark.parametrize("library", ["o3ref", "featomic"])
def test_box_values(benchmark, library):
    _run(benchmark, library, "box", gradients=False)


@pytest.mark.benchmark(group="expansion: 1536-atom water box, with gradients")
@pytest.mark.parametrize("library", ["o3ref", "featomic"])
def test_box_gradients(benchmark, library):
    _run(benchmark, library, "box", gradients=True)
