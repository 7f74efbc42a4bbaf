"""Composed convention maps: foreign conventions generated from o3ref's own fast functions by
compositions of the pieces (with this file's own formulas, not the library's), each one
detected, converted back and compared with the exact reference; the NumPy text of every map,
executed, does the same. Native conventions built without installing the libraries; the
pieces' formulas proven in exact arithmetic."""

from __future__ import annotations

import itertools
from functools import cache
from math import factorial, pi, sqrt

import numpy as np
import pytest
import sympy

from o3ref import fast, reference
from o3ref.verify import detect_convention
from o3ref.verify.compare import compare_arrays, to_numeric
from o3ref.verify.conventions.maps import (
    CG_NORMALISATIONS,
    CG_SIGNS,
    M_ORDERS,
    NAMED_MAPS,
    SH_NORMALISATIONS,
    SH_SIGNS,
    SOLID,
    ConventionMap,
    argument_piece,
    complex_basis,
    frame_piece,
    rotation_piece,
)
from o3ref.verify.tolerances import Tolerance, tolerance

L_SH, L_D, L_CG = 3, 2, 2
XYZ = np.random.default_rng(11).standard_normal((9, 3))
ANGLES = [(0.4, 1.1, -2.0), (-1.3, 2.6, 0.7), (0.3, 0.0, 0.5)]


# ------------------------------------------------------------------ exact references (cached)


@cache
def ref_sh() -> np.ndarray:
    return to_numeric(reference.real_spherical_harmonics(L_SH, XYZ, dps=30))


@cache
def ref_d(l: int, k: int) -> np.ndarray:
    return to_numeric(reference.wigner_D_real(l, *ANGLES[k], dps=30))


@cache
def ref_cg(l1: int, l2: int, L: int) -> np.ndarray:
    return to_numeric(reference.real_clebsch_gordan(l1, l2, L))


@cache
def u(l: int) -> np.ndarray:
    return np.array(reference.complex_to_real(l).evalf(20).tolist(), dtype=complex)


TRIPLES = [(l1, l2, L) for l1 in range(L_CG + 1) for l2 in range(L_CG + 1)
           for L in range(abs(l1 - l2), l1 + l2 + 1)]

# the map adds one product by a monomial matrix and one solve per value: twice the policy
SLACK = 2


def assert_sh_conforms(func):
    got = np.asarray(func(L_SH, XYZ))
    for l in range(L_SH + 1):
        s = slice(l * l, (l + 1) ** 2)
        t = tolerance("sh", l, scale=max(1.0, float(np.max(np.abs(ref_sh()[:, s])))))
        rep = compare_arrays(got[:, s], ref_sh()[:, s], Tolerance(SLACK * t.atol, 0, "map"))
        assert rep.passed, f"l = {l}: {rep}"


def assert_d_conforms(func, takes):
    for k, angles in enumerate(ANGLES):
        R = np.asarray(fast.rotation_matrix(*angles))
        arg = {"euler": angles, "matrix": (R,),
               "quaternion": (np.asarray(fast.matrix_to_quaternion(R)),)}[takes]
        for l in range(L_D + 1):
            t = tolerance("wigner_d", l)
            rep = compare_arrays(func(l, *arg), ref_d(l, k), Tolerance(SLACK * t.atol, 0, "m"))
            assert rep.passed, f"l = {l}, angles {angles}: {rep}"


def assert_cg_conforms(func):
    for t in TRIPLES:
        tol = tolerance("cg", max(t))
        rep = compare_arrays(func(*t), ref_cg(*t), Tolerance(SLACK * tol.atol, 0, "map"))
        assert rep.passed, f"{t}: {rep}"


def exec_code(cmap: ConventionMap):
    namespace: dict = {}
    exec(cmap.to_code(), namespace)  # noqa: S102 - the text a user would copy
    return namespace["convert"]


# ------------------------------------------------------------------ this file's own pieces

