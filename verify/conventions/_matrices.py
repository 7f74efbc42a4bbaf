"""Convention detection for Wigner D matrices and Clebsch-Gordan arrays (the spherical
harmonics and the entry point, :func:`o3ref.verify.detect_convention`, are in
:mod:`o3ref.verify.conventions.detect`).

``kind="wigner_d"``: the implementation is called at random arguments (Euler angles, matrices
or quaternions, as it ``takes``). For each way of reading that argument as a rotation ``R``
(12 Euler sequences x intrinsic/extrinsic x active/passive; a matrix or its transpose; a
quaternion scalar first or last, or its conjugate), the matrix ``T`` with
``other(R) T = T D_real(R)`` for every probe is solved for (a linear null space: by Schur's
lemma it is unique up to a factor when the reading is right), first at ``l = 1``, where
``D_real = P R P^T`` costs nothing, then at every ``l``; ``T`` is then read as a complex basis,
an ``m`` order and sign rules (:mod:`o3ref.verify.conventions._search`). Only when no reading fits
are the 23 other axes tried (the rotation conjugated by a proper signed axis permutation
``B``, as cuequivariance's D takes its rotation in e3nn's axes: ``D_cue(B R B^T) = D_real(R)``).

``kind="cg"``: for each basis, ``m`` order and per-``m`` sign rule (simplest first) the
arrays are taken back to o3ref's basis; where every triple is then a multiple of o3ref's
real CG, the multiples are read as a CG normalisation times triple sign rules.

Conventions: :mod:`o3ref.reference.conventions`.

>>> from o3ref import fast
>>> from o3ref.verify import detect_convention
>>> def cg(l1, l2, L):  # the cuequivariance / e3x sign rule
...     return (-1) ** ((l1 + l2 - L) // 2) * fast.real_clebsch_gordan(l1, l2, L)
>>> report = detect_convention(cg, "cg")
>>> report.convention, [p.name for p in report.map.pieces]
('cuequivariance / e3x CG', ['(-1)^floor((l1+l2-L)/2)'])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from ._probes import ConventionReport, _call, _close, _ours_d, _tol, _u
from ._search import read_monomial, read_pieces
from .maps import (
    CG_NORMALISATIONS,
    CG_SIGNS,
    FRAME_CHOICES,
    M_ORDERS,
    ROTATION_CHOICES,
    SH_SIGNS,
    THIRD_REVERSED,
    ConventionMap,
    complex_basis,
)

__all__: list[str] = []

# ---------------------------------------------------------------- Wigner D


def _axis_rotation(axis: int, t: float) -> np.ndarray:
    c, s = np.cos(t), np.sin(t)
    i, j = [(1, 2), (2, 0), (0, 1)][axis]  # x: (y, z); y: (z, x); z: (x, y)
    R = np.eye(3)
    R[i, i], R[i, j], R[j, i], R[j, j] = c, -s, s, c
    return R


def _quaternion_matrix(q) -> np.ndarray:
    from o3ref import fast

    q = np.asarray(q, dtype=np.float64)
    return np.asarray(fast.quaternion_to_matrix(q / np.linalg.norm(q)))


def _rotation_of(piece, arg) -> np.ndarray:
    """The rotation o3ref sees when the library reads ``arg`` as ``piece`` says."""
    p = dict(piece.params)
    if p["takes"] == "euler":
        (a1, a2, a3), (t1, t2, t3) = p["axes"], arg
        mats = [_axis_rotation(a1, t1), _axis_rotation(a2, t2), _axis_rotation(a3, t3)]
        R = mats[2] @ mats[1] @ mats[0] if p["extrinsic"] else mats[0] @ mats[1] @ mats[2]
    elif p["takes"] == "matrix":
        R = np.asarray(arg, dtype=np.float64)
    else:
        q = np.asarray(arg, dtype=np.float64)
        R = _quaternion_matrix(q if p["scalar_first"] else q[[3, 0, 1, 2]])
    return R.T if p["passive"] else R


def _probe_args(takes: str, rng, n: int):
    if takes == "euler":
        return [tuple(float(v) for v in rng.uniform(-np.pi, np.pi, 3)) for _ in range(n)]
    if takes == "quaternion":
        return [q / np.linalg.norm(q) for q in rng.standard_normal((n, 4))]
    from ..properties import random_rotations

    return list(random_rotations(n, int(rng.integers(1 << 30))))


_P1 = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=float)  # (x, y, z) -> (y, z, x)


def _ours_d_of(l: int, R: np.ndarray) -> np.ndarray:
    if l == 0:
        return np.ones((1, 1))
    if l == 1:  # D_real^1(R) = P R P^T (CONVENTIONS.md), no oracle call needed
        return _P1 @ R @ _P1.T
    from ..properties import matrix_to_euler

    return _ours_d(l, *(float(v) for v in matrix_to_euler(R)))


def _basis_inverse(basis, l: int) -> np.ndarray:
    if basis is None:
        return np.eye(2 * l + 1)
    u = np.conj(_u(l)) if basis.params == ("conj U",) else _u(l)
    return np.conj(u).T  # U is unitary


def _fast_d(l: int, R: np.ndarray) -> np.ndarray:
    if l <= 1:
        return np.ones((1, 1)) if l == 0 else _P1 @ R @ _P1.T  # D_real^1 = P R P^T
    from o3ref import fast

    return np.asarray(fast.wigner_D_real_blocks(l, R.reshape(1, 3, 3))[l][0])


def _intertwiner(others, ours, rtol):
    """``T`` (unit norm) with ``other_k T = T ours_k`` for every k, or None."""
    d = ours[0].shape[0]
    eye = np.eye(d)
    rows = [np.kron(eye, o) - np.kron(u.T, eye) for o, u in zip(others, ours, strict=True)]
    _, s, vh = np.linalg.svd(np.concatenate(rows), full_matrices=False)
    if s[-1] > rtol * max(1.0, s[0]) or (d > 1 and s[-2] <= rtol * max(1.0, s[0])):
        return None
    return np.conj(vh[-1]).reshape(d, d, order="F")


def _detect_d(func: Callable, l_max: int, seed: int, takes: str) -> ConventionReport:
    rng = np.random.default_rng(seed)
    args = _probe_args(takes, rng, 3)
    shape = {l: (2 * l + 1, 2 * l + 1) for l in range(l_max + 1)}
    got = {(l, k): _call(func, (l, a), shape[l], "kind='wigner_d' expects (2l+1, 2l+1)")
           if takes != "euler" else
           _call(func, (l, *a), shape[l], "kind='wigner_d' expects (2l+1, 2l+1)")
           for l in range(l_max + 1) for k, a in enumerate(args)}
    is_complex = any(np.iscomplexobj(v) and np.max(np.abs(v.imag)) > 1e-6 for v in got.values())
    tol = _tol(np.concatenate([v.ravel() for v in got.values()]))
    bases = [(complex_basis(True), True), (complex_basis(), False)] if is_complex else [
        (None, None)]
    # readings in o3ref's axes first; the rotation taken in other axes only when none fits
    for frames in ([None], FRAME_CHOICES):
        found = _d_candidates(got, args, l_max, takes, bases, frames, tol)
        for cmap in sorted(found, key=lambda c: len(c.visible)):  # the simplest first
            report = _d_report(func, cmap, l_max, takes, got, args, tol)
            if report is not None:
                return report
    findings = []
    for (l, k), v in got.items():
        if k == 0 and not np.allclose(v @ np.conj(v.T), np.eye(2 * l + 1), atol=1e-6):
            findings.append(f"l = {l}: the matrix is not unitary/orthogonal")
    return ConventionReport("wigner_d", False, None, _first_d_difference(got, args, takes, tol),
                            "", findings, 0.0)


def _frame_matrix(frame) -> np.ndarray:
    """``B`` of a frame piece: the library's vector ``v = B p`` for o3ref's point ``p``."""
    b = np.zeros((3, 3))
    if frame is None:
        return np.eye(3)
    perm, signs = frame.params
    b[list(perm), [0, 1, 2]] = signs
    return b


def _d_candidates(got, args, l_max, takes, bases, frames, tol) -> list[ConventionMap]:
    """Maps whose reading of the argument (x ``frames``) makes ``got`` similar to o3ref's D
    by a basis change read as a complex basis, an order and signs."""
    found = []
    for piece in ROTATION_CHOICES[takes]:
        read = [_rotation_of(piece, a) for a in args]
        # a similarity keeps the trace: tr D^1(R) = tr R (1 + 2 cos of the angle), so a
        # reading that gives rotations by other angles is out at once (a change of axes
        # keeps the trace too)
        if any(abs(np.trace(got[1, k]) - np.trace(R)) > 3 * tol for k, R in enumerate(read)):
            continue
        for frame in frames:
            b = _frame_matrix(frame)
            rots = [b.T @ R @ b for R in read]  # other(arg) = D_real(B^T R_other B)
            ts = {}
            for l in range(1, l_max + 1):
                # the search runs on o3ref.fast (l = 1 in closed form); the map found is
                # then checked against the reference
                t = _intertwiner([got[l, k] for k in range(len(args))],
                                 [_fast_d(l, R) for R in rots], 1e-6)
                if t is None or not any(read_monomial(t @ _basis_inverse(bs, l), l) is not None
                                        for bs, _ in bases):  # no basis of signs and orders
                    break
                ts[l] = t
            else:
                for basis, _ in bases:
                    mats = {l: t @ _basis_inverse(basis, l) for l, t in ts.items()}
                    pieces = read_pieces(mats, per_l_free=True)
                    if pieces is not None:
                        found.append(ConventionMap("wigner_d", tuple(
                            [piece] + ([frame] if frame else []) + ([basis] if basis else [])
                            + pieces), takes))
    return found


def _d_report(func, cmap, l_max, takes, got, args, tol):
    """The report when ``cmap.convert(func)`` gives o3ref's real D (else None)."""
    from ..properties import matrix_to_euler, random_rotations

    conv = cmap.convert(func)
    err = 0.0
    for R in random_rotations(2, seed=7):
        a = {"euler": tuple(float(v) for v in matrix_to_euler(R)), "matrix": (R,),
             "quaternion": (_quaternion_of(R),)}[takes]
        for l in range(l_max + 1):
            d = _call(conv, (l, *a), (2 * l + 1, 2 * l + 1), "the converted function")
            ours = _ours_d_of(l, R)
            if not _close(d, ours, tol):
                return None
            err = max(err, float(np.max(np.abs(d - ours))))
    first = None if cmap.is_identity else _first_d_difference(got, args, takes, tol)
    desc = cmap.summary()
    return ConventionReport("wigner_d", cmap.is_identity, cmap.name, first, desc, [], err,
                            cmap)


