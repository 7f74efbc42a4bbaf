"""Wigner d, D and real D: symbolic identities for l <= 3, 50-digit identities for l <= 12,
and the exact maps to sympy's two Wigner functions."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sympy import pi
from sympy.physics.quantum.spin import Rotation
from sympy.physics.wigner import wigner_d as sympy_wigner_d

from o3ref.reference import (
    real_solid_harmonic,
    real_spherical_harmonics,
    rotation_matrix,
    wigner_D,
    wigner_D_real,
    wigner_d_small,
    x,
    y,
    z,
)

ALPHA, BETA, GAMMA = sympy.symbols("alpha beta gamma", real=True)


def _expand(e):
    return sympy.expand(sympy.expand_complex(e))


def _is_zero_matrix(m):
    return all(_expand(e) == 0 for e in m)


def _trig_zero(expr, angles):
    """Exact test that a trigonometric polynomial in ``angles`` vanishes identically:
    expand multiple angles, write cos/sin of each angle as new symbols c, s, and reduce
    modulo s^2 + c^2 - 1 (these polynomials, one pair of variables each, are a Groebner
    basis, so the remainder is a normal form: zero iff the expression is zero)."""
    expr = sympy.expand_trig(expr)
    subs, ideal, gens = {}, [], []
    for angle in angles:
        c, s = sympy.Dummy("c"), sympy.Dummy("s")
        subs[sympy.cos(angle)], subs[sympy.sin(angle)] = c, s
        ideal.append(s**2 + c**2 - 1)
        gens = [s, *gens, c]
    expr = sympy.expand(expr.subs(subs))
    if expr == 0:
        return True
    assert not (expr.free_symbols & set(angles)), "expression not polynomial in cos, sin"
    _, remainder = sympy.reduced(
        expr, ideal, *gens, *sorted(expr.free_symbols - set(gens), key=str)
    )
    return remainder == 0


def test_trig_zero_helper_can_fail():
    assert _trig_zero(sympy.sin(ALPHA) ** 2 + sympy.cos(ALPHA) ** 2 - 1, [ALPHA])
    assert _trig_zero(sympy.cos(2 * ALPHA) - 1 + 2 * sympy.sin(ALPHA) ** 2, [ALPHA])
    assert not _trig_zero(sympy.cos(2 * ALPHA) - 1, [ALPHA])
    assert not _trig_zero(
        sympy.sin(ALPHA + BETA) - sympy.sin(ALPHA) * sympy.cos(BETA), [ALPHA, BETA]
    )


def _rotated_harmonics(l, rot):
    ys = sympy.Matrix([real_solid_harmonic(l, m) for m in range(-l, l + 1)])
    r = rot * sympy.Matrix([x, y, z])
    return ys, ys.subs({x: r[0], y: r[1], z: r[2]}, simultaneous=True)


# ----------------------------------------------------------------------------- small d


def test_small_d_sign_sensitive_closed_forms():
    d = wigner_d_small(1, BETA)
    c, s = sympy.cos(BETA), sympy.sin(BETA)
    expected = sympy.Matrix(
        [
            [(1 + c) / 2, s / sympy.sqrt(2), (1 - c) / 2],
            [-s / sympy.sqrt(2), c, s / sympy.sqrt(2)],
            [(1 - c) / 2, -s / sympy.sqrt(2), (1 + c) / 2],
        ]
    )  # Sakurai / Wikipedia table, rows m' = -1, 0, 1
    assert all(_trig_zero(e, [BETA]) for e in d - expected)


def test_small_d_homomorphism_symbolic():
    b1, b2 = sympy.symbols("b1 b2", real=True)
    for l in range(4):
        diff = wigner_d_small(l, b1 + b2) - wigner_d_small(l, b1) * wigner_d_small(l, b2)
        assert all(_trig_zero(e, [b1, b2]) for e in diff), l


# ----------------------------------------------------------------------------- complex D


@pytest.mark.parametrize("l", [0, 1, 2])
def test_wigner_D_equals_sympy_rotation_D(l):
    # sympy.physics.quantum.spin.Rotation.D(j, m, mp, a, b, g) is the standard D^j_{m mp}
    a, b, g = pi / 4, pi / 3, pi / 6
    ours = wigner_D(l, a, b, g)
    theirs = sympy.Matrix(
        2 * l + 1, 2 * l + 1, lambda i, j: Rotation.D(l, i - l, j - l, a, b, g).doit()
    )
    assert _is_zero_matrix(ours - theirs)


@pytest.mark.parametrize("l", [0, 1, 2])
def test_map_to_sympy_wigner_d(l):
    # CONVENTIONS: sympy.physics.wigner.wigner_d(J, a, b, g) is our D at (-a, -b, -g)
    # with rows and columns in descending m
    a, b, g = pi / 4, pi / 3, pi / 6
    theirs = sympy_wigner_d(l, a, b, g)
    ours = wigner_D(l, -a, -b, -g)
    n = 2 * l + 1
    reversed_ours = sympy.Matrix(n, n, lambda i, j: ours[n - 1 - i, n - 1 - j])
    assert _is_zero_matrix(theirs - reversed_ours)


def test_wigner_D_unitary_exact():
    for l in range(4):
        d = wigner_D(l, pi / 3, pi / 4, pi / 6)
        assert _is_zero_matrix(d * d.H - sympy.eye(2 * l + 1))


def test_wigner_D_homomorphism_exact():
    # R(a1, b1, 0) R(0, b2, g2) = R(a1, b1 + b2, g2)
    a1, b1, b2, g2 = pi / 3, pi / 4, pi / 6, pi / 2
    for l in range(4):
        lhs = wigner_D(l, a1, b1 + b2, g2)
        rhs = wigner_D(l, a1, b1, 0) * wigner_D(l, 0, b2, g2)
        assert _is_zero_matrix(lhs - rhs), l
    assert _is_zero_matrix(
        rotation_matrix(a1, b1 + b2, g2) - rotation_matrix(a1, b1, 0) * rotation_matrix(0, b2, g2)
    )


def test_complex_harmonics_rotate_with_conj_D():
    from o3ref.reference import complex_solid_harmonic

    a, b, g = pi / 3, pi / 4, pi / 6
    rot = rotation_matrix(a, b, g)
    for l in range(3):
        ys = sympy.Matrix([complex_solid_harmonic(l, m) for m in range(-l, l + 1)])
        r = rot * sympy.Matrix([x, y, z])
        rotated = ys.subs({x: r[0], y: r[1], z: r[2]}, simultaneous=True)
        assert _is_zero_matrix(rotated - wigner_D(l, a, b, g).conjugate() * ys)


# ----------------------------------------------------------------------------- real D


@pytest.mark.parametrize("l", [0, 1, 2, 3])
def test_real_harmonics_rotate_with_D_real_symbolic(l):
    # for every angle: one-parameter rotations about z and y, then the Euler decomposition
    t = sympy.Symbol("t", real=True)
    for angles in ((t, 0, 0), (0, t, 0)):
        ys, rotated = _rotated_harmonics(l, rotation_matrix(*angles))
        diff = rotated - wigner_D_real(l, *angles) * ys
        assert all(_trig_zero(e, [t]) for e in diff)
    full = wigner_D_real(l, ALPHA, BETA, GAMMA)
    product = (
        wigner_D_real(l, ALPHA, 0, 0) * wigner_D_real(l, 0, BETA, 0) * wigner_D_real(l, 0, 0, GAMMA)
    )
    assert (full - product).applyfunc(sympy.expand) == sympy.zeros(2 * l + 1)


@pytest.mark.parametrize("angles", [(pi / 3, pi / 4, pi / 6), (2 * pi / 3, pi / 2, -pi / 4)])
def test_real_harmonics_rotate_with_D_real_exact_angles(angles):
    rot = rotation_matrix(*angles)
    for l in range(4):
        ys, rotated = _rotated_harmonics(l, rot)
        d = wigner_D_real(l, *angles)
        assert _is_zero_matrix(rotated - d * ys), l
        assert _is_zero_matrix(d * d.T - sympy.eye(2 * l + 1)), l
        assert all(e.is_real for e in d)


def test_improper_rotation_picks_up_parity():
    # Y(-R r) = D_real(-R) Y(r) with D_real(-R) = (-1)^l D_real(R)
    angles = (pi / 3, pi / 4, pi / 6)
    for l in range(4):
        ys, rotated = _rotated_harmonics(l, -rotation_matrix(*angles))
        assert _is_zero_matrix(rotated - (-1) ** l * wigner_D_real(l, *angles) * ys), l


def test_D_real_l1_is_permuted_rotation_symbolic():
    p = sympy.Matrix([[0, 1, 0], [0, 0, 1], [1, 0, 0]])  # (x, y, z) -> (y, z, x)
    diff = wigner_D_real(1, ALPHA, BETA, GAMMA) - p * rotation_matrix(ALPHA, BETA, GAMMA) * p.T
    assert all(_trig_zero(e, [ALPHA, BETA, GAMMA]) for e in diff)


def test_D_real_homomorphism_exact():
    a1, b1, b2, g2 = pi / 3, pi / 4, pi / 6, pi / 2
    for l in range(4):
        lhs = wigner_D_real(l, a1, b1 + b2, g2)
        rhs = wigner_D_real(l, a1, b1, 0) * wigner_D_real(l, 0, b2, g2)
        assert _is_zero_matrix(lhs - rhs), l


@pytest.mark.slow
def test_D_real_homomorphism_symbolic():
    # every angle a symbol: R(a1, b1, 0) R(0, b2, g2) = R(a1, b1 + b2, g2), so
    # D(R(a1, b1 + b2, g2)) = D(R(a1, b1, 0)) D(R(0, b2, g2)) as a trigonometric identity
    # (compositions about z alone, R(a1, 0, 0) R(a2, 0, 0), are diagonal phases: trivial)
    a1, b1, b2, g2 = sympy.symbols("a1 b1 b2 g2", real=True)
    diff = rotation_matrix(a1, b1 + b2, g2) - rotation_matrix(a1, b1, 0) * rotation_matrix(
        0, b2, g2
    )
    assert all(_trig_zero(e, [a1, b1, b2, g2]) for e in diff)
    for l in range(4):
        diff = wigner_D_real(l, a1, b1 + b2, g2) - (
            wigner_D_real(l, a1, b1, 0) * wigner_D_real(l, 0, b2, g2)
        )
        assert all(_trig_zero(sympy.expand(e), [a1, b1, b2, g2]) for e in diff), l


def test_D_real_edge_angles():
    # beta = 0 and beta = pi: exact values, no division by sin(beta)
    assert wigner_D_real(2, 0, 0, 0) == sympy.eye(5)
    d = wigner_D_real(1, 0, pi, 0)  # Ry(pi): (x, y, z) -> (-x, y, -z)
    assert d == sympy.diag(1, -1, -1)


# ----------------------------------------------------------------------------- 50 digits


def _matrix_to_euler(r):
    beta = mpmath.acos(max(min(r[2][2], 1), -1))
    alpha = mpmath.atan2(r[1][2], r[0][2])
    gamma = mpmath.atan2(r[2][1], -r[2][0])
    return alpha, beta, gamma


def _mp_rotation(a, b, g):
    def rz(t):
        c, s = mpmath.cos(t), mpmath.sin(t)
        return mpmath.matrix([[c, -s, 0], [s, c, 0], [0, 0, 1]])

    def ry(t):
        c, s = mpmath.cos(t), mpmath.sin(t)
        return mpmath.matrix([[c, 0, s], [0, 1, 0], [-s, 0, c]])

    return rz(a) * ry(b) * rz(g)


def _mp_matmul(a, b):
    n, k, m = a.shape[0], a.shape[1], b.shape[1]
    return [[mpmath.fsum(a[i, t] * b[t, j] for t in range(k)) for j in range(m)] for i in range(n)]


@pytest.mark.slow
def test_identities_at_50_digits_up_to_12():
    dps = 50
    rng = random.Random(12)
    with mpmath.workdps(dps + 10):  # comparisons too: mpf arithmetic uses the global precision
        tol = mpmath.mpf(10) ** (-dps + 3)
        a1, b1, g1 = (mpmath.mpf(rng.uniform(0, 6)) for _ in range(3))
        a2, b2, g2 = (mpmath.mpf(rng.uniform(0, 6)) for _ in range(3))
        r1, r2 = _mp_rotation(a1, b1, g1), _mp_rotation(a2, b2, g2)
        r12 = r1 * r2
        e12 = _matrix_to_euler([[r12[i, j] for j in range(3)] for i in range(3)])
        points = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(3)] + [[0, 0, 1]]
        rotated = [
            [mpmath.fsum(r1[i, j] * p[j] for j in range(3)) for i in range(3)] for p in points
        ]
        y0 = real_spherical_harmonics(12, points, dps=dps)
        y1 = real_spherical_harmonics(12, rotated, dps=dps)
        for l in range(13):
            n = 2 * l + 1
            sl = slice(l * l, (l + 1) ** 2)
            dr1 = wigner_D_real(l, a1, b1, g1, dps=dps)
            for k in range(len(points)):
                rhs = [mpmath.fsum(dr1[i, j] * y0[k, sl][j] for j in range(n)) for i in range(n)]
                err = max(abs(u - v) for u, v in zip(y1[k, sl], rhs, strict=True))
                assert err < tol, (l, k)
            # homomorphism, complex and real
            for function in (wigner_D, wigner_D_real):
                d12 = function(l, *e12, dps=dps)
                d1 = function(l, a1, b1, g1, dps=dps)
                prod = _mp_matmul(d1, function(l, a2, b2, g2, dps=dps))
                err = max(abs(d12[i, j] - prod[i][j]) for i in range(n) for j in range(n))
                assert err < tol, (function.__name__, l)
            # D_real orthogonal, D unitary
            gram = _mp_matmul(dr1, dr1.T)
            assert max(abs(gram[i][j] - (i == j)) for i in range(n) for j in range(n)) < tol
            dc = wigner_D(l, a1, b1, g1, dps=dps)
            gram = _mp_matmul(dc, dc.conj().T)
            assert max(abs(gram[i][j] - (i == j)) for i in range(n) for j in range(n)) < tol


def test_mpmath_path_matches_exact_path():
    exact = wigner_D_real(3, pi / 3, pi / 4, pi / 6)
    numeric = wigner_D_real(3, pi / 3, pi / 4, pi / 6, dps=40)
    with mpmath.workdps(50):
        for i in range(7):
            for j in range(7):
                err = abs(mpmath.mpf(sympy.N(exact[i, j], 50)) - numeric[i, j])
                assert err < mpmath.mpf(10) ** -38


# ----------------------------------------------------------------------------- bad input


def test_bad_input():
    with pytest.raises(TypeError, match=r"alpha=0.5 is a float: pass an exact angle"):
        wigner_D(1, 0.5, 0, 0)
    with pytest.raises(TypeError, match=r"beta=0.5 is a float"):
        wigner_D_real(1, 0, 0.5, 0)
    with pytest.raises(ValueError, match=r"l=-1 must be a non-negative integer"):
        wigner_D_real(-1, 0, 0, 0)
    with pytest.raises(ValueError, match=r"l=3/2 must be a non-negative integer"):
        wigner_D(sympy.Rational(3, 2), 0, 0, 0)
    with pytest.raises(ValueError, match=r"dps=0 must be a positive integer"):
        wigner_D(1, 0, 0, 0, dps=0)
    with pytest.raises(TypeError, match=r"gamma=g has free symbols"):
        wigner_D_real(1, 0, 0, sympy.Symbol("g"), dps=20)
    with pytest.raises(ValueError, match=r"alpha=I must be a real angle"):
        wigner_D(1, sympy.I, 0, 0)
    with pytest.raises(ValueError, match=r"beta=1 \+ I must be a real angle"):
        wigner_D_real(1, 0, 1 + sympy.I, 0, dps=20)
    with pytest.raises(TypeError, match=r"alpha=\(1\+2j\) must be a real number"):
        wigner_D(1, 1 + 2j, 0, 0, dps=20)
    with pytest.raises(ValueError, match=r"alpha=nan must be finite"):
        wigner_D(1, float("nan"), 0, 0, dps=20)


@settings(max_examples=15, deadline=None)
@given(
    st.integers(min_value=0, max_value=6),
    st.floats(min_value=-7, max_value=7),
    st.floats(min_value=0, max_value=3.2),
    st.floats(min_value=-7, max_value=7),
)
@example(3, 0.5, 0.0, -1.0)  # beta = 0: alpha and gamma act about the same axis
@example(4, 0.5, float(mpmath.pi), 2.0)  # beta = pi (the float nearest to it)
def test_real_harmonics_rotate_at_30_digits(l, a, b, g):
    dps = 30
    with mpmath.workdps(dps + 10):
        r = _mp_rotation(a, b, g)
        points = [[0.3, -0.5, 0.8], [0.0, 0.0, 1.0]]
        rotated = [
            [mpmath.fsum(r[i, j] * p[j] for j in range(3)) for i in range(3)] for p in points
        ]
        y0 = real_spherical_harmonics(l, points, dps=dps)
        y1 = real_spherical_harmonics(l, rotated, dps=dps)
        d = wigner_D_real(l, a, b, g, dps=dps)
        n, sl = 2 * l + 1, slice(l * l, (l + 1) ** 2)
        for k in range(len(points)):
            rhs = [mpmath.fsum(d[i, j] * y0[k, sl][j] for j in range(n)) for i in range(n)]
            err = max(abs(u - v) for u, v in zip(y1[k, sl], rhs, strict=True))
            assert err < mpmath.mpf(10) ** (-dps + 2)