ORDERS = {  # the m at each position, written out here independently of the library
    None: lambda l: list(range(-l, l + 1)),
    "m descending": lambda l: list(range(l, -l - 1, -1)),
    # e3x _cartesian_permutation_for_degree: position 2i holds m = l - i, 2i+1 holds -(l - i)
    "e3x Cartesian order": lambda l: [m for i in range(l) for m in (l - i, -(l - i))] + [0],
    "m pairs 0, +-1, +-2": lambda l: [0] + [m for k in range(1, l + 1) for m in (k, -k)],
}
NORMS = {
    None: lambda l, m: 1.0,
    "4pi normalisation": lambda l, m: sqrt(4 * pi),
    "Schmidt semi-normalisation": lambda l, m: sqrt(4 * pi / (2 * l + 1)),
    # 1/N_lm, N_lm = sqrt((2 - delta_m0) (2l+1)/(4pi) (l-|m|)!/(l+|m|)!)
    "unnormalised": lambda l, m: 1 / sqrt((2 - (m == 0)) * (2 * l + 1) / (4 * pi)
                                          * factorial(l - abs(m)) / factorial(l + abs(m))),
}
SIGNS = {
    None: lambda l, m: 1.0,
    "(-1)^l": lambda l, m: (-1.0) ** l,
    "Condon-Shortley phase kept": lambda l, m: (-1.0) ** m,
    "sympy Znm signs": lambda l, m: -1.0 if m < 0 else (-1.0) ** m,
    "m < 0 negated": lambda l, m: -1.0 if m < 0 else 1.0,
}


def foreign_sh(perm, signs, basis, order, norm, sign, solid):
    """other(l_max, v) = P diag(f) B Y(A v) (r^l if solid), from o3ref.fast."""
    def sh(l_max, v):
        v = np.asarray(v, dtype=float)
        y = fast.SphericalHarmonics(l_max).compute(v[:, list(perm)] * np.array(signs))
        out = np.empty(y.shape, dtype=complex if basis else float)
        for l in range(l_max + 1):
            block = y[:, l * l:(l + 1) ** 2]
            if basis:
                block = block @ u(l).T  # Y_l^mu = sum_m U[mu, m] Y_lm
            f = np.array([NORMS[norm](l, m) * SIGNS[sign](l, m) for m in range(-l, l + 1)])
            block = block * f
            out[:, l * l:(l + 1) ** 2] = block[:, [m + l for m in ORDERS[order](l)]]
        if solid:
            r = np.linalg.norm(v, axis=1)[:, None]
            out *= r ** np.concatenate([np.full(2 * l + 1, l) for l in range(l_max + 1)])
        return out

    return sh


def expected_map(kind, arg, basis, order, others, takes="euler"):
    pieces = [arg] if arg is not None else []
    pieces += [basis] if basis is not None else []
    pieces += [M_ORDERS[order]] if order else []
    pieces += [p for p in others if p is not None]
    return ConventionMap(kind, tuple(pieces), takes)


def _sh_compositions():
    """Every order x normalisation x sign (4 x 4 x 4 = 64) at o3ref's argument, and every
    order x normalisation with e3nn's argument, a complex basis, or r^l (3 x 16 = 48)."""
    ident = ((0, 1, 2), (1, 1, 1))
    signs = [None, "(-1)^l", "Condon-Shortley phase kept", "sympy Znm signs"]
    out = [(ident, False, o, n, s, False) for o, n, s in itertools.product(ORDERS, NORMS, signs)]
    for o, n in itertools.product(ORDERS, NORMS):
        out += [(((2, 0, 1), (1, 1, 1)), False, o, n, None, False),
                (ident, True, o, n, None, False), (ident, False, o, n, None, True)]
    return out


SH_COMPOSITIONS = _sh_compositions()


def test_every_sh_composition_is_recovered():
    """112 compositions of SH pieces: each one detected as exactly the composition that made
    it, its convert() and its to_code() text giving o3ref's harmonics."""
    assert len(SH_COMPOSITIONS) == 112
    for (perm, signs), basis, order, norm, sign, solid in SH_COMPOSITIONS:
        func = foreign_sh(perm, signs, basis, order, norm, sign, solid)
        report = detect_convention(func, "sh", l_max=L_SH)
        arg = argument_piece(perm, signs) if perm != (0, 1, 2) else None
        want = expected_map("sh", arg, complex_basis() if basis else None, order,
                            [SH_NORMALISATIONS.get(norm), SH_SIGNS.get(sign),
                             SOLID if solid else None])
        assert report.map is not None, f"{want.name}: not recovered\n{report}"
        assert set(report.map.visible) == set(want.visible), (want.name, report.map.name)
        assert report.matches == want.is_identity
        assert_sh_conforms(report.map.convert(func))
        assert_sh_conforms(exec_code(report.map)(func))


