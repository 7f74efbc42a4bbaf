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
