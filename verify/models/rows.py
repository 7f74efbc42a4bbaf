"""The rows of a model check: :class:`ModelRow` (check, property, frame, error, tolerance,
status, diagnosis; ``to_dict`` gives the JSON row of ``o3ref check-model``) and the
:class:`Context` every check of one frame shares, which turns an error into a row through the
tolerance policies of :mod:`o3ref.verify.tolerances`. An error that is NaN never passes.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..tolerances import fd_tolerance, model_tolerance

__all__ = ["ANGSTROM", "Context", "ModelRow", "error_row", "fd_row", "ratio_diagnosis"]

ANGSTROM = 1.0  # the length that turns forces into energies in the energy's scale


@dataclass
class ModelRow:
    """One row of a model report; status ``pass``, ``fail``, ``precision`` or ``error``."""

    check: str
    property: str
    error: float
    tolerance: float
    status: str = "pass"
    diagnosis: str = ""
    frame: int | None = None

    def to_dict(self) -> dict:
        """The JSON row: ``check, property, [frame,] error, tolerance, status, diagnosis``."""
        out = {"check": self.check, "property": self.property}
        if self.frame is not None:
            out["frame"] = self.frame
        out.update(error=self.error, tolerance=self.tolerance, status=self.status,
                   diagnosis=self.diagnosis)
        return out


@dataclass
class Context:
    """What every check of one frame shares: the calculator, the frame, its reference
    outputs and the tolerance policy."""
    calculator: object
    properties: tuple
    dtype: np.dtype
    rng: np.random.Generator
    n_rotations: int = 2
    fd_atoms: int = 4
    #: the dtype the outputs are exactly representable in (``float32_valued``)
    observed: np.dtype = np.dtype(np.float64)
    #: property -> its largest magnitude over all frames: the floor of every frame's scale
    #: (a frame whose dipole vanishes by symmetry is judged against the data set's dipoles)
    floor: dict | None = None

    def lower_precision(self) -> bool:
        """Outputs in float32 checked under the float64 policy: an error within the same
        policy in float32 is then the model's precision, not a broken symmetry."""
        return self.dtype == np.float64 and self.observed == np.float32

    def scale(self, name: str, base: dict, length: float = 1.0, frame=None) -> float:
        """The magnitude a property's rounding is measured against (module docstring)."""
        s = float(np.abs(base[name]).max(initial=0.0))
        if name in ("energy", "stress"):
            forces = base.get("forces")
            n = len(forces) if isinstance(forces, np.ndarray) else 1
            f = float(np.abs(forces).max(initial=0.0)) if isinstance(forces, np.ndarray) else 0
            energy = (abs(float(base["energy"])) if isinstance(base.get("energy"), np.ndarray)
                      else 0.0) + n * f * ANGSTROM
            if name == "energy":
                s = energy
            elif frame is not None and frame.cell.rank == 3:  # a virial: sum over all atoms
                s = max(s, energy / frame.get_volume())
        s = max(s, (self.floor or {}).get(name, 0.0))
        return max(s, np.finfo(np.float64).tiny) * max(1.0, length)

    def row(self, check, name, error, scale, policy, diagnosis_fail="", extra=None):
        """A row: pass, fail (with ``diagnosis_fail``), or precision."""
        tol = model_tolerance(policy, self.dtype, scale)
        row = ModelRow(check, name, float(error), tol.atol)
        if not error <= tol.atol:  # NaN never passes
            tol32 = model_tolerance(policy, np.float32, scale).atol
            if self.lower_precision() and error <= tol32:
                row.status = "precision"
                row.diagnosis = (
                    f"error {error:.2e} is at float32 rounding level (float32 "
                    f"policy {tol32:.1e}); the model computes in lower precision than the "
                    "float64 policy; no broken symmetry")
            else:
                row.status = "fail"
                row.diagnosis = diagnosis_fail
        out = row.to_dict()
        if extra:
            out.update(extra)
        return out


def _error_row(check, name, message):
    return {"check": check, "property": name, "error": float("nan"), "tolerance": float("nan"),
            "status": "error", "diagnosis": message}


def error_row(check, name, message, frame=None) -> dict:
    """The row of a check that could not compare: the calculator raised, lacked the property
    or returned non-finite values."""
    return ModelRow(check, name, float("nan"), float("nan"), "error", message, frame).to_dict()


def ratio_diagnosis(name, analytic, fd, what) -> str:
    """Why ``analytic`` differs from ``fd``: a sign, a constant factor, or neither."""
    denom = float(np.sum(fd * fd))
    if denom == 0:
        return f"{name} differ from {what}"
    ratio = float(np.sum(analytic * fd) / denom)
    resid = float(np.abs(analytic - ratio * fd).max())
    if resid <= 1e-3 * float(np.abs(analytic).max()):
        if abs(ratio + 1) < 1e-6:
            return f"{name} have the wrong sign: {name} = -({what})"
        return f"{name} = {ratio:.6g} x ({what}): a constant factor"
    return f"{name} differ from {what} (not by a constant factor)"


def fd_row(ctx, check, name, analytic, fd1, fd2, h, value_scale, what) -> dict:
    """The row of a finite-difference check: ``analytic`` against the central difference
    ``fd1``, with the truncation error estimated from ``fd2`` (step ``2h``)."""
    err = float(np.abs(analytic - fd1).max())
    trunc = float(np.abs(fd1 - fd2).max())
    tol = fd_tolerance(ctx.dtype, h, value_scale, trunc).atol
    row = ModelRow(check, name, err, tol)
    if not err <= tol:  # NaN never passes
        tol32 = fd_tolerance(np.float32, h, value_scale, trunc).atol
        if ctx.lower_precision() and err <= tol32:
            row.status = "precision"
            row.diagnosis = (f"error {err:.2e} is at float32 rounding level "
                                f"(float32 policy {tol32:.1e}) for h = {h:.1e}")
        else:
            row.status = "fail"
            row.diagnosis = ratio_diagnosis(name, analytic, fd1, what)
    return row.to_dict()
