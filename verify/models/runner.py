"""Whole atomistic models: symmetry, periodicity and derivative checks of any ASE calculator,
and the differential comparison of two calculators.

:func:`check_model` evaluates a calculator on each frame and on transformed copies (the 48
signed permutations of O_h, random proper and improper rotations, a translation, a
permutation of same-species atoms, periodic images, a supercell, an equivalent cell, finite
differences of the energy) and returns a :class:`ModelReport` with one row per check,
property and frame (:mod:`o3ref.verify.models.checks` defines each check, its expected
transformation and its tolerance). A calculator that raises, returns NaN or lacks a property
gets one diagnosis row for that check, and the other checks still run.

:func:`compare_models` evaluates two calculators on the same frames (float32 against
float64, two backends of one model) and reports the error statistics per property.

Conventions: :mod:`o3ref.reference.conventions` (active rotations ``r -> R r``, forces as
rows ``F -> F R^T``, ASE's Voigt stress).

>>> import ase
>>> from ase.calculators.emt import EMT
>>> frame = ase.Atoms("Cu2", positions=[[0, 0, 0], [1.2, 1.3, 0.4]])
>>> report = check_model(EMT(), [frame], checks=["translation", "permutation"])
>>> report.passed, sorted({r["check"] for r in report.rows})
(True, ['permutation', 'translation'])
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from ..tolerances import MODEL_POLICIES, model_tolerance
from .checks import CHECKS, PROPERTIES, Context, evaluate, float32_valued
from .rows import error_row

__all__ = ["DifferentialReport", "ModelReport", "check_model", "compare_models"]


@dataclass
class ModelReport:
    """Rows ``dict(check, property, frame, error, tolerance, status, diagnosis)``; status is
    ``pass``, ``fail``, ``precision`` (errors at a lower precision's rounding level),
    ``error`` (the calculator raised, returned NaN or lacks the property) or ``skipped``."""

    dtype: str
    observed_dtype: str
    properties: list
    rows: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no row failed (rows reported as precision count as passed)."""
        return all(r["status"] in ("pass", "skipped") for r in self.rows)

    def failures(self) -> list[dict]:
        """The rows that failed, each a dict with its check, property, frame and diagnosis."""
        return [r for r in self.rows if r["status"] not in ("pass", "skipped")]

    def policy(self) -> str:
        """The tolerance policy of the report in words: dtype, factors and scales."""
        return (f"tolerances in {self.dtype} (outputs look {self.observed_dtype}): "
                + "; ".join(f"{k}: {c:g} eps x scale" for k, (c, _) in MODEL_POLICIES.items())
                + "; finite differences: 16 eps |E| / h + 2 |FD(h) - FD(2h)|")

    def __str__(self) -> str:
        lines = [f"check_model: {'PASSED' if self.passed else 'FAILED'}; properties "
                 f"{', '.join(self.properties)}", self.policy(),
                 f"{'check':<26} {'property':<15} {'frame':>5} {'error':>10} {'tolerance':>10}"
                 "  status"]
        for r in self.rows:
            lines.append(
                f"{r['check']:<26} {r['property']:<15} {r['frame']:>5} {r['error']:>10.2e} "
                f"{r['tolerance']:>10.2e}  {r['status']}"
                + (f": {r['diagnosis']}" if r["diagnosis"] else ""))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """The report as JSON-ready data (rows, policy, verdict)."""
        return json.loads(json.dumps({"passed": self.passed, "dtype": self.dtype,
                                      "observed_dtype": self.observed_dtype,
                                      "properties": self.properties, "policy": self.policy(),
                                      "rows": self.rows}, default=_jsonable))


def _jsonable(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return str(value)


def _as_frames(frames) -> list:
    if hasattr(frames, "positions"):
        return [frames]
    frames = list(frames)
    if not frames or not all(hasattr(f, "positions") for f in frames):
        raise TypeError("frames must be an ase.Atoms or a non-empty list of ase.Atoms")
    return frames


def _default_properties(calculator, frames) -> list:
    implemented = getattr(calculator, "implemented_properties", None)
    if implemented is None:
        return ["energy", "forces"]
    names = [p for p in PROPERTIES if p in implemented]
    if "stress" in names and not all(f.pbc.all() and f.cell.rank == 3 for f in frames):
        names.remove("stress")
    return names


def _check_properties(properties) -> list:
    names = list(properties)
    for name in names:
        if name not in PROPERTIES:
            raise ValueError(f"properties contains {name!r}; each must be one of {PROPERTIES}")
    return names


def check_model(
    calculator,
    frames,
    properties=None,
    *,
    checks=None,
    dtype=None,
    n_rotations: int = 2,
    fd_atoms: int = 4,
    seed: int = 0,
    quiet: bool = True,
) -> ModelReport:
    """Run the checks of :mod:`o3ref.verify.models.checks` on ``calculator`` (an ASE
    calculator) for each of ``frames``.

    ``properties`` default to those of ``calculator.implemented_properties`` among
    ``energy, forces, stress, dipole, polarizability`` (stress only for 3D-periodic frames);
    ``checks`` to all of :data:`o3ref.verify.models.checks.CHECKS`; ``dtype`` (the policy) to
    float32 when every output is exactly a float32 number, float64 otherwise.
    """
    from ..progress import progress

    frames = _as_frames(frames)
    names = _check_properties(properties) if properties is not None else _default_properties(
        calculator, frames)
    selected = list(CHECKS) if checks is None else list(checks)
    for c in selected:
        if c not in CHECKS:
            raise ValueError(f"checks contains {c!r}; each must be one of {list(CHECKS)}")
    rng = np.random.default_rng(seed)
    bases = [evaluate(calculator, f, names) for f in frames]
    observed = "float32" if all(float32_valued(b.values()) for b in bases) else "float64"
    policy = np.dtype(dtype) if dtype is not None else np.dtype(observed)
    report = ModelReport(dtype=policy.name, observed_dtype=observed, properties=names)
    for k, base in enumerate(bases):
        missing = {n: v for n, v in base.items() if isinstance(v, str)}
        for name, message in missing.items():
            report.rows.append(error_row("evaluation", name, message, frame=k))
    floor = {n: max(float(np.abs(b[n]).max(initial=0.0)) for b in bases
                    if isinstance(b.get(n), np.ndarray)) for n in names
             if n != "energy" and any(isinstance(b.get(n), np.ndarray) for b in bases)}
    tasks = [(c, k) for c in selected for k in range(len(frames))]
    for check, k in progress(tasks, desc="check-model", quiet=quiet):
        base = bases[k]
        present = tuple(n for n in names if isinstance(base.get(n), np.ndarray))
        if not present:
            continue
        ctx = Context(calculator, present, policy, rng, n_rotations, fd_atoms,
                      np.dtype(observed), floor)
        try:
            rows = CHECKS[check](ctx, frames[k], base)
        except Exception as exc:  # noqa: BLE001 - one row for the check, the rest still runs
            rows = [error_row(check, "-", f"the check raised {type(exc).__name__}: {exc}"
                              .splitlines()[0])]
        for row in rows:
            row["frame"] = k
            report.rows.append(row)
    return report


@dataclass
class DifferentialReport:
    """Per property: max and mean absolute difference, RMS, max relative difference over all
    frames, against the ``differential`` policy of the lower precision of the two."""

    dtype: str
    rows: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every property agrees between the two calculators within tolerance."""
        return all(r["status"] == "pass" for r in self.rows)

    def __str__(self) -> str:
        lines = [f"differential: {'PASSED' if self.passed else 'FAILED'} (policy {self.dtype})",
                 f"{'property':<15} {'max abs':>10} {'mean abs':>10} {'rms':>10} "
                 f"{'max rel':>10} {'tolerance':>10}  status"]
        for r in self.rows:
            lines.append(f"{r['property']:<15} {r['max_abs']:>10.2e} {r['mean_abs']:>10.2e} "
                         f"{r['rms']:>10.2e} {r['max_rel']:>10.2e} {r['tolerance']:>10.2e}  "
                         f"{r['status']}" + (f": {r['diagnosis']}" if r["diagnosis"] else ""))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """The differential report as JSON-ready data (statistics per property)."""
        return json.loads(json.dumps({"passed": self.passed, "dtype": self.dtype,
                                      "rows": self.rows}, default=_jsonable))


def compare_models(calculator_a, calculator_b, frames, properties=None, *, dtype=None
                   ) -> DifferentialReport:
    """Evaluate both calculators on ``frames`` and compare each property.

    ``dtype`` (the policy) defaults to float32 when either calculator's outputs are exactly
    float32 numbers, float64 otherwise.
    """
    frames = _as_frames(frames)
    names = _check_properties(properties) if properties is not None else [
        p for p in _default_properties(calculator_a, frames)
        if p in _default_properties(calculator_b, frames)]
    a = [evaluate(calculator_a, f, names) for f in frames]
    b = [evaluate(calculator_b, f, names) for f in frames]
    low = any(float32_valued(e.values()) for e in a + b)
    policy = np.dtype(dtype) if dtype is not None else np.dtype(
        np.float32 if low else np.float64)
    report = DifferentialReport(dtype=policy.name)
    for name in names:
        diffs, refs, problem = [], [], ""
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            for who, v in (("first", x[name]), ("second", y[name])):
                if isinstance(v, str) and not problem:
                    problem = f"frame {k}, {who} calculator: {v}"
            if not problem:
                diffs.append(np.ravel(x[name] - y[name]))
                refs.append(np.ravel(y[name]))
        if problem:
            report.rows.append({"property": name, "max_abs": float("nan"),
                                "mean_abs": float("nan"), "rms": float("nan"),
                                "max_rel": float("nan"), "tolerance": float("nan"),
                                "status": "error", "diagnosis": problem})
            continue
        d, r = np.abs(np.concatenate(diffs)), np.abs(np.concatenate(refs))
        scale = max(float(r.max(initial=0.0)), np.finfo(np.float64).tiny)
        tol = model_tolerance("differential", policy, scale).atol
        big = r > 1e-6 * scale
        row = {"property": name, "max_abs": float(d.max(initial=0.0)),
               "mean_abs": float(d.mean()) if d.size else 0.0,
               "rms": float(np.sqrt(np.mean(d * d))) if d.size else 0.0,
               "max_rel": float((d[big] / r[big]).max(initial=0.0)), "tolerance": tol,
               "status": "pass", "diagnosis": ""}
        if row["max_abs"] > tol:
            row["status"] = "fail"
            row["diagnosis"] = (f"the calculators differ by up to {row['max_abs']:.2e} "
                                f"(relative {row['max_rel']:.2e})")
        report.rows.append(row)
    return report
