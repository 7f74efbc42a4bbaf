"""The conformance plugin, run in a fresh pytest session (pytester, in a subprocess: an
in-process run would drop and re-import sympy modules between runs): it passes on
o3ref.fast and fails, with a readable message, on broken implementations."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

IMPLEMENTATIONS = '''
import numpy as np
from o3ref import fast

def sh(l_max, xyz):
    return fast.SphericalHarmonics(l_max).compute(xyz)

def sh_gradient(l_max, xyz):
    return fast.SphericalHarmonics(l_max).compute_with_gradients(xyz)

def wigner_d(l, alpha, beta, gamma):
    R = np.asarray(fast.rotation_matrix(alpha, beta, gamma)).reshape(1, 3, 3)
    return fast.wigner_D_real_blocks(l, R)[l][0]

def cg(l1, l2, L):
    return fast.real_clebsch_gordan(l1, l2, L)

def sh_flipped(l_max, xyz):  # the sign of l = 3, m = 1 flipped
    values = sh(l_max, xyz).copy()
    values[:, 3 * 3 + 3 + 1] *= -1
    return values

def sh_4pi(l_max, xyz):  # 4 pi normalisation instead of orthonormal
    return np.sqrt(4 * np.pi) * sh(l_max, xyz)

def sh32(l_max, xyz):  # a correct float32 implementation: o3ref's values rounded to float32
    return sh(l_max, np.asarray(xyz, dtype=np.float64)).astype(np.float32)

def sh32_flipped(l_max, xyz):  # float32, the sign of l = 5, m = 2 flipped
    values = sh32(l_max, xyz).copy()
    values[:, 5 * 5 + 5 + 2] *= -1
    return values

def sh_flipped5(l_max, xyz):  # float64, the sign of l = 5, m = 2 flipped
    values = sh(l_max, xyz).copy()
    values[:, 5 * 5 + 5 + 2] *= -1
    return values

def sh_two_errors(l_max, xyz):  # a tiny error at l = 1 first, the large one at l = 4, m = 0
    values = sh(l_max, xyz).copy()
    values[:, 1] += 1e-9
    values[:, 4 * 4 + 4] += 1e-3
    return values

def sh_upto4(l_max, xyz):  # a library that stops at l = 4
    if l_max > 4:
        raise ValueError(f"l_max={l_max} is above 4")
    return sh(l_max, xyz)

def sh_e3nn(l_max, v):  # e3nn's 'component' convention: argument (y, z, x), sqrt(4 pi)
    return np.sqrt(4 * np.pi) * sh(l_max, np.asarray(v)[:, [2, 0, 1]])

def wigner_d_matrix(l, R):  # takes a rotation matrix (as e3x does)
    return fast.wigner_D_real_blocks(l, np.asarray(R, dtype=np.float64).reshape(1, 3, 3))[l][0]

def wigner_d_matrix_broken(l, R):  # D(R) with one entry off at l = 2: not a homomorphism
    d = wigner_d_matrix(l, R).copy()
    if l == 2:
        d[0, 1] += 0.05
    return d
'''


@pytest.fixture
def project(pytester):
    pytester.makepyfile(myimpl=IMPLEMENTATIONS)
    pytester.syspathinsert()
    return pytester


def test_passes_on_fast(project):
    project.makepyfile(test_conformance='''
from o3ref.verify.pytest_plugin import ConformanceSuite
import myimpl

class TestFast(ConformanceSuite):
    sh = myimpl.sh
    sh_gradient = myimpl.sh_gradient
    wigner_d = myimpl.wigner_d
    cg = myimpl.cg
    l_max = 4
''')
    result = project.runpytest_subprocess("-q")
    result.assert_outcomes(passed=8)


def test_flipped_sign_fails_readably(project):
    project.makepyfile(test_conformance='''
from o3ref.verify.pytest_plugin import ConformanceSuite
import myimpl

class TestFlipped(ConformanceSuite):
    sh = myimpl.sh_flipped
    l_max = 4
''')
    result = project.runpytest_subprocess("-q")
    # parity and orthonormality survive a sign flip; the reference and equivariance do not
    # (only the tests of the implementations given are collected)
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines([
        "*sh does not conform to o3ref (spherical harmonics, l 0..4) under float64*",
        "*Worst case: point = *, l = 3, m = 1: got *",
        "*Diagnosis: spherical harmonics: matches no known convention; first differs from o3ref"
        " at l = 3, m = 1*",
        "*l = 3: sign flipped at m = 1*",
    ])


def test_wrong_normalisation_is_named(project):
    project.makepyfile(test_conformance='''
from o3ref.verify.pytest_plugin import ConformanceSuite
import myimpl

class TestFourPi(ConformanceSuite):
    sh = staticmethod(myimpl.sh_4pi)
    l_max = 3
''')
    result = project.runpytest_subprocess("-q", "-k", "matches_reference or orthonormal")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*Diagnosis: spherical harmonics: 4pi normalisation convention*",
                                 "*sh does not conform to o3ref (orthonormality on the sphere)*"])


def test_command_line_options(project):
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh", "--o3ref-cg=myimpl:cg",
                               "--o3ref-l-max=3")
    # only the tests of the functions given are collected (none skipped)
    result.assert_outcomes(passed=5)
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh_flipped", "--o3ref-l-max=4")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(["*first differs from o3ref at l = 3, m = 1*"])


def test_plugin_is_silent_without_options(pytester):
    pytester.makepyfile(test_other="def test_one():\n    assert True\n")
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=1)


def test_load_function_errors():
    from o3ref.verify.pytest_plugin import load_function

    with pytest.raises(ValueError, match="spec='numpy' must be 'module:function'"):
        load_function("numpy")
    with pytest.raises(TypeError, match="numpy:pi is not callable"):
        load_function("numpy:pi")
    with pytest.raises(AttributeError, match="numpy:nope: numpy has no attribute 'nope'"):
        load_function("numpy:nope")
    with pytest.raises(ImportError, match="no_such_module:f: cannot import 'no_such_module'"):
        load_function("no_such_module:f")
    assert load_function("numpy.linalg:norm")([3.0, 4.0]) == 5.0


# ------------------------------------------------------------------ precision policies


def _suite(project, body):
    project.makepyfile(test_conformance=(
        "from o3ref.verify.pytest_plugin import ConformanceSuite\n"
        "from o3ref.verify.conventions.maps import NAMED_MAPS\n"
        "import myimpl\n\n" + body))


def test_float32_implementation_passes_under_the_float32_policy(project):
    _suite(project, """
