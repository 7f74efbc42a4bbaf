"""The conformance checks behind the pytest plugin (:mod:`o3ref.verify.pytest_plugin`): a
user's function against the exact reference and its defining properties, under a
:class:`o3ref.verify.tolerances.PrecisionPolicy`.

Each check returns a :class:`Verdict`: passed or not, and a message that names the worst case
(the largest error relative to its tolerance, not the first failure) as ``(point, l, m)``,
``(l, m', m)`` or ``(l1, l2, L, m1, m2, M)``, and calls a failure that looks like precision
(small relative to the values, no sign, order or scale structure) a precision problem.

Callables follow the project's convention: ``sh(l_max, xyz)``, ``sh_gradient(l_max, xyz)``
-> ``(values, grads (n, 3, K))``, ``wigner_d(l, alpha, beta, gamma)`` (or ``(l, R)`` /
``(l, q)`` by ``takes``), ``cg(l1, l2, L)``.

Conventions: :mod:`o3ref.reference.conventions`.

>>> from o3ref import fast
>>> v = check_cg(fast.real_clebsch_gordan, 2, PrecisionPolicy())
>>> v.passed, v.message.splitlines()[0]
(True, 'cg conforms (real Clebsch-Gordan, l1, l2 <= 2) under float64')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import oracle
from ..compare import ComparisonReport, compare_arrays, to_numeric
from ..indexing import block
from ..tolerances import PrecisionPolicy, Tolerance
from . import quantities
from ._arguments import check_arguments

__all__ = ["Verdict", "check_cg", "check_sh", "check_sh_gradient", "check_sh_properties",
           "check_wigner_d", "check_wigner_d_homomorphism", "PrecisionPolicy"]


@dataclass
class Verdict:
    """A check's result: ``passed`` and a message (the worst case, the policy)."""

    passed: bool
    message: str
    worst_ratio: float = 0.0  # the worst error over its tolerance
    worst_rel: float = 0.0  # the worst error relative to the values' size


class _Worst:
    """Keeps the worst case over many reports: the largest error over its tolerance."""

    def __init__(self):
        self.ratio, self.text, self.rel, self.failed, self.cases = -1.0, "", 0.0, 0, 0

    def add(self, rep: ComparisonReport, prefix: str, scale: float):
        self.cases += 1
        self.failed += not rep.passed
        ratio = rep.max_abs / rep.atol if rep.atol else (np.inf if rep.max_abs else 0.0)
        self.rel = max(self.rel, rep.max_abs / scale if scale else np.inf)
        if ratio > self.ratio:
            self.ratio = ratio
            self.text = (f"{prefix}{', ' if prefix else ''}{rep.where()}: got "
                         f"{rep.worst_actual!r}, expected {rep.worst_expected!r} (error "
                         f"{rep.max_abs:.2e}, tolerance {rep.atol:.2e})")

    def verdict(self, key: str, what: str, policy: PrecisionPolicy, func=None,
                kind: str | None = None, detect_kwargs: dict | None = None) -> Verdict:
        if not self.failed:
            return Verdict(True, f"{key} conforms ({what}) under {policy}\nWorst case: "
                           f"{self.text}", self.ratio, self.rel)
        msg = (f"{key} does not conform to o3ref ({what}) under {policy}: {self.failed} of "
               f"{self.cases} cases fail.\nWorst case: {self.text}")
        structure = None
        if kind is not None and func is not None:
            structure = _diagnosis(func, kind, detect_kwargs or {})
        if self.rel <= 1e-3 and (structure is None or structure[0]):
            msg += "\n" + _precision_text(self.rel, policy)
        elif structure is not None:
            msg += "\nDiagnosis: " + structure[1]
        return Verdict(False, msg, self.ratio, self.rel)


def _precision_text(rel: float, policy: PrecisionPolicy) -> str:
    eps32, eps64 = float(np.finfo(np.float32).eps), float(np.finfo(np.float64).eps)
    like = "float32" if rel <= 1e4 * eps32 and rel > 1e3 * eps64 else (
        "float64 with lost digits" if rel <= 1e3 * eps64 else "a precision below float32")
    return (f"This looks like a precision problem, not a convention one: the errors are at "
            f"most {rel:.1e} relative to the values, with no sign, order or scale structure "
            f"(consistent with {like}). If that is the implementation's precision, say so: "
            f"--o3ref-dtype float32 or --o3ref-tolerance-factor F (class attributes dtype, "
            f"tolerance_factor); the policy now is {policy}.")


