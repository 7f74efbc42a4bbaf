"""The public paths users rely on still import after verify/ moved into rooms: every lazy
export of ``o3ref.verify``, the plugin's classes, the conformance checks, the conventions
table, the old module paths kept as shims, the console script, the pytest11 entry point and
every ``o3ref.adapters`` entry-point module."""

from __future__ import annotations

import importlib
import importlib.metadata as md

import pytest

import o3ref.verify as verify

#: every name o3ref.verify exported before the rooms (issue 18); more may be added
EXPORTED_BEFORE = [
    "ChangeOfBasisReport", "ComparisonReport", "ConventionMap", "ConventionReport",
    "IrrepsReport", "ModelReport", "PrecisionPolicy", "assert_close",
    "assert_equivariant", "assert_equivariant_irreps", "assert_gradient_fd",
    "assert_homomorphism", "assert_orthogonal", "assert_orthonormal_sh", "assert_parity",
    "assert_position_gradients", "assert_sh_equivariant", "check_model",
    "compare_arrays", "compare_change_of_basis", "compare_models", "compare_tensormaps",
    "detect_convention", "dipole_tensor", "energy_block", "from_matrix_function",
    "from_xyz_function", "irreps_rotation", "parse_irreps", "read_frames",
    "signed_permutations",
]

CHECKS_BEFORE = ["check_cg", "check_sh", "check_sh_gradient", "check_sh_properties",
                 "check_wigner_d", "check_wigner_d_homomorphism", "PrecisionPolicy", "Verdict"]

CONVENTION_MAPS_BEFORE = ["CG_NORMALISATIONS", "CG_SIGNS", "M_ORDERS", "NAMED_MAPS",
                          "SH_NORMALISATIONS", "SH_SIGNS", "ConventionMap", "Piece",
                          "argument_piece", "complex_basis", "frame_piece", "rotation_piece",
                          "SOLID"]

REPORT_SCHEMA_BEFORE = ["KIND_SCHEMAS", "PROVENANCE_SCHEMA", "REPORT_SCHEMA", "SCHEMA_ID",
                        "envelope", "report_schema", "validate_report"]


@pytest.mark.parametrize("name", EXPORTED_BEFORE)
def test_every_old_export_of_o3ref_verify(name):
    assert name in verify.__all__
    assert getattr(verify, name) is not None


def test_the_plugin_classes():
    from o3ref.verify.pytest_plugin import ConformanceSuite, ModelConformance

    assert isinstance(ConformanceSuite, type) and isinstance(ModelConformance, type)


@pytest.mark.parametrize("name", CHECKS_BEFORE)
def test_the_conformance_checks(name):
    module = importlib.import_module("o3ref.verify.conformance")
    assert getattr(module, name) is getattr(importlib.import_module(
        "o3ref.verify.conformance.checks"), name)


def test_the_conventions_table():
    from o3ref.verify.conventions import CONVENTIONS_TABLE
    from o3ref.verify.conventions.table import CONVENTIONS_TABLE as moved

    assert CONVENTIONS_TABLE is moved and len(CONVENTIONS_TABLE) > 0


@pytest.mark.parametrize(("old", "new", "names"), [
    ("o3ref.verify.convention_maps", "o3ref.verify.conventions.maps", CONVENTION_MAPS_BEFORE),
    ("o3ref.verify.report_schema", "o3ref.verify.reports.schema", REPORT_SCHEMA_BEFORE),
])
def test_old_module_paths_are_shims(old, new, names):
    shim, moved = importlib.import_module(old), importlib.import_module(new)
    for name in names:
        assert getattr(shim, name) is getattr(moved, name), name
    assert set(shim.__all__) == set(moved.__all__)


def test_other_old_paths_kept():
    from o3ref.verify.cli import main
    from o3ref.verify.models import ModelReport, check_model, compare_models
    from o3ref.verify.structures import seed_water_frames, water_box

    assert all(callable(f) for f in (main, check_model, compare_models, seed_water_frames,
                                     water_box, ModelReport))


def _entry_points(group: str) -> list[md.EntryPoint]:
    return [ep for ep in md.entry_points(group=group) if ep.value.startswith("o3ref.")]


def test_console_script():
    (ep,) = [ep for ep in md.entry_points(group="console_scripts") if ep.name == "o3ref"]
    assert ep.value == "o3ref.verify.cli:main"
    assert ep.load() is importlib.import_module("o3ref.verify.cli").main


def test_pytest11_entry_point():
    (ep,) = [ep for ep in _entry_points("pytest11") if ep.name == "o3ref"]
    assert ep.value == "o3ref.verify.pytest_plugin"
    assert ep.load().ConformanceSuite


def test_adapter_entry_points_import():
    eps = _entry_points("o3ref.adapters")
    assert {ep.name for ep in eps} >= {"sphericart", "featomic", "e3nn", "scipy", "sympy",
                                       "wigners", "spherical", "cuequivariance", "e3x",
                                       "escnn", "cuequivariance_torch"}
    for ep in eps:
        assert ep.value == f"o3ref.verify.adapters.{ep.name}"
        module = ep.load()  # importing an adapter never needs its library
        assert hasattr(module, "CONVENTIONS"), ep.name
