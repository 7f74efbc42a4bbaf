"""The checks of a whole model (an ASE calculator), one function per check.

Each check takes a :class:`Context` (the calculator, the policy dtype, the random generator)
and one frame with its base evaluation, and returns rows ``dict(check, property, error,
tolerance, status, diagnosis)``. :func:`o3ref.verify.models.check_model` runs them.

Properties and how they transform under an orthogonal ``S`` (positions ``r -> S r``, cell
rows ``a -> S a``): ``energy`` invariant; ``forces`` ``F -> F S^T`` (rows); ``stress`` (ASE's
Voigt order ``xx yy zz yz xz xy``, read as the symmetric 3x3) ``-> S sigma S^T``; ``dipole``
(a polar vector) ``-> S d``; ``polarizability`` ``-> S alpha S^T``.

Tolerances: :func:`o3ref.verify.tolerances.model_tolerance` with the scale of each property
from :func:`o3ref.verify.models.scales.frame_scales` (what the model computed: its stiffness
from one rattled copy, its per-atom energies, the cell's stress scale; never an output that
vanishes by symmetry); checks that round the positions multiply it by
``max(1, max|r| / 1 A)``. Finite differences are fourth order
(:func:`o3ref.verify.tolerances.fd_step` ``order=4``). A property whose outputs are all
float32 numbers, checked under the float64 policy, is reported as ``precision`` (naming the
property and its dtype) where its error is within the same policy in float32.

Check slugs (:data:`CHECKS`, typed on the command line): ``oh-proper, oh-improper,
rotations, translation, permutation, periodic-images, supercell, equivalent-cell,
forces-fd, stress-fd``; the old long names are accepted (:data:`ALIASES`).

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
from .rows import Context, _factor_text, error_row, fd_row

__all__ = ["ALIASES", "CHECKS", "DESCRIPTIONS", "PROPERTIES", "Context", "evaluate",
           "resolve_checks", "signed_permutations"]

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


def _factor(got, want):
    """The constant ``c`` with ``got = c want`` when one fits (not 1), else None."""
    denom = float(np.sum(want * want))
    if denom == 0:
        return None
    c = float(np.sum(got * want)) / denom
    fits = float(np.abs(got - c * want).max()) <= 1e-6 * float(np.abs(want).max())
    return c if fits and abs(c - 1) > 1e-6 else None


def _compare_op(ctx, check, frame, base, ops, policy, length=1.0, expect=None, diagnose=None):
    """Evaluate ``frame`` moved by each ``op`` and compare every property with the expected
    value. ``ops`` yields ``(label, moved frame, S or None, property map)``."""
    worst = {n: (0.0, None) for n in ctx.properties if isinstance(base.get(n), np.ndarray)}
    flipped = dict.fromkeys(worst, 0.0)
    factors = dict.fromkeys(worst)
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
                factors[name] = _factor(got[name], want)
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
        if factors[name] is not None:
            why = f"measured {name} = {_factor_text(factors[name])} x expected; " + why
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


def _check_oh(ctx, frame, base, kind):
    """The 24 proper or 24 improper signed permutations of O_h (exact)."""
    sign = 1 if kind == "proper" else -1
    ops = [(f"signed permutation {np.array2string(S.astype(int), separator=',')}"
            .replace("\n", ""), _rotated(frame, S), S, None)
           for S in signed_permutations()
           if np.sign(np.linalg.det(S)) == sign and not np.array_equal(S, np.eye(3))]
    return _compare_op(ctx, f"O_h ({kind})", frame, base, ops, "exact",
                       diagnose=_symmetry_diagnosis(kind))


def check_oh_proper(ctx, frame, base):
    """The 23 proper signed permutations of O_h other than the identity (exact)."""
    return _check_oh(ctx, frame, base, "proper")


def check_oh_improper(ctx, frame, base):
    """The 24 improper signed permutations of O_h (exact)."""
    return _check_oh(ctx, frame, base, "improper")


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


def _fd4(ctx, frame, name, moves, h, scale):
    """Fourth-order central differences of the energy along each move ``(index, apply)``:
    ``apply(frame, t)`` returns the frame moved by ``t``. Returns ``(fd(h), fd(2h))`` or an
    error message; ``fd(2h)`` estimates the truncation error of ``fd(h)`` (16 times its)."""
    fd1, fd2 = [], []
    for apply in moves:
        e = {}
        for mult in (1, -1, 2, -2, 4, -4):
            got = evaluate(ctx.calculator, apply(frame, mult * h), ["energy"])["energy"]
            if isinstance(got, str):
                return got
            e[mult] = float(got)
        fd1.append((8 * (e[1] - e[-1]) - (e[2] - e[-2])) / (12 * h))
        fd2.append((8 * (e[2] - e[-2]) - (e[4] - e[-4])) / (24 * h))
    return np.array(fd1) / scale, np.array(fd2) / scale


def check_forces_fd(ctx, frame, base):
    """``F = -dE/dr`` by fourth-order central differences on a few atoms, every axis."""
    if not isinstance(base.get("forces"), np.ndarray) or not isinstance(
            base.get("energy"), np.ndarray):
        return []
    h = fd_step(ctx.dtype, order=4)
    chosen = sorted(ctx.rng.choice(len(frame), size=min(len(frame), ctx.fd_atoms),
                                   replace=False))

    def mover(a, axis):
        def apply(f, t):
            moved = f.copy()
            pos = moved.get_positions()
            pos[a, axis] += t
            moved.set_positions(pos)
            return moved
        return apply
    got = _fd4(ctx, frame, "forces", [mover(a, x) for a in chosen for x in range(3)], h, -1.0)
    if isinstance(got, str):
        return [error_row("forces = -dE/dr", "forces", got)]
    analytic = np.array([base["forces"][a, x] for a in chosen for x in range(3)])
    return [fd_row(ctx, "forces = -dE/dr", "forces", analytic, got[0], got[1], h,
                   ctx.scale("energy", base), "-dE/dr", ctx.scale("forces", base))]


def check_stress_fd(ctx, frame, base):
    """``stress = (1/V) dE/d(strain)`` by fourth-order central differences of the six
    strains."""
    if not isinstance(base.get("stress"), np.ndarray) or not isinstance(
            base.get("energy"), np.ndarray):
        return []
    skip = _needs_3d_cell("stress = dE/dstrain / V", frame, ctx.properties)
    if skip:
        return skip
    h = fd_step(ctx.dtype, order=4)
    volume = frame.get_volume()
    pairs = ((0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1))

    def strainer(i, j):
        def apply(f, t):
            strain = np.eye(3)
            strain[i, j] += t / (1 if i == j else 2)
            strain[j, i] = strain[i, j]
            moved = f.copy()
            moved.set_cell(np.asarray(f.cell) @ strain, scale_atoms=True)
            return moved
        return apply
    got = _fd4(ctx, frame, "stress", [strainer(i, j) for i, j in pairs], h, volume)
    if isinstance(got, str):
        return [error_row("stress = dE/dstrain / V", "stress", got)]
    analytic = np.array([base["stress"][i, j] for i, j in pairs])
    return [fd_row(ctx, "stress = dE/dstrain / V", "stress", analytic, got[0], got[1], h,
                   ctx.scale("energy", base) / volume, "(1/V) dE/dstrain",
                   ctx.scale("stress", base))]


#: check slug (typed on the command line) -> function(ctx, frame, base) -> rows
CHECKS = {
    "oh-proper": check_oh_proper,
    "oh-improper": check_oh_improper,
    "rotations": check_rotations,
    "translation": check_translation,
    "permutation": check_permutation,
    "periodic-images": check_periodic_images,
    "supercell": check_supercell,
    "equivalent-cell": check_unimodular,
    "forces-fd": check_forces_fd,
    "stress-fd": check_stress_fd,
}

#: check slug -> what it checks (the ``check`` field of its rows starts with these words)
DESCRIPTIONS = {
    "oh-proper": "O_h (proper): the 23 proper signed permutations of the axes but 1 (exact)",
    "oh-improper": "O_h (improper): the 24 improper signed permutations (exact)",
    "rotations": "rotations (proper) and (improper): random rotations and their negatives",
    "translation": "translation: a rigid translation",
    "permutation": "permutation: a relabelling of same-species atoms",
    "periodic-images": "periodic images: atoms moved by lattice vectors",
    "supercell": "supercell: a 2x1x1 supercell (extensive properties x 2)",
    "equivalent-cell": "equivalent cell: cell (a1 + a2, a2, a3), atoms wrapped",
    "forces-fd": "forces = -dE/dr: fourth-order central differences of the energy",
    "stress-fd": "stress = dE/dstrain / V: fourth-order central differences of the energy",
}

#: names accepted for backward compatibility -> the slugs they stand for
ALIASES = {
    "O_h": ("oh-proper", "oh-improper"), "oh": ("oh-proper", "oh-improper"),
    "periodic images": ("periodic-images",), "equivalent cell": ("equivalent-cell",),
    "forces = -dE/dr": ("forces-fd",), "stress = dE/dstrain / V": ("stress-fd",),
}


def resolve_checks(checks) -> list:
    """Check names (slugs, or the old long names of :data:`ALIASES`) -> slugs, in the order
    of :data:`CHECKS`, each once; ``ValueError`` naming ``checks``, the name and the slugs."""
    if isinstance(checks, str):
        checks = [checks]
    wanted = set()
    for name in checks:
        if not isinstance(name, str):
            raise TypeError(f"checks contains {name!r}; each must be a check name (str)")
        if name in CHECKS:
            wanted.add(name)
        elif name in ALIASES:
            wanted.update(ALIASES[name])
        else:
            raise ValueError(f"checks contains {name!r}; each must be one of "
                             f"{', '.join(CHECKS)}")
    if not wanted:
        raise ValueError("checks is empty; name at least one of " + ", ".join(CHECKS))
    return [c for c in CHECKS if c in wanted]