class TestFloat32(ConformanceSuite):
    sh = myimpl.sh32
    dtype = "float32"
""")
    result = project.runpytest_subprocess("-q", "-k", "matches_reference or parity")
    result.assert_outcomes(passed=2)
    # the same from the command line
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh32", "--o3ref-dtype=float32",
                                          "o3ref::test_sh_matches_reference")
    result.assert_outcomes(passed=1)


def test_float32_implementation_under_float64_is_called_a_precision_problem(project):
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh32", "-k",
                                          "matches_reference")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*sh does not conform to o3ref (spherical harmonics, l 0..6) under float64*",
        "*This looks like a precision problem, not a convention one*consistent with float32*"
        "--o3ref-dtype float32*"])


@pytest.mark.parametrize("options", [["--o3ref-sh=myimpl:sh32_flipped", "--o3ref-dtype=float32"],
                                     ["--o3ref-sh=myimpl:sh_flipped5"]],
                         ids=["float32", "float64"])
def test_sign_flipped_at_l5_fails_under_both_policies(project, options):
    result = project.runpytest_subprocess("-q", *options, "-k", "matches_reference")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Worst case: point = *, l = 5, m = 2: got *",
                                 "*Diagnosis: spherical harmonics:*l = 5, m = 2*"])
    result.stdout.no_fnmatch_line("*precision problem*")


def test_tolerance_factor_is_applied(project):
    # the float32 values pass a float64 policy loosened 1e9 times (and the message says so)
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh32",
                                          "--o3ref-tolerance-factor=1e9", "-k",
                                          "matches_reference")
    result.assert_outcomes(passed=1)


def test_worst_case_is_the_worst_not_the_first(project):
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh_two_errors",
                                          "--o3ref-l-max=4", "-k", "matches_reference")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Worst case: point = *, l = 4, m = 0: got *"])


def test_per_quantity_l_max_capped_by_the_implementation(project):
    _suite(project, """
