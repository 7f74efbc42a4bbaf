"""The checks of a whole model (an ASE calculator), one function per check.

Each check takes a :class:`Context` (the calculator, the policy dtype, the random generator)
and one frame with its base evaluation, and returns rows ``dict(check, property, error,
tolerance, status, diagnosis)``. :func:`o3ref.verify.models.check_model` runs them.

Properties and how they transform under an orthogonal ``S`` (positions ``r -> S r``, cell
rows ``a -> S a``): ``energy`` invariant; ``forces`` ``F -> F S^T`` (rows); ``stress`` (ASE's
Voigt order ``xx yy zz yz xz xy``, read as the symmetric 3x3) ``-> S sigma S^T``; ``dipole``
(a polar vector) ``-> S d``; ``polarizability`` ``-> S alpha S^T``.

Tolerances: :func:`o3ref.verify.tolerances.model_tolerance` with the scale of each property
(its largest value in the base evaluation, at least its largest over all frames; for the
energy ``|E| + N max|F| x 1 A``, the size of the per-atom terms a model sums; for the stress
at least that over the volume, a virial summed over every atom); checks that round the
positions multiply it by
``max(1, max|r| / 1 A)``. An error above the policy of float64 but within the same policy in
float32, for a model whose outputs are all float32 numbers, is reported as ``precision``, not
as a broken symmetry.

Conventions: :mod:`o3ref.reference.conventions` (active rotations; an improper rotation is
``-R``).

>>> ops = signed_permutations()
>>> len(ops), int(sum(np.linalg.det(ops) > 0))
(48, 24)
"""

from __future__ import annotations

import itertools

import numpy as np

from ..tolerances import fd_step
from .rows import Context, error_row, fd_row

__all__ = ["CHECKS", "PROPERTIES", "Context", "evaluate", "signed_permutations"]

PROPERTIES = ("energy", "forces", "stress", "dipole", "polarizability")


def signed_permutations() -> np.ndarray:
    """The 48 matrices of O_h: every permutation of the axes with every choice of signs
    (exact in floating point: applying one only moves and negates numbers)."""
    out = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((1.0, -1.0), repeat=3):
            m = np.zeros((3, 3))
            m[np.arange(3), perm] = signs
            out.append(m)
    return np.array(out)


def _voigt_to_matrix(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    if v.shape == (3, 3):
        return v
    xx, yy, zz, yz, xz, xy = v
    return np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])


def evaluate(calculator, atoms, properties) -> dict:
    """``{name: float64 array}`` for each property, or ``{name: "message"}`` when the
    calculator raised, lacks it, or returned a non-finite value."""
    out = {}
    frame = atoms.copy()
    frame.calc = calculator
    for name in properties:
        try:
            value = calculator.get_property(name, frame)
        except Exception as exc:  # noqa: BLE001 - a model's failure is a row of the report
            kind = type(exc).__name__
            out[name] = (f"calculator does not provide {name!r} ({kind})"
                         if kind == "PropertyNotImplementedError"
                         else f"calculator raised {kind}: {exc}".splitlines()[0])
            continue
        if value is None:
            out[name] = f"calculator returned None for {name!r}"
            continue
        arr = np.asarray(value, dtype=np.float64)
        if name == "stress":
            arr = _voigt_to_matrix(arr)
        if not np.all(np.isfinite(arr)):
            out[name] = f"calculator returned non-finite values (NaN or inf) for {name!r}"
            continue
        out[name] = arr
    return out


def transform(name: str, value: np.ndarray, S: np.ndarray) -> np.ndarray:
    """The expected value of property ``name`` after the structure moved by ``S``."""
    if name == "energy":
        return value
    if name == "forces":
        return value @ S.T
    if name == "dipole":
        return S @ value
    return S @ value @ S.T  # stress, polarizability


def float32_valued(values) -> bool:
    """Whether every value is exactly a float32 number (a model computing in float32 and
    handing back float64 copies)."""
    arrays = [np.ravel(v) for v in values if isinstance(v, np.ndarray) and v.size]
    if not arrays:
        return False
    flat = np.concatenate(arrays)
    return bool(np.any(flat != 0) and np.all(flat.astype(np.float32).astype(np.float64) == flat))


def _compare_op(ctx, check, frame, base, ops, policy, length=1.0, expect=None, diagnose=None):
    """Evaluate ``frame`` moved by each ``op`` and compare every property with the expected
    value. ``ops`` yields ``(label, moved frame, S or None, property map)``."""
    worst = {n: (0.0, None) for n in ctx.properties if isinstance(base.get(n), np.ndarray)}
    flipped = dict.fromkeys(worst, 0.0)
    errors = {}
    for label, moved, S, mapping in ops:
        got = evaluate(ctx.calculator, moved, list(worst))
        for name in worst:
            if isinstance(got[name], str):
                errors.setdefault(name, f"{label}: {got[name]}")
                continue
            want = (expect(name, base[name], label) if expect is not None
                    else transform(name, base[name], S) if S is not None else base[name])
            if mapping is not None:
                want = mapping(name, want)
            if want.shape != got[name].shape:
                errors.setdefault(name, f"{label}: shape {got[name].shape}, expected "
                                        f"{want.shape}")
                continue
            err = float(np.abs(got[name] - want).max(initial=0.0))
            if err > worst[name][0]:
                worst[name] = (err, label)
            if S is not None and np.linalg.det(S) < 0 and name != "energy":
                flipped[name] = max(flipped[name], float(np.abs(got[name] + want).max(
                    initial=0.0)))
    rows = []
    for name, (err, label) in worst.items():
        if name in errors:
            rows.append(error_row(check, name, errors[name]))
            continue
        scale = ctx.scale(name, base, length, frame)
        why = diagnose(name, err, label, flipped[name], scale) if diagnose else ""
        rows.append(ctx.row(check, name, err, scale, policy, why,
                            {"worst": label} if label else None))
    return rows


