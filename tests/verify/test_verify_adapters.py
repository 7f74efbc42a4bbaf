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
LIBRARY = {"sphericart": "sphericart", "featomic": "featomic", "e3nn": "torch",
           "scipy": "scipy", "sympy": "sympy", "wigners": "wigners", "spherical": "spherical"}


@pytest.mark.parametrize("name", ADAPTERS)
def test_adapter_matches_reference(name):
    pytest.importorskip(LIBRARY[name])
    impl = get_adapter(name).implementations()
    assert impl, name
    checked = 0
    if "sh" in impl:
        np.testing.assert_allclose(impl["sh"](3, XYZ), to_numeric(
            reference.real_spherical_harmonics(3, XYZ, dps=20)), atol=tolerance("sh", 3).atol)
        checked += 1
    if "wigner_d" in impl:
        for l in range(4):
            np.testing.assert_allclose(impl["wigner_d"](l, *ANGLES), to_numeric(
                reference.wigner_D_real(l, *ANGLES, dps=20)), atol=tolerance("wigner_d", l).atol)
        checked += 1
    if "cg" in impl:
        for triple in [(1, 1, 0), (1, 1, 1), (2, 1, 2), (2, 2, 3)]:
            np.testing.assert_allclose(impl["cg"](*triple), to_numeric(
                reference.real_clebsch_gordan(*triple)), atol=tolerance("cg", triple[2]).atol)
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
    for name in ADAPTERS:
        for quantity, convention in get_adapter(name).CONVENTIONS.items():
            assert convention in known[quantity], (name, quantity, convention)


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
