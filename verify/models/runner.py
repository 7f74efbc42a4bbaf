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
from .checks import CHECKS, PROPERTIES, Context, evaluate, float32_valued, resolve_checks
from .rows import error_row

__all__ = ["DifferentialReport", "ModelReport", "check_model", "compare_models"]


def _rank(row) -> int:
    """How specific a failing row's diagnosis is: a measured factor from finite differences
    first, then any measured factor or named precision, then the rest, errors last."""
    why = row.get("diagnosis") or ""
    if row["status"] == "error":
        return 3
    if row.get("slug", "").endswith("-fd") and ("constant factor" in why or "wrong sign" in why):
        return 0
    return 1 if "measured" in why else 2


@dataclass
class ModelReport:
    """Rows ``dict(check, slug, property, frame, error, tolerance, status, diagnosis)``;
    status is ``pass``, ``fail``, ``precision`` (errors at a lower precision's rounding
    level: a float32 property checked under the float64 policy), ``error`` (the calculator
    raised, returned NaN or lacks the property) or ``skipped`` (a check or property that
    does not apply to a frame, with the reason)."""

    dtype: str
    observed_dtype: str
    properties: list
    rows: list[dict] = field(default_factory=list)
    #: property -> the dtype its outputs are exactly representable in
    observed: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no row failed or errored: rows reported as ``precision`` count as passed
        (a float32 model is not broken because it rounds in float32), as do ``skipped``."""
        return all(r["status"] in ("pass", "skipped", "precision") for r in self.rows)

    def failures(self) -> list[dict]:
        """The rows that failed or errored, the most specific diagnosis first (a factor
        measured by finite differences, then any measured factor, then the rest)."""
        bad = [r for r in self.rows if r["status"] in ("fail", "error")]
        return sorted(bad, key=_rank)

    def precision_rows(self) -> list[dict]:
        """The rows whose error is the model's lower precision (they do not fail it)."""
        return [r for r in self.rows if r["status"] == "precision"]

    def summary(self) -> str:
        """One line: the verdict and, for a failing report, its most specific diagnosis."""
        bad = self.failures()
        if bad:
            r = bad[0]
            return (f"FAILED: {len(bad)} row(s); most specific: {r['check']} / "
                    f"{r['property']} / frame {r.get('frame')}: {r['diagnosis']}")
        n = len(self.precision_rows())
        return "PASSED" + (f" ({n} row(s) at float32 rounding: precision, not symmetry)"
                           if n else "")

    def policy(self) -> str:
        """The tolerance policy of the report in words: dtype, factors and scales."""
        return (f"tolerances in {self.dtype} (outputs look {self.observed_dtype}): "
                + "; ".join(f"{k}: {c:g} eps x scale" for k, (c, _) in MODEL_POLICIES.items())
                + "; scales: forces max(|F|, stiffness x 1 A), energy |E| + sum|e_i| + "
                "N F_s x 0.25 A, stress E_s / V; finite differences (4th order): "
                "24 eps E_s / h + 2 |FD(h) - FD(2h)|")

    def __str__(self) -> str:
        lines = [f"check_model: {self.summary()}; properties {', '.join(self.properties)}",
                 self.policy(),
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
                                      "observed": self.observed,
                                      "properties": self.properties, "policy": self.policy(),
                                      "summary": self.summary(), "rows": self.rows},
                                     default=_jsonable))