def _rotated(frame, S):
    out = frame.copy()
    out.set_positions(frame.get_positions() @ S.T)
    if frame.cell.rank:
        out.set_cell(np.asarray(frame.cell) @ S.T, scale_atoms=False)
    return out


def _symmetry_diagnosis(kind):
    def diagnose(name, err, label, flipped, scale):
        if kind == "improper" and name in ("dipole", "forces") and flipped < err / 100:
            return (f"{name} transforms as a pseudo-vector (axial): right under rotations, "
                    f"wrong under inversion and mirrors (worst: {label})")
        if kind == "improper":
            return f"{name} breaks inversion/mirror symmetry (worst: {label})"
        return (f"{name} is not {'invariant' if name == 'energy' else 'equivariant'} under "
                f"rotations (worst: {label}): a term depending on absolute directions or "
                "coordinates")
    return diagnose


def check_oh(ctx, frame, base):
    """The 48 signed permutations of O_h (exact), split into proper and improper."""
    rows = []
    for kind, sign in (("proper", 1), ("improper", -1)):
        ops = [(f"signed permutation {np.array2string(S.astype(int), separator=',')}"
                .replace("\n", ""), _rotated(frame, S), S, None)
               for S in signed_permutations()
               if np.sign(np.linalg.det(S)) == sign and not np.array_equal(S, np.eye(3))]
        rows += _compare_op(ctx, f"O_h ({kind})", frame, base, ops, "exact",
                            diagnose=_symmetry_diagnosis(kind))
    return rows


def check_rotations(ctx, frame, base):
    """Random proper rotations and their negatives (improper)."""
    from ..properties import random_rotations

    proper = random_rotations(ctx.n_rotations, int(ctx.rng.integers(1 << 30)))
    length = float(np.abs(frame.get_positions()).max(initial=1.0))
    rows = []
    for kind, rotations in (("proper", proper), ("improper", -proper)):
        ops = [(f"random {kind} rotation {k}", _rotated(frame, S), S, None)
               for k, S in enumerate(rotations)]
        rows += _compare_op(ctx, f"rotations ({kind})", frame, base, ops, "rounded", length,
                            diagnose=_symmetry_diagnosis(kind))
    return rows


def check_translation(ctx, frame, base):
    t = ctx.rng.uniform(-3.0, 3.0, size=3)
    moved = frame.copy()
    moved.set_positions(frame.get_positions() + t)
    length = float(np.abs(moved.get_positions()).max(initial=1.0))

    def diagnose(name, err, label, flipped, scale):
        return f"{name} changes under a rigid translation: it depends on absolute positions"
    return _compare_op(ctx, "translation", frame, base,
                       [(f"translation {np.round(t, 3).tolist()}", moved, None, None)],
                       "rounded", length, diagnose=diagnose)


def check_permutation(ctx, frame, base):
    numbers = frame.numbers
    perm = np.arange(len(frame))
    for z in np.unique(numbers):
        idx = np.flatnonzero(numbers == z)
        perm[idx] = ctx.rng.permutation(idx)
    moved = frame[perm]

    def mapping(name, value):
        return value[perm] if name == "forces" else value

    def diagnose(name, err, label, flipped, scale):
        return f"{name} depends on the order of atoms of the same species"
    return _compare_op(ctx, "permutation", frame, base,
                       [("permutation of same-species atoms", moved, None, mapping)],
                       "exact", diagnose=diagnose)


def _needs_3d_cell(check, frame, properties):
    if frame.pbc.all() and frame.cell.rank == 3:
        return None
    return [{"check": check, "property": "-", "error": float("nan"),
             "tolerance": float("nan"), "status": "skipped",
             "diagnosis": "needs a frame periodic along all three axes"}]


def check_periodic_images(ctx, frame, base):
    """Atoms moved by whole lattice vectors (wrapped or unwrapped: the same structure)."""
    skip = _needs_3d_cell("periodic images", frame, ctx.properties)
    if skip:
        return skip
    shifts = ctx.rng.integers(-1, 2, size=(len(frame), 3))
    moved = frame.copy()
    moved.set_positions(frame.get_positions() + shifts @ np.asarray(frame.cell))
    length = float(np.abs(moved.get_positions()).max(initial=1.0))

    def diagnose(name, err, label, flipped, scale):
        return f"{name} changes when atoms move to periodic images: images not handled"
    return _compare_op(ctx, "periodic images", frame, base,
                       [("atoms moved by lattice vectors", moved, None, None)], "rounded",
                       length, diagnose=diagnose)