def _quaternion_of(R) -> np.ndarray:
    from o3ref import fast

    return np.asarray(fast.matrix_to_quaternion(np.asarray(R)))


def _standard_complex(l, a, b, g):
    u = _u(l)
    return np.conj(u @ _ours_d(l, a, b, g) @ np.conj(u).T)


def _first_d_difference(got, args, takes, tol) -> str | None:
    """Where ``got`` first differs from o3ref's D (or the standard complex D) at the rotation
    o3ref's own reading of each argument gives."""
    from ..properties import matrix_to_euler

    default = ROTATION_CHOICES[takes][0]
    for (l, k), v in sorted(got.items(), key=lambda kv: kv[0]):
        angles = tuple(float(a) for a in matrix_to_euler(_rotation_of(default, args[k])))
        ref = _ours_d(l, *angles) if not np.iscomplexobj(v) else _standard_complex(l, *angles)
        bad = np.abs(v - ref) > tol
        if np.any(bad):
            i, j = np.unravel_index(int(np.argmax(bad)), bad.shape)
            return f"l = {l}, m' = {i - l}, m = {j - l}"
    return None


# ---------------------------------------------------------------- Clebsch-Gordan


def _ours_cg(l1, l2, L):
    from ..oracle import real_cg

    return real_cg(l1, l2, L)