def _jsonable(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return str(value)


def _as_frames(frames) -> list:
    if hasattr(frames, "positions"):
        return [frames]
    if isinstance(frames, (str, bytes)):
        raise TypeError("frames must be an ase.Atoms or a non-empty list of ase.Atoms, not "
                        f"{type(frames).__name__}")
    frames = list(frames)
    if not frames or not all(hasattr(f, "positions") for f in frames):
        raise TypeError("frames must be an ase.Atoms or a non-empty list of ase.Atoms")
    for k, f in enumerate(frames):
        if len(f) == 0:
            raise ValueError(f"frames[{k}] has 0 atoms; every frame needs at least one atom "
                             "(there is nothing to check on an empty structure)")
    return frames


def _periodic_3d(frame) -> bool:
    return bool(frame.pbc.all() and frame.cell.rank == 3)


def _default_properties(calculator, frames) -> list:
    """What the calculator implements among :data:`PROPERTIES` (stress where any frame is
    periodic in 3D; each frame then checks what applies to it)."""
    implemented = getattr(calculator, "implemented_properties", None)
    if implemented is None:
        return ["energy", "forces"]
    names = [p for p in PROPERTIES if p in implemented]
    if "stress" in names and not any(_periodic_3d(f) for f in frames):
        names.remove("stress")
    return names


def _check_properties(properties) -> list:
    if isinstance(properties, str):
        properties = [properties]
    names = list(properties)
    for name in names:
        if name not in PROPERTIES:
            raise ValueError(f"properties contains {name!r}; each must be one of {PROPERTIES}")
    return names


def _skipped(name, k, why) -> dict:
    return {"check": "properties", "slug": "-", "property": name, "frame": k,
            "error": float("nan"), "tolerance": float("nan"), "status": "skipped",
            "diagnosis": why}


def _observed(names, bases) -> dict:
    """property -> "float32" when all its values over all frames are float32 numbers."""
    out = {}
    for n in names:
        values = [b[n] for b in bases if isinstance(b.get(n), np.ndarray)]
        if values:
            out[n] = "float32" if float32_valued(values) else "float64"
    return out


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
    ``energy, forces, stress, dipole, polarizability``; each frame checks those that apply
    to it (stress only on 3D-periodic frames; a property left out on a frame is a visible
    ``skipped`` row). ``checks`` (slugs of :data:`o3ref.verify.models.checks.CHECKS`, or the
    old long names) default to all. ``dtype`` (the policy) defaults to float32 when every
    property's outputs are exactly float32 numbers, float64 otherwise; a property that alone
    is float32 is then reported as ``precision`` where its error is at float32 rounding.
    A frame with 0 atoms is refused (``ValueError``); an exception inside o3ref propagates.
    """
    from ..progress import progress
    from .scales import frame_scales

    frames = _as_frames(frames)
    names = _check_properties(properties) if properties is not None else _default_properties(
        calculator, frames)
    selected = list(CHECKS) if checks is None else resolve_checks(checks)
    rng = np.random.default_rng(seed)
    per_frame = [[n for n in names if n != "stress" or _periodic_3d(f)] for f in frames]
    bases = [evaluate(calculator, f, p) for f, p in zip(frames, per_frame, strict=True)]
    measured = [frame_scales(calculator, f, b, evaluate, p)
                for f, b, p in zip(frames, bases, per_frame, strict=True)]
    scales = [m[0] for m in measured]
    observed = _observed(names, bases + [m[1] for m in measured])
    kinds = set(observed.values())
    overall = ("float32" if kinds == {"float32"} else "float64" if kinds <= {"float64"} else
               "mixed (" + ", ".join(f"{n} {d}" for n, d in observed.items()) + ")")
    policy = np.dtype(dtype) if dtype is not None else np.dtype(
        np.float32 if kinds == {"float32"} else np.float64)
    report = ModelReport(dtype=policy.name, observed_dtype=overall, properties=names,
                         observed=observed)
    for k, base in enumerate(bases):
        for name in names:
            if name not in per_frame[k]:
                report.rows.append(_skipped(name, k, f"{name} not checked on frame {k}: it "
                                            "is not periodic along all three axes"))
        for name, message in base.items():
            if isinstance(message, str):
                report.rows.append(error_row("evaluation", name, message, frame=k))
    floor = {n: max(float(np.abs(b[n]).max(initial=0.0)) for b in bases
                    if isinstance(b.get(n), np.ndarray)) for n in names
             if n not in ("energy", "forces", "stress")
             and any(isinstance(b.get(n), np.ndarray) for b in bases)}
    tasks = [(c, k) for c in selected for k in range(len(frames))]
    for check, k in progress(tasks, desc="check-model", quiet=quiet):
        base = bases[k]
        present = tuple(n for n in per_frame[k] if isinstance(base.get(n), np.ndarray))
        if not present:
            continue
        ctx = Context(calculator, present, policy, rng, n_rotations, fd_atoms,
                      {n: np.dtype(d) for n, d in observed.items()}, floor, scales[k],
                      dtype is not None)
        for row in CHECKS[check](ctx, frames[k], base):
            row["slug"] = check
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
