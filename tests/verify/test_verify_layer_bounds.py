"""Layer entry points refuse sizes beyond the memory budget before allocating (issue 19,
class 7): irreps_rotation of huge irreps, compare_change_of_basis / cartesian_basis /
symmetry_projector of a high rank."""

from __future__ import annotations

import numpy as np
import pytest

from o3ref.verify.layers.change_of_basis import (
    cartesian_basis,
    compare_change_of_basis,
    symmetry_projector,
)
from o3ref.verify.layers.irreps import irreps_rotation


@pytest.mark.parametrize("irreps", ["1000000000x0e", "1x100000e", "100000x1o"])
def test_irreps_rotation_refuses_huge_irreps(irreps):
    with pytest.raises(ValueError, match=r"irreps_rotation\(irreps=.*memory budget.*irreps"):
        irreps_rotation(irreps, np.eye(3))


def test_irreps_rotation_refuses_a_degree_beyond_its_limit():
    with pytest.raises(ValueError, match="l = 150; irreps_rotation supports l <= 100"):
        irreps_rotation("1x150e", np.eye(3))


def test_irreps_rotation_still_builds_ordinary_sizes():
    assert irreps_rotation("16x0e+8x1o+4x2e", np.eye(3)).shape == (60, 60)


def test_rank_9_change_of_basis_is_refused_up_front():
    with pytest.raises(ValueError, match=r"formula='ijklmnopq' \(rank 9.*memory budget.*rank"):
        compare_change_of_basis(np.zeros((1, 3**9)), "ijklmnopq")
    with pytest.raises(ValueError, match="rank 9"):
        cartesian_basis("ijklmnopq")
    with pytest.raises(ValueError, match="rank 10"):
        symmetry_projector("ijklmnopqr")


def test_small_ranks_still_work():
    assert symmetry_projector("ij=ji").shape == (9, 9)
    assert sorted(cartesian_basis("ij=ji")) == [0, 2]


def test_ragged_and_mismatched_inputs_name_the_argument():
    from o3ref.verify import properties as P
    from o3ref.verify.layers.irreps import assert_equivariant_irreps

    with pytest.raises(ValueError, match="matrices is ragged"):
        P.assert_orthogonal([[[1, 0], [0]]])
    with pytest.raises(ValueError, match=r"matrices has shape \(1, 2, 3\)"):
        P.assert_orthogonal(np.zeros((1, 2, 3)))
    with pytest.raises(ValueError, match=r"rotate_output\(R, func\(x\)\) has shape \(4, 2\)"):
        P.assert_equivariant(lambda x: x, np.ones((4, 3)), lambda R, x: x @ R.T,
                             lambda R, y: (y @ R.T)[:, :2], n_rotations=1)
    with pytest.raises(ValueError, match=r"sh\(l_max=1, xyz\) is ragged"):
        P.assert_sh_equivariant(lambda l, xyz: [[1.0] * 4, [1.0] * 3], 1)
    with pytest.raises(ValueError, match="inputs has 1 array.*irreps_in has 2 entries"):
        assert_equivariant_irreps(lambda x, y: x, ["1o", "1o"], "1o", inputs=[np.ones((2, 3))])
