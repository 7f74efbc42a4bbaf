"""Up-front bounds on the exact entry points (issue 19, class 7): a request whose estimated
work exceeds the work budget is refused before any work, with a ValueError naming the call,
its arguments and the budget; a cheap request (an exact zero by the selection rules, one
coefficient of a big block) is answered at once."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
import sympy
from sympy.physics import wigner as sympy_wigner

from o3ref.reference import (
    allow_work,
    complex_to_real,
    gaunt,
    lm_pairs,
    real_gaunt,
    solid_harmonic_coefficients,
    wigner_6j,
    wigner_6j_exact,
    wigner_9j,
    wigner_9j_exact,
)
from o3ref.reference.real_cg import _real_cg_entry, _real_cg_sparse

HUGE = 10**4


def _refused_fast(call, *names):
    start = time.perf_counter()
    with pytest.raises(ValueError) as info:
        call()
    assert time.perf_counter() - start < 0.5, "the refusal must come before any work"
    message = str(info.value)
    # the time budget (raise it with allow_work) or the memory limit of the exact factorials
    assert ("work budget" in message and "allow_work" in message) or "GiB limit" in message
    for name in names:
        assert name in message, (name, message)
    return message


@pytest.mark.parametrize("call, names", [
    (lambda: wigner_6j(*[HUGE] * 6), ["wigner_6j(", "j1=10000"]),
    (lambda: wigner_6j_exact(*[HUGE] * 6), ["wigner_6j(", "j6=10000"]),
    (lambda: wigner_9j(*[HUGE] * 9), ["wigner_9j(", "j9=10000"]),
    (lambda: wigner_9j_exact(*[HUGE] * 9), ["wigner_9j(", "j1=10000"]),
    (lambda: solid_harmonic_coefficients(HUGE), ["solid_harmonic_coefficients(l=10000)"]),
    (lambda: real_gaunt(10**5, 0, 10**5, 0, 10**5, 0), ["real_gaunt(l1=100000"]),
    (lambda: gaunt(10**5, 0, 10**5, 0, 10**5, 0), ["gaunt(l1=100000"]),
    (lambda: complex_to_real(10**8), ["complex_to_real(l=100000000)"]),
])
def test_huge_arguments_are_refused_before_any_work(call, names):
    _refused_fast(call, *names)


def test_the_refusal_follows_the_budget_not_a_fixed_size():
    # the rule is the estimate against the budget in force: a tiny budget refuses a small
    # request, a bigger one allows it (the estimate grows with the arguments)
    with allow_work(seconds=1e-9):
        _refused_fast(lambda: wigner_6j(20, 20, 20, 20, 20, 20), "wigner_6j(")
        _refused_fast(lambda: solid_harmonic_coefficients(3), "solid_harmonic_coefficients(l=3)")
        _refused_fast(lambda: wigner_9j(2, 2, 2, 2, 2, 2, 2, 2, 2), "wigner_9j(")
    assert wigner_6j(20, 20, 20, 20, 20, 20) == sympy_wigner.wigner_6j(*[20] * 6)


@pytest.mark.parametrize("args", [
    (HUGE, 1, 1, 1, 1, 1),                            # triangle (j1 j2 j3) broken
    (HUGE, HUGE, Fraction(1, 2), HUGE, HUGE, HUGE),   # (j1 j2 j3) has a half-integer sum
])
def test_exact_zeros_by_the_selection_rules_cost_nothing(args):
    start = time.perf_counter()
    assert wigner_6j(*args) == 0
    assert wigner_9j(HUGE, 1, 1, 1, 1, 1, 1, 1, 1) == 0
    assert time.perf_counter() - start < 0.5


def test_memory_of_the_exact_factorials_is_bounded_whatever_the_budget():
    # {10^4 10^4 1; 10^4 10^4 2}: few terms, but factorials up to 20001! kept for reuse
    with allow_work(seconds=1e9):
        message = _refused_fast_memory(lambda: wigner_6j(HUGE, HUGE, 1, HUGE, HUGE, 2))
    assert "wigner_6j(j1=10000" in message and "GiB" in message


def _refused_fast_memory(call):
    start = time.perf_counter()
    with pytest.raises(ValueError) as info:
        call()
    assert time.perf_counter() - start < 0.5
    return str(info.value)


def test_real_gaunt_computes_one_coefficient_not_its_block():
    # l = 300: the block has 601**3 entries; one coefficient is a handful of Racah sums
    start = time.perf_counter()
    value = real_gaunt(300, 0, 300, 0, 300, 0)
    assert time.perf_counter() - start < 1.5
    # m = 0 real harmonics are the complex ones: equal to the complex Gaunt (3j route)
    assert sympy.simplify(value - gaunt(300, 0, 300, 0, 300, 0)) == 0
    assert value != 0


def test_one_real_cg_entry_equals_the_block_route():
    # the single-entry route against the whole-block route, every entry with l <= 3
    for l1 in range(4):
        for l2 in range(4):
            for L in range(abs(l1 - l2), l1 + l2 + 1):
                block = dict(zip(*_real_cg_sparse(l1, l2, L), strict=True))
                for m1 in range(-l1, l1 + 1):
                    for m2 in range(-l2, l2 + 1):
                        for M in range(-L, L + 1):
                            got = _real_cg_entry(l1, l2, L, m1, m2, M)
                            assert got == block.get((m1, m2, M), 0), (l1, l2, L, m1, m2, M)


@pytest.mark.parametrize("l_max, match", [
    (10**9, r"l_max=1000000000 would list .* pairs; the limit is 1e\+08"),
    (-1, "l_max=-1 must be a non-negative integer"),
    (2.5, "l_max=2.5"),
])
def test_lm_pairs_checks_its_degree_and_its_size(l_max, match):
    start = time.perf_counter()
    with pytest.raises((ValueError, TypeError), match=match):
        lm_pairs(l_max)
    assert time.perf_counter() - start < 0.5
    assert lm_pairs(2) == [(l, m) for l in range(3) for m in range(-l, l + 1)]

