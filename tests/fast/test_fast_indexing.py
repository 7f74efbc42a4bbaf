"""Index arithmetic of o3ref.fast: closed forms against the enumeration that defines them."""

from __future__ import annotations

import pytest

from o3ref.fast.indexing import check_l, l_slice, lm_index, n_harmonics, n_tri, tri_index


@pytest.mark.parametrize("l_max", [0, 1, 5, 17])
def test_closed_forms_vs_enumeration(l_max):
    pairs = [(l, m) for l in range(l_max + 1) for m in range(-l, l + 1)]
    assert n_harmonics(l_max) == len(pairs)
    assert [lm_index(l, m) for l, m in pairs] == list(range(len(pairs)))
    for l in range(l_max + 1):
        block = [pairs[i] for i in range(len(pairs))[l_slice(l)]]
        assert block == [(l, m) for m in range(-l, l + 1)]
    tri = [(l, m) for l in range(l_max + 1) for m in range(l + 1)]
    assert n_tri(l_max) == len(tri)
    assert [tri_index(l, m) for l, m in tri] == list(range(len(tri)))


def test_check_l():
    assert check_l("l", 3) == 3
    with pytest.raises(ValueError, match=r"l=-1 must be a non-negative integer"):
        check_l("l", -1)
    with pytest.raises(TypeError, match=r"l=1.0 must be a non-negative integer \(got float\)"):
        check_l("l", 1.0)