# ------------------------------------------------------------------ Wigner D


def _axis(axis, t):
    c, s = np.cos(t), np.sin(t)
    m = {0: [[1, 0, 0], [0, c, -s], [0, s, c]], 1: [[c, 0, s], [0, 1, 0], [-s, 0, c]],
         2: [[c, -s, 0], [s, c, 0], [0, 0, 1]]}[axis]
    return np.array(m)


def reading(takes, sequence="ZYZ", extrinsic=False, passive=False, scalar_first=True):
    """The rotation a library's argument stands for, written out here."""
    def rot(*arg):
        if takes == "euler":
            ax = ["XYZ".index(c) for c in sequence]
            m = [_axis(a, t) for a, t in zip(ax, arg, strict=True)]
            R = m[2] @ m[1] @ m[0] if extrinsic else m[0] @ m[1] @ m[2]
        elif takes == "matrix":
            R = np.asarray(arg[0])
        else:
            q = np.asarray(arg[0])
            R = np.asarray(fast.quaternion_to_matrix(q if scalar_first else q[[3, 0, 1, 2]]))
        return R.T if passive else R

    return rot


def axes_matrix(frame):
    """B with B[perm[i], i] = signs[i]: the other library's vector v = B p (o3ref's p)."""
    b = np.zeros((3, 3))
    if frame is not None:
        perm, signs = frame
        for i in range(3):
            b[perm[i], i] = signs[i]
    return b if frame is not None else np.eye(3)


def foreign_d(rot, basis, order, sign, frame=None):
    """other(l, arg) = T D_real(B^T rot(arg) B) T^-1, T = P diag(s) B, from o3ref.fast: the
    rotation its argument stands for is taken in its axes (v = B p)."""
    b_axes = axes_matrix(frame)

    def d(l, *arg):
        R = b_axes.T @ rot(*arg) @ b_axes
        dr = fast.wigner_D_real_blocks(l, R.reshape(1, 3, 3))[l][0]
        b = {None: np.eye(2 * l + 1), "standard": np.conj(u(l)), "U": u(l)}[basis]
        p = np.zeros((2 * l + 1, 2 * l + 1))
        for k, m in enumerate(ORDERS[order](l)):
            p[k, m + l] = SIGNS[sign](l, m)
        t = p @ b
        out = t @ dr @ np.linalg.inv(t)
        return out if basis else out.real

    return d


SEQUENCES = ["ZYZ", "ZXZ", "XYX", "XZX", "YXY", "YZY", "XYZ", "XZY", "YXZ", "YZX", "ZXY", "ZYX"]


# the 23 proper signed axis permutations other than the identity (v = B p, det B = +1; an
# improper B conjugates a rotation as -B does)
FRAMES = [(p, s) for s in itertools.product((1, -1), repeat=3)
          for p in itertools.permutations(range(3))
          if (p, s) != ((0, 1, 2), (1, 1, 1)) and np.linalg.det(axes_matrix((p, s))) > 0]
E3NN_AXES = ((2, 0, 1), (1, 1, 1))  # v = (y, z, x): e3nn's and cuequivariance's axes


def _d_compositions():
    """The 48 Euler readings, 2 matrix and 4 quaternion readings with o3ref's basis (54);
    for ZYZ (intrinsic, active) each basis x order x sign (3 x 4 x 3 = 36, less the identity);
    a rotation matrix taken in each of 23 other axes; in e3nn's axes a passive matrix, a
    quaternion (scalar first, scalar last), a matrix with the standard complex basis or
    e3x's order, and ZYZ angles (6): 118 in all."""
    zyz, mat = ("euler", "ZYZ", False, False, True), ("matrix", "ZYZ", False, False, True)
    out = [(("euler", s, e, p, True), None, None, None, None) for s, e, p in
           itertools.product(SEQUENCES, (False, True), (False, True))]
    out += [(("matrix", "ZYZ", False, p, True), None, None, None, None) for p in (False, True)]
    out += [(("quaternion", "ZYZ", False, p, f), None, None, None, None)
            for p, f in itertools.product((False, True), (True, False))]
    out += [(zyz, b, o, s, None) for b, o, s in itertools.product(
        (None, "standard", "U"), ORDERS, (None, "Condon-Shortley phase kept", "sympy Znm signs"))
        if (b, o, s) != (None, None, None)]
    out += [(mat, None, None, None, f) for f in FRAMES]
    out += [(("matrix", "ZYZ", False, True, True), None, None, None, E3NN_AXES)]
    out += [(("quaternion", "ZYZ", False, False, f), None, None, None, E3NN_AXES)
            for f in (True, False)]
    out += [(mat, "standard", None, None, E3NN_AXES),
            (mat, None, "e3x Cartesian order", None, E3NN_AXES),
            (zyz, None, None, None, E3NN_AXES)]
    return out


