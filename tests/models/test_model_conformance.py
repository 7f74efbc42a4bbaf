"""ModelConformance: a subclass runs one test per check; failures print the diagnosis."""

from __future__ import annotations

from ase.calculators.emt import EMT
from model_helpers import emt_cell

from o3ref.verify.pytest_plugin import ModelConformance

pytest_plugins = ["pytester"]


class TestEMTConformance(ModelConformance):
    """The way a user writes it: ASE's EMT on one periodic cell."""

    calculator = staticmethod(EMT)
    frames = staticmethod(lambda: [emt_cell()])


def test_base_class_collects_nothing():
    assert ModelConformance.test_o_h is not None  # the base keeps its tests for subclasses

    class Partial(ModelConformance):
        pass

    assert Partial.test_o_h is None


def test_failure_names_the_check_and_the_diagnosis(pytester):
    pytester.makepyfile(
        test_broken="""
        import numpy as np
        from ase.build import bulk
        from ase.calculators.emt import EMT
        from ase.calculators.calculator import Calculator, all_changes
        from o3ref.verify.pytest_plugin import ModelConformance

        class Scaled(Calculator):
            implemented_properties = ["energy", "forces"]
            def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
                super().calculate(atoms, properties, system_changes)
                frame = self.atoms.copy()
                frame.calc = EMT()
                self.results = {"energy": frame.get_potential_energy(),
                                "forces": 1.001 * frame.get_forces()}

        def cell():
            atoms = bulk("Cu", "fcc", a=3.6, cubic=True)
            atoms.rattle(0.05, seed=1)
            return [atoms]

        class TestScaled(ModelConformance):
            calculator = Scaled
            frames = staticmethod(cell)
        """
    )
    result = pytester.runpytest("-q", "-p", "no:cacheprovider", "-k",
                                "forces_fd or permutation")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*forces = -dE/dr (forces-fd) does not hold*",
                                 "*forces = 1.001 x (-dE/dr)*"])
