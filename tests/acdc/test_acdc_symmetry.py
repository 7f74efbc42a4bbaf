"""Equivariance of every ACDC block under rotations and inversion; product-rule gradients."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from acdc_helpers import SMALL_HYPERS, nu1_seed_layout, rotated, rotation, water, wigner

from o3ref.fast import cg_increment
from o3ref.verify.tolerances import finite_difference_tolerance, tolerance

# exact angles (rational numbers and multiples of pi), including beta = 0 and beta = pi
ROTATIONS = [
    (sympy.Rational(3, 10), sympy.Rational(11, 10), sympy.Integer(-2)),
    (sympy.pi / 5, sympy.pi, sympy.Rational(7, 3)),
    (sympy.Integer(0), sympy.Integer(0), sympy.Rational(5, 4)),
    (sympy.Rational(-13, 5), sympy.Rational(5, 2), sympy.pi / 7),
]
FRAMES = [5, 81, 116]


def _largest(tensor) -> float:
    """The largest value over every block: rounding happens on the scale of the products,
    also in blocks that vanish by symmetry (their values are that rounding)."""
    return max(np.abs(np.asarray(b.values)).max(initial=0.0) for b in tensor.blocks())


def _tolerance(hypers, lam, nu, size) -> float:
    """Features of body order nu: nu expansion coefficients (each within the expansion
    policy, cond(S) included) multiplied and coupled (the acdc policy), against ``size``,
    the tensor's largest value; a rotation adds a (2 lambda + 1)-term sum."""
    from o3ref.fast.radial import gto_overlap

    cond = float(np.linalg.cond(gto_overlap(hypers["cutoff"], hypers["max_radial"])))
    per_size = nu * tolerance("expansion", 4, scale=cond).atol + tolerance("acdc", 4).atol
    return per_size * (2 * lam + 1) * 2 * size


def _features(frames, hypers, lcut, nu):
    nu1 = nu1_seed_layout(frames, hypers)
    tensors = {1: nu1}
    if nu >= 2:
        tensors[2] = cg_increment(nu1, nu1, lcut=lcut)
    if nu >= 3:
        tensors[3] = cg_increment(tensors[2], nu1, lcut=lcut)
    return tensors


@pytest.fixture(scope="module")
def base_features():
    from acdc_helpers import SEED_HYPERS

    return {
        "seed": _features([water(i) for i in FRAMES], SEED_HYPERS, 4, 2),
        "small": _features([water(i) for i in FRAMES], SMALL_HYPERS, 2, 3),
    }


@pytest.mark.parametrize("angles", ROTATIONS, ids=lambda a: str(a))
@pytest.mark.parametrize("case", ["seed", "small"])
def test_acdc_every_block_is_equivariant(base_features, case, angles):
    from acdc_helpers import SEED_HYPERS

    R = rotation(*angles)
    frames = [rotated(water(i), R) for i in FRAMES]
    if case == "seed":
        rot = _features(frames, SEED_HYPERS, 4, 2)
    else:
        rot = _features(frames, SMALL_HYPERS, 2, 3)
    D = {l: wigner(l, *angles) for l in range(5)}
    n_blocks = 0
    for nu, tensor in base_features[case].items():
        for key, block in tensor.items():
            lam = int(key["o3_lambda"])
            expected = np.einsum("ab,ibq->iaq", D[lam], np.asarray(block.values))
            actual = np.asarray(rot[nu].block(key).values)
            hypers = SEED_HYPERS if case == "seed" else SMALL_HYPERS
            tol = _tolerance(hypers, lam, nu, _largest(tensor))
            assert np.abs(actual - expected).max() <= tol, (nu, key.values.tolist())
            n_blocks += 1
    assert n_blocks == (5 + 9 if case == "seed" else 3 + 5 + 6)


@pytest.mark.parametrize("case", ["seed", "small"])
def test_acdc_inversion_parity(base_features, case):
    from acdc_helpers import SEED_HYPERS

    frames = []
    for i in FRAMES:
        frame = water(i)
        frame.positions = -frame.positions
        frames.append(frame)
    hypers, lcut, nu = (SEED_HYPERS, 4, 2) if case == "seed" else (SMALL_HYPERS, 2, 3)
    inverted = _features(frames, hypers, lcut, nu)
    seen_sigma = set()
    for order, tensor in base_features[case].items():
        for key, block in tensor.items():
            sigma, lam = int(key["o3_sigma"]), int(key["o3_lambda"])
            seen_sigma.add(sigma)
            factor = sigma * (-1) ** lam
            diff = np.asarray(inverted[order].block(key).values) - factor * np.asarray(block.values)
            tol = _tolerance(hypers, lam, order, _largest(tensor))
            assert np.abs(diff).max() <= tol, (order, key.values.tolist())
    assert seen_sigma == {-1, 1}


@pytest.mark.parametrize("symmetric", [False, True])
def test_acdc_gradients_by_finite_differences(symmetric):
    """Position gradients (product rule) against central differences of the values."""
    frames = [water(17), rotated(water(90), rotation(1, 2, 3))]
    h = 1e-5

    def features(frames, gradients=None):
        nu1 = nu1_seed_layout(frames, SMALL_HYPERS, gradients)
        nu2 = cg_increment(nu1, nu1, lcut=2, symmetric=symmetric)
        return nu2, cg_increment(nu2, nu1, lcut=1)

    analytic = features(frames, ["positions"])
    checked = 0
    for system, atom, direction in [(0, 1, 0), (1, 0, 2), (1, 2, 1), (0, 0, 1)]:
        plus = [f.copy() for f in frames]
        minus = [f.copy() for f in frames]
        plus[system].positions[atom, direction] += h
        minus[system].positions[atom, direction] -= h
        for tensor, tp, tm in zip(analytic, features(plus), features(minus), strict=True):
            for key, block in tensor.items():
                difference = np.asarray(tp.block(key).values) - np.asarray(tm.block(key).values)
                numeric = difference / (2 * h)
                gradient = block.gradient("positions")
                assert list(gradient.samples.names) == ["sample", "system", "atom"]
                assert [c.names for c in gradient.components] == [["xyz"], ["o3_mu"]]
                found = np.zeros(len(block.samples), dtype=bool)
                # nu = 2, 3 features are products of Gaussians of width sigma = 0.2 (third
                # derivative below ~3/sigma^3 per factor, three factors at most: 27/sigma^3)
                size = _largest(tensor)
                tol = finite_difference_tolerance(h, value_scale=size,
                                                  third_derivative=27 * size / 0.2**3).atol
                for row, (sample, sys_, at) in enumerate(gradient.samples.values.tolist()):
                    if sys_ == system and at == atom:
                        np.testing.assert_allclose(
                            gradient.values[row, direction], numeric[sample], rtol=0, atol=tol
                        )
                        found[sample] = True
                        checked += 1
                # samples without a gradient row must not depend on this atom
                assert np.abs(numeric[~found]).max(initial=0.0) <= tol
    assert checked > 0