def _cg_candidates():
    """Partial maps (no per-triple factor yet), the simplest first."""
    orders = [[]] + [[p] for p in M_ORDERS.values()]
    signs = [[]] + [[p] for p in SH_SIGNS.values()]
    out = []
    for basis in (None, complex_basis()):
        thirds = [[]] if basis is None else [[], [THIRD_REVERSED, CG_SIGNS["(-1)^(l1-l2+M)"]],
                                             [THIRD_REVERSED], [CG_SIGNS["(-1)^(l1-l2+M)"]]]
        for order, sign, third in itertools.product(orders, signs, thirds):
            out.append(([basis] if basis else []) + order + sign + third)
    return sorted(out, key=len)


def _cg_triple_pieces(ks: dict, rtol: float = 1e-5):
    """Normalisation and sign rules giving the per-triple multiples ``ks``; None if none."""
    norms = [[]] + [[p] for p in CG_NORMALISATIONS.values()]
    rules = [p for name, p in CG_SIGNS.items() if "M" not in p.formula]
    signs = [[]] + [[p] for p in rules] + [list(c) for c in itertools.combinations(rules, 2)]
    for norm, sign in itertools.product(norms, signs):
        ok = True
        for t, k in ks.items():
            v = 1.0
            for p in norm + sign:
                v *= p.value(*t, 0)
            if abs(k - v) > rtol * abs(v):
                ok = False
                break
        if ok:
            return norm + sign
    return None


