"""Exact complex Clebsch-Gordan and 3j: sympy as the independent oracle, orthogonality,
selection rules, half-integers and bad input."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import pytest
import sympy
from ref_helpers import sqrt_free
from sympy.physics import wigner as sympy_wigner

from o3ref.reference import clebsch_gordan, clebsch_gordan_exact, wigner_3j, wigner_3j_exact

H = sympy.Rational(1, 2)


def _cg_table(l_max):
    for l1 in range(l_max + 1):
        for l2 in range(l_max + 1):
            for L in range(abs(l1 - l2), l1 + l2 + 1):
                for m1 in range(-l1, l1 + 1):
                    for m2 in range(-l2, l2 + 1):
                        if abs(m1 + m2) <= L:
                            yield l1, m1, l2, m2, L, m1 + m2


def test_clebsch_gordan_equals_sympy_for_every_coefficient_up_to_6():
    # every coefficient with l1, l2 <= 6, all L, m1, m2 (13447 values; sympy needs ~6 s)
    mismatches = [
        args
        for args in _cg_table(6)
        if clebsch_gordan(*args)
        != sympy_wigner.clebsch_gordan(args[0], args[2], args[4], args[1], args[3], args[5])
    ]
    assert mismatches == []


def _half_integer_cases():
    for j1 in (H, 3 * H, 5 * H, 1, 2):
        for j2 in (H, 3 * H, 1):
            for k in range(int(j1 + j2 - abs(j1 - j2)) + 1):
                big_j = j1 + j2 - k
                for a in range(int(2 * j1) + 1):
                    for b in range(int(2 * j2) + 1):
                        m1, m2 = j1 - a, j2 - b
                        if abs(m1 + m2) <= big_j:
                            yield j1, m1, j2, m2, big_j, m1 + m2


def test_half_integer_clebsch_gordan_equals_sympy():
    cases = list(_half_integer_cases())
    assert any(c[0] == H for c in cases) and len(cases) > 300
    for j1, m1, j2, m2, big_j, big_m in cases:
        expected = sympy_wigner.clebsch_gordan(j1, j2, big_j, m1, m2, big_m)
        assert clebsch_gordan(j1, m1, j2, m2, big_j, big_m) == expected, (j1, m1, j2, m2, big_j)


def test_half_integers_as_fraction_and_rational_agree():
    f = Fraction(1, 2)
    assert clebsch_gordan(f, f, 1, 0, Fraction(3, 2), f) == clebsch_gordan(H, H, 1, 0, 3 * H, H)
    assert clebsch_gordan(H, H, H, -H, 1, 0) == sympy.sqrt(2) / 2  # closed form
    assert clebsch_gordan(H, H, H, -H, 0, 0) == sympy.sqrt(2) / 2
    assert clebsch_gordan(H, -H, H, H, 0, 0) == -sympy.sqrt(2) / 2


def test_wigner_3j_equals_sympy_up_to_4_with_half_integers():
    for l1, m1, l2, m2, L, M in _cg_table(4):
        expected = sympy_wigner.wigner_3j(l1, l2, L, m1, m2, -M)
        assert wigner_3j(l1, l2, L, m1, m2, -M) == expected
    for j1, m1, j2, m2, big_j, big_m in _half_integer_cases():
        expected = sympy_wigner.wigner_3j(j1, j2, big_j, m1, m2, -big_m)
        assert wigner_3j(j1, j2, big_j, m1, m2, -big_m) == expected


def test_closed_forms():
    # textbook values, written out by hand
    assert clebsch_gordan(1, 1, 1, -1, 0, 0) == 1 / sympy.sqrt(3)
    assert clebsch_gordan(1, 0, 1, 0, 0, 0) == -1 / sympy.sqrt(3)
    assert clebsch_gordan(1, 0, 1, 0, 2, 0) == sympy.sqrt(sympy.Rational(2, 3))
    assert clebsch_gordan(1, 1, 1, -1, 1, 0) == 1 / sympy.sqrt(2)
    assert clebsch_gordan(2, 2, 2, -2, 0, 0) == 1 / sympy.sqrt(5)
    assert wigner_3j(1, 1, 2, 0, 0, 0) == sympy.sqrt(sympy.Rational(2, 15))


# ----------------------------------------------------------------------------- orthogonality



class _QSqrt:
    """Exact sums of rationals times square roots of square-free integers."""

    def __init__(self):
        self.parts = defaultdict(Fraction)

    def add_product(self, u, v):
        if not u or not v:
            return
        cu, su = sqrt_free(u.p, u.q)
        cv, sv = sqrt_free(v.p, v.q)
        g = sympy.igcd(su, sv)
        self.parts[(su // g) * (sv // g)] += u.sign * v.sign * cu * cv * g

    def value(self):
        parts = {s: c for s, c in self.parts.items() if c}
        return parts


@pytest.mark.slow
def test_orthogonality_both_sums_up_to_6():
    l_max = 6
    cg = {
        (l1, l2, L, m1, m2): clebsch_gordan_exact(l1, m1, l2, m2, L, M)
        for l1, m1, l2, m2, L, M in _cg_table(l_max)
    }
    for l1 in range(l_max + 1):
        for l2 in range(l_max + 1):
            ls = range(abs(l1 - l2), l1 + l2 + 1)
            # sum over m1 (M fixed): <l1 m1 l2 M-m1|L M><l1 m1 l2 M-m1|L' M> = delta(L, L')
            for L in ls:
                for Lp in ls:
                    for big_m in range(-min(L, Lp), min(L, Lp) + 1):
                        acc = _QSqrt()
                        for m1 in range(-l1, l1 + 1):
                            m2 = big_m - m1
                            if abs(m2) <= l2:
                                acc.add_product(cg[(l1, l2, L, m1, m2)], cg[(l1, l2, Lp, m1, m2)])
                        assert acc.value() == ({1: Fraction(1)} if L == Lp else {})
            # sum over L (m1, m2 fixed and m1', m2' with the same M) = delta
            for m1 in range(-l1, l1 + 1):
                for m2 in range(-l2, l2 + 1):
                    for m1p in range(-l1, l1 + 1):
                        m2p = m1 + m2 - m1p
                        if abs(m2p) > l2:
                            continue
                        acc = _QSqrt()
                        for L in ls:
                            if abs(m1 + m2) <= L:
                                acc.add_product(cg[(l1, l2, L, m1, m2)], cg[(l1, l2, L, m1p, m2p)])
                        assert acc.value() == ({1: Fraction(1)} if m1 == m1p else {})


def test_relation_to_3j():
    for l1, m1, l2, m2, L, M in _cg_table(3):
        rhs = (
            sympy.Integer(-1) ** (l1 - l2 + M)
            * sympy.sqrt(2 * L + 1)
            * wigner_3j(l1, l2, L, m1, m2, -M)
        )
        assert sympy.expand(clebsch_gordan(l1, m1, l2, m2, L, M) - rhs) == 0


# ----------------------------------------------------------------------------- selection rules


@pytest.mark.parametrize(
    "args",
    [
        (1, 1, 1, 0, 2, 0),  # M != m1 + m2
        (1, 0, 1, 0, 3, 0),  # triangle: L > l1 + l2
        (3, 0, 1, 0, 1, 0),  # triangle: L < |l1 - l2|
        (1, 0, 1, 0, 1, 0),  # l1 + l2 + L odd with all m = 0
        (H, H, H, H, 2, 1),  # half-integers, triangle: L > l1 + l2
    ],
)
def test_selection_rules_give_exact_zero(args):
    value = clebsch_gordan(*args)
    assert value is sympy.S.Zero
    assert clebsch_gordan_exact(*args).sign == 0


def test_accidental_zero_is_exact():
    # <2 1 2 -1 | 3 0> vanishes only through the alternating sum (sympy agrees)
    found = [
        args
        for args in _cg_table(3)
        if sympy_wigner.clebsch_gordan(args[0], args[2], args[4], args[1], args[3], args[5]) == 0
        and (args[0] + args[2] + args[4]) % 2 == 0
    ]
    assert found, "expected a zero not explained by a selection rule"
    for args in found:
        assert clebsch_gordan(*args) is sympy.S.Zero


def test_wigner_3j_zero_unless_m_sum_zero():
    assert wigner_3j(1, 1, 1, 1, 0, 0) is sympy.S.Zero
    assert wigner_3j_exact(1, 1, 1, 1, 0, 0).sign == 0


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((-1, 0, 1, 0, 1, 0), ValueError, r"l1=-1 must be a non-negative integer or half-integer"),
        ((Fraction(1, 3), 0, 1, 0, 1, 0), ValueError, r"l1=1/3 must be a non-negative integer"),
        ((1, 2, 1, 0, 1, 0), ValueError, r"m1=2 must satisfy \|m1\| <= l1=1"),
        ((1, 0, 1, 0, 1, -3), ValueError, r"M=-3 must satisfy \|M\| <= L=1"),
        ((1, H, 1, 0, 1, H), ValueError, r"m1=1/2 and l1=1 must both be integers or both half"),
        ((H, 0, H, 0, 0, 0), ValueError, r"m1=0 and l1=1/2 must both be integers"),
        ((1.0, 0, 1, 0, 1, 0), TypeError, r"l1=1.0 is a float"),
        ((1, 0, "1", 0, 1, 0), TypeError, r"l2='1' must be an int, fractions.Fraction or sympy"),
        ((True, 0, 1, 0, 1, 0), TypeError, r"l1=True must be an integer, not a bool"),
    ],
)
def test_bad_input_messages(args, error, match):
    with pytest.raises(error, match=match):
        clebsch_gordan(*args)


def test_bad_input_messages_3j():
    with pytest.raises(ValueError, match=r"m3=2 must satisfy \|m3\| <= l3=1"):
        wigner_3j(1, 1, 1, 0, 0, 2)
    with pytest.raises(ValueError, match=r"l2=-2 must be a non-negative integer or half-integer"):
        wigner_3j(1, -2, 1, 0, 0, 0)
