"""pytest plugin of o3ref (registered through the ``pytest11`` entry point): a conformance
suite another project runs on its own functions.

Loaded in every pytest session of an environment where o3ref is installed, so it imports
nothing heavy at module level (numpy, sympy and o3ref's layers load inside the tests).

Two ways to use it:

1. Subclass :class:`ConformanceSuite` in a test file and set the functions to check (only
   the tests of the functions set are collected)::

       from o3ref.verify.pytest_plugin import ConformanceSuite
       import mylib

       class TestMyLib(ConformanceSuite):
           sh = mylib.real_sph           # f(l_max, xyz (n, 3)) -> (n, (l_max+1)**2)
           sh_gradient = mylib.real_sph_grad  # f(l_max, xyz) -> (values, (n, 3, K) grads)
           wigner_d = mylib.wigner_D     # f(l, alpha, beta, gamma), ZYZ -> (2l+1, 2l+1)
           cg = mylib.real_cg            # f(l1, l2, L) -> (2l1+1, 2l2+1, 2L+1)
           l_max = 8

2. Without writing a test file: ``pytest --o3ref-sh=mylib:real_sph --o3ref-cg=mylib:real_cg``
   (``module:function``; also ``--o3ref-sh-gradient``, ``--o3ref-wigner-d`` and
   ``--o3ref-l-max``) adds the conformance tests ``TestCommandLineConformance`` of this
   module to the session.

Each test compares with o3ref's exact reference under the tolerance policies of
:mod:`o3ref.verify.tolerances` and checks the properties (orthonormality, parity,
equivariance, homomorphism); a failure names the worst entry and, through
:func:`o3ref.verify.detect_convention`, the convention the function follows instead.
Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

__all__ = ["ConformanceSuite", "load_function"]

_OPTIONS = {"sh": "--o3ref-sh", "sh_gradient": "--o3ref-sh-gradient",
            "wigner_d": "--o3ref-wigner-d", "cg": "--o3ref-cg"}


def pytest_addoption(parser):
    group = parser.getgroup("o3ref", "o3ref conformance suite")
    for key, opt in _OPTIONS.items():
        group.addoption(opt, default=None, metavar="MODULE:FUNCTION",
                        help=f"run o3ref's conformance tests on this function as {key!r}")
    group.addoption("--o3ref-l-max", type=int, default=None, metavar="L",
                    help="largest degree the conformance suite checks (default 6)")


def _cli_requested(config) -> bool:
    return any(config.getoption(opt, None) is not None for opt in _OPTIONS.values())


class _ThisModule(pytest.Module):
    """This plugin module as a test module, without importing it a second time."""

    def _getobj(self):
        return sys.modules[__name__]


def pytest_collection_modifyitems(session, config, items):
    if not _cli_requested(config):
        return
    module = _ThisModule.from_parent(session, path=Path(__file__))
    items.extend(session.genitems(module))


def load_function(spec: str):
    """``"package.module:function"`` -> the function (attributes may be dotted)."""
    if not isinstance(spec, str) or ":" not in spec:
        raise ValueError(f"spec={spec!r} must be 'module:function'")
    module_name, attr = spec.split(":", 1)
    obj = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{spec} is not callable")
    return obj


def _diagnosis(func, kind: str) -> str:
    from o3ref.verify.detect import detect_convention

    try:
        return str(detect_convention(func, kind))
    except Exception as exc:  # the diagnosis is a courtesy: never mask the failure itself
        return f"(no diagnosis: {type(exc).__name__}: {exc})"


class ConformanceSuite:
    """Base class of a conformance test class (see the module docstring)."""

    sh = None
    sh_gradient = None
    wigner_d = None
    cg = None
    l_max = 6
    #: implementations given at run time (command line): keep every test, skip at run time
    _dynamic = False

    def __init_subclass__(cls, **kwargs):
        # a subclass collects only the tests of the implementations it sets
        super().__init_subclass__(**kwargs)
        if cls._dynamic:
            return
        for name in dir(ConformanceSuite):
            if name.startswith("test_"):
                key = _requires(name)
                if getattr(cls, key, None) is None:
                    setattr(cls, name, None)

    # -- helpers -------------------------------------------------------------------------
    def _impl(self, name: str):
        func = None
        for klass in type(self).__mro__:
            if name in vars(klass):
                func = vars(klass)[name]
                break
        if isinstance(func, (staticmethod, classmethod)):
            func = func.__func__
        if func is None:
            pytest.skip(f"no {name!r} implementation given")
        return func

    def _grid(self, key: str) -> dict:
        from o3ref.verify.suite import GRIDS

        grid = dict(GRIDS["quick"][key])
        if "l_max" in grid:
            grid["l_max"] = self.l_max if key != "cg" else min(self.l_max, 4)
        return grid

    def _run(self, check, key: str, kind: str | None):
        func = self._impl(key)
        row = check(func, self._grid(key))
        if row.status != "pass":
            msg = (f"{key} does not conform to o3ref ({row.quantity}, l {row.l_range}): "
                   f"max abs err {row.max_abs_err:.3e} (tolerance {row.tolerance}).\n"
                   f"Worst case: {row.worst}")
            if kind is not None:
                msg += "\nDiagnosis: " + _diagnosis(func, kind)
            pytest.fail(msg, pytrace=False)

    # -- spherical harmonics -------------------------------------------------------------
    def test_sh_matches_reference(self):
        from o3ref.verify.suite import check_sh

        self._run(check_sh, "sh", "sh")

    def test_sh_orthonormal(self):
        from o3ref.verify.properties import assert_orthonormal_sh

        func = self._impl("sh")
        _as_failure(lambda: assert_orthonormal_sh(lambda xyz: func(self.l_max, xyz), self.l_max))

    def test_sh_parity(self):
        from o3ref.verify.properties import assert_parity

        func = self._impl("sh")
        _as_failure(lambda: assert_parity(lambda xyz: func(self.l_max, xyz), self.l_max))

    def test_sh_equivariant(self):
        from o3ref.verify.properties import assert_sh_equivariant

        func = self._impl("sh")
        _as_failure(lambda: assert_sh_equivariant(lambda xyz: func(self.l_max, xyz),
                                                  self.l_max))

    def test_sh_gradient_matches_reference(self):
        from o3ref.verify.suite import check_sh_gradient

        self._run(check_sh_gradient, "sh_gradient", None)

    # -- Wigner D ------------------------------------------------------------------------
    def test_wigner_d_matches_reference(self):
        from o3ref.verify.suite import check_wigner_d

        self._run(check_wigner_d, "wigner_d", "wigner_d")

    def test_wigner_d_homomorphism(self):
        import numpy as np

        from o3ref.verify.properties import assert_homomorphism, matrix_to_euler

        func = self._impl("wigner_d")
        l = self.l_max

        def d_of(rotations):
            angles = matrix_to_euler(np.asarray(rotations).reshape(-1, 3, 3))
            return np.stack([np.asarray(func(l, *a)) for a in angles])

        _as_failure(lambda: assert_homomorphism(d_of))

    # -- Clebsch-Gordan ------------------------------------------------------------------
    def test_cg_matches_reference(self):
        from o3ref.verify.suite import check_cg

        self._run(check_cg, "cg", "cg")


def _requires(test_name: str) -> str:
    """The implementation a conformance test needs (``test_sh_gradient_...`` -> sh_gradient)."""
    for key in ("sh_gradient", "wigner_d", "sh", "cg"):
        if test_name.startswith(f"test_{key}_"):
            return key
    raise AssertionError(f"conformance test {test_name} names no implementation")


def _as_failure(thunk):
    message = None
    try:
        thunk()
    except AssertionError as exc:
        message = str(exc)
    if message is not None:  # outside the except block: no chained traceback
        pytest.fail(message, pytrace=False)


class TestCommandLineConformance(ConformanceSuite):
    """Added to the session by the ``--o3ref-...`` options (see the module docstring)."""

    _dynamic = True

    @pytest.fixture(autouse=True)
    def _from_options(self, request):
        for key, opt in _OPTIONS.items():
            spec = request.config.getoption(opt)
            if spec is not None:
                setattr(self, f"_cli_{key}", load_function(spec))
        l_max = request.config.getoption("--o3ref-l-max")
        if l_max is not None:
            self.l_max = l_max

    def _impl(self, name: str):
        func = getattr(self, f"_cli_{name}", None)
        if func is None:
            pytest.skip(f"no {_OPTIONS[name]}=MODULE:FUNCTION given")
        return func

from o3ref.verify.model_conformance import ModelConformance  # noqa: E402,F401