D_COMPOSITIONS = _d_compositions()


# conj(Y_l^m) = (-1)^m Y_l^-m: the conjugated complex basis is U with m descending and the
# Condon-Shortley signs, so these compositions have an equivalent one of as few pieces
D_EQUIVALENT = {
    ("standard complex basis (conj U), m descending, Condon-Shortley phase kept",
     "conjugated complex"),
    ("complex (Condon-Shortley), Condon-Shortley phase kept",
     "standard complex basis (conj U), m descending"),
    ("complex (Condon-Shortley), m descending",
     "standard complex basis (conj U), Condon-Shortley phase kept"),
    ("complex (Condon-Shortley), m descending, Condon-Shortley phase kept", "standard complex"),
}
# readings in o3ref's axes are searched first: a half turn about a coordinate axis is diagonal
# in the real basis (sign rules, up to a factor per l), and Euler angles in other axes are
# Euler angles of another sequence (e3nn's axes: ZYZ becomes XZX)
D_FRAME_EQUIVALENT = {
    ("rotation in axes (-x, -y, z)", "Condon-Shortley phase kept"),
    ("rotation in axes (-x, y, -z)", "m < 0 negated"),
    ("rotation in axes (x, -y, -z)", "Condon-Shortley phase kept, m < 0 negated"),
    ("o3ref in e3nn's axes", "Euler XZX intrinsic"),
}


def test_every_d_composition_is_recovered():
    """118 compositions of D pieces (54 readings of the argument, 35 bases/orders/signs, 29
    with the rotation taken in other axes): 110 detected as the composition that made it, 4
    as an equivalent one with as few pieces (:data:`D_EQUIVALENT`), 4 with other axes as a
    description in o3ref's axes (:data:`D_FRAME_EQUIVALENT`: 3 half turns as sign rules,
    Euler angles as another sequence); convert() and to_code() give o3ref's D for all 118."""
    assert len(D_COMPOSITIONS) == 118 and len(FRAMES) == 23
    equivalent, frame_equivalent, exact = set(), set(), 0
    for (takes, seq, ext, pas, first), basis, order, sign, frame in D_COMPOSITIONS:
        func = foreign_d(reading(takes, seq, ext, pas, first), basis, order, sign, frame)
        report = detect_convention(func, "wigner_d", l_max=L_D, takes=takes)
        want = expected_map("wigner_d", rotation_piece(takes, seq, ext, pas, first),
                            {None: None, "standard": complex_basis(True),
                             "U": complex_basis()}[basis], order,
                            [SH_SIGNS.get(sign), frame_piece(*frame) if frame else None], takes)
        assert report.map is not None, f"{want.name}: not recovered\n{report}"
        if set(report.map.visible) == set(want.visible):
            exact += 1
        elif frame is None:
            assert len(report.map.visible) <= len(want.visible)
            equivalent.add((want.name, report.map.name))
        else:
            frame_equivalent.add((want.name, report.map.name))
        assert_d_conforms(report.map.convert(func), takes)
        assert_d_conforms(exec_code(report.map)(func), takes)
    assert equivalent == D_EQUIVALENT
    assert frame_equivalent == D_FRAME_EQUIVALENT
    assert exact == 110


def test_cuequivariance_style_d_is_named():
    # cuequivariance's D takes its rotation in e3nn's axes: D_cue(P R P^T) = D_real(R)
    func = foreign_d(reading("quaternion"), None, None, None, E3NN_AXES)
    report = detect_convention(func, "wigner_d", l_max=L_D, takes="quaternion")
    assert report.convention == "o3ref in e3nn's axes", str(report)
    assert [p.name for p in report.map.visible] == ["rotation in axes (y, z, x)"]


