"""The conformance suite of o3ref.verify.pytest_plugin run on o3ref.fast and on the
adapters (their functions mapped to o3ref's conventions): all conform."""

from __future__ import annotations

import numpy as np
import pytest

from o3ref import fast
from o3ref.verify.adapters import get_adapter
from o3ref.verify.pytest_plugin import ConformanceSuite


def _fast_d(l, alpha, beta, gamma):
    R = np.asarray(fast.rotation_matrix(alpha, beta, gamma)).reshape(1, 3, 3)
    return fast.wigner_D_real_blocks(l, R)[l][0]


class TestFastConforms(ConformanceSuite):
    sh = staticmethod(lambda l_max, xyz: fast.SphericalHarmonics(l_max).compute(xyz))
    sh_gradient = staticmethod(
        lambda l_max, xyz: fast.SphericalHarmonics(l_max).compute_with_gradients(xyz))
    wigner_d = staticmethod(_fast_d)
    cg = staticmethod(fast.real_clebsch_gordan)
    l_max = 6


def _adapted(library: str, quantity: str):
    """The adapter's function in o3ref's convention; skips when the library is missing."""

    def func(*args):
        pytest.importorskip(library)
        return get_adapter(library).implementations()[quantity](*args)

    return staticmethod(func)


class TestSphericartConforms(ConformanceSuite):
    sh = _adapted("sphericart", "sh")
    sh_gradient = _adapted("sphericart", "sh_gradient")
    l_max = 4


class TestWignersConforms(ConformanceSuite):
    wigner_d = _adapted("wigners", "wigner_d")
    cg = _adapted("wigners", "cg")
    l_max = 4


class TestSphericalConforms(ConformanceSuite):
    sh = _adapted("spherical", "sh")
    wigner_d = _adapted("spherical", "wigner_d")
    l_max = 3
