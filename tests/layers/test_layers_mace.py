"""MACE's SymmetricContraction (mace-torch, e3nn 0.4.4) decomposed by degree: a correct one
reaches every coupling dimension; one whose correlation-2 weights are disconnected is
flagged "dead weights?" (the failure mode of ACEsuit/mace PR #1622). Needs mace-torch (its
own venv: it pins e3nn 0.4.4); skips without it. Run in ``tox -e layers-mace`` or by hand.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")  # e3nn 0.4.4's torch.load
torch = pytest.importorskip("torch")
pytest.importorskip("mace")
o3 = pytest.importorskip("e3nn.o3")
sc_module = pytest.importorskip("mace.modules.symmetric_contraction")

from o3ref.verify.layers.polynomial import decompose_polynomial  # noqa: E402

K = 2
IRREPS = f"{K}x0e+{K}x1o"


@pytest.fixture(autouse=True)
def _float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def mace_layer(seed, zero_correlation=None, build_dtype=torch.float64):
    """A random MACE SymmetricContraction (correlation 3, one element) as a function of
    o3ref-style flat ``mul_ir`` features; ``zero_correlation`` zeroes that order's weights;
    the layer is built under the default dtype ``build_dtype`` and cast to float64."""
    torch.manual_seed(seed)
    torch.set_default_dtype(build_dtype)
    try:
        sc = sc_module.SymmetricContraction(o3.Irreps(IRREPS), o3.Irreps(IRREPS),
                                            correlation=3, num_elements=1).to(torch.float64)
    finally:
        torch.set_default_dtype(torch.float64)
    if zero_correlation is not None:
        with torch.no_grad():
            for c in sc.contractions:  # weights_max: order 3; weights[i]: order 2 - i
                w = c.weights_max if zero_correlation == 3 else c.weights[2 - zero_correlation]
                w.zero_()

    def f(A):
        A = torch.from_numpy(np.ascontiguousarray(A, dtype=np.float64))
        s, x = A[:, :K], A[:, K:].reshape(-1, K, 3)
        feats = torch.cat([s[:, :, None], x], dim=2)  # MACE's (batch, channels, 1 + 3)
        with torch.no_grad():
            return sc(feats, torch.ones(len(A), 1, dtype=torch.float64)).numpy()

    return f


def test_mace_symmetric_contraction_reaches_every_dimension():
    f, *others = [mace_layer(s) for s in range(4)]
    r = decompose_polynomial(f, IRREPS, IRREPS, 3, samples=others, frame="e3nn",
                             channelwise=True)
    assert r.passed, str(r)
    assert all(row.reached == row.exact_dim > 0 for row in r.rows), str(r)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_disconnected_correlation_order_is_dead(order):
    f, *others = [mace_layer(s, zero_correlation=order) for s in range(3)]
    r = decompose_polynomial(f, IRREPS, IRREPS, 3, samples=others, frame="e3nn",
                             channelwise=True)
    assert not r.passed and "dead weights?" in str(r)
    assert {row.degree for row in r.rows if row.dead} == {order}


def test_built_in_float32_then_cast_is_float32_accurate_only():
    """MACE's U matrices are made in the default dtype: a layer built under float32 and cast
    to float64 keeps float32-rounded couplings. The float64 policy sees the residue (at
    degree 3 here); the float32 policy accepts it."""
    f, *others = [mace_layer(s, build_dtype=torch.float32) for s in range(2)]
    r = decompose_polynomial(f, IRREPS, IRREPS, 3, samples=others, frame="e3nn",
                             channelwise=True)
    assert not r.passed and "not equivariant" in str(r)
    worst = max(row.residual for row in r.rows)
    assert 1e-10 < worst < 1e-5  # float32 rounding, not a wrong coupling
    r32 = decompose_polynomial(f, IRREPS, IRREPS, 3, samples=others, frame="e3nn",
                               channelwise=True, dtype=np.float32)
    assert r32.passed, str(r32)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_e3nn_04_full_tensor_product_named_apart():
    """e3nn 0.4.4 (pinned by mace-torch): its stored wigner_3j flips (1, 2, 2) and more."""
    from o3ref.verify.adapters.e3nn_layers import torch_callable
    from o3ref.verify.layers.decompose import decompose_bilinear
    from o3ref.verify.layers.normalisation import name_normalisation

    tp = o3.FullTensorProduct("1o+2e", "1o+2e")
    r = decompose_bilinear(torch_callable(tp), "1o+2e", "1o+2e", str(tp.irreps_out),
                           frame="e3nn")
    assert r.passed
    assert name_normalisation(r).matches == ["e3nn 0.4.x ('component', 'element')"]
