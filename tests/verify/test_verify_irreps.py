"""verify.irreps: parsing, block-diagonal rotations (both layouts, both frames, parity) and
assert_equivariant_irreps on o3ref's own CG products."""

from __future__ import annotations

import numpy as np
import pytest
from metatensor import Labels, TensorBlock, TensorMap

from o3ref.verify.layers.irreps import (
    as_numpy,
    assert_equivariant_irreps,
    irreps_dim,
    irreps_rotation,
    parse_irreps,
)
from o3ref.verify.properties import random_rotations
from o3ref.verify.tolerances import tolerance

P = np.eye(3)[[1, 2, 0]]  # P r = r[[1, 2, 0]]: (x, y, z) -> (y, z, x)



# the wigner_d policy per degree; rotating harmonics adds the sh policy on both sides and a
# (2l+1)-term product with values of size sqrt((2l+1)/4pi)
D_TOL = {l: tolerance("wigner_d", l).atol for l in range(13)}


def ROT_SH_TOL(l):  # noqa: N802 - a tolerance, read like a constant
    size = np.sqrt((2 * l + 1) / (4 * np.pi))
    return (2 * tolerance("sh", l).atol + (2 * l + 1) * D_TOL[l]) * max(size, 1.0)

def _sh(l, xyz):
    """Real harmonics of degree l from o3ref's exact reference (mpmath, 20 digits)."""
    from o3ref.reference import real_spherical_harmonics

    values = np.array(np.asarray(real_spherical_harmonics(l, xyz, dps=20)).tolist(), float)
    return values[:, l * l:(l + 1) ** 2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16x0e+8x1o+4x2e", [(16, 0, 1), (8, 1, -1), (4, 2, 1)]),
        ("1o", [(1, 1, -1)]),
        (" 2x3e + 0x1o ", [(2, 3, 1), (0, 1, -1)]),
        ("", []),
    ],
)
def test_parse_strings(text, expected):
    assert parse_irreps(text) == expected