def _detect_cg(func: Callable, l_max: int, seed: int) -> ConventionReport:
    triples = [(l1, l2, L) for l1 in range(l_max + 1) for l2 in range(l_max + 1)
               for L in range(abs(l1 - l2), l1 + l2 + 1)]
    got = {t: _call(func, t, (2 * t[0] + 1, 2 * t[1] + 1, 2 * t[2] + 1),
                    "kind='cg' expects (2l1+1, 2l2+1, 2L+1)") for t in triples}
    ours = {t: _ours_cg(*t) for t in triples}
    tol = _tol(np.concatenate([v.ravel() for v in got.values()]))
    is_complex = any(np.iscomplexobj(v) and np.max(np.abs(v.imag)) > 1e-6 for v in got.values())

    def cached(l1, l2, L):
        return got[l1, l2, L]

    for pieces in _cg_candidates():
        conv = ConventionMap("cg", tuple(pieces)).convert(cached)
        ks = {}
        for t in triples:
            c = np.asarray(conv(*t))
            k = float(np.real(np.vdot(ours[t], c) / np.vdot(ours[t], ours[t])))
            if not _close(c, k * ours[t], tol) or abs(k) < 1e-3:
                break
            ks[t] = k
        else:
            extra = _cg_triple_pieces(ks)
            if extra is None:
                continue
            cmap = ConventionMap("cg", tuple(pieces + extra))
            conv = cmap.convert(func)
            err = 0.0
            for t in triples:
                c = _call(conv, t, ours[t].shape, "the converted function")
                if not _close(c, ours[t], tol):
                    break
                err = max(err, float(np.max(np.abs(c - ours[t]))))
            else:
                first = None if cmap.is_identity else _first_cg_difference(got, ours, tol)
                desc = cmap.summary()
                return ConventionReport("cg", cmap.is_identity, cmap.name, first, desc, [],
                                        err, cmap)
    findings = []
    for t, v in got.items():
        ref = ours[t]
        if _close(v, ref, tol):
            continue
        k = np.vdot(ref, v) / np.vdot(ref, ref)
        if _close(v, k * ref, tol):
            findings.append(f"l1 = {t[0]}, l2 = {t[1]}, L = {t[2]}: o3ref's times {k:.6g}")
        else:
            findings.append(f"l1 = {t[0]}, l2 = {t[1]}, L = {t[2]}: not a multiple of o3ref's"
                            + (" (complex values)" if is_complex else ""))
    return ConventionReport("cg", False, None, _first_cg_difference(got, ours, tol), "",
                            findings[:8], 0.0)


def _first_cg_difference(got, ours, tol) -> str | None:
    for t, v in got.items():
        bad = np.abs(v - ours[t]) > tol
        if np.any(bad):
            i, j, k = np.unravel_index(int(np.argmax(bad)), bad.shape)
            return (f"l1 = {t[0]}, l2 = {t[1]}, L = {t[2]}, m1 = {i - t[0]}, m2 = {j - t[1]}, "
                    f"M = {k - t[2]}")
    return None
