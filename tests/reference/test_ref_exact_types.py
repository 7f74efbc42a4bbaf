"""SignedSqrt (exact +-sqrt(p/q)) and the index layout of the exact layer."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from o3ref.reference import SignedSqrt, flat_index, lm_pairs, n_harmonics
from o3ref.reference.indexing import doubled, m_index, triangle


def test_layout_closed_forms_match_the_enumeration():
    for l_max in range(8):
        pairs = [(l, m) for l in range(l_max + 1) for m in range(-l, l + 1)]
        assert lm_pairs(l_max) == pairs
        assert n_harmonics(l_max) == len(pairs)
        assert [flat_index(l, m) for l, m in pairs] == list(range(len(pairs)))
        for l in range(l_max + 1):
            assert [m_index(l, m) for m in range(-l, l + 1)] == list(range(2 * l + 1))
    assert list(triangle(2, 3)) == [1, 2, 3, 4, 5]


def test_doubled():
    assert doubled("j", sympy.Rational(5, 2)) == 5 and doubled("m", -3) == -6
    with pytest.raises(ValueError, match=r"j=1/3 must be an integer or half-integer"):
        doubled("j", sympy.Rational(1, 3))


@pytest.mark.parametrize(
    ("value", "text", "expr"),
    [
        (SignedSqrt(-1, 3, 10), "-sqrt(3/10)", -sympy.sqrt(sympy.Rational(3, 10))),
        (SignedSqrt(1, 4, 9), "2/3", sympy.Rational(2, 3)),
        (SignedSqrt(1, 12, 1), "sqrt(12)", 2 * sympy.sqrt(3)),
        (SignedSqrt(-1, 6, 4), "-sqrt(3/2)", -sympy.sqrt(6) / 2),
        (SignedSqrt(0, 0), "0", sympy.Integer(0)),
        (SignedSqrt(1, 0, 5), "0", sympy.Integer(0)),
    ],
)
def test_text_and_sympy(value, text, expr):
    assert str(value) == text
    assert value.to_sympy() == expr
    assert sympy.sympify(text) == expr


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from([-1, 1]),
    st.integers(min_value=1, max_value=10**30),
    st.integers(min_value=1, max_value=10**30),
)
def test_float_is_correctly_rounded(sign, p, q):
    v = SignedSqrt(sign, p, q)
    with mpmath.workdps(60):
        expected = float(sign * mpmath.sqrt(mpmath.mpf(p) / q))
    assert float(v) == expected
    assert v * v == SignedSqrt(1, p * p, q * q)
    neg = -v
    assert neg == SignedSqrt(-sign, p, q) and hash(-neg) == hash(v)


def test_equality_and_immutability():
    assert SignedSqrt(1, 2, 4) == SignedSqrt(1, 1, 2)
    assert SignedSqrt(0, 0) == 0 and SignedSqrt(1, 1, 4) != 0
    assert SignedSqrt(1, 9, 4) == Fraction(3, 2) and SignedSqrt(-1, 9, 4) != Fraction(3, 2)
    assert sympy.Rational(-3, 2) == SignedSqrt(-1, 9, 4)  # sympify through _sympy_
    assert sympy.sqrt(2) * SignedSqrt(1, 1, 2) == 1
    with pytest.raises(AttributeError, match="immutable"):
        SignedSqrt(1, 1).p = 2


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((1, 1, 0), r"q=0 must be a positive integer"),
        ((1, -1, 1), r"p=-1 must be a non-negative integer"),
        ((2, 1, 1), r"sign=2 must be -1, 0 or 1"),
    ],
)
def test_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        SignedSqrt(*args)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((1, 2.7, 3), r"p=2.7 must be an integer"),  # never truncated to 2
        ((1.0, 2, 3), r"sign=1.0 must be an integer"),
        ((1, 2, Fraction(3, 2)), r"q=Fraction\(3, 2\) must be an integer"),
        ((True, 2, 3), r"sign=True must be an integer"),
    ],
)
def test_non_integers_are_refused(args, match):
    with pytest.raises(TypeError, match=match):
        SignedSqrt(*args)


@pytest.mark.parametrize("value", [SignedSqrt(-1, 3, 10), SignedSqrt(1, 4, 9), SignedSqrt(0, 0, 1),
                                   SignedSqrt(1, 2**200 + 1, 3**90)])
def test_pickle_copy_deepcopy_round_trip(value):
    import copy
    import pickle

    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(value, protocol=protocol))
        assert type(back) is SignedSqrt
        assert (back.sign, back.p, back.q) == (value.sign, value.p, value.q)
    assert copy.copy(value) == value and copy.deepcopy({"k": [value]})["k"][0] == value


@settings(max_examples=60, deadline=None)
@given(st.integers(-1, 1), st.integers(0, 400), st.integers(1, 400))
def test_equal_numbers_hash_equally(sign, p, q):
    """``==`` and ``hash`` agree with int, Fraction and sympy (the oracle: the number itself)."""
    v = SignedSqrt(sign, p, q)
    exact = sign * sympy.sqrt(sympy.Rational(p, q))
    assert v == exact
    if not exact.is_Rational:  # (sympy's Rational hashes unlike Fraction: Python's numbers win)
        assert hash(v) == hash(exact)
    if exact.is_Rational:
        frac = Fraction(int(exact.p), int(exact.q))
        assert v == frac and hash(v) == hash(frac) and {frac: "found"}[v] == "found"
        if frac.denominator == 1:
            assert {int(frac): "found"}[v] == "found"


def test_a_dict_keyed_by_ints_finds_an_equal_signed_sqrt():
    assert SignedSqrt(1, 4, 1) == 2
    assert {2: "two"}[SignedSqrt(1, 4, 1)] == "two"
    assert {sympy.sqrt(3): "root"}[SignedSqrt(1, 3, 1)] == "root"
