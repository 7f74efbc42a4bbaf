"""acdc_standardize_keys and the error messages of the ACDC products."""

from __future__ import annotations

import numpy as np
import pytest
from acdc_helpers import SMALL_HYPERS, density, vectors_tensor, water
from metatensor import Labels, TensorBlock, TensorMap

from o3ref.fast import acdc_standardize_keys, cg_combine, cg_increment


def test_acdc_standardize_adds_keys_and_suffixes():
    tensor = density([water(3)], SMALL_HYPERS, gradients=["positions"])
    assert list(tensor.keys.names) == ["o3_lambda", "o3_sigma", "center_type"]
    out = acdc_standardize_keys(tensor)
    assert list(out.keys.names) == ["order_nu", "o3_sigma", "o3_lambda", "center_type"]
    expected_keys = [[1, s, l, c] for l, s, c in tensor.keys.values.tolist()]
    assert out.keys.values.tolist() == expected_keys
    for block, original in zip(out.blocks(), tensor.blocks(), strict=True):
        assert list(block.properties.names) == ["neighbor_type_1", "n_1"]
        assert block.properties.values.tolist() == original.properties.values.tolist()
        np.testing.assert_array_equal(block.values, original.values)
        assert block.samples == original.samples
        gradient = block.gradient("positions")
        np.testing.assert_array_equal(gradient.values, original.gradient("positions").values)
        assert list(gradient.properties.names) == ["neighbor_type_1", "n_1"]


def test_acdc_standardize_adds_sigma_and_replaces_suffix():
    tensor = vectors_tensor({0: np.ones((2, 1, 2)), 1: np.ones((2, 3, 2))}, property_name="n_2")
    out = acdc_standardize_keys(tensor)
    assert out.keys.values.tolist() == [[1, 1, 0], [1, 1, 1]]
    assert list(out.block(0).properties.names) == ["n_1"]


def test_acdc_standardize_keeps_existing_sigma():
    block = TensorBlock(
        values=np.ones((1, 3, 1)),
        samples=Labels(["system"], np.array([[0]])),
        components=[Labels(["o3_mu"], np.array([[-1], [0], [1]]))],
        properties=Labels(["n"], np.array([[0]])),
    )
    tensor = TensorMap(Labels(["o3_lambda", "o3_sigma"], np.array([[1, -1]])), [block])
    assert acdc_standardize_keys(tensor).keys.values.tolist() == [[1, -1, 1]]


def test_acdc_standardize_bad_input():
    block = TensorBlock(
        values=np.ones((1, 1, 1)),
        samples=Labels(["system"], np.array([[0]])),
        components=[Labels(["o3_mu"], np.array([[0]]))],
        properties=Labels(["n"], np.array([[0]])),
    )
    tensor = TensorMap(Labels(["spherical_harmonics_l"], np.array([[0]])), [block])
    with pytest.raises(ValueError, match=r"an 'o3_lambda' key .* is required"):
        acdc_standardize_keys(tensor)
    with pytest.raises(TypeError, match="descriptor must be a metatensor TensorMap, got dict"):
        acdc_standardize_keys({})


@pytest.fixture()
def small_nu1():
    rng = np.random.default_rng(0)
    return acdc_standardize_keys(
        vectors_tensor({l: rng.normal(size=(3, 2 * l + 1, 2)) for l in range(3)})
    )


def test_acdc_lcut_must_be_non_negative(small_nu1):
    with pytest.raises(ValueError, match="lcut=-1 must be a non-negative integer"):
        cg_increment(small_nu1, small_nu1, lcut=-1)
    with pytest.raises(TypeError, match=r"lcut=1.5 must be a non-negative integer"):
        cg_increment(small_nu1, small_nu1, lcut=1.5)


def test_acdc_lcut_zero_gives_invariants_only(small_nu1):
    out = cg_increment(small_nu1, small_nu1, lcut=0)
    assert out.keys.values.tolist() == [[2, 1, 0]]
    # pairs (0,0), (1,1), (2,2), each 2 x 2 properties
    assert len(out.block(0).properties) == 12


def test_acdc_mismatched_samples(small_nu1):
    rng = np.random.default_rng(1)
    other = acdc_standardize_keys(vectors_tensor({1: rng.normal(size=(4, 3, 2))}))
    with pytest.raises(ValueError, match="mismatched samples: x_a block .* has 3 samples and x_b "
                       "block .* has 4"):
        cg_increment(small_nu1, other)


def test_acdc_needs_standardized_keys(small_nu1):
    raw = vectors_tensor({1: np.ones((3, 3, 2))})
    with pytest.raises(ValueError, match=r"x_1 has keys \['o3_lambda'\], missing "
                       r"\['order_nu', 'o3_sigma'\]: call acdc_standardize_keys"):
        cg_increment(small_nu1, raw)
    nu2 = cg_increment(small_nu1, small_nu1, lcut=1)
    with pytest.raises(ValueError, match=r"x_1 has order_nu values \[2\]: they must all be 1"):
        cg_increment(small_nu1, nu2)


def test_acdc_symmetric_needs_the_same_tensor(small_nu1):
    rng = np.random.default_rng(2)
    other = acdc_standardize_keys(
        vectors_tensor({l: rng.normal(size=(3, 2 * l + 1, 2)) for l in range(3)})
    )
    with pytest.raises(ValueError, match="symmetric=True needs x_a and x_b to be the same"):
        cg_increment(small_nu1, other, symmetric=True)


def test_acdc_selected_keys_and_other_keys_errors(small_nu1):
    with pytest.raises(ValueError, match=r"selected_keys entry \(2, 1\): o3_sigma must be"):
        cg_increment(small_nu1, small_nu1, selected_keys=[(2, 1)])
    with pytest.raises(ValueError, match="other_keys_match names 'center_type', which is not"):
        cg_combine(small_nu1, small_nu1, other_keys_match=["center_type"])
    with pytest.raises(ValueError, match="property_names has 3 names: it must have 4"):
        cg_combine(small_nu1, small_nu1, property_names=["a", "b", "c"])
    with pytest.raises(TypeError, match="x_a must be a metatensor TensorMap, got list"):
        cg_combine([], small_nu1)


def test_acdc_empty_selection_gives_empty_tensor(small_nu1):
    out = cg_increment(small_nu1, small_nu1, lcut=1, selected_keys=[(1, 4)])
    assert len(out.keys) == 0
    assert list(out.keys.names) == ["order_nu", "o3_sigma", "o3_lambda"]


def test_reference_cg_product_bad_input():
    from o3ref.reference import cg_product, lambda_soap

    one = [[[1.0], [0.0], [0.0]]]
    with pytest.raises(ValueError, match=r"L=3 must satisfy \|l1 - l2\| <= L <= l1 \+ l2"):
        cg_product(one, one, 1, 1, 3)
    with pytest.raises(ValueError, match="mismatched samples: a has 1 samples but b has 2"):
        cg_product(one, one * 2, 1, 1, 0)
    with pytest.raises(ValueError, match=r"b\[0\] has 3 components: degree 2 needs 2\*2\+1 = 5"):
        cg_product(one, one, 1, 2, 1)
    with pytest.raises(ValueError, match="l1=-1 must be a non-negative integer"):
        cg_product(one, one, -1, 1, 0)
    with pytest.raises(ValueError, match="o3_sigma=0 must be"):
        lambda_soap({1: one}, 0, 1)
    with pytest.raises(ValueError, match="o3_lambda=3 must not exceed lcut=2"):
        lambda_soap({1: one}, 1, 3, lcut=2)