def test_parse_list_and_dim():
    assert parse_irreps([(2, 1, -1), (1, 0, 1)]) == [(2, 1, -1), (1, 0, 1)]
    assert irreps_dim("16x0e+8x1o+4x2e") == 16 + 24 + 20


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ("2x1q", "term '2x1q' must read"),
        ("1y", "parity 'y'"),
        ([(1, 1, 0)], "parity=0 must be 1"),
        ([(1, -1, 1)], "l=-1 must be a non-negative"),
        ([(1, 1)], r"irreps\[0\]=\(1, 1\) must be a \(mul, l, parity\)"),
        (3, "must be an e3nn-style string"),
    ],
)
def test_parse_rejects(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        parse_irreps(bad)


def test_rotation_rejects_bad_arguments():
    with pytest.raises(ValueError, match="layout='mul'"):
        irreps_rotation("1o", np.eye(3), layout="mul")
    with pytest.raises(ValueError, match="R must be orthogonal"):
        irreps_rotation("1o", 2 * np.eye(3))
    with pytest.raises(ValueError, match="frame='torch'"):
        irreps_rotation("1o", np.eye(3), frame="torch")


def test_vector_block_is_p_r_pt():
    # CONVENTIONS.md: D_real^1(R) = P R P^T
    for R in random_rotations(3, seed=4):
        assert np.abs(irreps_rotation("1o", R) - P @ R @ P.T).max() <= D_TOL[1]
        assert np.abs(irreps_rotation("1o", -R) + P @ R @ P.T).max() <= D_TOL[1]
        assert np.abs(irreps_rotation("1e", -R) - P @ R @ P.T).max() <= D_TOL[1]


@pytest.mark.parametrize("l", [1, 2, 3])
def test_blocks_rotate_the_reference_harmonics(l):
    # Y_l(R r) = D(R) Y_l(r) with the exact reference's harmonics; parity (-1)^l for -R
    xyz = np.random.default_rng(l).standard_normal((6, 3))
    parity = "e" if l % 2 == 0 else "o"
    for R in random_rotations(2, seed=l):
        for S in (R, -R):
            D = irreps_rotation(f"1x{l}{parity}", S)
            assert np.abs(_sh(l, xyz @ S.T) - _sh(l, xyz) @ D.T).max() <= ROT_SH_TOL(l)


@pytest.mark.parametrize("l", [1, 2])
def test_e3nn_frame_rotates_permuted_harmonics(l):
    # README: e3nn(r[:, [1, 2, 0]]) = c_l Y_l(r), i.e. e3nn's harmonics of v are Y_l(P^T v)
    v = np.random.default_rng(7).standard_normal((5, 3))
    for R in random_rotations(2, seed=9):
        D = irreps_rotation(f"{l}{'o' if l % 2 else 'e'}", R, frame="e3nn")
        assert np.abs(_sh(l, (v @ R.T) @ P) - _sh(l, v @ P) @ D.T).max() <= ROT_SH_TOL(l)


def test_e3nn_frame_vector_block_is_r():
    for R in random_rotations(2, seed=1):
        assert np.abs(irreps_rotation("1o", R, frame="e3nn") - R).max() <= D_TOL[1]


def test_layouts_are_one_permutation_apart():
    irreps = "3x1o+2x2e"
    R = random_rotations(1, seed=2)[0]
    a = irreps_rotation(irreps, R, layout="mul_ir")
    b = irreps_rotation(irreps, R, layout="ir_mul")
    # index of ir_mul entry (i, u) in mul_ir is (u, i), per irreps entry
    perm = []
    start = 0
    for mul, l in ((3, 1), (2, 2)):
        d = 2 * l + 1
        perm += [start + u * d + i for i in range(d) for u in range(mul)]
        start += mul * d
    assert np.array_equal(b, a[np.ix_(perm, perm)])


def test_homomorphism_and_orthogonality():
    irreps = "2x0e+1x1o+1x2o+1x3e"
    r1, r2 = random_rotations(2, seed=5)
    for s1, s2 in ((r1, r2), (-r1, r2), (-r1, -r2)):
        d12 = irreps_rotation(irreps, s1 @ s2)
        assert np.abs(d12 - irreps_rotation(irreps, s1) @ irreps_rotation(irreps, s2)).max() \
            <= 3 * D_TOL[4]
        assert np.abs(d12 @ d12.T - np.eye(len(d12))).max() <= 3 * D_TOL[4]


def test_map_object_frame():
    class Flip:  # a frame whose l = 1 components are ours negated and reversed
        def matrix(self, l):
            return -np.eye(2 * l + 1)[::-1]

    R = random_rotations(1, seed=3)[0]
    M = Flip().matrix(1)
    assert np.abs(irreps_rotation("1o", R, frame=Flip()) - M @ (P @ R @ P.T) @ M.T).max() \
        <= D_TOL[4]


# -- assert_equivariant_irreps --------------------------------------------------------------


def _cross(x1, x2):
    """(1o, 1o) -> 0e + 1e + 2e with o3ref's fast real CG."""
    from o3ref.fast import real_clebsch_gordan

    return np.concatenate(
        [np.einsum("ni,nj,ijk->nk", x1, x2, real_clebsch_gordan(1, 1, L)) for L in (0, 1, 2)],
        axis=1,
    )


def test_cg_products_pass_and_wrong_parity_is_named():
    report = assert_equivariant_irreps(_cross, ["1o", "1o"], "0e+1e+2e")
    assert report.passed and len(report.rows) == 3
    with pytest.raises(AssertionError, match=r"\[1\] 1x1o.*wrong parity: transforms as 1e"):
        assert_equivariant_irreps(_cross, ["1o", "1o"], "0e+1o+2e")


def test_wrong_degree_is_reported_as_not_equivariant():
    with pytest.raises(AssertionError, match="not equivariant under proper rotations"):
        assert_equivariant_irreps(lambda x: x[:, :3], "1x2e", "1x1o")


def _x1_tensor(x, mul, l_max):
    """Features (samples, dim) in ir_mul layout -> nu = 1 ACDC TensorMap."""
    from o3ref.fast import acdc_standardize_keys

    blocks, start = [], 0
    for l in range(l_max + 1):
        size = (2 * l + 1) * mul
        values = x[:, start:start + size].reshape(len(x), 2 * l + 1, mul)
        start += size
        blocks.append(TensorBlock(
            values=np.ascontiguousarray(values),
            samples=Labels(["system"], np.arange(len(x)).reshape(-1, 1)),
            components=[Labels(["o3_mu"], np.arange(-l, l + 1).reshape(-1, 1))],
            properties=Labels(["n"], np.arange(mul).reshape(-1, 1)),
        ))
    keys = Labels(["o3_lambda"], np.arange(l_max + 1).reshape(-1, 1))
    return acdc_standardize_keys(TensorMap(keys, blocks))


def test_cg_increment_blocks_pass_in_ir_mul_layout():
    from o3ref.fast import cg_increment

    mul, l_max = 2, 2
    irreps_in = [(mul, l, (-1) ** l) for l in range(l_max + 1)]

    def f(x):
        nu1 = _x1_tensor(x, mul, l_max)
        out = cg_increment(nu1, nu1, lcut=2)
        return np.concatenate([np.asarray(b.values).reshape(len(x), -1) for b in out.blocks()],
                              axis=1)

    x = np.random.default_rng(0).standard_normal((3, irreps_dim(irreps_in)))
    nu1 = _x1_tensor(x, mul, l_max)
    out = cg_increment(nu1, nu1, lcut=2)
    assert list(out.keys.names) == ["order_nu", "o3_sigma", "o3_lambda"]
    # a block (sigma, lambda) picks up sigma (-1)^lambda under inversion
    irreps_out = [(len(b.properties), int(k["o3_lambda"]),
                   int(k["o3_sigma"]) * (-1) ** int(k["o3_lambda"])) for k, b in out.items()]
    report = assert_equivariant_irreps(f, irreps_in, irreps_out, inputs=x, layout="ir_mul")
    assert report.passed
    assert {r["irrep"][-1] for r in report.rows} == {"e", "o"}  # pseudo-tensors are in there


def test_torch_like_arrays_are_read_through_array_protocol():
    class Tracked:  # a stand-in for a tensor that tracks gradients: detach first
        def __init__(self, a):
            self.a = a

        def detach(self):
            return np.asarray(self.a)

    assert np.array_equal(as_numpy(Tracked([1.0, 2.0])), [1.0, 2.0])
    report = assert_equivariant_irreps(lambda a, b: Tracked(_cross(a, b)), ["1o", "1o"],
                                       "0e+1e+2e")
    assert report.passed


def test_output_width_mismatch_is_a_value_error():
    with pytest.raises(ValueError, match="f returned 9 components.*has 7"):
        assert_equivariant_irreps(_cross, ["1o", "1o"], "0e+1e+1o")
