"""The bulk route to the real CG used by the tables (:mod:`o3ref.reference.tables._real_cg_blocks`)
against the per-entry route (:func:`o3ref.reference.real_clebsch_gordan`) and its complex
columns (a three-term recurrence) against Racah's formula, exactly, every entry."""

from __future__ import annotations

from math import gcd

import pytest

from o3ref.reference._racah import _cg_doubled
from o3ref.reference.indexing import triangle
from o3ref.reference.real_cg import _real_cg_entries
from o3ref.reference.tables._real_cg_blocks import _cg_column, real_cg_block, real_cg_blocks

L_MAX = 8


def _triples(l_max):
    return [(l1, l2, L) for l1 in range(l_max + 1) for l2 in range(l_max + 1)
            for L in triangle(l1, l2)]


@pytest.mark.parametrize("l1", range(L_MAX + 1))
def test_blocks_equal_the_per_entry_real_cg(l1):
    """Same entries, signs and ``p/q``; keys in increasing order; ``pairs`` distinct."""
    for l2 in range(L_MAX + 1):
        blocks = {L: rest for L, *rest in real_cg_blocks(l1, l2, l1 + l2)}
        assert sorted(blocks) == list(triangle(l1, l2))
        for L, (keys, sign, pair_id, pairs) in blocks.items():
            assert len(set(pairs)) == len(pairs)
            got = {tuple(k): (int(s),) + pairs[i]
                   for k, s, i in zip(keys.tolist(), sign.tolist(), pair_id.tolist(), strict=True)}
            expected = {k: (v.sign, v.p, v.q) for k, v in _real_cg_entries(l1, l2, L).items()}
            assert got == expected, (l1, l2, L)
            assert list(got) == sorted(got), (l1, l2, L)


def test_blocks_stop_at_l_max_and_one_block_can_be_asked_for():
    assert [L for L, *_ in real_cg_blocks(5, 3, 4)] == [2, 3, 4]
    keys, sign, pair_id, pairs = real_cg_block(1, 1, 0)  # -(u . v)/sqrt(3)
    assert keys.tolist() == [[-1, -1, 0], [0, 0, 0], [1, 1, 0]]
    assert sign.tolist() == [-1, -1, -1] and [pairs[i] for i in pair_id] == [(1, 3)] * 3
    with pytest.raises(ValueError, match="L=3 breaks the triangle rule"):
        real_cg_block(1, 1, 3)
    with pytest.raises(ValueError, match="l1=-1 must be a non-negative integer"):
        list(real_cg_blocks(-1, 2, 3))
    with pytest.raises(TypeError, match="l_max='4' must be an int"):
        list(real_cg_blocks(1, 2, "4"))


def test_recurrence_columns_equal_racah():
    """Every complex ``<l1 m1 l2 m2 | L M>`` with ``l <= 8`` (both orders of l1, l2)."""
    checked = 0
    for l1, l2, L in _triples(L_MAX):
        for big in range(-L, L + 1):
            lo, column = _cg_column(l1, l2, L, big)
            assert lo == max(-l1, big - l2) and len(column) == min(l1, big + l2) - lo + 1
            for i, got in enumerate(column):
                m1 = lo + i
                num, den, s = _cg_doubled(2 * l1, 2 * m1, 2 * l2, 2 * (big - m1), 2 * L, 2 * big)
                if num == 0:
                    assert got == (0, 0, 1)
                    continue
                p, q = num * num * s, den * den
                g = gcd(p, q)
                assert got == (1 if num > 0 else -1, p // g, q // g), (l1, l2, L, m1, big)
                checked += 1
    assert checked > 40000
