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
           cg = mylib.real_cg            # f(l1, l2, L) -> (2l1+1, 2l2+1, 2L+1)
           l_max = 8                     # or {"sh": 12, "cg": 4}

   and the other attributes of :class:`ConformanceSuite` (``sh_gradient``, ``wigner_d``,
   ``implementation_l_max``, ``dtype``, ``tolerance_factor``, ``wigner_d_takes``,
   ``convention``).

2. Without writing a test file: ``pytest --o3ref-sh=mylib:real_sph --o3ref-cg=mylib:real_cg``
   (``module:function``; also ``--o3ref-sh-gradient``, ``--o3ref-wigner-d``,
   ``--o3ref-wigner-d-takes``, ``--o3ref-l-max``, ``--o3ref-implementation-l-max``,
   ``--o3ref-dtype``, ``--o3ref-tolerance-factor`` and ``--o3ref-convention NAME``) adds the
   conformance tests of the functions given, with ids such as
   ``o3ref::test_sh_parity[mylib:real_sph]``. Such an id (or ``o3ref`` for all of them), given
   as an argument with the same options, reruns that test alone:
   ``pytest --o3ref-sh=mylib:real_sph "o3ref::test_sh_parity[mylib:real_sph]"``.

In native mode the function is first converted by the
:class:`o3ref.verify.convention_maps.ConventionMap` (``--o3ref-convention`` names one of
:data:`o3ref.verify.convention_maps.NAMED_MAPS`), then compared exactly. Each test compares
with o3ref's exact reference under the precision policy and checks the properties
(orthonormality, parity, equivariance, homomorphism) through :mod:`o3ref.verify.conformance`;
a failure names the worst entry and the convention the function follows instead (a
``Diagnosis:`` line from :func:`o3ref.verify.conventions.detect.detect_convention`), or calls
it a precision problem. Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from o3ref.verify._loading import load_callable

__all__ = ["ConformanceSuite", "load_function"]

_OPTIONS = {"sh": "--o3ref-sh", "sh_gradient": "--o3ref-sh-gradient",
            "wigner_d": "--o3ref-wigner-d", "cg": "--o3ref-cg"}
_KEYS = tuple(_OPTIONS)
_DEFAULT_L_MAX = {"sh": None, "sh_gradient": None, "wigner_d": None, "cg": 4}


def pytest_addoption(parser):
    group = parser.getgroup("o3ref", "o3ref conformance suite")
    for key, opt in _OPTIONS.items():
        group.addoption(opt, default=None, metavar="MODULE:FUNCTION",
                        help=f"run o3ref's conformance tests on this function as {key!r}")
    group.addoption("--o3ref-l-max", default=None, metavar="L",
                    help="largest degree checked: N, or per quantity 'sh=12,cg=4' (default "
                    f"{ConformanceSuite.l_max}; CG at most {_DEFAULT_L_MAX['cg']})")
    group.addoption("--o3ref-implementation-l-max", default=None, metavar="L",
                    help="the implementation's own largest degree (N or 'sh=11,cg=4'): "
                    "caps the degrees checked")
    group.addoption("--o3ref-dtype", default=None, choices=("float32", "float64"),
                    help="precision policy: the machine epsilon of every tolerance "
                    "(default float64)")
    group.addoption("--o3ref-tolerance-factor", default=None, type=float, metavar="F",
                    help="multiply every tolerance by F (default 1)")
    group.addoption("--o3ref-wigner-d-takes", default=None,
                    choices=("euler", "matrix", "quaternion"),
                    help="what --o3ref-wigner-d takes after l: o3ref's ZYZ angles (default), "
                    "a rotation matrix or a scalar-first quaternion")
    group.addoption("--o3ref-convention", default=None, metavar="NAME",
                    help="native mode: convert the functions from this named convention "
                    "(o3ref.verify.convention_maps.NAMED_MAPS) before comparing")


def _cli_requested(config) -> bool:
    return any(config.getoption(opt, None) is not None for opt in _OPTIONS.values())


#: the first part of the ids of the command-line tests (``o3ref::test_sh_parity[mylib:f]``)
ROOT = "o3ref"


def _is_id(arg: str) -> bool:
    """An argument that names command-line conformance tests (and no file of that name)."""
    return (arg == ROOT or arg.startswith(ROOT + "::")) and not Path(ROOT).exists()


def _ids(specs: dict) -> list[str]:
    """The ids of the command-line tests of the functions given (``key -> spec``)."""
    return [f"{ROOT}::{n}[{specs[_requires(n)]}]" for n in vars(ConformanceSuite)
            if n.startswith("test_") and _requires(n) in specs]


