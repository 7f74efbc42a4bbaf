"""check_model on symmetric structures (issue 19, classes 1, 3, 4, 5).

The rule: a tolerance scales with what the model computed (its stiffness, its per-atom
energies, the cell's stress scale), never with an output that vanishes by symmetry. Correct
calculators pass on perfect crystals, equilibrium molecules, single and isolated atoms and
zero-stress cells; a calculator wrong by 1e-9 relative still fails.
"""

from __future__ import annotations

import ase
import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from model_helpers import Wrapped
from scipy.optimize import minimize_scalar

from o3ref.verify.models import check_model
from o3ref.verify.models.checks import ALIASES, CHECKS, resolve_checks


def _emt_energy(atoms):
    atoms = atoms.copy()
    atoms.calc = EMT()
    return atoms.get_potential_energy()


def _dimer(d):
    return ase.Atoms("Cu2", positions=[[0.1, 0.2, 0.3], [0.1 + d, 0.2, 0.3]])


def equilibrium_dimer():
    d = minimize_scalar(lambda d: _emt_energy(_dimer(d)), bounds=(1.8, 3.0),
                        method="bounded", options={"xatol": 1e-10}).x
    return _dimer(d)


def zero_stress_fcc():
    a = minimize_scalar(lambda a: _emt_energy(bulk("Cu", "fcc", a=a, cubic=True)),
                        bounds=(3.4, 3.8), method="bounded", options={"xatol": 1e-10}).x
    return bulk("Cu", "fcc", a=a, cubic=True)


SYMMETRIC = {
    "fcc Cu cubic (README)": lambda: bulk("Cu", "fcc", a=3.6, cubic=True),
    "fcc Cu primitive": lambda: bulk("Cu", "fcc", a=3.6),
    "bcc Cu": lambda: bulk("Cu", "bcc", a=2.87, cubic=True),
    "rocksalt CuAu": lambda: bulk("CuAu", "rocksalt", a=4.6, cubic=True),
    "fcc Al": lambda: bulk("Al", "fcc", a=4.05, cubic=True),
    "equilibrium dimer": equilibrium_dimer,
    "single atom, periodic": lambda: ase.Atoms("Cu", cell=np.eye(3) * 2.6, pbc=True),
    "isolated atom": lambda: ase.Atoms("Cu", positions=[[0.3, -0.2, 0.1]]),
    "zero-stress cell": zero_stress_fcc,
}


@pytest.mark.parametrize("name", list(SYMMETRIC))
def test_correct_calculator_passes_on_symmetric_structures(name):
    report = check_model(EMT(), [SYMMETRIC[name]()], n_rotations=1, fd_atoms=2)
    assert report.passed, report
    assert {r["status"] for r in report.rows} <= {"pass", "skipped"}, report


class ScaledForces(Wrapped):
    factor = 1 + 1e-9

    def modify(self, atoms, results):
        results["forces"] = self.factor * results["forces"]
        return results


class ScaledStress(Wrapped):
    factor = 1 + 1e-9

    def modify(self, atoms, results):
        if "stress" in results:
            results["stress"] = self.factor * results["stress"]
        return results


class DirectionalEnergy(Wrapped):
    """E + 1e-9 |E| (a1 . x / |a1|) or, without a cell, of the first bond's direction: a term
    of absolute direction, 1e-9 of the energy (forces of the cell term are unchanged)."""

    def modify(self, atoms, results):
        if atoms.cell.rank:
            u = np.asarray(atoms.cell)[0]
        else:
            u = atoms.positions[1] - atoms.positions[0]
        results["energy"] = results["energy"] * (1 + 1e-9 * u[0] / np.linalg.norm(u))
        return results


class ForceField(Wrapped):
    """Forces plus a constant field of 1e-9 eV/A along z: not equivariant."""

    def modify(self, atoms, results):
        results["forces"] = results["forces"] + np.array([0.0, 0.0, 1e-9])
        return results


class StressOverVolume(Wrapped):
    """Stress divided by the volume a second time."""

    def modify(self, atoms, results):
        if "stress" in results:
            results["stress"] = results["stress"] / atoms.get_volume()
        return results


def _rattled(a=3.6, amplitude=0.1):
    atoms = bulk("Cu", "fcc", a=a, cubic=True)
    atoms.rattle(amplitude, seed=3)
    return atoms


def _failing_checks(report):
    return {r["slug"] for r in report.failures()}


def test_forces_wrong_by_1e_9_relative_fail_the_finite_differences():
    report = check_model(ScaledForces(), [_rattled()], checks=["forces-fd", "translation"])
    assert _failing_checks(report) == {"forces-fd"}, report
    why = report.failures()[0]["diagnosis"]
    assert "constant factor" in why
    measured = float(why.split("(1 + ")[1].split(")")[0])  # the factor's excess over 1
    assert abs(measured - 1e-9) <= 0.05e-9


def test_stress_wrong_by_1e_9_relative_fails_the_finite_differences():
    report = check_model(ScaledStress(), [_rattled(a=3.4)], checks=["stress-fd"])
    assert _failing_checks(report) == {"stress-fd"}, report


