"""check_model on ASE's EMT, on o3ref's ridge dipole model, and on models broken in one known
way each: the right check fails, with the right diagnosis."""

from __future__ import annotations

import numpy as np
import pytest
from ase.calculators.emt import EMT
from model_helpers import (
    AbsoluteCoordinate,
    Float32,
    MolecularDipole,
    NaNForces,
    Raising,
    RidgeDipole,
    ScaledForces,
    Wrapped,
    WrongSignStress,
    emt_cell,
    emt_cluster,
    water_frames,
)

from o3ref.verify.models import check_model, compare_models
from o3ref.verify.models.checks import CHECKS, signed_permutations


def _failing(report):
    return {(r["check"], r["property"]): r for r in report.failures()}


def test_signed_permutations_are_the_48_elements_of_o_h():
    ops = signed_permutations()
    assert len({tuple(m.ravel()) for m in ops}) == 48
    assert np.array_equal(np.abs(ops).sum(axis=1), np.ones((48, 3)))  # one +-1 per row
    assert sum(np.linalg.det(ops) > 0) == 24
    # closed under products: a group
    keys = {tuple(m.ravel()) for m in ops}
    assert all(tuple((a @ b).ravel()) in keys for a in ops[::7] for b in ops[::5])


def test_emt_periodic_cell_passes_every_check():
    report = check_model(EMT(), [emt_cell()])
    assert report.passed, report
    assert report.properties == ["energy", "forces", "stress"]
    assert {r["slug"] for r in report.rows} == set(CHECKS)
    assert report.dtype == "float64" and report.observed_dtype == "float64"
    assert "512 eps" in report.policy()  # the policy is stated


def test_emt_cluster_passes_and_skips_periodic_checks():
    report = check_model(EMT(), [emt_cluster()])
    assert report.passed, report
    skipped = {r["check"] for r in report.rows if r["status"] == "skipped"}
    assert skipped == {"periodic images", "supercell", "equivalent cell"}
    assert report.properties == ["energy", "forces"]


def test_ridge_dipole_model_passes():
    calculator = RidgeDipole.trained(n_train=30)
    frames = water_frames(1)
    # the model predicts: its training error is small against the data set's dipoles
    report = check_model(calculator, frames, checks=["O_h", "rotations", "translation",
                                                     "permutation"], n_rotations=1)
    assert report.passed, report
    assert report.properties == ["dipole"]
    assert {r["property"] for r in report.rows} == {"dipole"}


def test_absolute_coordinate_breaks_rotation_and_translation_not_forces():
    report = check_model(AbsoluteCoordinate(), [emt_cell()],
                         checks=["O_h", "translation", "forces = -dE/dr"])
    bad = _failing(report)
    assert bad[("O_h (proper)", "energy")]["status"] == "fail"
    assert "not invariant under rotations" in bad[("O_h (proper)", "energy")]["diagnosis"]
    assert "depends on absolute positions" in bad[("translation", "energy")]["diagnosis"]
    assert ("forces = -dE/dr", "forces") not in bad  # the forces are its gradient


def test_pseudo_vector_dipole_is_right_under_rotations_wrong_under_inversion():
    frames = water_frames(2)
    good = check_model(MolecularDipole(pseudo=False), frames, checks=["O_h", "rotations"])
    assert good.passed, good
    assert set(good.properties) == {"energy", "forces", "dipole", "polarizability"}
    report = check_model(MolecularDipole(pseudo=True), frames, checks=["O_h", "rotations"])
    bad = _failing(report)
    assert set(bad) == {("O_h (improper)", "dipole"), ("rotations (improper)", "dipole")}
    assert all("pseudo-vector" in r["diagnosis"] for r in bad.values())


def test_scaled_forces_are_named_with_their_factor():
    report = check_model(ScaledForces(), [emt_cell()], checks=["forces = -dE/dr"])
    bad = _failing(report)
    assert list(bad) == [("forces = -dE/dr", "forces")]
    assert "forces = 1.001 x (-dE/dr)" in bad[("forces = -dE/dr", "forces")]["diagnosis"]


