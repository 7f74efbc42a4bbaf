"""The rows of a model check: :class:`ModelRow` (check, property, frame, error, tolerance,
status, diagnosis; ``to_dict`` gives the JSON row of ``o3ref check-model``) and the
:class:`Context` every check of one frame shares, which turns an error into a row through the
tolerance policies of :mod:`o3ref.verify.tolerances`. An error that is NaN never passes.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..compare import over_tolerance
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
    """What every check of one frame shares: the calculator, the frame's properties, the
    tolerance policy and the scales of :func:`o3ref.verify.models.scales.frame_scales`."""
    calculator: object
    properties: tuple
    dtype: np.dtype
    rng: np.random.Generator
    n_rotations: int = 2
    fd_atoms: int = 4
    #: property -> the dtype its outputs are exactly representable in (``float32_valued``),
    #: decided per property (a model may hand back float32 forces and float64 energies)
    observed: dict | None = None
    #: property -> its largest magnitude over all frames: the floor of every frame's scale
    #: (a frame whose dipole vanishes by symmetry is judged against the data set's dipoles)
    floor: dict | None = None
    #: property -> this frame's scale (:func:`o3ref.verify.models.scales.frame_scales`)
    scales: dict | None = None
    #: whether ``dtype`` was chosen by the user (else each property is judged at its own)
    explicit: bool = False

    def precision_of(self, name: str) -> np.dtype:
        """The dtype property ``name``'s outputs are exactly representable in."""
        return np.dtype((self.observed or {}).get(name, np.float64))

    def policy_of(self, name: str) -> np.dtype:
        """The policy dtype of ``name``: the user's, else float64 (a lower-precision property
        is then reported as ``precision`` where its error is at its own rounding level)."""
        return np.dtype(self.dtype)

    def lower_precision(self, name: str = "") -> bool:
        """Outputs of ``name`` (any property when empty) in float32 checked under the float64
        policy: an error within the same policy in float32 is then the model's precision,
        not a broken symmetry."""
        names = [name] if name else list(self.properties)
        return self.dtype == np.float64 and any(
            self.precision_of(n) == np.float32 for n in names)

    def scale(self, name: str, base: dict, length: float = 1.0, frame=None) -> float:
        """The magnitude a property's rounding is measured against (module docstring of
        :mod:`o3ref.verify.models.scales`): this frame's scale, at least the property's own
        largest value and its largest over all frames, times ``max(1, length / 1 A)``."""
        own = base.get(name)
        s = float(np.abs(own).max(initial=0.0)) if isinstance(own, np.ndarray) else 0.0
        s = max(s, (self.scales or {}).get(name, 0.0), (self.floor or {}).get(name, 0.0))
        return max(s, np.finfo(np.float64).tiny) * max(1.0, length)

    def _precision_note(self, name, error, tol32):
        dtypes = ", ".join(f"{n} {self.precision_of(n).name}" for n in self.properties)
        return (f"precision: {name} is computed in float32 ({dtypes}); error {error:.2e} is "
                f"at float32 rounding level (float32 policy {tol32:.1e}); no broken "
                "symmetry")

    def row(self, check, name, error, scale, policy, diagnosis_fail="", extra=None):
        """A row: pass, fail (with ``diagnosis_fail``), or precision."""
        tol = model_tolerance(policy, self.dtype, scale)
        row = ModelRow(check, name, float(error), tol.atol)
        if over_tolerance([error], [tol.atol]):  # the core's verdict: NaN/inf never pass
            tol32 = model_tolerance(policy, np.float32, scale).atol
            if self.lower_precision(name) and error <= tol32:
                row.status = "precision"
                row.diagnosis = self._precision_note(name, error, tol32)
            else:
                row.status = "fail"
                row.diagnosis = diagnosis_fail
        out = row.to_dict()
        if extra:
            out.update(extra)
        return out


def error_row(check, name, message, frame=None) -> dict:
    """The row of a check that could not compare: the calculator raised, lacked the property
    or returned non-finite values."""
    return ModelRow(check, name, float("nan"), float("nan"), "error", message, frame).to_dict()


def _factor_text(c: float) -> str:
    """``1.001`` -> ``"1.001"``; ``1 + 1e-9`` -> ``"(1 + 1.0e-09)"`` (the digits that matter)."""
    if 0 < abs(c - 1) < 1e-4:
        return f"(1 {'+' if c > 1 else '-'} {abs(c - 1):.1e})"
    return f"{c:.6g}"


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
        return f"{name} = {_factor_text(ratio)} x ({what}): a constant factor"
    return f"{name} differ from {what} (not by a constant factor)"


def fd_row(ctx, check, name, analytic, fd1, fd2, h, value_scale, what,
           analytic_scale=0.0) -> dict:
    """The row of a finite-difference check: ``analytic`` against the fourth-order central
    difference ``fd1`` (step ``h``), with the truncation error estimated from ``fd2`` (step
    ``2h``). ``analytic_scale`` is the size of ``analytic``'s own rounding (the force or stress
    scale): a property computed in float32 next to a float64 energy is ``precision``."""
    err = float(np.abs(analytic - fd1).max())
    trunc = float(np.abs(fd1 - fd2).max())
    tol = fd_tolerance(ctx.dtype, h, value_scale, trunc, stencil=1.5).atol
    row = ModelRow(check, name, err, tol)
    if over_tolerance([err], [tol]):  # the core's verdict: NaN/inf never pass
        own = model_tolerance("rounded", np.float32, analytic_scale).atol
        tol32 = tol + own if ctx.precision_of("energy") == np.float64 else fd_tolerance(
            np.float32, h, value_scale, trunc, stencil=1.5).atol + own
        if ctx.lower_precision(name) and err <= tol32:
            row.status = "precision"
            row.diagnosis = ctx._precision_note(name, err, tol32) + f" (h = {h:.1e})"
        else:
            row.status = "fail"
            row.diagnosis = ratio_diagnosis(name, analytic, fd1, what)
    return row.to_dict()
