"""Exact-path requests too large to finish are refused up front, with the estimate.

Each case is refused in well under a second, before any big integer or mpmath number is
built (issue 10, class 4); the same sizes below the budget still compute.
"""

from __future__ import annotations

import time

import pytest

import o3ref.reference as ref

HUGE = [
    ("clebsch_gordan", lambda: ref.clebsch_gordan(10**4, 0, 10**4, 0, 10**4, 0),
     r"clebsch_gordan\(l1=10000, l2=10000, L=10000\): estimated .* s \(Racah sum on integers "
     r"of ~1.21e\+05 digits\) exceeds the work budget of 60 s"),
    ("wigner_3j", lambda: ref.wigner_3j(10**4, 10**4, 10**4, 1, -1, 0),
     r"clebsch_gordan\(l1=10000, l2=10000, L=10000\): estimated"),
    ("half-integer", lambda: ref.clebsch_gordan(sympy_half(20001), sympy_half(1),
                                                sympy_half(20001), sympy_half(-1), 10**4, 0),
     r"clebsch_gordan\(l1=20001/2, l2=20001/2, L=10000\): estimated"),
    ("real_clebsch_gordan", lambda: ref.real_clebsch_gordan(300, 300, 300),
     r"real_clebsch_gordan\(l1=300, l2=300, L=300\): estimated"),
    ("dps", lambda: ref.real_spherical_harmonics(2, [[0.1, 0.2, 0.3]], dps=10**6),
     r"real_spherical_harmonics\(l_max=2, dps=1000000\) of 1 points: estimated"),
    ("l_max", lambda: ref.real_spherical_harmonics(10**6, [[0.1, 0.2, 0.3]]),
     r"real_spherical_harmonics\(l_max=1000000, dps=30\)"),
    ("complex SH", lambda: ref.complex_spherical_harmonics(10**4, [[0, 0, 1]]),
     r"real_spherical_harmonics\(l_max=10000"),
    ("solid", lambda: ref.real_solid_harmonic(10**6, 0), r"real_solid_harmonic\(l=1000000\)"),
    ("complex solid", lambda: ref.complex_solid_harmonic(500, 0),
     r"complex_solid_harmonic\(l=500\)"),
    ("D exact", lambda: ref.wigner_D(40, 0, 0, 0), r"wigner_D\(l=40\) exact: estimated"),
    ("D mpmath", lambda: ref.wigner_D_real(200, 0.1, 0.2, 0.3, dps=30),
     r"wigner_D_real\(l=200, dps=30\): estimated"),
    ("small d", lambda: ref.wigner_d_small(10**5, 0.5, dps=15), r"wigner_d_small\(l=100000"),
]


def sympy_half(n):
    from fractions import Fraction

    return Fraction(n, 2)


@pytest.mark.parametrize("name, call, match", HUGE, ids=[h[0] for h in HUGE])
def test_huge_requests_are_refused_at_once(name, call, match):
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=match) as info:
        call()
    assert "allow_work" in str(info.value)
    # a refusal, not the work: generous bound, far below the estimates (minutes to years)
    assert time.perf_counter() - t0 < 5.0


def test_selection_rule_zeros_need_no_budget():
    # exact zeros by the selection rules cost nothing at any size
    assert ref.clebsch_gordan(10**4, 0, 10**4, 0, 10**4, 1) == 0  # M != m1 + m2
    assert ref.clebsch_gordan(10**4, 0, 10**4, 0, 3 * 10**4, 0) == 0  # triangle


def test_the_budget_can_be_raised_and_is_restored():
    assert ref.work_budget() == 60.0
    with ref.allow_work(seconds=1e4):
        assert ref.work_budget() == 1e4
        # refused before, computed now (a moderately large exact array, still quick)
    assert ref.work_budget() == 60.0
    with ref.allow_work(seconds=1e-6), pytest.raises(ValueError, match="work budget of 1e-06 s"):
        ref.real_clebsch_gordan(3, 3, 2)
    for bad in (0, -1.0, float("nan"), True, "10"):
        with pytest.raises(ValueError, match="seconds=.* must be a positive number"):
            with ref.allow_work(seconds=bad):
                pass


def test_requests_below_the_budget_still_compute():
    assert str(ref.clebsch_gordan(1, 1, 1, -1, 0, 0)) == "sqrt(3)/3"
    assert ref.real_spherical_harmonics(1, [[0, 0, 1]], dps=200).shape == (1, 4)
    assert ref.wigner_D_real(2, 0.1, 0.2, 0.3, dps=30).shape == (5, 5)
