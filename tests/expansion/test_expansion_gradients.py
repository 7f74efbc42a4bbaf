"""Position gradients against central finite differences of the values."""

from __future__ import annotations

import numpy as np
import pytest
from expansion_helpers import SEED_HYPERS, expansion_atol, random_structure, water_box, water_frame

from o3ref.fast import SphericalExpansion
from o3ref.verify.tolerances import finite_difference_tolerance


def _dense(tensor):
    """{key: (values dict by (system, atom), gradient dict by (system, centre, moved atom))}."""
    out = {}
    for key, block in tensor.items():
        samples = [tuple(s) for s in block.samples.values.tolist()]
        grads = {}
        gradient = block.gradient("positions")
        for row, (s, system, atom) in enumerate(gradient.samples.values.tolist()):
            grads[(samples[s], (system, atom))] = gradient.values[row]
        out[tuple(key.values.tolist())] = (dict(zip(samples, block.values, strict=True)), grads)
    return out


def _values(calc, frames):
    out = {}
    for key, block in calc.compute(frames).items():
        for sample, value in zip(block.samples.values.tolist(), block.values, strict=True):
            out[(tuple(key.values.tolist()), tuple(sample))] = value
    return out


@pytest.mark.parametrize("case", ["molecules", "periodic", "step"])
def test_gradients_match_central_differences(case):
    rng = np.random.default_rng(4)
    hypers = dict(SEED_HYPERS, cutoff=3.0, max_radial=4, max_angular=3,
                  atomic_gaussian_width=0.3, center_atom_weight=0.7)
    if case == "molecules":
        frames = [water_frame(81), random_structure(rng, 4, [1, 6, 8], False)]
    elif case == "periodic":
        frames = [random_structure(rng, 3, [1, 8], True, box=2.6), water_box(1, seed=3)]
    else:  # a step cutoff has no smooth gradient at r_c: keep every distance away from it
        frames = [water_frame(40)]
        hypers["cutoff_function"] = {"Step": {}}
    calc = SphericalExpansion(**hypers)
    analytic = _dense(calc.compute(frames, gradients=["positions"]))
    step = 1e-5
    # the density is a Gaussian of width sigma: its third derivative is below ~3/sigma^3
    # times its size; the radial basis, harmonics and cutoff vary more slowly (4x for them)
    magnitude = max(np.abs(v).max() for values, _ in analytic.values() for v in values.values())
    width = hypers["atomic_gaussian_width"]
    tol = finite_difference_tolerance(step, value_scale=magnitude,
                                      third_derivative=12 * magnitude / width**3)
    for f, frame in enumerate(frames):
        for atom in range(len(frame)):
            for x in range(3):
                plus, minus = frame.copy(), frame.copy()
                plus.positions[atom, x] += step
                minus.positions[atom, x] -= step
                others = [g for k, g in enumerate(frames) if k != f]
                vp = _values(calc, [plus] + others)
                vm = _values(calc, [minus] + others)
                for (key, sample), value in vp.items():
                    if sample[0] != 0:
                        continue  # the moved frame is first in this call
                    fd = (value - vm[(key, sample)]) / (2 * step)
                    block_grads = analytic[key][1]
                    got = block_grads.get(((f, sample[1]), (f, atom)))
                    if got is None:
                        assert np.abs(fd).max() <= tol.atol, (key, sample, atom)
                    else:
                        np.testing.assert_allclose(got[x], fd, atol=tol.atol, rtol=0)


def test_gradient_layout_and_translation_sum_rule():
    frame = water_box(1, seed=6)
    tensor = SphericalExpansion(**dict(SEED_HYPERS, cutoff=3.5)).compute(
        frame, gradients=["positions"])
    for _, block in tensor.items():
        gradient = block.gradient("positions")
        assert gradient.samples.names == ["sample", "system", "atom"]
        assert [c.names for c in gradient.components] == [["xyz"], ["o3_mu"]]
        rows = gradient.samples.values
        assert np.all(np.diff(rows[:, 0]) >= 0)
        # moving every atom together changes nothing: gradients of each sample sum to zero
        totals = np.zeros((len(block.samples),) + gradient.values.shape[1:])
        np.add.at(totals, rows[:, 0], gradient.values)
        # a sum over the sample's neighbours of gradients within the expansion policy
        hypers = dict(SEED_HYPERS, cutoff=3.5)
        n_terms = np.bincount(rows[:, 0]).max()
        tol = expansion_atol(hypers, 4, np.abs(gradient.values).max(), factor=2 * n_terms)
        np.testing.assert_allclose(totals, 0.0, atol=tol)
        # every sample's centre appears among its gradient samples
        centres = {(s, int(a)) for s, a in enumerate(block.samples.column("atom"))}
        assert centres <= {(int(s), int(a)) for s, _, a in rows}
