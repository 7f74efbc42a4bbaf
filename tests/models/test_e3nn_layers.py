"""e3nn layers through verify.irreps and verify.change_of_basis (skipped without torch and
e3nn: install them in a separate environment, see the guide o3ref.guides.models)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
o3 = pytest.importorskip("e3nn.o3")
e3nn_io = pytest.importorskip("e3nn.io")

from o3ref.verify.layers.change_of_basis import compare_change_of_basis  # noqa: E402
from o3ref.verify.layers.irreps import (  # noqa: E402
    assert_equivariant_irreps,
    irreps_dim,
    irreps_rotation,
    parse_irreps,
)
from o3ref.verify.properties import random_rotations  # noqa: E402
from o3ref.verify.tolerances import tolerance  # noqa: E402

IN1, IN2 = "2x0e+2x1o", "1x1o+1x2e"
OUT = "2x0e+2x1o+1x1e+1x2e+1x2o"
SWAPPED = "2x0o+2x1e+1x1o+1x2o+1x2e"  # every output parity flipped


@pytest.fixture(scope="module", autouse=True)
def float64():
    # e3nn builds D, harmonics and weights in torch's default dtype
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


@pytest.fixture(scope="module")
def tp():
    torch.manual_seed(0)
    return o3.FullyConnectedTensorProduct(IN1, IN2, OUT)


def _layout_permutation(irreps) -> np.ndarray:
    """Index array taking a mul_ir vector to ir_mul."""
    perm, start = [], 0
    for mul, l, _ in parse_irreps(irreps):
        d = 2 * l + 1
        perm += [start + u * d + i for i in range(d) for u in range(mul)]
        start += mul * d
    return np.array(perm)


def test_e3nn_d_is_irreps_rotation_in_the_e3nn_frame():
    # e3nn evaluates D as matrix exponentials of its generators at three angles read off R
    # with acos/atan2: 100x the wigner_d policy (measured: 1.5e-12 at l = 2)
    tol = 100 * tolerance("wigner_d", 2).atol
    for R in random_rotations(2, seed=3):
        for S in (R, -R):
            theirs = o3.Irreps(OUT).D_from_matrix(torch.from_numpy(S)).numpy()
            assert np.abs(theirs - irreps_rotation(OUT, S, frame="e3nn")).max() <= tol


def test_fully_connected_tensor_product_mul_ir(tp):
    report = assert_equivariant_irreps(lambda a, b: tp(a, b), [IN1, IN2], OUT,
                                       convert=torch.from_numpy, frame="e3nn")
    assert report.passed and len(report.rows) == 5


def test_fully_connected_tensor_product_ir_mul(tp):
    # the same layer seen through ir_mul storage on both sides
    p1, p2, po = (_layout_permutation(i) for i in (IN1, IN2, OUT))
    inv1, inv2 = np.argsort(p1), np.argsort(p2)

    def layer(a, b):  # a, b in ir_mul
        out = tp(torch.from_numpy(a[:, inv1]), torch.from_numpy(b[:, inv2]))
        return out.detach().numpy()[:, po]

    report = assert_equivariant_irreps(layer, [IN1, IN2], OUT, layout="ir_mul", frame="e3nn")
    assert report.passed


def test_swapped_output_parities_fail_with_the_parity_named(tp):
    with pytest.raises(AssertionError) as info:
        assert_equivariant_irreps(lambda a, b: tp(a, b), [IN1, IN2], SWAPPED,
                                  convert=torch.from_numpy, frame="e3nn")
    message = str(info.value)
    assert message.count("wrong parity") == 5
    assert "[0] 2x0o" in message and "transforms as 0e" in message


def test_e3nn_harmonics_of_cartesian_vectors():
    # a Cartesian vector (x, y, z) is e3nn's 1o as it is: its block is R in e3nn's frame
    def sh(v):
        return o3.spherical_harmonics("1o+2e", v, normalize=True)

    assert assert_equivariant_irreps(sh, "1o", "1o+2e", convert=torch.from_numpy,
                                     frame="e3nn").passed


def test_cartesian_tensor_symmetric_rank2_relation_per_l():
    ct = e3nn_io.CartesianTensor("ij=ji")
    Q = ct.reduced_tensor_products().change_of_basis
    report = compare_change_of_basis(Q, "ij=ji", irreps=str(ct), frame="e3nn")
    assert report.passed, report
    # e3nn's L = 0 is +trace/sqrt3 (o3ref's is -trace/sqrt3); L = 2 agrees in e3nn's frame
    assert report.relations() == {0: ["sign (-1)"], 2: ["equal"]}
    # read in o3ref's frame, the L = 2 block is a rotation of o3ref's (D_real(P^T))
    mixed = compare_change_of_basis(Q, "ij=ji", irreps=str(ct))
    assert mixed.relations()[2][0].startswith("orthogonal mix")


@pytest.mark.parametrize("formula", ["ijk=jik=ikj", "ijkl=jikl=klij"])
def test_cartesian_tensor_higher_ranks_span_and_equivariance(formula):
    ct = e3nn_io.CartesianTensor(formula)
    Q = ct.reduced_tensor_products().change_of_basis
    report = compare_change_of_basis(Q, formula, irreps=str(ct), frame="e3nn")
    assert report.passed, report
    assert report.dimension[0] == irreps_dim(str(ct))
    assert all(r.split(" ")[0] in ("equal", "sign") for rs in report.relations().values()
               for r in rs)