def _selected(ids: list[str], wanted: list[str]) -> list[str]:
    """The ids that the arguments ``wanted`` name: an id, a test name without its
    ``[function]``, or ``o3ref`` (all); a usage error names an argument that names none."""
    if not wanted:
        return ids
    chosen = []
    for arg in wanted:
        hit = [i for i in ids if arg in (ROOT, i, i.split("[")[0])]
        if not hit:
            raise ValueError(f"{arg!r} names no o3ref conformance test of the functions given; "
                             f"they are: {', '.join(ids) or 'none'}")
        chosen += [i for i in hit if i not in chosen]
    return [i for i in ids if i in chosen]


def _per_quantity(name: str, value) -> dict:
    """``N`` or ``"sh=12,cg=4"`` (or a dict) -> ``{key: int}``; UsageError-ready messages."""
    if value is None:
        return {}
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, str) and "=" in value:
        items = [part.split("=", 1) for part in value.split(",")]
    else:
        items = [(k, value) for k in _KEYS]
    out = {}
    for key, v in items:
        key = str(key).strip()
        if key not in _KEYS:
            raise ValueError(f"{name}={value!r}: {key!r} must be one of {', '.join(_KEYS)}")
        try:
            n = -1 if isinstance(v, bool) else int(v)
        except (TypeError, ValueError):
            n = -1
        if n < 0:
            raise ValueError(f"{name}={value!r}: {v!r} must be a non-negative integer")
        out[key] = n
    return out


def _named_convention(name: str) -> dict:
    from o3ref.verify.conventions.maps import NAMED_MAPS

    maps = {kind: m for (kind, n), m in NAMED_MAPS.items() if n == name}
    if not maps:
        names = sorted({n for _, n in NAMED_MAPS})
        raise ValueError(f"--o3ref-convention={name!r} must name a known convention: "
                         + ", ".join(repr(n) for n in names))
    return maps


def pytest_configure(config):
    """Check every ``--o3ref-...`` option once: a bad one is one usage error, before any
    test runs (not one setup traceback per test)."""
    wanted = [a for a in config.args if _is_id(a)]
    if not _cli_requested(config) and config.getoption("--o3ref-convention", None) is None:
        if wanted:
            raise pytest.UsageError(f"o3ref conformance: {wanted[0]!r} names a command-line "
                                    "test: give the options of the run that showed it too")
        return
    try:
        specs = {key: config.getoption(opt) for key, opt in _OPTIONS.items()
                 if config.getoption(opt) is not None}
        funcs = {key: load_function(spec) for key, spec in specs.items()}
        ids = _selected(_ids(specs), wanted)
        settings = {
            "l_max": _per_quantity("--o3ref-l-max", config.getoption("--o3ref-l-max")),
            "cap": _per_quantity("--o3ref-implementation-l-max",
                                 config.getoption("--o3ref-implementation-l-max")),
            "dtype": config.getoption("--o3ref-dtype"),
            "factor": config.getoption("--o3ref-tolerance-factor"),
            "takes": config.getoption("--o3ref-wigner-d-takes"),
            "convention": (_named_convention(config.getoption("--o3ref-convention"))
                           if config.getoption("--o3ref-convention") else None),
        }
        if settings["factor"] is not None:
            from o3ref.verify.tolerances import PrecisionPolicy

            PrecisionPolicy("float64", settings["factor"])
    except (ValueError, TypeError, ImportError, AttributeError) as exc:
        raise pytest.UsageError(f"o3ref conformance: {exc}") from None
    if wanted:  # the ids are ours to collect: pytest would look for a file called o3ref
        config.args[:] = [a for a in config.args if not _is_id(a)]
    config._o3ref_cli = (funcs, settings, ids)  # noqa: SLF001 - read by the collector below


class _Conformance(pytest.Collector):
    """The command-line tests (node id ``o3ref``): those the arguments select, no more."""

    def collect(self):
        for nodeid in self.config._o3ref_cli[2]:  # noqa: SLF001
            name = nodeid.split("::", 1)[1]
            yield _ConformanceItem.from_parent(self, name=name, test=name.split("[")[0])


class _ConformanceItem(pytest.Item):
    """One :class:`ConformanceSuite` test run on the function of its option."""

    def __init__(self, *, test: str, **kwargs):
        super().__init__(**kwargs)
        self.test = test

    def runtest(self):
        funcs, settings, _ = self.config._o3ref_cli  # noqa: SLF001
        getattr(_CommandLineSuite(funcs, settings), self.test)()

    def reportinfo(self):
        method = getattr(ConformanceSuite, self.test)
        return Path(__file__), method.__code__.co_firstlineno - 1, self.nodeid


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect
def pytest_collection_modifyitems(session, config, items):
    if getattr(config, "_o3ref_cli", None) is None or not _cli_requested(config):
        return
    items.extend(session.genitems(_Conformance.from_parent(session, name=ROOT, nodeid=ROOT)))


