"""ACDC products: seed numbers and counts, fast vs exact reference, closed forms, options."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from acdc_helpers import (
    SEED_HYPERS,
    SEED_ROTATION,
    SMALL_HYPERS,
    nu1_seed_layout,
    rotated,
    rotation,
    vectors_tensor,
    water,
)

from o3ref.fast import acdc_standardize_keys, cg_combine, cg_increment
from o3ref.reference import lambda_soap
from o3ref.verify.tolerances import tolerance
from o3ref.verify.tutorial import published as seed

SEED_NU2 = seed.NU2_S1_L3_FIRST3  # the seed's printed numbers (o3ref.verify.tutorial.published)
SEED_NU2_KEYS = seed.NU2_KEYS
# printed 8 decimals (5e-9) plus our frame 81 built from its definition, whose positions
# differ from the seed's 8-decimal file by up to 5e-9 angstrom
SEED_ATOL = 1e-8


@pytest.fixture(scope="module")
def seed_nu2():
    base = water(81)
    selected = rotated(base, rotation(*SEED_ROTATION))
    nu1 = nu1_seed_layout([base, selected])
    return nu1, cg_increment(nu1, nu1, lcut=4)


def test_acdc_seed_printed_numbers(seed_nu2):
    _, nu2 = seed_nu2
    block = nu2.block(o3_sigma=1, o3_lambda=3)
    row = block.samples.position((1, 0, 8))
    ours = np.asarray(block.values)[row]
    for m, expected in SEED_NU2.items():
        np.testing.assert_allclose(ours[m, :3], expected, rtol=0, atol=SEED_ATOL)
    # the first properties: (H, n=0, l=0) x (H, n=0..2, l=3)
    assert block.properties.values[:3].tolist() == [[1, 0, 0, 1, n, 3] for n in range(3)]


def test_acdc_seed_keys_and_names(seed_nu2):
    nu1, nu2 = seed_nu2
    assert list(nu1.keys.names) == ["order_nu", "o3_sigma", "o3_lambda"]
    assert nu1.keys.values.tolist() == [[1, 1, l] for l in range(5)]
    assert list(nu1.block(0).properties.names) == ["neighbor_type_1", "n_1"]
    assert list(nu1.block(0).samples.names) == ["system", "atom", "center_type"]
    assert list(nu2.keys.names) == ["order_nu", "o3_sigma", "o3_lambda"]
    assert nu2.keys.values.tolist() == SEED_NU2_KEYS
    for block in nu2.blocks():
        assert list(block.properties.names) == [
            "neighbor_type_1", "n_1", "l_1", "neighbor_type_2", "n_2", "l_2"
        ]
        assert list(block.samples.names) == ["system", "atom", "center_type"]
    assert len(nu2.block(order_nu=2, o3_sigma=1, o3_lambda=1).properties) == 1152


def test_acdc_property_counts(seed_nu2):
    """Every block: 144 properties for each ordered (l1, l2) allowed by triangle and parity."""
    _, nu2 = seed_nu2
    for key, block in nu2.items():
        sigma, lam = int(key["o3_sigma"]), int(key["o3_lambda"])
        pairs = [
            (l1, l2)
            for l1 in range(5)
            for l2 in range(5)
            if abs(l1 - l2) <= lam <= l1 + l2 and (-1) ** (l1 + l2 + lam) == sigma
        ]
        assert len(block.properties) == 144 * len(pairs)
        assert block.values.shape == (6, 2 * lam + 1, 144 * len(pairs))


def test_acdc_fast_vs_reference():
    """nu = 2 features: float64 fast path vs mpmath with exact CG, within the acdc policy."""
    frames = [water(5), rotated(water(70), rotation(1, 2, 3))]
    nu1 = nu1_seed_layout(frames, SMALL_HYPERS)
    nu2 = cg_increment(nu1, nu1, lcut=2)
    coefficients = {int(k["o3_lambda"]): np.asarray(b.values) for k, b in nu1.items()}
    nu1_properties = nu1.block(0).properties.values.tolist()
    worst = 0.0
    for key, block in nu2.items():
        exact, labels = lambda_soap(
            coefficients, int(key["o3_sigma"]), int(key["o3_lambda"]), lcut=2, dps=30
        )
        position = {
            tuple(nu1_properties[p] + [l1] + nu1_properties[q] + [l2]): k
            for k, (l1, p, l2, q) in enumerate(labels)
        }
        assert len(position) == len(block.properties)
        order = [position[tuple(row)] for row in block.properties.values.tolist()]
        exact = exact[:, :, order]
        with mpmath.workdps(30):
            diff = np.vectorize(lambda e, f: float(abs(e - mpmath.mpf(float(f)))))(
                exact, np.asarray(block.values)
            )
        # the inputs are the same floats on both sides: the acdc policy at lambda, against
        # the largest input value squared (each output sums products of two inputs)
        size = max(np.abs(v).max() for v in coefficients.values()) ** 2
        bound = tolerance("acdc", int(key["o3_lambda"]) + 2, scale=size).atol
        worst = max(worst, diff.max() / bound)
    assert worst <= 1.0


def test_acdc_closed_forms_l1_l1():
    """(1,1)->0 is -(u.v)/sqrt3 and (1,1)->1 is (u x v)/sqrt2, in (y, z, x) order."""
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))  # Cartesian (x, y, z)
    perm = [1, 2, 0]
    a = acdc_standardize_keys(vectors_tensor({1: u[:, perm, None]}))
    b = acdc_standardize_keys(vectors_tensor({1: v[:, perm, None]}))
    out = cg_increment(a, b)
    scalar = np.asarray(out.block(o3_lambda=0).values)[:, 0, 0]
    tol = tolerance("acdc", 1, scale=np.abs(u).max() * np.abs(v).max()).atol
    np.testing.assert_allclose(scalar, -(u * v).sum(1) / np.sqrt(3), rtol=0, atol=tol)
    cross = np.asarray(out.block(o3_lambda=1).values)[:, :, 0]
    expected = np.cross(u, v)[:, perm] / np.sqrt(2)
    np.testing.assert_allclose(cross, expected, rtol=0, atol=tol)
    assert int(out.block(o3_lambda=1).values.shape[1]) == 3
    assert out.keys.values.tolist() == [[2, 1, 0], [2, -1, 1], [2, 1, 2]]


def test_acdc_l0_factor_is_a_plain_product():
    """C(0, l, l) is the identity: the product with an l = 0 block is an outer product."""
    rng = np.random.default_rng(1)
    s, t = rng.normal(size=(4, 1, 2)), rng.normal(size=(4, 5, 3))
    a = acdc_standardize_keys(vectors_tensor({0: s}))
    b = acdc_standardize_keys(vectors_tensor({2: t}))
    block = cg_increment(a, b).block(o3_lambda=2)
    expected = (s[:, 0, :, None, None] * t.transpose(0, 2, 1)[:, None]).transpose(0, 3, 1, 2)
    # C(0, l, l) is exactly the identity: one rounded product per entry, as in the expectation
    np.testing.assert_allclose(block.values, expected.reshape(4, 5, 6), rtol=0,
                               atol=tolerance("acdc", 0, scale=np.abs(expected).max()).atol)
    assert block.properties.values.tolist() == [[p, 0, q, 2] for p in range(2) for q in range(3)]


def test_acdc_symmetric_option_keeps_one_of_each_mirror_pair(seed_nu2):
    nu1, full = seed_nu2
    reduced = cg_increment(nu1, nu1, lcut=4, symmetric=True)
    assert reduced.keys.values.tolist() == full.keys.values.tolist()
    for key, block in full.items():
        lam = int(key["o3_lambda"])
        labels = [tuple(r) for r in block.properties.values.tolist()]
        index = {label: k for k, label in enumerate(labels)}
        values = np.asarray(block.values)
        kept = reduced.block(key)
        kept_labels = [tuple(r) for r in kept.properties.values.tolist()]
        # the same products summed in another order: the acdc policy against the tensor's
        # largest value (blocks that vanish by symmetry hold only that rounding)
        largest = max(np.abs(np.asarray(b.values)).max(initial=0.0) for b in full.blocks())
        tol = tolerance("acdc", lam, scale=largest).atol
        # mirror relation, an identity of the real CG: X(b, a) = (-1)^(l1 + l2 + L) X(a, b)
        pairs = set()
        for label in labels:
            mirror = label[3:] + label[:3]
            sign = (-1) ** (label[2] + label[5] + lam)
            np.testing.assert_allclose(
                values[:, :, index[mirror]], sign * values[:, :, index[label]], atol=tol
            )
            if label == mirror and sign == -1:
                assert np.abs(values[:, :, index[label]]).max() <= tol
            else:
                pairs.add(frozenset((label, mirror)))
        assert len(kept_labels) == len(pairs)
        assert {frozenset((lb, lb[3:] + lb[:3])) for lb in kept_labels} == pairs
        np.testing.assert_array_equal(
            kept.values, values[:, :, [index[lb] for lb in kept_labels]]
        )


def test_acdc_center_type_as_key_matches_seed_layout(seed_nu2):
    from acdc_helpers import density

    nu1, full = seed_nu2
    base = water(81)
    selected = rotated(base, rotation(0, 1, 2))
    keyed = acdc_standardize_keys(density([base, selected]))
    out = cg_increment(keyed, keyed, lcut=4)
    assert list(out.keys.names) == ["order_nu", "o3_sigma", "o3_lambda", "center_type"]
    seed = cg_increment(*(2 * [keyed.keys_to_samples("center_type")]), lcut=4)
    for key, block in out.items():
        merged = seed.block(order_nu=2, o3_sigma=int(key["o3_sigma"]),
                            o3_lambda=int(key["o3_lambda"]))
        assert block.properties == merged.properties
        for row, (system, atom) in enumerate(block.samples.values.tolist()):
            other = merged.samples.position((system, atom, int(key["center_type"])))
            np.testing.assert_array_equal(block.values[row], merged.values[other])


def test_acdc_nu3_names_and_selected_keys():
    frames = [water(40)]
    nu1 = nu1_seed_layout(frames, SMALL_HYPERS)
    nu2 = cg_increment(nu1, nu1, lcut=2)
    nu3 = cg_increment(nu2, nu1, lcut=1, selected_keys=[(1, 1), (-1, 0)])
    assert sorted(nu3.keys.values.tolist()) == [[3, -1, 0], [3, 1, 1]]
    assert list(nu3.block(0).properties.names) == [
        "neighbor_type_1", "n_1", "l_1", "neighbor_type_2", "n_2", "l_2",
        "k_3", "neighbor_type_3", "n_3", "l_3",
    ]


def test_acdc_cg_combine_default_names():
    rng = np.random.default_rng(2)
    a = acdc_standardize_keys(vectors_tensor({1: rng.normal(size=(2, 3, 2))}))
    out = cg_combine(a, a, lcut=0)
    assert list(out.block(0).properties.names) == ["n_1_a", "k_2", "n_1_b", "l_2"]
    assert out.keys.values.tolist() == [[2, 1, 0]]


def test_acdc_seed_hypers_block_count():
    nu1 = nu1_seed_layout([water(0)], SEED_HYPERS)
    nu2 = cg_increment(nu1, nu1, lcut=4, selected_keys=[(1, 1)])
    assert nu2.keys.values.tolist() == [[2, 1, 1]]
    assert len(nu2.block(0).properties) == 1152


def test_acdc_neighbor_type_keys_form_an_outer_product():
    """neighbor_type left in the keys: all pairs of neighbour types, values of the dense form."""
    from acdc_helpers import density

    from o3ref.fast import SphericalExpansion

    frames = [water(30), water(64)]
    sparse = acdc_standardize_keys(SphericalExpansion(**SMALL_HYPERS).compute(frames))
    out = cg_increment(sparse, sparse, lcut=2)
    assert list(out.keys.names) == [
        "order_nu", "o3_sigma", "o3_lambda", "center_type", "neighbor_type_a", "neighbor_type_b"
    ]
    dense = acdc_standardize_keys(density(frames, SMALL_HYPERS))
    reference = cg_increment(dense, dense, lcut=2)
    pairs = set()
    for key, block in out.items():
        values = dict(zip(out.keys.names, key.values.tolist(), strict=True))
        pairs.add((values["neighbor_type_a"], values["neighbor_type_b"]))
        merged = reference.block(order_nu=2, o3_sigma=values["o3_sigma"],
                                 o3_lambda=values["o3_lambda"], center_type=values["center_type"])
        index = {tuple(r): k for k, r in enumerate(merged.properties.values.tolist())}
        for k, (n1, l1, n2, l2) in enumerate(block.properties.values.tolist()):
            label = (values["neighbor_type_a"], n1, l1, values["neighbor_type_b"], n2, l2)
            rows = [merged.samples.position(tuple(s)) for s in block.samples.values.tolist()]
            expected = merged.values[rows, :, index[label]]
            np.testing.assert_array_equal(block.values[:, :, k], expected)
    assert pairs == {(1, 1), (1, 8), (8, 1), (8, 8)}