def _diagnosis(func, kind, kwargs) -> tuple[bool, str] | None:
    """(no structure, text) from the detector; None when it cannot run."""
    from ..conventions.detect import detect_convention

    try:
        report = detect_convention(func, kind, **kwargs)
    except Exception as exc:  # the diagnosis is a courtesy: never mask the failure itself
        return (False, f"(no diagnosis: {type(exc).__name__}: {exc})")
    return (report.matches, str(report))


def _call(func, args, what: str):
    """``func(*args)`` as a numeric array; one line naming the function otherwise."""
    from ..conventions import show_args as _show_args

    try:
        out = func(*args)
    except Exception as exc:
        raise AssertionError(f"{_show_args(args, func)} raised {type(exc).__name__}: {exc} "
                             f"({what})") from None
    try:
        arr = to_numeric(out)
    except Exception:
        raise AssertionError(f"{_show_args(args, func)} returned {type(out).__name__}, not "
                             f"an array of numbers ({what})") from None
    return arr


def _shape(arr, shape, func, args, what):
    from ..conventions import show_args as _show_args

    if arr.shape != shape:
        raise AssertionError(f"{_show_args(args, func)} returned shape {arr.shape}, expected "
                             f"{shape} ({what})")
    return arr


def _points(n: int, dtype: str) -> np.ndarray:
    from .suite import _points as suite_points

    return suite_points(n).astype(dtype)


# ------------------------------------------------------------------ spherical harmonics


def check_sh(func: Callable, l_max: int, policy: PrecisionPolicy, n_points: int = 16,
             detect: bool = True) -> Verdict:
    """``func(l_max, xyz)`` against the exact real harmonics at ``xyz`` in the policy's dtype."""
    l_max = check_arguments("sh", func, l_max, policy, n_points=n_points)
    xyz = _points(n_points, policy.dtype)

    def values(l_max, xyz):
        return _shape(_call(func, (l_max, xyz), "spherical harmonics"),
                      (len(xyz), (l_max + 1) ** 2), func, (l_max, xyz), "spherical harmonics")

    worst = _Worst()
    for case in quantities.sh_cases(values, l_max, xyz,
                                    lambda l: policy.tolerance("sh", l)):
        worst.add(_with_l(case.report, case.l), "", case.scale)
    return worst.verdict("sh", f"spherical harmonics, l 0..{l_max}", policy,
                         func if detect else None, "sh", {"l_max": min(l_max, 6)})


def _with_l(rep: ComparisonReport, l: int) -> ComparisonReport:
    """The report's position as ``point = p, l = l, m = m``."""
    names = list(rep.names or [])
    offsets = list(rep.offsets or [0] * len(names))
    rep.names = names[:-1] + ["l", names[-1]]
    rep.offsets = offsets[:-1] + [0, offsets[-1]]
    rep.worst_index = tuple(rep.worst_index[:-1]) + (l - 0,) + tuple(rep.worst_index[-1:]) \
        if rep.worst_index else rep.worst_index
    return rep


def check_sh_gradient(func: Callable, l_max: int, policy: PrecisionPolicy,
                      n_points: int = 6) -> Verdict:
    """``func(l_max, xyz) -> (values, grads (n, 3, K))``: ``|r| grad`` against the exact
    derivative of ``Y_lm(r/|r|)``."""
    l_max = check_arguments("sh_gradient", func, l_max, policy, n_points=n_points)
    xyz = _points(n_points + 2, policy.dtype)[2:]  # off the z axis

    def gradients(l_max, xyz):
        try:
            out = func(l_max, xyz)
        except Exception as exc:
            raise AssertionError(f"sh_gradient({l_max}, <array of shape {xyz.shape}>) raised "
                                 f"{type(exc).__name__}: {exc}") from None
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise AssertionError(f"sh_gradient({l_max}, <array of shape {xyz.shape}>) "
                                 f"returned {type(out).__name__}, expected (values, "
                                 "gradients)")
        return out[0], _shape(to_numeric(out[1]), (len(xyz), 3, (l_max + 1) ** 2), func,
                              (l_max, xyz), "SH gradients")

    worst = _Worst()
    for case in quantities.sh_gradient_cases(gradients, l_max, xyz,
                                             lambda l: policy.tolerance("sh_gradient", l)):
        worst.add(_with_l(case.report, case.l), "", case.scale)
    return worst.verdict("sh_gradient", f"SH gradients x |r|, l 0..{l_max}", policy)


