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
        "*sh does not conform to o3ref (spherical harmonics, l 0..4)*",
        "*Worst case: l = 3*",
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
                                 "*orthonormality on the sphere does not hold*"])


def test_command_line_options(project):
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh", "--o3ref-cg=myimpl:cg",
                               "--o3ref-l-max=3")
    result.assert_outcomes(passed=5, skipped=3)
    result = project.runpytest_subprocess("-q", "--o3ref-sh=myimpl:sh_flipped", "--o3ref-l-max=4")
    result.assert_outcomes(passed=2, failed=2, skipped=4)
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
    assert load_function("numpy.linalg:norm")([3.0, 4.0]) == 5.0