class TestCapped(ConformanceSuite):
    sh = myimpl.sh_upto4
    l_max = {"sh": 8}
    implementation_l_max = {"sh": 4}

class TestUncapped(ConformanceSuite):
    sh = myimpl.sh_upto4
    l_max = {"sh": 8}
""")
    result = project.runpytest_subprocess("-q", "-k", "matches_reference")
    result.assert_outcomes(passed=1, failed=1)
    # a function that raises gives one line naming it and the quantity, no traceback
    result.stdout.fnmatch_lines(["sh_upto4(8, <array of shape (16, 3)>) raised ValueError: "
                                 "l_max=8 is above 4 (spherical harmonics)"])
    assert "Traceback" not in result.stdout.str()


def test_native_mode_converts_before_the_exact_comparison(project):
    _suite(project, """
class TestE3nnStyle(ConformanceSuite):
    sh = myimpl.sh_e3nn
    l_max = 4
    convention = NAMED_MAPS["sh", "e3nn 'component'"]
""")
    result = project.runpytest_subprocess("-q")
    result.assert_outcomes(passed=4)
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh_e3nn", "--o3ref-l-max=3",
                                          "--o3ref-convention=e3nn 'component'",
                                          "o3ref::test_sh_matches_reference")
    result.assert_outcomes(passed=1)


def test_wigner_d_of_a_matrix_is_checked_as_a_matrix(project):
    _suite(project, """
class TestMatrixD(ConformanceSuite):
    wigner_d = myimpl.wigner_d_matrix
    wigner_d_takes = "matrix"
    l_max = 3

class TestBrokenMatrixD(ConformanceSuite):
    wigner_d = myimpl.wigner_d_matrix_broken
    wigner_d_takes = "matrix"
    l_max = 2