def load_function(spec: str):
    """``"package.module:function"`` -> the function (attributes may be dotted); see
    :func:`o3ref.verify._loading.load_callable` for the errors."""
    return load_callable(spec)


class ConformanceSuite:
    """Base class of a conformance test class (see the module docstring)."""

    sh = None                    # f(l_max, xyz (n, 3)) -> (n, (l_max+1)**2)
    sh_gradient = None           # f(l_max, xyz) -> (values, gradients (n, 3, K))
    wigner_d = None              # f(l, alpha, beta, gamma), ZYZ active -> (2l+1, 2l+1)
    cg = None                    # f(l1, l2, L) -> (2l1+1, 2l2+1, 2L+1)
    l_max = 6                    # or per quantity {"sh": 12, "cg": 4} (CG at most 4)
    implementation_l_max = None  # the library's own maximum (int or dict): caps l_max
    dtype = "float64"            # or "float32": the precision policy
    tolerance_factor = 1.0       # multiplies every tolerance (say why you set it)
    wigner_d_takes = "euler"     # or "matrix" (f(l, R)) or "quaternion" (f(l, q))
    convention = None            # a ConventionMap (or dict by kind): native mode
    #: implementations given at run time (command line): the collection hook selects tests
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

    # -- settings ------------------------------------------------------------------------
    def _settings(self) -> dict:
        return {"l_max": self.l_max, "cap": self.implementation_l_max, "dtype": self.dtype,
                "factor": self.tolerance_factor, "takes": self.wigner_d_takes,
                "convention": self.convention}

    def _policy(self):
        from o3ref.verify.tolerances import PrecisionPolicy

        s = self._settings()
        try:
            return PrecisionPolicy(s["dtype"], s["factor"])
        except (TypeError, ValueError) as exc:
            pytest.fail(f"{type(self).__name__}: {exc}", pytrace=False)

    def _l_max(self, key: str) -> int:
        s = self._settings()
        try:
            requested = _per_quantity("l_max", s["l_max"]).get(key, 6)
            cap = _per_quantity("implementation_l_max", s["cap"]).get(key)
        except ValueError as exc:
            pytest.fail(f"{type(self).__name__}: {exc}", pytrace=False)
        if _DEFAULT_L_MAX[key] is not None:
            requested = min(requested, _DEFAULT_L_MAX[key])
        return requested if cap is None else min(requested, cap)

    def _convention_map(self, kind: str):
        conv = self._settings()["convention"]
        if conv is None:
            return None
        if isinstance(conv, dict):
            return conv.get(kind)
        return conv if getattr(conv, "kind", None) == kind else None

    def _takes(self) -> str:
        cmap = self._convention_map("wigner_d")
        return cmap.takes if cmap is not None else (self._settings()["takes"] or "euler")

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
        return self._native(func, name)

    def _native(self, func, name: str):
        kind = {"sh": "sh", "sh_gradient": None, "wigner_d": "wigner_d", "cg": "cg"}[name]
        cmap = self._convention_map(kind) if kind else None
        return func if cmap is None else cmap.convert(func)

    def _run(self, thunk, diagnose=None):
        """Fail with the verdict's message; ``diagnose = (kind, func, detector options)``
        adds the detector's ``Diagnosis:`` line where the check gives none."""
        message = None
        try:
            verdict = thunk()
            if not verdict.passed:
                message = verdict.message
                if diagnose is not None and not any(
                        t in message for t in ("\nDiagnosis: ", "precision problem")):
                    message += "\nDiagnosis: " + _diagnosis(*diagnose)
        except AssertionError as exc:  # the implementation raised or returned a bad shape
            message = str(exc)
        if message is not None:  # outside the except block: no chained traceback
            pytest.fail(message, pytrace=False)

    def _diagnose(self, key: str, func) -> tuple:
        options = {"l_max": min(self._l_max(key), 4 if key != "wigner_d" else 3)}
        if key == "wigner_d":
            options["takes"] = self._takes()
        return (key, func, options)

    # -- spherical harmonics -------------------------------------------------------------
    def test_sh_matches_reference(self):
        """``sh`` agrees with o3ref's exact real spherical harmonics for ``l <= l_max``."""
        from o3ref.verify.conformance import check_sh

        func = self._impl("sh")
        self._run(lambda: check_sh(func, self._l_max("sh"), self._policy()))

    def test_sh_orthonormal(self):
        """``sh`` is orthonormal on the unit sphere (exact quadrature)."""
        from o3ref.verify.conformance import check_sh_properties

        func = self._impl("sh")
        self._run(lambda: check_sh_properties(func, self._l_max("sh"), self._policy(),
                                              "orthonormal"), self._diagnose("sh", func))

    def test_sh_parity(self):
        """``sh`` has parity ``Y_lm(-r) = (-1)^l Y_lm(r)``."""
        from o3ref.verify.conformance import check_sh_properties

        func = self._impl("sh")
        self._run(lambda: check_sh_properties(func, self._l_max("sh"), self._policy(),
                                              "parity"), self._diagnose("sh", func))

    def test_sh_equivariant(self):
        """``sh`` is equivariant: ``Y(R r) = D_real(R) Y(r)`` with o3ref's D."""
        from o3ref.verify.conformance import check_sh_properties

        func = self._impl("sh")
        self._run(lambda: check_sh_properties(func, self._l_max("sh"), self._policy(),
                                              "equivariant"), self._diagnose("sh", func))

    def test_sh_gradient_matches_reference(self):
        """``sh_gradient`` agrees with o3ref's values and gradients."""
        from o3ref.verify.conformance import check_sh_gradient

        func = self._impl("sh_gradient")
        self._run(lambda: check_sh_gradient(func, self._l_max("sh_gradient"), self._policy()),
                  self._diagnose("sh_gradient", func))

    # -- Wigner D ------------------------------------------------------------------------
    def test_wigner_d_matches_reference(self):
        """``wigner_d`` agrees with o3ref's exact real Wigner D (ZYZ, active)."""
        from o3ref.verify.conformance import check_wigner_d

        func = self._impl("wigner_d")
        self._run(lambda: check_wigner_d(func, self._l_max("wigner_d"), self._policy(),
                                         self._takes()))

    def test_wigner_d_homomorphism(self):
        """``wigner_d`` at ``l_max`` is a representation: ``D(R1 R2) = D(R1) D(R2)``."""
        from o3ref.verify.conformance import check_wigner_d_homomorphism

        func = self._impl("wigner_d")
        self._run(lambda: check_wigner_d_homomorphism(func, self._l_max("wigner_d"),
                                                      self._policy(), self._takes()),
                  self._diagnose("wigner_d", func))

    # -- Clebsch-Gordan ------------------------------------------------------------------
    def test_cg_matches_reference(self):
        """``cg`` agrees with o3ref's exact real Clebsch-Gordan coefficients."""
        from o3ref.verify.conformance import check_cg

        func = self._impl("cg")
        self._run(lambda: check_cg(func, self._l_max("cg"), self._policy()))


