"""Convention detection for Wigner D matrices and Clebsch-Gordan arrays (the spherical
harmonics and the entry point, :func:`o3ref.verify.detect_convention`, are in
:mod:`o3ref.verify.detect`).

``kind="wigner_d"``: the implementation's matrices at a few random Euler angles are compared
with o3ref's real (or the standard complex) D under every known convention of
:data:`o3ref.verify.conventions.WIGNER_D_CONVENTIONS`, then under combinations of angle
conventions, transposition/conjugation, basis signs and ordering. ``kind="cg"``: the arrays
for every ``(l1, l2, L)`` with ``l1, l2 <= l_max`` against
:data:`o3ref.verify.conventions.CG_CONVENTIONS`, then with basis signs.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from .detect import ConventionReport, _call, _close, _ours_d, _sign_patterns, _tol, _u

__all__: list[str] = []

# ---------------------------------------------------------------- Wigner D


def _axis_rotation(axis: int, t: float) -> np.ndarray:
    c, s = np.cos(t), np.sin(t)
    i, j = [(1, 2), (2, 0), (0, 1)][axis]  # x: (y, z); y: (z, x); z: (x, y)
    R = np.eye(3)
    R[i, i], R[i, j], R[j, i], R[j, j] = c, -s, s, c
    return R


def _other_euler(first: int, second: int):
    """Angles of ``R_first(a) R_second(b) R_first(g)`` (o3ref's axes) as o3ref's ZYZ."""
    from .properties import matrix_to_euler

    def convert(a, b, g):
        R = _axis_rotation(first, a) @ _axis_rotation(second, b) @ _axis_rotation(first, g)
        return tuple(float(v) for v in matrix_to_euler(R))

    return convert


def _angle_maps():
    return {
        "": lambda a, b, g: (a, b, g),
        "negated angles": lambda a, b, g: (-a, -b, -g),
        "angles in reverse order (gamma, beta, alpha)": lambda a, b, g: (g, b, a),
        "Z-X-Z Euler angles": _other_euler(2, 0),
        "Y-X-Y Euler angles in o3ref's axes": _other_euler(1, 0),
    }


def _matrix_maps():
    return {
        "": lambda d: d,
        "transposed (passive)": lambda d: d.T,
        "conjugated": np.conj,
        "adjoint (inverse rotation)": lambda d: np.conj(d.T),
    }


def _standard_complex(l, a, b, g):
    u = _u(l)
    return np.conj(u @ _ours_d(l, a, b, g) @ np.conj(u).T)


def _detect_d(func: Callable, l_max: int, seed: int) -> ConventionReport:
    from .conventions import WIGNER_D_CONVENTIONS

    rng = np.random.default_rng(seed)
    angles = [tuple(rng.uniform(-np.pi, np.pi, 3)) for _ in range(3)]
    got = {(l, k): _call(func, (l, *ang), (2 * l + 1, 2 * l + 1), "kind='wigner_d' expects "
                          "(2l+1, 2l+1)") for l in range(l_max + 1) for k, ang in enumerate(angles)}
    is_complex = any(np.iscomplexobj(v) and np.max(np.abs(v.imag)) > 1e-6 for v in got.values())
    tol = _tol(np.concatenate([v.ravel() for v in got.values()]))

    def fits(make) -> float | None:
        err = 0.0
        for (l, k), v in got.items():
            p = make(l, *angles[k])
            if not _close(v, p, tol):
                return None
            err = max(err, float(np.max(np.abs(v - p))))
        return err

    base = {"real": _ours_d, "complex": _standard_complex}
    for name, conv in WIGNER_D_CONVENTIONS.items():
        if (conv.base == "complex") != is_complex:
            continue

        def make(l, a, b, g, conv=conv):
            d = base[conv.base](l, *conv.angles(a, b, g))
            d = {"none": d, "transpose": d.T, "conjugate": np.conj(d),
                 "adjoint": np.conj(d.T)}[conv.transform]
            return d[::-1, ::-1] if conv.descending else d

        err = fits(make)
        if err is not None:
            first = None if name == "o3ref" else _first_d_difference(got, angles, tol)
            return ConventionReport("wigner_d", name == "o3ref", name, first,
                                    f"{conv.libraries}: {conv.description}", [], err)
    combos = sorted(
        itertools.product(_angle_maps().items(), _matrix_maps().items(), _sign_patterns(0),
                          (False, True)),
        # the simplest description first: fewest non-trivial choices
        key=lambda c: bool(c[0][0]) + bool(c[1][0]) + bool(c[2]) + c[3],
    )
    for (an, af), (mn, mf), sn, desc in combos:
        kind = "complex" if is_complex else "real"

        def make(l, a, b, g, af=af, mf=mf, sn=sn, desc=desc, kind=kind):
            d = mf(base[kind](l, *af(a, b, g)))
            s = _sign_patterns(l)[sn]
            d = s[:, None] * d * s[None, :]
            return d[::-1, ::-1] if desc else d

        err = fits(make)
        if err is not None:
            parts = [p for p in (an, mn, f"basis with {sn}" if sn else "",
                                 "m descending" if desc else "") if p]
            name = ", ".join([("standard complex D" if is_complex else "o3ref real D")] + parts)
            first = _first_d_difference(got, angles, tol)
            return ConventionReport("wigner_d", False, name, first, "combination of known "
                                    "choices", [], err)
    findings = []
    for (l, k), v in got.items():
        if k == 0 and not np.allclose(v @ np.conj(v.T), np.eye(2 * l + 1), atol=1e-6):
            findings.append(f"l = {l}: the matrix is not unitary/orthogonal")
    return ConventionReport("wigner_d", False, None, _first_d_difference(got, angles, tol), "",
                            findings, 0.0)


def _first_d_difference(got, angles, tol) -> str | None:
    for (l, k), v in sorted(got.items()):
        ref = _ours_d(l, *angles[k]) if not np.iscomplexobj(v) else _standard_complex(
            l, *angles[k])
        bad = np.abs(v - ref) > tol
        if np.any(bad):
            i, j = np.unravel_index(int(np.argmax(bad)), bad.shape)
            return f"l = {l}, m' = {i - l}, m = {j - l}"
    return None


# ---------------------------------------------------------------- Clebsch-Gordan


def _cg_bases(l1, l2, L):
    from o3ref import reference

    from .compare import to_numeric

    real = to_numeric(reference.real_clebsch_gordan(l1, l2, L))
    cplx = np.zeros_like(real)
    three_j = np.zeros_like(real)
    for i, m1 in enumerate(range(-l1, l1 + 1)):
        for j, m2 in enumerate(range(-l2, l2 + 1)):
            if abs(m1 + m2) <= L:
                cplx[i, j, m1 + m2 + L] = float(reference.clebsch_gordan(l1, m1, l2, m2, L,
                                                                         m1 + m2))
                three_j[i, j, -m1 - m2 + L] = float(reference.wigner_3j(l1, l2, L, m1, m2,
                                                                        -m1 - m2))
    return {"real": real, "complex": cplx, "3j": three_j}


def _detect_cg(func: Callable, l_max: int, seed: int) -> ConventionReport:
    from .conventions import CG_CONVENTIONS

    triples = [(l1, l2, L) for l1 in range(l_max + 1) for l2 in range(l_max + 1)
               for L in range(abs(l1 - l2), l1 + l2 + 1)]
    got = {t: _call(func, t, (2 * t[0] + 1, 2 * t[1] + 1, 2 * t[2] + 1),
                    "kind='cg' expects (2l1+1, 2l2+1, 2L+1)") for t in triples}
    bases = {t: _cg_bases(*t) for t in triples}
    tol = _tol(np.concatenate([v.ravel() for v in got.values()]))

    def fits(make):
        err = 0.0
        for t, v in got.items():
            p = make(t)
            if not _close(v, p, tol):
                return None
            err = max(err, float(np.max(np.abs(v - p))))
        return err

    for name, conv in CG_CONVENTIONS.items():
        err = fits(lambda t, conv=conv: float(conv.factor(*t)) * bases[t][conv.base])
        if err is not None:
            first = None if name == "o3ref" else _first_cg_difference(got, bases, tol)
            return ConventionReport("cg", name == "o3ref", name, first,
                                    f"{conv.libraries}: {conv.description}", [], err)
    for sn in list(_sign_patterns(0))[1:]:
        for fname, conv in CG_CONVENTIONS.items():
            if conv.base != "real":
                continue

            def make(t, sn=sn, conv=conv):
                s = [_sign_patterns(l)[sn] for l in t]
                return (float(conv.factor(*t)) * bases[t]["real"] * s[0][:, None, None]
                        * s[1][None, :, None] * s[2][None, None, :])

            err = fits(make)
            if err is not None:
                name = f"{fname} CG in the real basis with {sn}"
                return ConventionReport("cg", False, name, _first_cg_difference(
                    got, bases, tol), "real CG of harmonics with other signs", [], err)
    findings = []
    for t, v in got.items():
        ref = bases[t]["real"]
        if _close(v, ref, tol):
            continue
        k = np.vdot(ref, v) / np.vdot(ref, ref)
        if _close(v, k * ref, tol):
            findings.append(f"l1 = {t[0]}, l2 = {t[1]}, L = {t[2]}: o3ref's times {k:.6g}")
        else:
            findings.append(f"l1 = {t[0]}, l2 = {t[1]}, L = {t[2]}: not a multiple of o3ref's")
    return ConventionReport("cg", False, None, _first_cg_difference(got, bases, tol), "",
                            findings[:8], 0.0)


def _first_cg_difference(got, bases, tol) -> str | None:
    for t, v in got.items():
        bad = np.abs(v - bases[t]["real"]) > tol
        if np.any(bad):
            i, j, k = np.unravel_index(int(np.argmax(bad)), bad.shape)
            return (f"l1 = {t[0]}, l2 = {t[1]}, L = {t[2]}, m1 = {i - t[0]}, m2 = {j - t[1]}, "
                    f"M = {k - t[2]}")
    return None
