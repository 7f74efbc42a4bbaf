"""The exact oracle (one dps rule, cached, read-only), the per-quantity generators every front
door compares through, and the arguments of the conformance checks and of the detector
(checked before any work)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from o3ref import fast, reference
from o3ref.verify import oracle
from o3ref.verify.compare import over_tolerance, to_numeric
from o3ref.verify.conformance import (
    PrecisionPolicy,
    check_cg,
    check_sh,
    check_sh_gradient,
    check_sh_properties,
    check_wigner_d,
    check_wigner_d_homomorphism,
)
from o3ref.verify.conformance import quantities as q
from o3ref.verify.conformance._arguments import L_MAX_ALLOWED
from o3ref.verify.conventions.detect import DETECT_MAX_L, detect_convention
from o3ref.verify.tolerances import tolerance

XYZ = np.array([[0.3, -0.5, 0.8], [1.0, 0.2, -0.1], [0.0, -2.0, 1e-9]])


# ------------------------------------------------------------------ the oracle


def test_oracle_values_are_the_reference_at_the_one_dps_rounded_once():
    sh = oracle.sh_values(6, XYZ)
    assert np.array_equal(sh, to_numeric(reference.real_spherical_harmonics(6, XYZ,
                                                                            dps=oracle.DPS)))
    d = oracle.wigner_d(3, 0.7, 1.1, -2.3)
    assert np.array_equal(d, to_numeric(reference.wigner_D_real(3, 0.7, 1.1, -2.3,
                                                                dps=oracle.DPS)))
    assert np.array_equal(oracle.real_cg(2, 1, 2),
                          to_numeric(reference.real_clebsch_gordan(2, 1, 2)))


def test_oracle_dps_is_past_float64_rounding():
    # 30 and 40 digits round to the same doubles, but for the residues of exact zeros (both
    # below 1e-31): the rule of the module docstring
    assert oracle.DPS >= 17 + 10
    pts = np.concatenate([XYZ, [[1.0, 1.0, 1.0], [2.0, 1.0, 0.5]]])  # zeros by symmetry
    ours = oracle.sh_values(10, pts)
    more = to_numeric(reference.real_spherical_harmonics(10, pts, dps=40))
    differ = ours != more
    assert np.all(np.abs(ours[differ]) < 1e-31) and np.all(np.abs(more[differ]) < 1e-31)
    assert np.count_nonzero(differ) < 0.01 * ours.size


def test_oracle_is_cached_and_read_only():
    a = oracle.sh_values(3, XYZ)
    assert oracle.sh_values(3, XYZ.copy()) is a
    with pytest.raises(ValueError, match="read-only"):
        a[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        oracle.wigner_d(1, 0.1, 0.2, 0.3)[0, 0] = 1.0


def test_complex_cg_table():
    t = oracle.complex_cg(1, 1, 0)
    assert t[0, 2, 0] == float(reference.clebsch_gordan(1, -1, 1, 1, 0, 0))  # rounded once
    assert t[0, 0, 0] == 0.0  # M != m1 + m2


# ------------------------------------------------------------------ the generators


def _sh(l_max, xyz):
    return fast.SphericalHarmonics(l_max).compute(np.asarray(xyz, dtype=np.float64))


def test_sh_cases_pass_for_o3ref_and_name_the_degree():
    cases = list(q.sh_cases(_sh, 4, XYZ, lambda l: tolerance("sh", l)))
    assert [c.l for c in cases] == [0, 1, 2, 3, 4]
    assert all(c.report.passed for c in cases)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_nan_or_inf_never_passes_any_generator(bad):
    def sh(l_max, xyz):
        out = _sh(l_max, xyz)
        out[1, 5] = bad  # l = 2
        return out

    def d(l, a, b, g):
        return np.full((2 * l + 1, 2 * l + 1), bad)

    def cg(l1, l2, L):
        return np.full((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1), bad)

    worst = q.per_degree(q.sh_cases(sh, 3, XYZ, lambda l: tolerance("sh", l)), 3)
    assert [r.passed for r in worst] == [True, True, False, True]
    assert worst[2].max_abs == np.inf
    cases = q.wigner_d_cases(d, [0, 1], [(0.1, 0.2, 0.3)], lambda l: tolerance("wigner_d", l))
    assert not any(c.report.passed for c in cases)
    cases = q.cg_cases(cg, [(1, 1, 2)], lambda *t: tolerance("cg", max(t)))
    assert not any(c.report.passed for c in cases)


def test_worst_is_chosen_by_error_over_tolerance():
    from o3ref.verify.compare import compare_arrays

    small_tol = compare_arrays([1e-10], [0.0], atol=1e-11)  # ratio 10, fails
    large_err = compare_arrays([1e-6], [0.0], atol=1e-3)  # larger error, ratio 1e-3, passes
    assert q.worst([large_err, small_tol]) is small_tol
    assert q.worst([]) is None


def test_over_tolerance_is_the_cores_verdict():
    assert over_tolerance([1e-16, np.nan, 3e-15, np.inf], [1e-15] * 4) == [1, 2, 3]
    with pytest.raises(ValueError, match="tolerance=inf"):
        over_tolerance([0.0], [np.inf])
    with pytest.raises(ValueError, match="len"):
        over_tolerance([0.0], [])


# ------------------------------------------------------------------ arguments (issue 19)


def _d(l, a, b, g):
    return fast.wigner_D_real_blocks(l, np.asarray(fast.rotation_matrix(a, b, g)).reshape(
        1, 3, 3))[l][0]


_CHECKS = {
    "sh": lambda l_max: check_sh(_sh, l_max, PrecisionPolicy()),
    "sh_gradient": lambda l_max: check_sh_gradient(
        lambda l, x: fast.SphericalHarmonics(l).compute_with_gradients(x), l_max,
        PrecisionPolicy()),
    "sh_properties": lambda l_max: check_sh_properties(_sh, l_max, PrecisionPolicy(),
                                                       "equivariant"),
    "wigner_d": lambda l_max: check_wigner_d(_d, l_max, PrecisionPolicy()),
    "wigner_d_homomorphism": lambda l_max: check_wigner_d_homomorphism(
        _d, l_max, PrecisionPolicy()),
    "cg": lambda l_max: check_cg(fast.real_clebsch_gordan, l_max, PrecisionPolicy()),
}


@pytest.mark.parametrize("check", sorted(_CHECKS))
@pytest.mark.parametrize("value, error", [(-1, ValueError), (2.5, TypeError),
                                          (10**6, ValueError), (True, TypeError),
                                          ("3", TypeError)])
def test_every_check_refuses_a_bad_l_max_before_any_work(check, value, error):
    high = L_MAX_ALLOWED[check]
    t0 = time.perf_counter()
    with pytest.raises(error, match=rf"l_max={value!r} must be an integer in 0\.\.{high}"):
        _CHECKS[check](value)
    assert time.perf_counter() - t0 < 2.0


def test_checks_refuse_other_bad_arguments():
    with pytest.raises(TypeError, match="func=3 must be callable"):
        check_sh(3, 2, PrecisionPolicy())
    with pytest.raises(TypeError, match="policy=.*PrecisionPolicy"):
        check_sh(_sh, 2, "float64")
    with pytest.raises(ValueError, match="prop='round' must be one of"):
        check_sh_properties(_sh, 2, PrecisionPolicy(), "round")
    with pytest.raises(ValueError, match="takes='angles' must be one of"):
        check_wigner_d(_d, 2, PrecisionPolicy(), takes="angles")
    with pytest.raises(ValueError, match=r"n_points=0 must be an integer in 1\.\."):
        check_sh(_sh, 2, PrecisionPolicy(), n_points=0)
    # parity and orthonormality need no exact D: the harmonics' bound
    with pytest.raises(ValueError, match=rf"in 0\.\.{L_MAX_ALLOWED['sh']}"):
        check_sh_properties(_sh, 10**6, PrecisionPolicy(), "parity")


@pytest.mark.parametrize("kind", ["sh", "wigner_d", "cg"])
@pytest.mark.parametrize("value, error", [(0, ValueError), (-1, ValueError),
                                          (2.5, TypeError), (10**6, ValueError)])
def test_detector_refuses_a_bad_l_max_before_any_call(kind, value, error):
    calls = []

    def func(*args):
        calls.append(args)
        raise AssertionError("must not be called")

    t0 = time.perf_counter()
    with pytest.raises(error, match=rf"l_max={value!r} must be an integer in "
                                    rf"1\.\.{DETECT_MAX_L[kind]} \(kind='{kind}'\)"):
        detect_convention(func, kind, l_max=value)
    assert not calls and time.perf_counter() - t0 < 2.0