def _requires(test_name: str) -> str:
    """The implementation a conformance test needs (``test_sh_gradient_...`` -> sh_gradient)."""
    for key in ("sh_gradient", "wigner_d", "sh", "cg"):
        if test_name.startswith(f"test_{key}_"):
            return key
    raise AssertionError(f"conformance test {test_name} names no implementation")


def _diagnosis(key: str, func, options: dict) -> str:
    """The detector's reading of ``func`` (an ``sh_gradient``: of its values), for a failed
    check that gives no diagnosis of its own."""
    from o3ref.verify.conventions.detect import detect_convention

    kind = "sh" if key == "sh_gradient" else key
    probe = (lambda l_max, xyz: func(l_max, xyz)[0]) if key == "sh_gradient" else func
    try:
        report = detect_convention(probe, kind, **options)
    except Exception as exc:  # noqa: BLE001 - a courtesy: never mask the failure itself
        return f"(no diagnosis: {type(exc).__name__}: {exc})"
    if not report.matches:
        return str(report)
    return str(report).split(":")[0] + (
        ": the values follow o3ref's convention, so the error is in the gradients"
        if key == "sh_gradient" else f": follows o3ref's convention at l <= "
        f"{options['l_max']}, so the failure is of this property alone")


class _CommandLineSuite(ConformanceSuite):
    """The suite of the ``--o3ref-...`` options (run by the command-line test items)."""

    _dynamic = True

    def __init__(self, funcs: dict, settings: dict):
        self._cli_funcs = funcs
        self._cli_settings = settings

    def _settings(self) -> dict:
        s = self._cli_settings
        return {"l_max": s["l_max"] or self.l_max, "cap": s["cap"] or None,
                "dtype": s["dtype"] or self.dtype,
                "factor": s["factor"] if s["factor"] is not None else self.tolerance_factor,
                "takes": s["takes"] or self.wigner_d_takes, "convention": s["convention"]}

    def _impl(self, name: str):
        func = self._cli_funcs.get(name)
        if func is None:
            pytest.skip(f"no {_OPTIONS[name]}=MODULE:FUNCTION given")
        return self._native(func, name)


from o3ref.verify.models.conformance import ModelConformance  # noqa: E402,F401