""")
    result = project.runpytest_subprocess("-q", "-k", "homomorphism or matches_reference")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines([
        "*wigner_d does not conform to o3ref (homomorphism D(R1 R2) = D(R1) D(R2), l 0..2, "
        "takes matrix)*",
        "*Worst case: *l = 2, m' = -2, m = *"])


def test_bad_option_is_one_usage_error(project):
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:no_such_function",
                                          "--o3ref-cg=myimpl:cg")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: o3ref conformance: myimpl:no_such_function: myimpl "
                                 "has no attribute 'no_such_function'"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh", "--o3ref-l-max=sh=x")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: o3ref conformance: --o3ref-l-max='sh=x': 'x' must be "
                                 "a non-negative integer"])
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh",
                                          "--o3ref-convention=nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: o3ref conformance: --o3ref-convention='nope' must "
                                 "name a known convention: *"])


def test_cg_message_names_the_range(project):
    project.makepyfile(cgbad=(
        "from o3ref import fast\n"
        "def cg(l1, l2, L):\n"
        "    return -fast.real_clebsch_gordan(l1, l2, L)\n"))
    result = project.runpytest_subprocess("-q", "--o3ref-cg=cgbad:cg", "--o3ref-l-max=2")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*cg does not conform to o3ref (real Clebsch-Gordan, l1, l2 <= 2) under float64*",
        "*Worst case: l1 = *, l2 = *, L = *, m1 = *, m2 = *, M = *: got *"])


# ------------------------------------------------------------------ ids, counts, diagnoses


def _collected_ids(result) -> list[str]:
    return [line.strip() for line in result.stdout.lines if line.startswith("o3ref::")]


def test_collect_only_counts_what_runs(project):
    options = ("--o3ref-sh=myimpl:sh", "--o3ref-cg=myimpl:cg", "--o3ref-l-max=3")
    collected = project.runpytest_subprocess("-q", "--collect-only", *options)
    ids = _collected_ids(collected)
    collected.stdout.fnmatch_lines([f"{len(ids)} tests collected*"])
    ran = project.runpytest_subprocess("-q", *options)
    ran.assert_outcomes(passed=len(ids))
    assert len(ids) == 5, ids  # sh: reference, orthonormal, parity, equivariant; cg: reference


def test_a_command_line_test_reruns_by_its_id(project):
    options = ("--o3ref-sh=myimpl:sh_flipped", "--o3ref-l-max=4")
    first = project.runpytest_subprocess("-q", *options)
    first.assert_outcomes(passed=2, failed=2)
    failed = sorted(line.split()[1] for line in first.stdout.lines
                    if line.startswith("FAILED "))
    assert failed == ["o3ref::test_sh_equivariant[myimpl:sh_flipped]",
                      "o3ref::test_sh_matches_reference[myimpl:sh_flipped]"]
    ids = _collected_ids(project.runpytest_subprocess("-q", "--collect-only", *options))
    assert set(failed) < set(ids)
    again = project.runpytest_subprocess("-q", *options, failed[0])  # pasted back as printed
    again.assert_outcomes(failed=1)
    again.stdout.fnmatch_lines([f"FAILED {failed[0].replace('[', '[[]')} - *"])
    by_name = project.runpytest_subprocess("-v", *options, "o3ref::test_sh_parity")
    by_name.assert_outcomes(passed=1)
    by_name.stdout.fnmatch_lines(["o3ref::test_sh_parity[[]myimpl:sh_flipped[]] PASSED*"])


def test_an_id_without_its_options_or_of_no_test_is_one_usage_error(project):
    result = project.runpytest_subprocess("-q", "o3ref::test_sh_parity[myimpl:sh]")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'o3ref::test_sh_parity[[]myimpl:sh[]]' names a command-line "
                                 "test: give the options of the run that showed it too*"])
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh", "o3ref::test_cg_x")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'o3ref::test_cg_x' names no o3ref conformance test of the "
                                 "functions given; they are: o3ref::test_sh_matches_reference*"])


def test_property_failures_carry_a_diagnosis(project):
    # the sign flip breaks equivariance; 4pi breaks orthonormality; the broken D the homomorphism
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh_flipped",
                                          "--o3ref-l-max=4", "-k", "equivariant")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*sh does not conform to o3ref (equivariance Y_l(R r) = D_l(R) Y_l(r))*",
        "Worst case: *",
        "Diagnosis: spherical harmonics: matches no known convention; first differs from o3ref "
        "at l = 3, m = 1.", "*l = 3: sign flipped at m = 1*"])
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh_4pi", "--o3ref-l-max=3",
                                          "-k", "orthonormal")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*(orthonormality on the sphere)*", "Worst case: *",
                                 "Diagnosis: spherical harmonics: 4pi normalisation*"])
    _suite(project, """
class TestBrokenMatrixD(ConformanceSuite):
    wigner_d = myimpl.wigner_d_matrix_broken
    wigner_d_takes = "matrix"
    l_max = 2
""")
    result = project.runpytest_subprocess("-q", "-k", "homomorphism")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*(homomorphism D(R1 R2) = D(R1) D(R2)*", "Worst case: *",
                                 "Diagnosis: Wigner D*"])


def test_diagnosis_of_a_function_in_o3ref_convention_blames_the_property():
    import numpy as np

    from o3ref import fast
    from o3ref.verify.pytest_plugin import _diagnosis

    def sh(l_max, xyz):
        return fast.SphericalHarmonics(l_max).compute(np.asarray(xyz))

    def sh_bad_gradients(l_max, xyz):  # right values, gradients twice too large
        values, grads = fast.SphericalHarmonics(l_max).compute_with_gradients(np.asarray(xyz))
        return values, 2 * grads

    assert _diagnosis("sh_gradient", sh_bad_gradients, {"l_max": 2}) == (
        "spherical harmonics: the values follow o3ref's convention, so the error is in the "
        "gradients")
    assert _diagnosis("sh", sh, {"l_max": 2}) == (
        "spherical harmonics: follows o3ref's convention at l <= 2, so the failure is of this "
        "property alone")
    assert _diagnosis("sh", lambda l_max, xyz: 1 / 0, {"l_max": 2}).startswith(
        "(no diagnosis: ")