def check_sh_properties(func: Callable, l_max: int, policy: PrecisionPolicy,
                        prop: str) -> Verdict:
    """``prop`` = "orthonormal" (Gram matrix on a quadrature), "parity"
    (``Y(-r) = (-1)^l Y(r)``) or "equivariant" (``Y(R r) = D(R) Y(r)``, D exact)."""
    l_max = check_arguments("sh_properties", func, l_max, policy, prop=prop)
    from ..properties import random_rotations, sphere_quadrature

    rng = np.random.default_rng(0)
    def sh(xyz):
        return _shape(_call(func, (l_max, xyz), "spherical harmonics"),
                      (len(xyz), (l_max + 1) ** 2), func, (l_max, xyz), "spherical harmonics")

    worst = _Worst()
    if prop == "orthonormal":
        pts, w = sphere_quadrature(2 * l_max)
        y = sh(pts.astype(policy.dtype))
        gram = (y * w[:, None]).T @ np.conj(y)
        t = policy.tolerance("sh", l_max)
        for l in range(l_max + 1):
            for l2 in range(l_max + 1):
                rep = compare_arrays(gram[block(l), block(l2)], np.eye(y.shape[1])[
                    block(l), block(l2)], Tolerance(4 * (2 * l_max + 1) * t.atol, 0,
                                                    "quadrature of products"),
                    names=["m", "m'"], offsets=[-l, -l2])
                worst.add(rep, f"<Y_{l}m, Y_{l2}m'>", 1.0)
        return worst.verdict("sh", "orthonormality on the sphere", policy)
    xyz = rng.standard_normal((16, 3)).astype(policy.dtype)
    y = sh(xyz)
    if prop == "parity":
        y_minus = sh(-xyz)
        for l in range(l_max + 1):
            s = block(l)
            rep = compare_arrays(y_minus[:, s], (-1) ** l * y[:, s],
                                 policy.tolerance("sh", l), names=["point", "m"],
                                 offsets=[0, -l])
            worst.add(_with_l(rep, l), "", 1.0)
        return worst.verdict("sh", "parity Y_lm(-r) = (-1)^l Y_lm(r)", policy)
    from ..properties import matrix_to_euler

    for k, R in enumerate(random_rotations(3, seed=1)):
        y_rot = sh((xyz.astype(np.float64) @ R.T).astype(policy.dtype))
        angles = [float(a) for a in matrix_to_euler(R)]
        for l in range(l_max + 1):
            s = block(l)
            d = oracle.wigner_d(l, *angles)
            t = policy.tolerance("sh", l)
            rep = compare_arrays(y_rot[:, s], y[:, s] @ d.T, Tolerance(
                4 * t.atol, 0, "SH error on both sides plus the D product: 4x the SH policy"),
                names=["point", "m"], offsets=[0, -l])
            worst.add(_with_l(rep, l), f"rotation {k}", 1.0)
    return worst.verdict("sh", "equivariance Y_l(R r) = D_l(R) Y_l(r)", policy)


# ------------------------------------------------------------------ Wigner D


def _d_args(takes: str, R: np.ndarray, angles):
    if takes == "euler":
        return tuple(angles)
    if takes == "matrix":
        return (R,)
    from o3ref import fast

    return (np.asarray(fast.matrix_to_quaternion(R)),)


