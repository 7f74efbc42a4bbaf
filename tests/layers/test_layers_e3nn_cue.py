"""e3nn 0.6 and cuequivariance-torch layers decomposed, named and compared (needs torch and
e3nn; skips without them; the cuequivariance tests skip without cuequivariance-torch).

Run by hand or in ``tox -e layers``; never part of the default run (torch is not a
dependency). Measured with torch 2.13.0+cpu, e3nn 0.6.0, cuequivariance(-torch) 0.13.0.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
e3nn = pytest.importorskip("e3nn")
if tuple(int(v) for v in e3nn.__version__.split(".")[:2]) < (0, 5):
    pytest.skip("e3nn >= 0.5 (0.4.x: tests/layers/test_layers_mace.py)", allow_module_level=True)
o3 = pytest.importorskip("e3nn.o3")

from o3ref.verify.adapters.e3nn_layers import e3nn_weights, torch_callable  # noqa: E402
from o3ref.verify.layers.compare_layers import compare_layers  # noqa: E402
from o3ref.verify.layers.decompose import decompose_bilinear, decompose_linear  # noqa: E402
from o3ref.verify.layers.normalisation import name_normalisation  # noqa: E402
from o3ref.verify.layers.polynomial import decompose_polynomial  # noqa: E402

PAIRS = [(i, p) for i in ("component", "norm", "none") for p in ("element", "path", "none")]
F64 = torch.float64


@pytest.fixture(autouse=True)
def _float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(F64)
    yield
    torch.set_default_dtype(old)


def _e3nn_names(named):
    return {m for m in named.matches if m.startswith("e3nn (")}


@pytest.mark.parametrize("irrep,path", PAIRS)
def test_full_tensor_product_named(irrep, path):
    ir1, ir2 = "2x0e+1o", "1o+2e"
    tp = o3.FullTensorProduct(ir1, ir2, irrep_normalization=irrep, path_normalization=path)
    report = decompose_bilinear(torch_callable(tp), ir1, ir2, str(tp.irreps_out), frame="e3nn")
    assert report.passed, report.table()
    named = name_normalisation(report)
    # one input pair per output copy: e3nn's path normalisations coincide (x = 1)
    assert _e3nn_names(named) == {f"e3nn ({irrep!r}, {p!r})"
                                  for p in ("element", "path", "none")}, str(named)


@pytest.mark.parametrize("irrep,path", PAIRS)
def test_fully_connected_tensor_product_named(irrep, path):
    ir1, ir2, ir_out = "2x0e+1o", "0e+1o", "0e+2x1o+1e"
    tp = o3.FullyConnectedTensorProduct(ir1, ir2, ir_out, irrep_normalization=irrep,
                                        path_normalization=path)
    report = decompose_bilinear(torch_callable(tp), ir1, ir2, ir_out, frame="e3nn")
    assert report.passed, report.table()
    named = name_normalisation(report, e3nn_weights(tp))
    assert _e3nn_names(named) == {f"e3nn ({irrep!r}, {path!r})"}, str(named)


def test_elementwise_and_linear():
    tp = o3.ElementwiseTensorProduct("2x0e+2x1o", "2x1o+2x1e")
    report = decompose_bilinear(torch_callable(tp), "2x0e+2x1o", "2x1o+2x1e",
                                str(tp.irreps_out), frame="e3nn")
    assert report.passed and "e3nn ('component', 'element')" in name_normalisation(
        report).matches
    lin = o3.Linear("2x0e+1o", "0e+2x1o")
    r = decompose_linear(torch_callable(lin), "2x0e+1o", "0e+2x1o", frame="e3nn")
    assert r.passed, r.table()
    assert np.count_nonzero(r.coefficients) == 4  # 2 x 1 scalars + 1 x 2 vectors


def test_e3nn_float32_judged_at_float32():
    torch.set_default_dtype(torch.float32)
    tp = o3.FullyConnectedTensorProduct("0e+1o", "1o", "1e+0e")
    r = decompose_bilinear(torch_callable(tp), "0e+1o", "1o", "1e+0e", frame="e3nn",
                           dtype=np.float32)
    assert r.dtype == "float32" and r.passed, r.table()


def _cue():
    cue = pytest.importorskip("cuequivariance")
    cuet = pytest.importorskip("cuequivariance_torch")
    return cue, cuet


def test_e3nn_against_cuequivariance_on_the_same_weights():
    cue, cuet = _cue()
    ir1, ir2, ir_out = "2x0e+1o", "0e+1o+2e", "0e+2x1o+1e+2e"
    c = cuet.FullyConnectedTensorProduct(*(cue.Irreps("O3", ir) for ir in (ir1, ir2, ir_out)),
                                         layout=cue.mul_ir, dtype=F64, method="naive")
    e = o3.FullyConnectedTensorProduct(ir1, ir2, ir_out)
    with torch.no_grad():
        c.weight.normal_()
        e.weight.copy_(c.weight.reshape(-1))
    result = compare_layers(torch_callable(e), torch_callable(c), ir1, ir2, ir_out,
                            frame="e3nn")
    assert result.outcome == "equal", str(result)
    with torch.no_grad():
        e.weight.mul_(2.0)
    assert compare_layers(torch_callable(e), torch_callable(c), ir1, ir2, ir_out,
                          frame="e3nn").outcome == "global factor"


def test_cuequivariance_products_named():
    cue, cuet = _cue()
    ir1, ir2 = "2x0e+1o", "0e+1o+2e"
    cw = cuet.ChannelWiseTensorProduct(cue.Irreps("O3", ir1), cue.Irreps("O3", ir2),
                                       layout=cue.mul_ir, dtype=F64, method="naive")
    with torch.no_grad():
        cw.weight.fill_(1.0)
    r = decompose_bilinear(torch_callable(cw), ir1, ir2, str(cw.irreps_out), frame="e3nn")
    assert r.passed
    assert "cuequivariance (normalize_paths_for_operand(-1))" in name_normalisation(r).matches
    d = cue.descriptors.full_tensor_product(cue.Irreps("O3", ir1), cue.Irreps("O3", ir2))
    full = cuet.SegmentedPolynomial(d.polynomial, method="naive", math_dtype=F64)

    def f(a, b):
        return full([torch.from_numpy(a), torch.from_numpy(b)])[0].numpy()

    out = str(d.outputs[0].irreps)
    r = decompose_bilinear(f, ir1, ir2, out, frame="e3nn", layout="ir_mul")
    assert r.passed, r.table()
    assert "cuequivariance (normalize_paths_for_operand(-1))" in name_normalisation(r).matches
    assert not decompose_bilinear(f, ir1, ir2, out, frame="e3nn", layout="mul_ir").passed


def test_e3nn_linear_against_cuequivariance_linear():
    cue, cuet = _cue()
    ir_in, ir_out = "2x0e+2x1o", "0e+3x1o"
    c = cuet.Linear(cue.Irreps("O3", ir_in), cue.Irreps("O3", ir_out), layout=cue.mul_ir,
                    dtype=F64, method="naive")
    e = o3.Linear(ir_in, ir_out)
    rc = decompose_linear(torch_callable(c), ir_in, ir_out, frame="e3nn")
    re = decompose_linear(torch_callable(e), ir_in, ir_out, frame="e3nn")
    assert rc.passed and re.passed
    assert (rc.allowed == re.allowed).all()
    with torch.no_grad():
        e.weight.copy_(c.weight.reshape(-1))
    re = decompose_linear(torch_callable(e), ir_in, ir_out, frame="e3nn")
    tol = rc.coefficient_tolerances + re.coefficient_tolerances
    assert (np.abs(rc.coefficients - re.coefficients) <= tol).all()


@pytest.mark.parametrize("original_mace", [False, True])
def test_cuequivariance_symmetric_contraction_reaches_full_dimension(original_mace):
    cue, cuet = _cue()
    ir = cue.Irreps("O3", "0e+1o")

    def layer():
        sc = cuet.SymmetricContraction(ir, ir, 3, 1, layout=cue.mul_ir, dtype=F64,
                                       method="naive", original_mace=original_mace)
        with torch.no_grad():
            sc.weight.normal_()
        return torch_callable(sc, extra=lambda n: [torch.zeros(n, dtype=torch.long)])

    f, *others = [layer() for _ in range(4)]
    r = decompose_polynomial(f, "0e+1o", "0e+1o", 3, samples=others, frame="e3nn")
    assert r.passed, str(r)
    assert all(row.reached == row.exact_dim for row in r.rows), str(r)


def test_cuequivariance_symmetric_contraction_channelwise():
    cue, cuet = _cue()
    ir = cue.Irreps("O3", "2x0e+2x1o")
    sc = cuet.SymmetricContraction(ir, cue.Irreps("O3", "2x0e+2x1o"), 3, 1,
                                   layout=cue.mul_ir, dtype=F64, method="naive")
    with torch.no_grad():
        sc.weight.normal_()
    f = torch_callable(sc, extra=lambda n: [torch.zeros(n, dtype=torch.long)])
    r = decompose_polynomial(f, "2x0e+2x1o", "2x0e+2x1o", 3, frame="e3nn", channelwise=True)
    assert r.passed, str(r)
    assert r.cross_channel == 0.0