def check_supercell(ctx, frame, base):
    """A 2x1x1 supercell: energy doubled, forces repeated, stress and the rest equal."""
    skip = _needs_3d_cell("supercell", frame, ctx.properties)
    if skip:
        return skip
    big = frame.repeat((2, 1, 1))

    def expect(name, value, label):
        if name == "energy":
            return 2 * value
        if name == "forces":
            return np.concatenate([value, value])
        if name in ("dipole", "polarizability"):
            return 2 * value
        return value

    def diagnose(name, err, label, flipped, scale):
        return (f"{name} of a 2x1x1 supercell is not the cell's (x 2 where extensive): "
                "interactions with periodic images are wrong")
    return _compare_op(ctx, "supercell", frame, base, [("2x1x1 supercell", big, None, None)],
                       "rounded", 2.0, expect=expect, diagnose=diagnose)


def check_unimodular(ctx, frame, base):
    """The same lattice spanned by other vectors: ``a1' = a1 + a2`` (det 1), atoms wrapped."""
    skip = _needs_3d_cell("equivalent cell", frame, ctx.properties)
    if skip:
        return skip
    U = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    other = frame.copy()
    other.set_cell(U @ np.asarray(frame.cell), scale_atoms=False)
    other.wrap()
    length = float(np.abs(other.get_positions()).max(initial=1.0))

    def diagnose(name, err, label, flipped, scale):
        return f"{name} depends on the choice of cell vectors for one lattice"
    return _compare_op(ctx, "equivalent cell", frame, base,
                       [("cell (a1 + a2, a2, a3), wrapped", other, None, None)], "rounded",
                       length, diagnose=diagnose)


def check_forces_fd(ctx, frame, base):
    """``F = -dE/dr`` by central differences on a few atoms, every axis."""
    if not isinstance(base.get("forces"), np.ndarray):
        return []
    h = fd_step(ctx.dtype)
    n = len(frame)
    chosen = ctx.rng.choice(n, size=min(n, ctx.fd_atoms), replace=False)
    analytic, fd1, fd2 = [], [], []
    for a in sorted(chosen):
        for axis in range(3):
            e = {}
            for mult in (1, -1, 2, -2):
                moved = frame.copy()
                pos = moved.get_positions()
                pos[a, axis] += mult * h
                moved.set_positions(pos)
                got = evaluate(ctx.calculator, moved, ["energy"])["energy"]
                if isinstance(got, str):
                    return [error_row("forces = -dE/dr", "forces", got)]
                e[mult] = float(got)
            fd1.append(-(e[1] - e[-1]) / (2 * h))
            fd2.append(-(e[2] - e[-2]) / (4 * h))
            analytic.append(base["forces"][a, axis])
    analytic, fd1, fd2 = map(np.array, (analytic, fd1, fd2))
    return [fd_row(ctx, "forces = -dE/dr", "forces", analytic, fd1, fd2, h,
                    ctx.scale("energy", base), "-dE/dr")]


def check_stress_fd(ctx, frame, base):
    """``stress = (1/V) dE/d(strain)`` by central differences of the six strains."""
    if not isinstance(base.get("stress"), np.ndarray):
        return []
    skip = _needs_3d_cell("stress = dE/dstrain / V", frame, ctx.properties)
    if skip:
        return skip
    h = fd_step(ctx.dtype)
    volume = frame.get_volume()
    analytic, fd1, fd2 = [], [], []
    for i, j in ((0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)):
        e = {}
        for mult in (1, -1, 2, -2):
            strain = np.eye(3)
            strain[i, j] += mult * h / (1 if i == j else 2)
            strain[j, i] = strain[i, j] if i != j else strain[i, i]
            moved = frame.copy()
            moved.set_cell(np.asarray(frame.cell) @ strain, scale_atoms=True)
            got = evaluate(ctx.calculator, moved, ["energy"])["energy"]
            if isinstance(got, str):
                return [error_row("stress = dE/dstrain / V", "stress", got)]
            e[mult] = float(got)
        fd1.append((e[1] - e[-1]) / (2 * h * volume))
        fd2.append((e[2] - e[-2]) / (4 * h * volume))
        analytic.append(base["stress"][i, j])
    analytic, fd1, fd2 = map(np.array, (analytic, fd1, fd2))
    return [fd_row(ctx, "stress = dE/dstrain / V", "stress", analytic, fd1, fd2, h,
                    ctx.scale("energy", base) / volume, "(1/V) dE/dstrain")]


#: check name -> function(ctx, frame, base) -> rows
CHECKS = {
    "O_h": check_oh,
    "rotations": check_rotations,
    "translation": check_translation,
    "permutation": check_permutation,
    "periodic images": check_periodic_images,
    "supercell": check_supercell,
    "equivalent cell": check_unimodular,
    "forces = -dE/dr": check_forces_fd,
    "stress = dE/dstrain / V": check_stress_fd,
}
