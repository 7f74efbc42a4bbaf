"""Issue 10, class 5: ACDC inputs whose metadata or values are wrong are refused, naming the
block: components that do not match ``o3_lambda`` (a wrong ``o3_sigma`` and spurious blocks
followed before) and NaN/inf features (they propagated silently)."""

from __future__ import annotations

import numpy as np
import pytest
from metatensor import Labels, TensorBlock, TensorMap

from o3ref.fast import acdc_standardize_keys, cg_increment


def _tensor(lams, mu_values=None, component="o3_mu", values=None):
    blocks = []
    for k, lam in enumerate(lams):
        mu = np.arange(-lam, lam + 1) if mu_values is None or k else np.asarray(mu_values)
        vals = np.ones((2, len(mu), 2)) if values is None or k else values
        blocks.append(TensorBlock(
            values=vals,
            samples=Labels(["system", "atom"], np.array([[0, 0], [0, 1]])),
            components=[Labels([component], mu.reshape(-1, 1))],
            properties=Labels(["n"], np.array([[0], [1]])),
        ))
    return TensorMap(Labels(["o3_lambda"], np.array(lams).reshape(-1, 1)), blocks)


def test_good_input_accepted():
    x = acdc_standardize_keys(_tensor([0, 1]))
    out = cg_increment(x, x, lcut=2)
    assert len(out.keys) > 0


@pytest.mark.parametrize("mu", [[-1, 0, 1, 2, 3], [0], [1, 0, -1]])
def test_components_must_match_lambda(mu):
    # block 0 claims o3_lambda = 1 but has other o3_mu values
    bad = _tensor([1, 0], mu_values=mu)
    with pytest.raises(ValueError, match=r"descriptor block \{'o3_lambda': 1\}: components "
                                         r"\[\['o3_mu'\]\] .*do not match o3_lambda = 1"):
        acdc_standardize_keys(bad)


def test_component_name_must_be_o3_mu():
    with pytest.raises(ValueError, match=r"block \{'o3_lambda': 2\}: components \[\['m'\]\]"):
        acdc_standardize_keys(_tensor([2], component="m"))


def test_products_check_their_inputs_too():
    good = acdc_standardize_keys(_tensor([0, 1]))
    block = good.block(1)
    wrong = TensorBlock(  # lambda = 1 values relabelled as lambda = 2 (5 rows needed)
        values=block.values, samples=block.samples, components=block.components,
        properties=block.properties,
    )
    keys = Labels(good.keys.names, np.array([[1, 1, 0], [1, 1, 2]], dtype=np.int32))
    bad = TensorMap(keys, [good.block(0).copy(), wrong])
    with pytest.raises(ValueError, match=r"x_1 block \{'order_nu': 1, 'o3_sigma': 1, "
                                         r"'o3_lambda': 2\}: components .* sizes \[3\]"):
        cg_increment(good, bad, lcut=2)


@pytest.mark.parametrize("bad_value", [np.nan, np.inf, -np.inf])
def test_non_finite_features_refused(bad_value):
    values = np.ones((2, 3, 2))
    values[1, 2, 0] = bad_value
    raw = _tensor([1], values=values)
    with pytest.raises(ValueError, match=r"descriptor block \{'o3_lambda': 1\}: its values hold "
                                         r"a non-finite number .* at index \(1, 2, 0\)"):
        acdc_standardize_keys(raw)
    # the same block reaching cg_increment without standardisation's check
    good = acdc_standardize_keys(_tensor([0, 1]))
    blocks = [good.block(0).copy(), TensorBlock(values, good.block(1).samples,
                                                good.block(1).components,
                                                good.block(1).properties)]
    x = TensorMap(good.keys, blocks)
    with pytest.raises(ValueError, match=r"x_nu block \{'order_nu': 1, 'o3_sigma': 1, "
                                         r"'o3_lambda': 1\}: its values hold a non-finite"):
        cg_increment(x, good, lcut=1)