def check_wigner_d(func: Callable, l_max: int, policy: PrecisionPolicy, takes: str = "euler",
                   n_rotations: int = 4, detect: bool = True) -> Verdict:
    """``func(l, ...)`` (as ``takes``) against the exact real D."""
    l_max = check_arguments("wigner_d", func, l_max, policy, takes=takes,
                            n_rotations=n_rotations)
    from o3ref import fast

    from .suite import _angles

    def d(l, a, b, g):
        args = _d_args(takes, np.asarray(fast.rotation_matrix(a, b, g)), (a, b, g))
        return _shape(_call(func, (l, *args), "Wigner D"), (2 * l + 1, 2 * l + 1), func,
                      (l, *args), "Wigner D")

    worst = _Worst()
    angles = _angles(n_rotations)
    for case in quantities.wigner_d_cases(d, range(l_max + 1), angles,
                                          lambda l: policy.tolerance("wigner_d", l)):
        rep, (k,) = case.report, case.index
        a, b, g = angles[k]
        rep.names, rep.offsets = ["l", "m'", "m"], [0, -case.l, -case.l]
        rep.worst_index = (case.l,) + tuple(rep.worst_index)
        worst.add(rep, f"rotation #{k} (ZYZ {a:.3g}, {b:.3g}, {g:.3g})", 1.0)
    return worst.verdict("wigner_d", f"Wigner D, l 0..{l_max}, takes {takes}", policy,
                         func if detect else None, "wigner_d",
                         {"l_max": min(l_max, 3), "takes": takes})


def check_wigner_d_homomorphism(func: Callable, l_max: int, policy: PrecisionPolicy,
                                takes: str = "euler") -> Verdict:
    """``D(R1 R2) = D(R1) D(R2)`` and ``D(I) = I`` for each ``l``, the rotations given to
    ``func`` as it ``takes`` them (o3ref's ZYZ angles, the matrix, or the quaternion)."""
    l_max = check_arguments("wigner_d_homomorphism", func, l_max, policy, takes=takes)
    from ..properties import matrix_to_euler, random_rotations

    r1, r2 = random_rotations(3, seed=2), random_rotations(3, seed=3)

    def d(l, R):
        args = _d_args(takes, R, matrix_to_euler(R))
        return _shape(_call(func, (l, *args), "Wigner D"), (2 * l + 1, 2 * l + 1), func,
                      (l, *args), "Wigner D")

    worst = _Worst()
    for l in range(l_max + 1):
        t = policy.tolerance("wigner_d", l)
        t3 = Tolerance(3 * t.atol, 0.0, "three D evaluations: 3x the D policy")
        for k, (a, b) in enumerate(zip(r1, r2, strict=True)):
            rep = compare_arrays(d(l, a @ b), d(l, a) @ d(l, b), t3, names=["l", "m'", "m"],
                                 offsets=[0, -l, -l])
            rep.worst_index = (l,) + tuple(rep.worst_index)
            worst.add(rep, f"D(R1 R2) vs D(R1) D(R2), pair {k}", 1.0)
        rep = compare_arrays(d(l, np.eye(3)), np.eye(2 * l + 1), t3, names=["l", "m'", "m"],
                             offsets=[0, -l, -l])
        rep.worst_index = (l,) + tuple(rep.worst_index)
        worst.add(rep, "D(I) vs I", 1.0)
    return worst.verdict("wigner_d", f"homomorphism D(R1 R2) = D(R1) D(R2), l 0..{l_max}, "
                         f"takes {takes}", policy)


# ------------------------------------------------------------------ Clebsch-Gordan


def check_cg(func: Callable, l_max: int, policy: PrecisionPolicy, detect: bool = True
             ) -> Verdict:
    """``func(l1, l2, L)`` against the exact real CG for ``l1, l2 <= l_max``."""
    l_max = check_arguments("cg", func, l_max, policy)
    from .suite import _triples

    def cg(l1, l2, L):
        shape = (2 * l1 + 1, 2 * l2 + 1, 2 * L + 1)
        return _shape(_call(func, (l1, l2, L), "Clebsch-Gordan"), shape, func, (l1, l2, L),
                      "Clebsch-Gordan")

    worst = _Worst()
    for case in quantities.cg_cases(cg, _triples(l_max),
                                    lambda *t: policy.tolerance("cg", max(t))):
        rep = case.report
        rep.names = ["l1", "l2", "L", "m1", "m2", "M"]
        rep.offsets = [0, 0, 0, *rep.offsets]
        rep.worst_index = case.index + tuple(rep.worst_index)
        worst.add(rep, "", 1.0)
    return worst.verdict("cg", f"real Clebsch-Gordan, l1, l2 <= {l_max}", policy,
                         func if detect else None, "cg", {"l_max": min(l_max, 2)})
