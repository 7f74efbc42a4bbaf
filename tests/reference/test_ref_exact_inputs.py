"""Exact values compare by value, and the ACDC oracle refuses what it cannot represent
(issue 19, class 9): ``SignedSqrt`` equals a float, int or Fraction exactly when the numbers
are equal (and then hashes equally); ``cg_product`` refuses complex, text, NaN and infinite
entries by name instead of casting or propagating them."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from o3ref.reference import SignedSqrt, cg_product

# (sign, p, q) of rational and irrational values, positive, negative and zero
_VALUES = [(1, 1, 4), (-1, 9, 4), (1, 4, 1), (0, 0, 1), (1, 1, 2), (-1, 3, 10), (1, 1, 1 << 60)]


@pytest.mark.parametrize("sign, p, q", _VALUES)
def test_equality_with_numbers_is_equality_of_exact_values(sign, p, q):
    v = SignedSqrt(sign, p, q)
    root_p, root_q = int(p**0.5), int(q**0.5)
    is_rational = root_p * root_p == p and root_q * root_q == q
    if is_rational:
        rational = Fraction(sign * root_p, root_q)
        for other in (rational, float(rational), np.float64(rational)):
            assert v == other and other == v and not (v != other)
            assert hash(v) == hash(other)  # equal numbers hash equally
        if rational.denominator == 1:
            assert v == int(rational) and v == np.int64(int(rational))
    # the float nearest to an irrational value is a different number (as for Fraction)
    f = float(v)
    assert (v == f) == is_rational == (Fraction(f) ** 2 == Fraction(p, q) and
                                       (f > 0) - (f < 0) == sign)
    # a neighbouring float is never equal
    assert v != np.nextafter(f, np.inf) and v != f + 1
    for other in (float("nan"), float("inf"), -float("inf")):
        assert v != other
    assert v != "0.5" and v != [0.5]


def test_the_issue_example():
    assert SignedSqrt(1, 1, 4) == 0.5 == Fraction(1, 2)
    assert {SignedSqrt(1, 1, 4), 0.5, Fraction(1, 2)} == {0.5}


_VECTOR = [[[1.0], [2.0], [3.0]]]


@pytest.mark.parametrize("a, error, match", [
    (np.ones((1, 3, 1)) * (1 + 1j), TypeError, r"a\[0, 0, 0\]=.*is complex"),
    ([[[1.0], [2j], [3.0]]], TypeError, r"a\[0, 1, 0\]=2j is complex"),
    ([[["1"], ["2"], ["3"]]], TypeError, r"a\[0, 0, 0\]='1' must be a real number"),
    ("abc", TypeError, r"a must be a sequence .* not str"),
    (1.0, TypeError, "a must be a sequence"),
    ([[[1.0], [float("nan")], [3.0]]], ValueError, r"a\[0, 1, 0\]=nan must be a finite"),
    ([[[1.0], [np.inf], [3.0]]], ValueError, r"a\[0, 1, 0\]=.*inf must be a finite"),
    ([[[1.0], [mpmath.mpf("nan")], [3.0]]], ValueError, r"a\[0, 1, 0\]=.*nan.*finite"),
    ([[[1.0], [2.0, 5.0], [3.0]]], ValueError, r"a\[0\] is ragged"),
])
def test_cg_product_refuses_entries_it_cannot_represent(a, error, match):
    with pytest.raises(error, match=match):
        cg_product(a, _VECTOR, 1, 1, 1)
    with pytest.raises(error, match=match.replace("a", "b", 1) if match[0] == "a" else None):
        cg_product(_VECTOR, a, 1, 1, 1)


def test_cg_product_takes_real_inputs_of_every_exact_kind():
    for entries in ([[[1.0], [2.0], [3.0]]], [[[1], [2], [3]]],
                    [[[Fraction(1)], [Fraction(2)], [Fraction(3)]]], np.array(_VECTOR),
                    np.array(_VECTOR, dtype=np.float32)):
        out = cg_product(entries, _VECTOR, 1, 1, 0)
        # u . u / (-sqrt 3) with u = (1, 2, 3)
        with mpmath.workdps(40):
            assert abs(out[0, 0, 0] + 14 / mpmath.sqrt(3)) < mpmath.mpf(10) ** -25
