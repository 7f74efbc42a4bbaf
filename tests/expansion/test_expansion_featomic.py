"""Block-by-block agreement with featomic (optional; closed-form radial integrals there)."""

from __future__ import annotations

import ase
import numpy as np
import pytest
from expansion_helpers import (
    SEED_HYPERS,
    assert_tensormaps_close,
    random_structure,
    seed_frames,
    two_implementations_rtol,
    water_box,
)

from o3ref.fast import ExpansionHypers, SphericalExpansion
from o3ref.verify.tolerances import tolerance

featomic = pytest.importorskip("featomic")

pytestmark = pytest.mark.anchors


def _both(frames, hypers, gradients=None):
    # featomic's closed form (its splines are only 1e-8 accurate) against our default spline
    featomic_hypers = ExpansionHypers.from_kwargs(**hypers).to_featomic(spline_accuracy=None)
    expected = featomic.SphericalExpansion(**featomic_hypers).compute(frames, gradients=gradients)
    actual = SphericalExpansion(**hypers).compute(frames, gradients=gradients)
    return expected, actual


@pytest.mark.parametrize("gradients", [None, ["positions"]])
def test_seed_water_set(gradients):
    expected, actual = _both(seed_frames(), SEED_HYPERS, gradients)
    rtol = two_implementations_rtol(SEED_HYPERS, gradients=bool(gradients))
    assert_tensormaps_close(expected, actual, rtol=rtol, gradients=bool(gradients))


def test_periodic_water_box_with_several_images():
    # 6.2 A and 3.1 A cells with a 5 A cutoff: several images of every atom, itself included
    boxes = [water_box(2, seed=1), water_box(1, seed=2)]
    hypers = {"cutoff": {"radius": 5.0, "smoothing": {"type": "ShiftedCosine", "width": 0.5}},
              "density": {"type": "Gaussian", "width": 0.3},
              "basis": {"type": "TensorProduct", "max_angular": 6,
                        "radial": {"type": "Gto", "max_radial": 8}}}
    expected, actual = _both(boxes, hypers, ["positions"])
    assert_tensormaps_close(expected, actual, rtol=two_implementations_rtol(hypers, True),
                            gradients=True)


def test_species_missing_in_some_frames_step_cutoff_and_centre_weight():
    rng = np.random.default_rng(5)
    frames = [
        random_structure(rng, 5, [1, 6, 8], True, box=3.5),
        random_structure(rng, 3, [1], True, box=3.0),
        ase.Atoms("N", positions=[[0.0, 0.0, 0.0]]),  # a lone atom: only its own (7, 7) term
        random_structure(rng, 4, [1, 8], False),
    ]
    hypers = dict(SEED_HYPERS, cutoff=3.0, max_radial=4, max_angular=3, center_atom_weight=0.4,
                  cutoff_function={"Step": {}})
    expected, actual = _both(frames, hypers, ["positions"])
    assert_tensormaps_close(expected, actual, rtol=two_implementations_rtol(hypers, True),
                            gradients=True)
    centre_types = set(actual.keys.column("center_type").tolist())
    assert centre_types == {1, 6, 7, 8}


def test_default_splines_agree_to_featomics_spline_accuracy():
    # featomic's default splines are accurate to about 1e-8; ours to 1e-10
    hypers = ExpansionHypers.from_kwargs(**SEED_HYPERS).to_featomic(spline_accuracy=1e-8)
    expected = featomic.SphericalExpansion(**hypers).compute(seed_frames())
    actual = SphericalExpansion(**hypers).compute(seed_frames())
    assert_tensormaps_close(expected, actual, rtol=tolerance("featomic_spline").atol)