def test_wrong_sign_stress_is_named():
    report = check_model(WrongSignStress(), [emt_cell()],
                         checks=["stress = dE/dstrain / V", "permutation"])
    bad = _failing(report)
    assert list(bad) == [("stress = dE/dstrain / V", "stress")]
    assert "wrong sign" in bad[("stress = dE/dstrain / V", "stress")]["diagnosis"]


def test_float32_model_under_float64_policy_is_precision_not_symmetry():
    checks = ["rotations", "translation", "forces = -dE/dr"]
    strict = check_model(Float32(), [emt_cell()], dtype=np.float64, checks=checks)
    assert strict.observed_dtype == "float32"
    statuses = {r["status"] for r in strict.rows}
    assert "precision" in statuses and "fail" not in statuses, strict
    own = check_model(Float32(), [emt_cell()], checks=checks)
    assert own.dtype == "float32" and own.passed, own


def test_a_raising_calculator_gets_one_line_and_the_report_runs():
    report = check_model(Raising(), [emt_cell()], checks=["translation"])
    rows = report.failures()
    assert {r["status"] for r in rows} == {"error"}
    assert all("raised RuntimeError: the model's backend crashed" in r["diagnosis"]
               for r in rows)


class RaisingWhenMirrored(Wrapped):
    """Works until the first atom's x is negative (half of O_h moves it there)."""

    def modify(self, atoms, results):
        if atoms.positions[0, 0] < -1e-3:
            raise RuntimeError("negative x")
        return results


def test_a_check_that_hits_an_exception_gets_one_row_per_property_and_others_run():
    cell = emt_cell()
    cell.positions += 0.5  # every x positive
    report = check_model(RaisingWhenMirrored(), [cell], checks=["O_h", "permutation"])
    errors = [r for r in report.rows if r["status"] == "error"]
    assert {r["check"] for r in errors} == {"O_h (proper)", "O_h (improper)"}
    assert len(errors) == 6 and all("negative x" in r["diagnosis"] for r in errors)
    assert all(r["status"] == "pass" for r in report.rows if r["check"] == "permutation")


def test_nan_and_missing_properties_are_diagnosed():
    report = check_model(NaNForces(), [emt_cell()], checks=["translation"])
    bad = _failing(report)
    assert "non-finite values" in bad[("evaluation", "forces")]["diagnosis"]
    assert any(r["check"] == "translation" and r["property"] == "energy"
               and r["status"] == "pass" for r in report.rows)
    missing = check_model(EMT(), [emt_cluster()], ["energy", "dipole"], checks=["permutation"])
    bad = _failing(missing)
    assert "does not provide 'dipole'" in bad[("evaluation", "dipole")]["diagnosis"]
    assert any(r["property"] == "energy" and r["status"] == "pass" for r in missing.rows)


def test_bad_arguments():
    with pytest.raises(ValueError, match="properties contains 'charges'"):
        check_model(EMT(), [emt_cluster()], ["charges"])
    with pytest.raises(ValueError, match="checks contains 'gauge'"):
        check_model(EMT(), [emt_cluster()], checks=["gauge"])
    with pytest.raises(TypeError, match="frames must be an ase.Atoms"):
        check_model(EMT(), [])


def test_differential_float32_against_float64():
    frames = [emt_cell(seed=s) for s in (1, 2)]
    report = compare_models(Float32(), EMT(), frames)
    assert report.dtype == "float32" and report.passed, report
    assert {r["property"] for r in report.rows} == {"energy", "forces", "stress"}
    forces = next(r for r in report.rows if r["property"] == "forces")
    assert 0 < forces["max_abs"] < 1e-4 and forces["rms"] <= forces["max_abs"]
    strict = compare_models(Float32(), EMT(), frames, dtype=np.float64)
    assert not strict.passed


def test_differential_names_a_disagreeing_property():
    report = compare_models(ScaledForces(), EMT(), [emt_cell()])
    bad = {r["property"]: r for r in report.rows if r["status"] != "pass"}
    assert list(bad) == ["forces"]
    assert abs(bad["forces"]["max_rel"] - 1e-3) < 1e-6
