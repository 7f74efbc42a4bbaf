"""Issue 10, class 10: ``fast.real_clebsch_gordan`` has exact zeros only where the exact
coefficient is zero (the selection rules), never below a threshold.

Oracle: the exact reference ``o3ref.reference.real_clebsch_gordan`` (``+-sqrt(p/q)``, an
independent derivation in rationals), converted to float64 correctly rounded. At
``(50, 50, 100)`` the old threshold (``|C| < 1e-15 -> 0``) erased 1336 of 20101 non-zero
entries; the coefficients there reach below 1e-29.
"""

from __future__ import annotations

import numpy as np
import pytest

import o3ref.fast as fast
import o3ref.reference as reference
from o3ref.verify.tolerances import eps, tolerance


def _exact(l1, l2, L) -> np.ndarray:
    table = reference.real_clebsch_gordan(l1, l2, L)
    return np.vectorize(float, otypes=[float])(np.asarray(table, dtype=object))


@pytest.mark.parametrize("triple", [(30, 30, 58), (30, 25, 40), (20, 20, 39), (12, 30, 20)])
def test_zeros_only_where_exact_zero(triple):
    got = fast.real_clebsch_gordan(*triple)
    want = _exact(*triple)
    assert np.array_equal(got != 0, want != 0)  # the same zero pattern, entry by entry
    assert np.array_equal(np.sign(got), np.sign(want))
    # each entry is one correctly rounded sqrt times at most 2 * 2**(-3/2): a few ulp of
    # the entry itself (the entries are exactly non-zero here, so a relative bound holds)
    nz = want != 0
    assert np.all(np.abs(got[nz] - want[nz]) <= 4 * eps() * np.abs(want[nz]))
    assert np.all(np.abs(got - want) <= tolerance("cg", triple[2]).atol)


def test_tiny_coefficients_survive_at_50_50_100():
    got = fast.real_clebsch_gordan(50, 50, 100)
    assert np.count_nonzero(got) == 20101  # the count the issue quotes for the exact table
    tiny = (got != 0) & (np.abs(got) < 1e-15)
    assert tiny.sum() >= 1336
    # stretched coupling, closed form: (l l 0 0 | 2l 0)^2 = (2l)!^4 / ((4l)! l!^4)
    # = C(2l, l)^2 / C(4l, 2l); the real (0, 0, 0) entry equals it (U is 1 at m = 0)
    from math import comb, isqrt

    num = comb(100, 50) ** 2
    den = comb(200, 100)
    k = 80
    closed = isqrt((num << (2 * k)) // den) / 2**k
    assert got[50, 50, 100] == pytest.approx(closed, abs=4 * eps() * abs(closed))


def test_exact_zero_by_parity_rule():
    # (l1 0 l2 0 | L 0) = 0 when l1 + l2 + L is odd: the real (0, 0, 0) entry is exactly 0
    assert fast.real_clebsch_gordan(7, 8, 10)[7, 8, 10] == 0.0


def test_huge_triple_refused_with_estimate():
    # dense tables of 2001 * 2001 * 4001 floats: refused before any coefficient is computed
    with pytest.raises(ValueError, match=r"\(l1, l2, L\) = \(1000, 1000, 2000\) needs an "
                                         r"estimated 384480192024 bytes"):
        fast.real_clebsch_gordan(1000, 1000, 2000)


@pytest.mark.parametrize("l", [0, 1, 7, 40])
def test_stretched_by_one_closed_form_equals_the_exact_coefficients(l):
    """``(l, 1, l+1)`` (the Wigner D recursion's step) comes from closed forms: each entry is
    ``sqrt`` of the correctly rounded square, within one ulp of the exact coefficient (the
    exact reference, correctly rounded), zero exactly where it is zero."""
    got = fast.complex_clebsch_gordan(l, 1, l + 1)
    for m1 in range(-l, l + 1):
        for m2 in (-1, 0, 1):
            want = float(reference.clebsch_gordan_exact(l, m1, 1, m2, l + 1, m1 + m2))
            value = got[m1 + l, m2 + 1, m1 + m2 + l + 1]
            assert (value == 0) == (want == 0), (m1, m2)
            assert abs(value - want) <= np.spacing(abs(want)), (m1, m2, value, want)