@pytest.mark.parametrize("frame", [lambda: bulk("Cu", "fcc", a=3.6, cubic=True),
                                   equilibrium_dimer])
def test_energy_term_of_absolute_direction_at_1e_9_fails(frame):
    report = check_model(DirectionalEnergy(), [frame()], checks=["oh-proper", "rotations"])
    assert not report.passed, report
    assert {r["property"] for r in report.failures()} == {"energy"}, report


def test_force_field_of_1e_9_fails_on_a_perfect_crystal():
    report = check_model(ForceField(), [bulk("Cu", "fcc", a=3.6, cubic=True)],
                         checks=["oh-proper", "rotations"])
    assert {r["property"] for r in report.failures()} == {"forces"}, report
    assert any("absolute directions" in r["diagnosis"] for r in report.failures())


def test_stress_over_volume_twice_leads_with_the_measured_factor():
    frame = _rattled(a=3.4)
    report = check_model(StressOverVolume(), [frame], n_rotations=1,
                         checks=["rotations", "supercell", "stress-fd"])
    first = report.failures()[0]
    assert first["slug"] == "stress-fd", report
    factor = 1 / frame.get_volume()
    assert f"{factor:.6g}" in first["diagnosis"] and "constant factor" in first["diagnosis"]
    assert "most specific: stress = dE/dstrain / V" in report.summary()
    supercell = next(r for r in report.failures() if r["slug"] == "supercell")
    assert "measured stress = 0.5 x expected" in supercell["diagnosis"]


class MixedPrecision(Wrapped):
    """Forces from a float32 copy of the structure, energy and stress in float64."""

    def modify(self, atoms, results):
        low = atoms.copy()
        low.set_cell(np.asarray(atoms.cell).astype(np.float32).astype(float),
                     scale_atoms=False)
        low.set_positions(atoms.positions.astype(np.float32).astype(float))
        low.calc = EMT()
        results["forces"] = low.get_forces().astype(np.float32).astype(float)
        return results


def test_float32_forces_next_to_float64_energy_are_named_precision():
    report = check_model(MixedPrecision(), [_rattled(amplitude=0.05)], n_rotations=1,
                         fd_atoms=2, checks=["rotations", "periodic-images", "forces-fd"])
    assert report.observed == {"energy": "float64", "forces": "float32", "stress": "float64"}
    assert report.passed, report
    precision = report.precision_rows()
    assert precision and {r["property"] for r in precision} == {"forces"}
    assert any(r["slug"] == "forces-fd" for r in precision)
    for r in precision:
        assert "forces is computed in float32" in r["diagnosis"]
        assert "absolute" not in r["diagnosis"] and "images" not in r["diagnosis"]
    assert "precision" in report.summary()


def test_precision_rows_do_not_fail_a_report_and_failures_exclude_them():
    report = check_model(MixedPrecision(), [_rattled(amplitude=0.05)], n_rotations=1,
                         checks=["rotations"])
    assert report.precision_rows() and report.failures() == [] and report.passed


def test_a_molecule_next_to_a_cell_keeps_the_cells_stress_and_says_what_it_skipped():
    frames = [_rattled(amplitude=0.05), equilibrium_dimer()]
    report = check_model(EMT(), frames, checks=["translation", "stress-fd"])
    assert report.passed, report
    assert any(r["frame"] == 0 and r["property"] == "stress" and r["status"] == "pass"
               for r in report.rows)
    skipped = [r for r in report.rows if r["frame"] == 1 and r["property"] == "stress"]
    assert skipped and all(r["status"] == "skipped" for r in skipped)
    assert "not periodic" in skipped[0]["diagnosis"]
    broken = check_model(ScaledStress(), [_rattled(a=3.4), equilibrium_dimer()],
                         checks=["stress-fd"])
    assert not broken.passed


def test_a_frame_without_atoms_is_refused_up_front():
    with pytest.raises(ValueError, match=r"frames\[1\] has 0 atoms"):
        check_model(EMT(), [_rattled(), ase.Atoms()])


def test_an_exception_inside_o3ref_propagates(monkeypatch):
    from o3ref.verify.models import checks

    def broken(ctx, frame, base):
        raise KeyError("o3ref bug")

    monkeypatch.setitem(checks.CHECKS, "translation", broken)
    with pytest.raises(KeyError, match="o3ref bug"):
        check_model(EMT(), [_rattled()], checks=["translation"])


def test_check_slugs_and_old_names():
    assert all(s == s.lower() and " " not in s for s in CHECKS)
    assert resolve_checks(["O_h"]) == ["oh-proper", "oh-improper"]
    for old, slugs in ALIASES.items():
        assert resolve_checks([old]) == list(slugs)
    assert resolve_checks("forces = -dE/dr") == ["forces-fd"]
    with pytest.raises(ValueError, match="checks contains 'gauge'.*forces-fd"):
        resolve_checks(["gauge"])
    with pytest.raises(ValueError, match="checks is empty"):
        resolve_checks([])
