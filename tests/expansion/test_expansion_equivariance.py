"""Rotations, inversion, translations and permutations act on the expansion as they must."""

from __future__ import annotations

import numpy as np
import pytest
from expansion_helpers import SEED_HYPERS, expansion_atol, random_structure, water_box, water_frame

from o3ref.fast import SphericalExpansion, rotation_matrix, wigner_D_real_blocks

HYPERS = dict(SEED_HYPERS, cutoff=3.0, max_radial=4, max_angular=5, atomic_gaussian_width=0.3)


def _transformed(frame, matrix, translation=(0.0, 0.0, 0.0)):
    out = frame.copy()
    out.positions = frame.positions @ matrix.T + np.asarray(translation)
    if frame.pbc.any():
        out.cell = frame.cell.array @ matrix.T
    return out


def _frames():
    rng = np.random.default_rng(2)
    return [water_frame(81), random_structure(rng, 5, [1, 6, 8], False),
            random_structure(rng, 4, [1, 8], True, box=3.2), water_box(1, seed=4)]


@pytest.mark.parametrize("angles", [(0.0, np.pi / 3, 6 * np.pi / 7), (1.1, 2.3, -0.7),
                                    (0.0, np.pi, 0.0)])
def test_rotation_acts_by_real_wigner_d(angles):
    frames = _frames()
    rotation = np.asarray(rotation_matrix(*angles)).reshape(3, 3)
    calc = SphericalExpansion(**HYPERS)
    base = calc.compute(frames, gradients=["positions"])
    rotated = calc.compute([_transformed(f, rotation) for f in frames], gradients=["positions"])
    wigner = wigner_D_real_blocks(HYPERS["max_angular"], rotation[None])
    assert base.keys == rotated.keys
    for key, block in base.items():
        other = rotated.block(key)
        d = wigner[key["o3_lambda"]][0]
        expected = np.einsum("mk,skn->smn", d, block.values)
        l = key["o3_lambda"]
        # both sides within the policy; D adds a (2l+1)-term sum
        tol = expansion_atol(HYPERS, l, np.abs(block.values).max(), factor=2 * (2 * l + 1))
        np.testing.assert_allclose(other.values, expected, atol=tol)
        # gradients: the xyz direction turns with R, o3_mu with D
        grad = block.gradient("positions").values
        expected = np.einsum("xy,mk,sykn->sxmn", rotation, d, grad)
        gtol = expansion_atol(HYPERS, l, np.abs(grad).max(), factor=2 * 3 * (2 * l + 1))
        np.testing.assert_allclose(other.gradient("positions").values, expected, atol=gtol)


def test_inversion_gives_minus_one_to_the_l():
    frames = _frames()
    calc = SphericalExpansion(**HYPERS)
    base = calc.compute(frames)
    inverted = calc.compute([_transformed(f, -np.eye(3)) for f in frames])
    for key, block in base.items():
        sign = (-1) ** key["o3_lambda"]
        tol = expansion_atol(HYPERS, key["o3_lambda"], np.abs(block.values).max(), factor=2)
        np.testing.assert_allclose(inverted.block(key).values, sign * block.values, atol=tol)


def test_translation_and_wrapping_change_nothing():
    frames = _frames()
    calc = SphericalExpansion(**HYPERS)
    base = calc.compute(frames)
    moved = []
    for f in frames:
        g = _transformed(f, np.eye(3), translation=(0.3, -1.7, 12.5))
        if g.pbc.any():
            g.positions += np.array([2, -1, 3]) @ g.cell.array  # whole cell vectors
        moved.append(g)
    shifted = calc.compute(moved)
    for key, block in base.items():
        tol = expansion_atol(HYPERS, key["o3_lambda"], np.abs(block.values).max(), factor=2)
        np.testing.assert_allclose(shifted.block(key).values, block.values, atol=tol)


def test_permuting_atoms_permutes_samples():
    frame = _frames()[1]
    order = np.array([3, 0, 4, 2, 1])
    permuted = frame[order]
    calc = SphericalExpansion(**HYPERS)
    base, other = calc.compute(frame), calc.compute(permuted)
    for key, block in base.items():
        atoms = block.samples.column("atom")
        new_atoms = other.block(key).samples.column("atom")
        # atom k of the permuted frame is atom order[k] of the original
        np.testing.assert_allclose(
            other.block(key).values[np.argsort(order[new_atoms])],
            block.values[np.argsort(atoms)],
            atol=expansion_atol(HYPERS, key["o3_lambda"], np.abs(block.values).max(), factor=2))
