"""Adapters: each library, mapped to o3ref's conventions, agrees with the exact reference;
a missing library gives an ImportError naming the package."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from o3ref import reference
from o3ref.verify.adapters import ADAPTERS, get_adapter, require
from o3ref.verify.compare import to_numeric
from o3ref.verify.tolerances import tolerance

XYZ = np.array([[0.3, -0.5, 0.8], [1.2, 0.1, -0.4], [-0.2, -0.9, -0.1], [0.0, 0.0, 2.0]])
ANGLES = (0.4, 1.3, -2.2)
LIBRARY = {"sphericart": "sphericart", "featomic": "featomic", "e3nn": "e3nn",
           "scipy": "scipy", "sympy": "sympy", "wigners": "wigners", "spherical": "spherical",
           "cuequivariance": "cuequivariance", "e3x": "e3x", "escnn": "escnn",
           "cuequivariance_torch": "cuequivariance_torch"}


@pytest.mark.parametrize("name", ADAPTERS)
def test_adapter_matches_reference(name):
    from o3ref.verify.adapters import adapter_dtype

    pytest.importorskip(LIBRARY[name])
    adapter = get_adapter(name)
    try:
        impl = adapter.implementations()
    except ImportError as exc:  # e.g. torch without e3nn
        pytest.skip(str(exc))

    def tol(quantity, l):  # at the adapter's declared dtype (float32 torch layers)
        return tolerance(quantity, l, adapter_dtype(adapter, quantity))

    assert impl, name
    checked = 0
    # each quantity at the precision the adapter declares (float32 for escnn's harmonics)
    if "sh" in impl:
        np.testing.assert_allclose(impl["sh"](3, XYZ), to_numeric(
            reference.real_spherical_harmonics(3, XYZ, dps=20)), atol=tol("sh", 3).atol)
        checked += 1
    if "wigner_d" in impl:
        for l in range(4):
            np.testing.assert_allclose(impl["wigner_d"](l, *ANGLES), to_numeric(
                reference.wigner_D_real(l, *ANGLES, dps=20)), atol=tol("wigner_d", l).atol)
        checked += 1
    if "cg" in impl:
        for triple in [(1, 1, 0), (1, 1, 1), (2, 1, 2), (2, 2, 3)]:
            np.testing.assert_allclose(impl["cg"](*triple), to_numeric(
                reference.real_clebsch_gordan(*triple)), atol=tol("cg", triple[2]).atol)
        checked += 1
    assert checked > 0


def test_unknown_adapter():
    with pytest.raises(ValueError, match="adapter name='torch' must be one of sphericart"):
        get_adapter("torch")


def test_missing_library_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="needs the optional package 'torch'.*pip install torch"):
        require("torch")
    e3nn = get_adapter("e3nn")  # importing the adapter itself never needs torch
    with pytest.raises(ImportError, match="pip install torch e3nn"):
        e3nn.implementations()
    with pytest.raises(ImportError, match="pip install torch e3nn"):
        e3nn.spherical_harmonics(2, XYZ)


def test_every_adapter_names_its_maps():
    from o3ref.verify.conventions import CG_CONVENTIONS, SH_CONVENTIONS, WIGNER_D_CONVENTIONS

    known = {"sh": SH_CONVENTIONS, "sh_gradient": SH_CONVENTIONS, "wigner_d": WIGNER_D_CONVENTIONS,
             "cg": CG_CONVENTIONS, "complex_cg": CG_CONVENTIONS, "cg_product": CG_CONVENTIONS}
    from o3ref.verify.conventions import CONVENTIONS_TABLE

    for name in ADAPTERS:
        for quantity, convention in get_adapter(name).CONVENTIONS.items():
            # a map of the exact tables, or a third-party row of CONVENTIONS_TABLE
            assert convention in known[quantity] or name in CONVENTIONS_TABLE, (name, quantity,
                                                                              convention)


def test_spherical_rejects_half_integers():
    pytest.importorskip("spherical")
    adapter = get_adapter("spherical")
    with pytest.raises(ValueError, match="l=0.5 must be a non-negative integer"):
        adapter.wigner_D(0.5, 0.0, 0.0, 0.0)


def test_scipy_rotation_is_zyz():
    pytest.importorskip("scipy")
    adapter = get_adapter("scipy")
    import sympy

    angles = (sympy.pi / 3, sympy.pi / 4, -sympy.pi / 6)
    expected = np.array(reference.rotation_matrix(*angles).evalf(20).tolist(), dtype=float)
    got = adapter.rotation_matrix(*(float(a) for a in angles))
    np.testing.assert_allclose(got, expected, atol=tolerance("rotation").atol)


def test_featomic_product_sign_helper():
    adapter = get_adapter("featomic")
    assert [adapter.product_sign(1, 1, L) for L in range(3)] == [1, -1, 1]


# ------------------------------------------------------------------ registry, entry points

class _EntryPoint:
    """Stands for an ``importlib.metadata.EntryPoint`` of the group ``o3ref.adapters``."""

    def __init__(self, name, obj=None, error=None):
        self.name, self.value, self._obj, self._error = name, f"mylib_pkg:{name}", obj, error

    def load(self):
        if self._error is not None:
            raise self._error
        return self._obj


def _fast_sh(l_max, xyz):
    from o3ref import fast

    return fast.SphericalHarmonics(l_max).compute(np.asarray(xyz, dtype=np.float64))


def _third_party(sh=_fast_sh, max_l=None, dtype="float64"):
    from types import SimpleNamespace

    return SimpleNamespace(implementations=lambda: {"sh": sh}, MAX_L=max_l or {},
                           DISTRIBUTIONS=("numpy",), KNOWN_VERSIONS={"numpy": ("0",)},
                           CONVENTIONS={"sh": "o3ref"}, natives=lambda: {"sh": (sh, None)},
                           DTYPE=dtype)


@pytest.fixture
def register(monkeypatch):
    """Register adapters in the entry-point group (as an installed package would)."""
    from o3ref.verify.adapters import registry

    eps = {}
    monkeypatch.setattr(registry, "_entry_points", lambda: eps)

    def add(name, obj=None, error=None):
        eps[name] = _EntryPoint(name, obj, error)

    return add


def test_builtin_adapters_are_registered_entry_points():
    from importlib.metadata import entry_points

    from o3ref.verify.adapters import ENTRY_POINT_GROUP

    names = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert set(ADAPTERS) <= names, set(ADAPTERS) - names
    ep = next(ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == "e3x")
    assert ep.load() is get_adapter("e3x")


def test_every_builtin_adapter_declares_versions_max_l_dtype():
    from o3ref.verify.adapters import adapter_dtype, adapter_max_l

    for name in ADAPTERS:
        a = get_adapter(name)
        assert a.DISTRIBUTIONS and set(a.KNOWN_VERSIONS) <= set(a.DISTRIBUTIONS), name
        assert isinstance(adapter_max_l(a), dict), name
        for quantity in a.CONVENTIONS:
            assert adapter_dtype(a, quantity).kind in "fc", (name, quantity)


def test_third_party_adapter_through_entry_point(register, capsys):
    from o3ref.verify.adapters import adapter_names
    from o3ref.verify.cli import main

    adapter = _third_party(max_l={"sh": 3})
    register("mylib", adapter)
    assert "mylib" in adapter_names() and get_adapter("mylib") is adapter
    assert main(["verify", "--against", "mylib", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "--against mylib" in out and "spherical harmonics  0..3 " in out


def test_full_grid_is_capped_at_the_adapter_maximum(register, capsys):
    """``o3ref verify --full --against e3nn`` asked for l = 24 where e3nn stops at 12."""
    from o3ref.verify.cli import main

    def sh_to_12(l_max, xyz):
        if l_max > 12:
            raise NotImplementedError("spherical_harmonics maximum l implemented is 12")
        return _fast_sh(l_max, xyz)

    register("capped", _third_party(sh_to_12, max_l={"sh": 12}))
    assert main(["verify", "--full", "--against", "capped", "--no-progress"]) == 0
    assert "0..12" in capsys.readouterr().out
    register("uncapped", _third_party(sh_to_12))
    assert main(["verify", "--full", "--against", "uncapped", "--no-progress"]) == 1


def test_verify_against_honours_the_declared_dtype(register, capsys):
    """An adapter whose values are float32-precise (escnn's harmonics) declares it; ``o3ref
    verify --against`` then judges it by the float32 policy and says so in the row."""
    from o3ref.verify.cli import main

    def sh32(l_max, xyz):  # float32-rounded values, returned as float64
        return _fast_sh(l_max, xyz).astype(np.float32).astype(np.float64)

    register("lib32", _third_party(sh32, max_l={"sh": 4}, dtype={"sh": "float32"}))
    assert main(["verify", "--against", "lib32", "--no-progress"]) == 0
    row = [s for s in capsys.readouterr().out.splitlines() if s.startswith("spherical")]
    assert len(row) == 1 and "(float32)" in row[0] and "pass" in row[0], row
    register("lib32as64", _third_party(sh32, max_l={"sh": 4}))
    assert main(["verify", "--against", "lib32as64", "--no-progress"]) == 1


@pytest.mark.parametrize("bad, message", [
    (lambda l_max, xyz: 1 / 0, r"raised ZeroDivisionError: division by zero"),
    (lambda l_max, xyz: np.zeros((2, 2)), r"returned shape \(2, 2\), expected \(\d+, \d+\)"),
    (lambda l_max, xyz: np.full((len(xyz), (l_max + 1) ** 2), np.nan),
     r"returned non-finite values \(NaN or inf\)"),
    (lambda l_max, xyz: "values", "returned a str of dtype <U6, not a numeric array"),
])
def test_bad_implementation_is_one_line(register, capsys, bad, message):
    import re

    from o3ref.verify.adapters import AdapterError, checked_implementations
    from o3ref.verify.cli import main

    register("broken", _third_party(bad))
    sh = checked_implementations("broken")["sh"]
    with pytest.raises(AdapterError, match=r"^adapter 'broken', sh\(2, <array \(4, 3\)>\) "
                       + message) as info:
        sh(2, XYZ)
    assert info.value.__cause__ is None and "\n" not in str(info.value)
    assert main(["verify", "--against", "broken", "--no-progress"]) == 1
    out = capsys.readouterr()
    line = [s for s in out.out.splitlines() if s.startswith("error: spherical harmonics")]
    assert len(line) == 1 and re.search(message, line[0]) and "adapter 'broken', sh(" in line[0]
    assert "Traceback" not in out.out + out.err


def test_broken_entry_point_is_one_line(register, capsys):
    from o3ref.verify.cli import main

    register("nolib", error=ModuleNotFoundError("No module named 'mylib_pkg'"))
    register("noimpl", object())
    assert main(["verify", "--against", "nolib"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "adapter 'nolib': entry point 'mylib_pkg:nolib' failed" in err
    assert main(["verify", "--against", "noimpl"]) == 2
    assert "has no implementations()" in capsys.readouterr().err
    assert main(["verify", "--against", "nosuchlib"]) == 2
    assert "must be one of sphericart" in capsys.readouterr().err


def test_e3nn_adapter_is_version_aware(monkeypatch):
    from o3ref.verify import provenance
    from o3ref.verify.adapters import adapter_max_l, version_known

    e3nn = get_adapter("e3nn")
    monkeypatch.setattr(provenance, "distribution_version",
                        lambda name: {"e3nn": "0.4.4"}.get(name))
    assert adapter_max_l(e3nn) == {"sh": 11, "cg": 11}
    # 0.4.4 negates (1, 2, 2) and its permutations: +1 -> -1 and, at (2, 2, 1), -1 -> +1
    assert e3nn.wigner_3j_sign(1, 2, 2) == -1 and e3nn.wigner_3j_sign(2, 2, 1) == 1
    assert e3nn.wigner_3j_sign(1, 1, 0) == -1 and e3nn.wigner_3j_sign(2, 2, 2) == -1
    assert version_known(e3nn) == []
    monkeypatch.setattr(provenance, "distribution_version",
                        lambda name: {"e3nn": "0.6.0"}.get(name))
    assert adapter_max_l(e3nn) == {"sh": 12}
    assert e3nn.wigner_3j_sign(1, 2, 2) == 1 and e3nn.wigner_3j_sign(2, 2, 1) == -1
    monkeypatch.setattr(provenance, "distribution_version",
                        lambda name: {"e3nn": "0.3.5"}.get(name))
    assert version_known(e3nn) == ["e3nn 0.3.5 is not among the versions this adapter knows "
                                   "(0.4.4, 0.5, 0.6)"]


def test_e3x_cartesian_order_is_a_permutation():
    e3x = get_adapter("e3x")
    assert e3x.cartesian_order(0) == [0]
    assert e3x.cartesian_order(2) == [2, -2, 1, -1, 0]
    for l in range(8):
        assert sorted(e3x.cartesian_order(l)) == list(range(-l, l + 1))
