"""verify.change_of_basis: o3ref's basis of symmetric Cartesian tensors and the per-L relation
of another change of basis to it."""

from __future__ import annotations

import numpy as np
import pytest

from o3ref.verify.layers.change_of_basis import (
    cartesian_basis,
    compare_change_of_basis,
    parse_formula,
    symmetry_projector,
)
from o3ref.verify.layers.irreps import frame_matrix
from o3ref.verify.tolerances import tolerance


def _fast_rank2_rows() -> dict[int, np.ndarray]:
    """Rows of o3ref.fast.tensor_to_spherical (the fast path's couple): {L: (2L+1, 9)}."""
    from o3ref.fast import tensor_to_spherical

    units = np.eye(9).reshape(9, 3, 3)
    parts = tensor_to_spherical(units)
    return {L: parts[L].T for L in (0, 1, 2)}


@pytest.mark.parametrize(
    ("formula", "multiplicities"),
    [
        ("ij", {0: 1, 1: 1, 2: 1}),
        ("ij=ji", {0: 1, 2: 1}),
        ("ij=-ji", {1: 1}),
        ("ijk=jik=ikj", {1: 1, 3: 1}),  # 10 = 3 + 7
        ("ijkl=jikl=klij", {0: 2, 2: 2, 4: 1}),  # elasticity: 21 = 2 + 10 + 9
    ],
)
def test_basis_multiplicities(formula, multiplicities):
    basis = cartesian_basis(formula)
    assert {L: b.shape[0] for L, b in basis.items()} == multiplicities
    n, _ = parse_formula(formula)
    rows = np.concatenate([b.reshape(-1, 3**n) for b in basis.values()])
    assert np.abs(rows @ rows.T - np.eye(len(rows))).max() <= 2 * tolerance("cg", 8).atol
    proj = symmetry_projector(formula)
    assert np.abs(rows @ proj - rows).max() <= 2 * tolerance("cg", 8).atol


def test_symmetric_rank3_basis_is_symmetric_under_every_swap():
    for block in cartesian_basis("ijk=jik=ikj").values():
        t = block.reshape(-1, 3, 3, 3)
        for perm in ((0, 2, 1, 3), (0, 1, 3, 2), (0, 3, 2, 1)):
            assert np.abs(t - t.transpose(perm)).max() <= tolerance("cg", 8).atol


def test_rank2_basis_equals_the_fast_couple():
    rows = _fast_rank2_rows()
    for L, b in cartesian_basis("ij").items():
        assert np.abs(b[0] - rows[L]).max() <= tolerance("cg", 2).atol


def test_fast_couple_is_equal_per_block():
    rows = _fast_rank2_rows()
    Q = np.concatenate([rows[0], rows[2]])
    report = compare_change_of_basis(Q.reshape(6, 3, 3), "ij=ji", irreps="0e+2e")
    assert report.passed, report
    assert report.relations() == {0: ["equal"], 2: ["equal"]}


def test_sign_scale_and_irreps_read_off_q():
    rows = _fast_rank2_rows()
    Q = np.concatenate([-rows[0], rows[1], 2.5 * rows[2]])
    report = compare_change_of_basis(Q, "ij")
    assert report.passed, report
    assert report.relations() == {0: ["sign (-1)"], 1: ["equal"], 2: ["scale 2.5"]}


def test_a_frame_change_is_an_orthogonal_mix_unless_the_frame_is_given():
    rows = _fast_rank2_rows()
    M = frame_matrix("e3nn", 2)
    Q = np.concatenate([rows[0], M @ rows[2]])
    in_e3nn = compare_change_of_basis(Q, "ij=ji", irreps="0e+2e", frame="e3nn")
    assert in_e3nn.passed and in_e3nn.relations()[2] == ["equal"]
    in_ours = compare_change_of_basis(Q, "ij=ji", irreps="0e+2e")
    assert not in_ours.passed and in_ours.equivariance_error > 0.1
    assert in_ours.relations()[2][0].startswith("orthogonal mix")


def test_wrong_space_is_reported():
    rows = _fast_rank2_rows()
    Q = np.concatenate([rows[0], rows[1], rows[2]])
    report = compare_change_of_basis(Q, "ij=ji")
    assert not report.passed
    assert report.span_error > 0.1 and report.dimension == (9, 6)
    assert "outside o3ref's L = 1 space" in report.relations()[1][0] or \
        "no L = 1 block" in report.relations()[1][0]


def test_multiplicity_two_blocks_name_their_o3ref_partner():
    basis = cartesian_basis("ijkl=jikl=klij")
    swapped = np.concatenate([basis[0][1], -basis[0][0], basis[2].reshape(-1, 81),
                              basis[4].reshape(-1, 81)])
    report = compare_change_of_basis(swapped, "ijkl=jikl=klij", irreps="2x0e+2x2e+4e")
    assert report.passed, report
    assert report.relations()[0] == ["equal to o3ref block 1", "sign (-1) of o3ref block 0"]
    assert report.relations()[4] == ["equal"]


@pytest.mark.parametrize(
    ("formula", "match"),
    [("", "must be a string"), ("ii", "distinct letters"), ("ij=ik", "must permute"),
     ("ij=ji=-ij", "admits only the zero tensor")],
)
def test_bad_formulas(formula, match):
    with pytest.raises(ValueError, match=match):
        symmetry_projector(formula)


def test_q_of_the_wrong_rank_is_a_value_error():
    with pytest.raises(ValueError, match="needs 3\\*\\*3 = 27"):
        compare_change_of_basis(np.zeros((10, 9)), "ijk=jik=ikj")
