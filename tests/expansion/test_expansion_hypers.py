"""Hyper-parameters: both spellings, the round trip to featomic's, and every error path."""

from __future__ import annotations

import copy

import pytest
from expansion_helpers import SEED_HYPERS

from o3ref.fast import ExpansionHypers

FEATOMIC = {
    "cutoff": {"radius": 2.0, "smoothing": {"type": "ShiftedCosine", "width": 0.5}},
    "density": {"type": "Gaussian", "width": 0.2, "center_atom_weight": 1.0},
    "basis": {"type": "TensorProduct", "max_angular": 4,
              "radial": {"type": "Gto", "max_radial": 5}, "spline_accuracy": 1e-8},
}


def test_both_spellings_give_the_same_hypers():
    seed = ExpansionHypers.from_kwargs(**SEED_HYPERS)
    featomic = ExpansionHypers.from_kwargs(**FEATOMIC)
    assert seed == featomic
    # the seed's max_radial=6 counts functions, featomic's max_radial=5 is the largest index
    assert seed.n_radial == 6 and seed.l_max == 4
    assert (seed.cutoff, seed.density_width, seed.smoothing_width) == (2.0, 0.2, 0.5)


def test_round_trips():
    seed = ExpansionHypers.from_kwargs(**SEED_HYPERS)
    assert ExpansionHypers.from_kwargs(**seed.to_featomic(spline_accuracy=1e-8)) == seed
    assert ExpansionHypers.from_kwargs(**seed.to_seed()) == seed
    exact = seed.to_featomic()
    assert exact["basis"]["spline_accuracy"] is None
    assert exact["basis"]["radial"]["max_radial"] == 5
    assert ExpansionHypers.from_kwargs(**exact).spline is False


def test_step_cutoff_and_defaults():
    h = ExpansionHypers.from_kwargs(
        cutoff={"radius": 3.0, "smoothing": {"type": "Step"}},
        density={"type": "Gaussian", "width": 0.3},
        basis={"type": "TensorProduct", "max_angular": 2,
               "radial": {"type": "Gto", "max_radial": 0}},
    )
    assert (h.smoothing, h.smoothing_width) == ("Step", None)
    assert (h.n_radial, h.center_atom_weight) == (1, 1.0)
    assert h.to_featomic()["cutoff"]["smoothing"] == {"type": "Step"}
    seed = ExpansionHypers.from_kwargs(cutoff=3.0, max_radial=1, max_angular=2,
                                       atomic_gaussian_width=0.3, cutoff_function={"Step": {}})
    assert seed == h


def _seed(**changes):
    h = copy.deepcopy(SEED_HYPERS)
    h.update(changes)
    return h


def _featomic(path, value):
    h = copy.deepcopy(FEATOMIC)
    node = h
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return h


@pytest.mark.parametrize(
    "hypers, match",
    [
        (_seed(cutof=2.0), r"cutof=2.0 is not a known key"),
        (_seed(max_radial=6.0), r"max_radial=6.0 must be an integer \(got float\)"),
        (_seed(max_radial=0), r"max_radial=0 must be an integer >= 1"),
        (_seed(max_angular=-1), r"max_angular=-1 must be an integer >= 0"),
        (_seed(max_angular=True), r"max_angular=True must be an integer \(got bool\)"),
        (_seed(cutoff=-1.0), r"cutoff=-1.0 must be positive"),
        (_seed(cutoff="2"), r"cutoff='2' must be a real number \(got str\)"),
        (_seed(atomic_gaussian_width=0.0), r"atomic_gaussian_width=0.0 must be positive"),
        (_seed(atomic_gaussian_width=float("nan")), r"atomic_gaussian_width=nan must be finite"),
        (_seed(cutoff_function={"ShiftedCosine": {"width": 2.0}}),
         r"width=2.0 must be smaller than the cutoff radius 2.0"),
        (_seed(cutoff_function={"ShiftedCosine": {"width": -0.1}}),
         r"width=-0.1 must be positive"),
        (_seed(cutoff_function={"Gaussian": {}}),
         r"cutoff_function.Gaussian=\{\} is not a known key"),
        (_seed(radial_basis={"Tabulated": {}}),
         r"radial_basis.Tabulated=\{\} is not a known key"),
        (_seed(radial_basis="GTO"), r"radial_basis='GTO' must be a dict"),
        (_seed(gradients="yes"), r"gradients='yes' must be a bool"),
        ({"max_radial": 2}, r"missing the required key 'cutoff'"),
        ({}, r"must not be empty"),
        (_featomic(["cutoff", "smoothing", "width"], 2.5),
         r"cutoff.smoothing.width=2.5 must be smaller than the cutoff radius 2.0"),
        (_featomic(["cutoff", "smoothing", "type"], "Cosine"),
         r"cutoff.smoothing.type='Cosine' is not supported"),
        (_featomic(["cutoff", "radius"], 0), r"cutoff.radius=0.0 must be positive"),
        (_featomic(["density", "type"], "SmearedPowerLaw"),
         r"density.type='SmearedPowerLaw' is not supported"),
        (_featomic(["density", "scaling"], {"type": "Willatt2018"}),
         r"density.scaling=.* is not a known key"),
        (_featomic(["density", "width"], -0.2), r"density.width=-0.2 must be positive"),
        (_featomic(["basis", "type"], "Explicit"), r"basis.type='Explicit' is not supported"),
        (_featomic(["basis", "radial", "type"], "Tabulated"),
         r"basis.radial.type='Tabulated' is not supported"),
        (_featomic(["basis", "radial", "max_radial"], -1),
         r"basis.radial.max_radial=-1 must be an integer >= 0"),
        (_featomic(["basis", "radial", "radius"], 3.0),
         r"basis.radial.radius=3.0 is only supported when equal"),
        (_featomic(["basis", "max_angular"], KeyError),
         r"basis=.* must contain the key 'max_angular'"),
        (_featomic(["basis", "spline_accuracy"], "tight"),
         r"basis.spline_accuracy='tight' must be a real number"),
        (_featomic(["gradients"], True),
         r"gradients=True is not a known key of the featomic spelling"),
    ],
)
def test_bad_hypers_name_key_value_and_rule(hypers, match):
    with pytest.raises(ValueError, match=match):
        ExpansionHypers.from_kwargs(**hypers)


def test_dataclass_checks_direct_construction():
    with pytest.raises(ValueError, match=r"smoothing='Cosine' must be one of"):
        ExpansionHypers(cutoff=2.0, n_radial=2, l_max=1, density_width=0.3, smoothing="Cosine")
    with pytest.raises(ValueError, match=r"smoothing_width=0.5 must be None for a Step cutoff"):
        ExpansionHypers(cutoff=2.0, n_radial=2, l_max=1, density_width=0.3, smoothing="Step")
