"""``ModelConformance``: the model checks of :func:`o3ref.verify.models.check_model` as a
pytest class, in the style of :class:`o3ref.verify.pytest_plugin.ConformanceSuite`.

Subclass it in a test file, say how to build the calculator and on which structures::

    from o3ref.verify.pytest_plugin import ModelConformance

    class TestMyModel(ModelConformance):
        @staticmethod
        def calculator():
            return mypackage.MyCalculator(precision="float64")

        @staticmethod
        def frames():
            return ase.io.read("structures.xyz", ":")

        properties = ("energy", "forces")   # default: what the calculator implements

One test per check (``test_o_h``, ``test_rotations``, ``test_translation``,
``test_permutation``, ``test_periodic_images``, ``test_supercell``, ``test_equivalent_cell``,
``test_forces_fd``, ``test_stress_fd``); a failing test prints the report's failing rows with
their diagnoses. The class itself has no calculator and collects no test.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import pytest

__all__ = ["ModelConformance"]

_TESTS = {
    "test_o_h": ("oh-proper", "oh-improper"),
    "test_rotations": ("rotations",),
    "test_translation": ("translation",),
    "test_permutation": ("permutation",),
    "test_periodic_images": ("periodic-images",),
    "test_supercell": ("supercell",),
    "test_equivalent_cell": ("equivalent-cell",),
    "test_forces_fd": ("forces-fd",),
    "test_stress_fd": ("stress-fd",),
}


class ModelConformance:
    """Base class of a model conformance test class (see the module docstring)."""

    calculator = None
    frames = None
    properties = None
    #: the policy dtype (None: read from the outputs, see check_model)
    dtype = None
    seed = 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "calculator", None) is None:  # an intermediate base: collect nothing
            for name in _TESTS:
                setattr(cls, name, None)

    def _run(self, checks: tuple):
        from o3ref.verify.models import check_model

        factory, frames = type(self).calculator, type(self).frames
        if isinstance(factory, staticmethod):
            factory = factory.__func__
        frames = frames() if callable(frames) else frames
        if frames is None:
            pytest.fail(f"{type(self).__name__} sets no frames", pytrace=False)
        report = check_model(factory(), frames, self.properties, checks=list(checks),
                             dtype=self.dtype, seed=self.seed)
        bad = report.failures()
        if bad:
            lines = [f"{r['check']} / {r['property']} / frame {r['frame']}: {r['status']}, "
                     f"error {r['error']:.2e} (tolerance {r['tolerance']:.1e}) {r['diagnosis']}"
                     for r in bad]
            from o3ref.verify.models.checks import DESCRIPTIONS

            names = ", ".join(f"{DESCRIPTIONS[c].split(':')[0]} ({c})" for c in checks)
            pytest.fail(f"{names} does not hold ({report.policy()}):\n"
                        + "\n".join(lines),
                        pytrace=False)
        if all(r["status"] == "skipped" for r in report.rows) and report.rows:
            pytest.skip(report.rows[0]["diagnosis"])


def _make(checks):
    def test(self):
        self._run(checks)

    test.__doc__ = f"check_model's {', '.join(checks)} check"
    return test


for _name, _check in _TESTS.items():
    setattr(ModelConformance, _name, _make(_check))