# ------------------------------------------------------------------ Clebsch-Gordan

TRIPLE_NORMS = {None: lambda l1, l2, L: 1.0, "3j normalisation 1/sqrt(2L+1)":
                lambda l1, l2, L: 1 / sqrt(2 * L + 1),
                "sqrt(2L+1)-scaled": lambda l1, l2, L: sqrt(2 * L + 1)}
TRIPLE_SIGNS = {None: lambda l1, l2, L: 1.0,
                "(-1)^floor((l1+l2-L)/2)": lambda l1, l2, L: (-1.0) ** ((l1 + l2 - L) // 2),
                "(-1)^(l1+l2+L)": lambda l1, l2, L: (-1.0) ** (l1 + l2 + L),
                # e3nn 0.4.x's stored wigner_3j against e3nn >= 0.5: at l <= 2 (this file's
                # L_CG) only the permutations of (1, 2, 2) are negated
                "e3nn 0.4.x wigner_3j signs":
                    lambda l1, l2, L: -1.0 if sorted((l1, l2, L)) == [1, 2, 2] else 1.0}


def foreign_cg(order, sign, tnorm, tsign):
    """other = t(l1, l2, L) * C in a basis of signs s and order P on every index."""
    def cg(l1, l2, L):
        c = fast.real_clebsch_gordan(l1, l2, L) * TRIPLE_NORMS[tnorm](l1, l2, L) \
            * TRIPLE_SIGNS[tsign](l1, l2, L)
        for axis, l in enumerate((l1, l2, L)):
            s = np.array([SIGNS[sign](l, m) for m in range(-l, l + 1)])
            c = np.moveaxis(np.moveaxis(c, axis, -1) * s, -1, axis)
            c = np.take(c, [m + l for m in ORDERS[order](l)], axis=axis)
        return c

    return cg


CG_COMPOSITIONS = [(o, s, n, t) for o, s in itertools.product(
    ORDERS, (None, "sympy Znm signs"))
    for n, t in itertools.product(TRIPLE_NORMS, TRIPLE_SIGNS)]


def test_every_cg_composition_is_recovered():
    """96 compositions of CG pieces (order x basis signs x normalisation x triple signs,
    4 x 2 x 3 x 4): each detected as the composition that made it; convert() and to_code()
    give o3ref's real CG. (Two sign rules on the basis are no new convention for the CG:
    see the next two tests.)"""
    assert len(CG_COMPOSITIONS) == 96
    for order, sign, tnorm, tsign in CG_COMPOSITIONS:
        func = foreign_cg(order, sign, tnorm, tsign)
        report = detect_convention(func, "cg", l_max=L_CG)
        want = expected_map("cg", None, None, order, [SH_SIGNS.get(sign),
                                                      CG_NORMALISATIONS.get(tnorm),
                                                      CG_SIGNS.get(tsign)])
        assert report.map is not None, f"{want.name}: not recovered\n{report}"
        assert set(report.map.visible) == set(want.visible), (want.name, report.map.name)
        assert_cg_conforms(report.map.convert(func))
        assert_cg_conforms(exec_code(report.map)(func))


def test_condon_shortley_signs_are_invisible_to_the_real_cg():
    # every non-zero real CG has m1 + m2 + M even (|M| = |m1 +- m2|): (-1)^(m1+m2+M) = 1,
    # so harmonics with the Condon-Shortley phase kept couple with o3ref's very coefficients
    func = foreign_cg(None, "Condon-Shortley phase kept", None, None)
    for t in TRIPLES:
        assert np.array_equal(func(*t), fast.real_clebsch_gordan(*t))
    assert detect_convention(func, "cg", l_max=L_CG).matches


def test_negated_negative_m_is_the_featomic_sign_for_the_real_cg():
    # the real CG is Re K (l1+l2+L even) or Im K (odd): its non-zero entries have an odd
    # number of m < 0 (sine-type) indices exactly when l1+l2+L is odd
    func = foreign_cg(None, "m < 0 negated", None, None)
    for t in TRIPLES:
        assert np.array_equal(func(*t), (-1) ** sum(t) * fast.real_clebsch_gordan(*t))
    assert detect_convention(func, "cg", l_max=L_CG).convention == "featomic product"


# ------------------------------------------------------------------ native conventions


def _report_and_conformance(func, kind, name, **kw):
    report = detect_convention(func, kind, **kw)
    assert report.convention == name, str(report)
    check = {"sh": assert_sh_conforms, "cg": assert_cg_conforms}.get(kind)
    if check is not None:
        check(report.map.convert(func))
        check(exec_code(report.map)(func))
    return report


def test_sympy_znm_native():
    from o3ref.verify.adapters import sympy as sympy_adapter

    _report_and_conformance(sympy_adapter.znm, "sh", "sympy Znm", l_max=L_SH)


def test_scipy_complex_native():
    pytest.importorskip("scipy")
    from o3ref.verify.adapters import scipy as scipy_adapter

    _report_and_conformance(scipy_adapter.spherical_harmonics, "sh",
                            "complex (Condon-Shortley)", l_max=L_SH)


def test_e3nn_style_component_native():
    def e3nn_style(l_max, v):  # e3nn reads (y, z, x) and scales by sqrt(4 pi) ('component')
        return sqrt(4 * pi) * fast.SphericalHarmonics(l_max).compute(np.asarray(v)[:, [2, 0, 1]])

    report = _report_and_conformance(e3nn_style, "sh", "e3nn 'component'", l_max=L_SH)
    assert [p.name for p in report.map.visible] == ["argument read as (y, z, x)",
                                                    "4pi normalisation"]


def e3x_permutation(l):
    """e3x's _cartesian_permutation_for_degree(l), transcribed: position 2i takes o3ref's
    index 2l - i (m = l - i), position 2i + 1 index i (m = -(l - i)), the last index l."""
    p = []
    for m in range(l):
        p += [2 * l + 1 - (m + 1), m]
    return p + [(2 * l + 1) // 2]


def test_e3x_style_cartesian_order_racah_native():
    def e3x_style(l_max, v):
        y = fast.SphericalHarmonics(l_max).compute(np.asarray(v, dtype=float))
        out = np.empty_like(y)
        for l in range(l_max + 1):
            out[:, l * l:(l + 1) ** 2] = y[:, l * l:(l + 1) ** 2][:, e3x_permutation(l)] \
                * sqrt(4 * pi / (2 * l + 1))  # 'racah': orthonormal / sqrt((2l+1)/(4 pi))
        return out

    _report_and_conformance(e3x_style, "sh", "e3x (Cartesian order, racah)", l_max=L_SH)


def test_e3x_order_piece_is_e3x_permutation():
    for l in range(12):
        assert M_ORDERS["e3x Cartesian order"].value(l) == [i - l for i in e3x_permutation(l)]


def test_cuequivariance_e3x_cg_sign_rule_native():
    def cg(l1, l2, L):
        return (-1) ** ((l1 + l2 - L) // 2) * fast.real_clebsch_gordan(l1, l2, L)

    _report_and_conformance(cg, "cg", "cuequivariance / e3x CG", l_max=L_CG)


def test_e3nn_04_style_wigner_3j_native():
    def cg(l1, l2, L):  # e3nn >= 0.5's rule, negated at (1, 2, 2) and its permutations
        sign = (-1) ** ((l1 + l2 - L) // 2) * (-1 if sorted((l1, l2, L)) == [1, 2, 2] else 1)
        return sign * fast.real_clebsch_gordan(l1, l2, L) / sqrt(2 * L + 1)

    _report_and_conformance(cg, "cg", "e3nn 0.4.x wigner_3j", l_max=L_CG)


def test_e3x_style_wigner_d_of_a_rotation_matrix():
    # features as row vectors in Cartesian order, x' = x @ D: D = P D_real(R)^T P^T
    def e3x_style_d(l, R):
        p = np.eye(2 * l + 1)[e3x_permutation(l)]
        d = fast.wigner_D_real_blocks(l, np.asarray(R, dtype=float).reshape(1, 3, 3))[l][0]
        return p @ d.T @ p.T

    report = detect_convention(e3x_style_d, "wigner_d", l_max=L_D, takes="matrix")
    assert {p.name for p in report.map.visible} == {"rotation matrix, passive",
                                                    "e3x Cartesian order"}
    assert_d_conforms(report.map.convert(e3x_style_d), "matrix")
    assert_d_conforms(exec_code(report.map)(e3x_style_d), "matrix")


def test_wigner_3j_map_against_the_exact_3j():
    def three_j(l1, l2, L):
        out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
        for i, j, k in itertools.product(range(2 * l1 + 1), range(2 * l2 + 1),
                                         range(2 * L + 1)):
            out[i, j, k] = float(reference.wigner_3j(l1, l2, L, i - l1, j - l2, k - L))
        return out

    cmap = NAMED_MAPS["cg", "Wigner 3j"]
    assert_cg_conforms(cmap.convert(three_j))
    assert_cg_conforms(exec_code(cmap)(three_j))


# ------------------------------------------------------------------ the pieces, exactly


def test_normalisation_and_sign_pieces_equal_the_proven_maps():
    # SH_CONVENTIONS' matrices are proven against sympy's own definitions in
    # test_verify_conventions.py; the pieces' formulas give the same exact numbers
    from o3ref.verify.conventions import CG_CONVENTIONS, SH_CONVENTIONS

    for name in ("4pi normalisation", "Schmidt semi-normalisation", "unnormalised"):
        for l in range(5):
            diag = SH_CONVENTIONS[name].matrix(l).diagonal()
            for i, m in enumerate(range(-l, l + 1)):
                assert sympy.simplify(SH_NORMALISATIONS[name].exact(l, m) - diag[i]) == 0
    for name, conv in (("sympy Znm signs", "sympy Znm"),
                       ("Condon-Shortley phase kept", "Condon-Shortley phase kept")):
        for l in range(5):
            diag = SH_CONVENTIONS[conv].matrix(l).diagonal()
            assert [SH_SIGNS[name].exact(l, m) for m in range(-l, l + 1)] == list(diag)
    e3nn = CG_CONVENTIONS["e3nn wigner_3j"]
    for l1, l2, L in TRIPLES + [(3, 4, 5), (4, 4, 2)]:
        prod = (CG_SIGNS["(-1)^floor((l1+l2-L)/2)"].exact(l1, l2, L, 0)
                * CG_NORMALISATIONS["3j normalisation 1/sqrt(2L+1)"].exact(l1, l2, L, 0))
        assert sympy.simplify(prod - e3nn.factor(l1, l2, L)) == 0


def test_to_code_complex_basis_is_o3ref_u():
    namespace: dict = {}
    exec(NAMED_MAPS["sh", "complex (Condon-Shortley)"].to_code(), namespace)  # noqa: S102
    for l in range(7):
        assert np.allclose(namespace["complex_to_real"](l), u(l), rtol=0,
                           atol=tolerance("cartesian").atol)


def test_to_code_is_short_and_self_contained():
    cmap = ConventionMap("wigner_d", (rotation_piece("euler", "XYZ", True, True),
                                      M_ORDERS["e3x Cartesian order"]))
    code = cmap.to_code()
    assert len(code.splitlines()) < 120
    imports = [line for line in code.splitlines() if line.startswith(("import", "from"))]
    assert imports == ["import math", "from math import factorial, pi, sqrt",
                       "import numpy as np"]
    assert "o3ref" not in code.replace("o3ref's", "").replace("o3ref.verify", "")


def test_convention_map_errors():
    with pytest.raises(ValueError, match="kind='D' must be one of sh, wigner_d, cg"):
        ConventionMap("D")
    with pytest.raises(ValueError, match="takes='angles' must be one of euler, matrix"):
        rotation_piece("angles")
    with pytest.raises(ValueError, match="sequence='ZZY' must be one of ZYZ"):
        rotation_piece("euler", "ZZY")
    with pytest.raises(TypeError, match="func=3 must be callable"):
        ConventionMap("sh").convert(3)


@pytest.mark.parametrize("name", ["conventions.maps", "conventions._codegen",
                                  "conventions._search", "conventions._probes",
                                  "conventions._matrices", "conformance.checks"])
def test_doctests_of_the_map_modules(name):
    import doctest
    import importlib

    module = importlib.import_module(f"o3ref.verify.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
    assert "o3ref.reference.conventions" in module.__doc__
