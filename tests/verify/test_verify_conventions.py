"""Each map of o3ref.verify.conventions proven in exact arithmetic against the other
library's own definition (sympy objects, or e3nn's documented formulas transcribed in
o3ref.verify.adapters.e3nn), plus float checks against the installed libraries."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import sympy
from sympy import Rational, pi, sqrt

from o3ref import reference
from o3ref.verify.adapters import e3nn as e3nn_adapter
from o3ref.verify.conventions import table as conv
from o3ref.verify.tolerances import tolerance

X, Y, Z = reference.x, reference.y, reference.z
THETA, PHI = sympy.symbols("theta phi", real=True)
# points on the unit sphere with rational coordinates (a^2 + b^2 + c^2 = d^2), off the z axis
POINTS = [(2, 3, 6, 7), (-4, 4, 7, 9), (6, -2, -9, 11)]
ANGLES = (pi / 3, pi / 4, -pi / 6)


def _ours(l: int, point) -> sympy.Matrix:
    a, b, c, d = point
    sub = {X: Rational(a, d), Y: Rational(b, d), Z: Rational(c, d)}
    return sympy.Matrix([reference.real_solid_harmonic(l, m).subs(sub) for m in range(-l, l + 1)])


def _at(expr, point):
    """An expression in (theta, phi) evaluated exactly at a rational point of the sphere."""
    a, b, c, d = point
    rho = sqrt(a * a + b * b)
    e = sympy.expand_trig(sympy.expand_complex(expr))
    e = e.subs({sympy.cos(THETA): Rational(c, d), sympy.sin(THETA): rho / d,
                sympy.cos(PHI): a / rho, sympy.sin(PHI): b / rho})
    return e


def _flat(arr) -> list:
    return sympy.flatten(arr.tolist())


def _zero(expr) -> bool:
    return sympy.simplify(sympy.expand_complex(expr)) == 0


def _assert_equal_vectors(lhs, rhs):
    for i, (u, v) in enumerate(zip(lhs, rhs, strict=True)):
        assert _zero(u - v), f"entry {i}: {sympy.nsimplify(u)} != {sympy.nsimplify(v)}"


def _check_sh_map(name: str, other, l_max: int = 3):
    """other(l, m) -> expression in theta, phi; checks other = M_l @ Y_l at POINTS."""
    c = conv.SH_CONVENTIONS[name]
    for l in range(l_max + 1):
        for point in POINTS:
            lhs = [_at(other(l, m), point) for m in range(-l, l + 1)]
            _assert_equal_vectors(lhs, c.matrix(l) * _ours(l, point))


def test_sympy_znm():
    _check_sh_map("sympy Znm", lambda l, m: sympy.Znm(l, m, THETA, PHI).expand(func=True))


def test_sympy_znm_map_is_not_identity():
    # the map is a real change: Znm_1,-1 = -Y_1,-1 (pins the sign the table states)
    assert conv.SH_CONVENTIONS["sympy Znm"].matrix(1)[0, 0] == -1


def _ynm(l, m):
    return sympy.Ynm(l, m, THETA, PHI).expand(func=True)


def test_cs_kept():
    def cs_kept(l, m):
        y = _ynm(l, abs(m))
        if m > 0:
            return sqrt(2) * sympy.re(sympy.expand_complex(y))
        if m < 0:
            return sqrt(2) * sympy.im(sympy.expand_complex(y))
        return y

    _check_sh_map("Condon-Shortley phase kept", cs_kept)


def _schmidt(l, m):
    am = abs(m)
    legendre = (-1) ** am * sympy.assoc_legendre(l, am, sympy.cos(THETA))  # no CS phase
    trig = sympy.cos(am * PHI) if m >= 0 else sympy.sin(am * PHI)
    norm = sqrt((2 - (m == 0)) * sympy.factorial(l - am) / sympy.factorial(l + am))
    return norm * legendre * trig


def test_normalisations():
    _check_sh_map("Schmidt semi-normalisation", _schmidt)
    _check_sh_map("4pi normalisation", lambda l, m: sqrt(2 * l + 1) * _schmidt(l, m))

    def unnormalised(l, m):
        am = abs(m)
        trig = sympy.cos(am * PHI) if m >= 0 else sympy.sin(am * PHI)
        return (-1) ** am * sympy.assoc_legendre(l, am, sympy.cos(THETA)) * trig

    _check_sh_map("unnormalised", unnormalised)


def test_complex_sh():
    _check_sh_map("complex (Condon-Shortley)", _ynm)


def test_complex_sh_without_cs():
    _check_sh_map("complex without Condon-Shortley phase",
                  lambda l, m: (-1) ** m * _ynm(l, m) if m > 0 else _ynm(l, m), l_max=2)


@pytest.mark.parametrize("normalization", ["integral", "component", "norm"])
def test_e3nn_sh(normalization):
    # e3nn's 'component' polynomials (transcribed); 'integral' divides them by sqrt(4 pi),
    # 'norm' by sqrt(2l+1) (e3nn SphericalHarmonics.forward). Polynomial identity in v.
    c = conv.SH_CONVENTIONS[f"e3nn '{normalization}'"]
    ex, ey, ez = sympy.symbols("x y z", real=True)  # the symbols of sh_polynomials
    v = sympy.Matrix([ex, ey, ez])
    w = c.argument * v
    for l in range(4):
        div = {"component": 1, "integral": sqrt(4 * pi), "norm": sqrt(2 * l + 1)}[normalization]
        e3nn = [p / div for p in e3nn_adapter.sh_polynomials(l)]
        ours = sympy.Matrix([reference.real_solid_harmonic(l, m).subs(
            {X: w[0], Y: w[1], Z: w[2]}, simultaneous=True) for m in range(-l, l + 1)])
        rhs = c.matrix(l) * ours
        for i in range(2 * l + 1):
            assert sympy.expand(e3nn[i] - rhs[i]) == 0, (l, i)


def test_e3nn_argument_reads_yzx():
    # e3nn(r[[1, 2, 0]]) = Y(r): the argument matrix undoes the (y, z, x) reading
    assert conv.E3NN_ARGUMENT * sympy.Matrix([Y, Z, X]) == sympy.Matrix([X, Y, Z])


def test_complex_d():
    # the standard D (sympy Rotation.D, an independent implementation) ...
    from sympy.physics.quantum.spin import Rotation

    c = conv.WIGNER_D_CONVENTIONS["standard complex"]
    for l in range(3):
        ours = c.matrix(l, *ANGLES)
        for i, mp in enumerate(range(-l, l + 1)):
            for j, m in enumerate(range(-l, l + 1)):
                assert _zero(Rotation.D(l, mp, m, *ANGLES).doit() - ours[i, j]), (l, mp, m)
    # ... and the real D by its defining property Y_l(R r) = D_real Y_l(r), exactly
    R = reference.rotation_matrix(*ANGLES)
    a, b, cc, d = POINTS[0]
    r = sympy.Matrix([a, b, cc]) / d
    rr = R * r
    for l in range(3):
        lhs = sympy.Matrix([reference.real_solid_harmonic(l, m).subs(
            {X: rr[0], Y: rr[1], Z: rr[2]}) for m in range(-l, l + 1)])
        d_real = conv.WIGNER_D_CONVENTIONS["o3ref"].matrix(l, *ANGLES)
        _assert_equal_vectors(lhs, d_real * _ours(l, POINTS[0]))


def test_sympy_wigner_d():
    from sympy.physics.wigner import wigner_d

    c = conv.WIGNER_D_CONVENTIONS["sympy wigner_d"]
    for l in range(3):
        diff = sympy.Matrix(wigner_d(l, *ANGLES)) - c.matrix(l, *ANGLES)
        assert all(_zero(e) for e in diff), l


def test_passive_d():
    c = conv.WIGNER_D_CONVENTIONS["passive (transposed)"]
    for l in range(3):
        inverse = reference.wigner_D_real(l, -ANGLES[2], -ANGLES[1], -ANGLES[0])
        assert all(_zero(e) for e in c.matrix(l, *ANGLES) - sympy.Matrix(inverse)), l


def test_e3nn_wigner_d():
    # 1. e3nn's Y-X-Y rotation, read in o3ref's axes, is o3ref's ZYZ rotation
    a, b, g = sympy.symbols("alpha beta gamma", real=True)
    A = conv.E3NN_ARGUMENT
    lhs = A * e3nn_adapter.angles_to_matrix(a, b, g) * A.inv()
    assert sympy.simplify(lhs - reference.rotation_matrix(a, b, g)) == sympy.zeros(3, 3)
    # 2. e3nn's generators are those of o3ref's real D about z (alpha, gamma) and y (beta),
    # so exp(a X1) exp(b X0) exp(g X1) = D_real(Rz(a)) D_real(Ry(b)) D_real(Rz(g))
    t = sympy.Symbol("t", real=True)
    for l in range(3):
        x0, x1, _ = e3nn_adapter.so3_generators(l)
        assert all(sympy.im(e) == 0 for e in x0) and all(sympy.im(e) == 0 for e in x1)
        dz = sympy.Matrix(reference.wigner_D_real(l, t, 0, 0)).diff(t).subs(t, 0)
        dy = sympy.Matrix(reference.wigner_D_real(l, 0, t, 0)).diff(t).subs(t, 0)
        assert sympy.simplify(dz - x1) == sympy.zeros(2 * l + 1), l
        assert sympy.simplify(dy - x0) == sympy.zeros(2 * l + 1), l


def test_e3nn_change_of_basis():
    # e3nn's Q is (-i)^l times o3ref's U (rows complex m, columns real m)
    for l in range(4):
        q = e3nn_adapter.change_basis_real_to_complex(l)
        assert sympy.simplify(q - (-sympy.I) ** l * reference.complex_to_real(l)) == sympy.zeros(
            2 * l + 1)


def test_e3nn_wigner_3j():
    c = conv.CG_CONVENTIONS["e3nn wigner_3j"]
    for l1, l2, L in [(1, 1, 0), (1, 1, 1), (1, 1, 2), (1, 2, 1), (2, 1, 2), (2, 2, 1)]:
        e3nn = e3nn_adapter.wigner_3j_exact(l1, l2, L)
        mapped = c.array(l1, l2, L)
        assert all(_zero(u - v) for u, v in zip(_flat(e3nn), _flat(mapped), strict=True)), (
            l1, l2, L)
    # the sign is not trivial: (1, 1, 0) flips, (1, 1, 2) does not
    assert c.factor(1, 1, 0) == -1 / sqrt(1) and c.factor(1, 1, 2) == 1 / sqrt(5)


def _real_cg_from_complex(l1, l2, L, cg):
    u1, u2, uL = (reference.complex_to_real(l) for l in (l1, l2, L))
    out = []
    for i in range(2 * l1 + 1):
        for j in range(2 * l2 + 1):
            for k in range(2 * L + 1):
                kk = sum(u1[a, i] * u2[b, j] * cg(a - l1, b - l2, c - L) * sympy.conjugate(uL[c, k])
                         for a in range(2 * l1 + 1) for b in range(2 * l2 + 1)
                         for c in range(2 * L + 1) if a - l1 + b - l2 == c - L)
                kk = sympy.expand_complex(kk)
                out.append(sympy.re(kk) if (l1 + l2 + L) % 2 == 0 else sympy.im(kk))
    return out


def test_complex_cg():
    from sympy.physics.wigner import clebsch_gordan

    c = conv.CG_CONVENTIONS["complex (Condon-Shortley)"]
    for l1, l2, L in [(1, 1, 1), (1, 2, 2), (2, 2, 3)]:
        arr = c.array(l1, l2, L)
        for i, m1 in enumerate(range(-l1, l1 + 1)):
            for j, m2 in enumerate(range(-l2, l2 + 1)):
                for k, M in enumerate(range(-L, L + 1)):
                    assert arr[i, j, k] == clebsch_gordan(l1, l2, L, m1, m2, M)

        def sympy_cg(m1, m2, M, l1=l1, l2=l2, L=L):
            return clebsch_gordan(l1, l2, L, m1, m2, M)

        real = conv.CG_CONVENTIONS["o3ref"].array(l1, l2, L)
        assert all(_zero(u - v) for u, v in zip(
            _flat(real), _real_cg_from_complex(l1, l2, L, sympy_cg), strict=True))


def test_wigner_3j():
    from sympy.physics.wigner import wigner_3j

    c = conv.CG_CONVENTIONS["Wigner 3j"]
    for l1, l2, L in [(1, 1, 2), (2, 1, 2)]:
        arr = c.array(l1, l2, L)
        cg = conv.CG_CONVENTIONS["complex (Condon-Shortley)"].array(l1, l2, L)
        for i, m1 in enumerate(range(-l1, l1 + 1)):
            for j, m2 in enumerate(range(-l2, l2 + 1)):
                for k, M in enumerate(range(-L, L + 1)):
                    assert arr[i, j, k] == wigner_3j(l1, l2, L, m1, m2, M)
                    # <l1 m1 l2 m2|L M> = (-1)^(l1-l2+M) sqrt(2L+1) (l1 l2 L; m1 m2 -M)
                    assert _zero(cg[i, j, k] - (-1) ** (l1 - l2 + M) * sqrt(2 * L + 1)
                                 * wigner_3j(l1, l2, L, m1, m2, -M))


def test_unnormalised_factor_closed_form():
    # Y_10 = sqrt(3/(4 pi)) cos(theta) so the unnormalised P_1 = cos(theta) needs sqrt(4 pi/3)
    assert sympy.simplify(conv.unnormalised_factor(1, 0) - sqrt(4 * pi / 3)) == 0


# ---------------------------------------------------------------- installed libraries


def _reference_sh(l_max, xyz):
    from o3ref.verify.compare import to_numeric

    return to_numeric(reference.real_spherical_harmonics(l_max, xyz, dps=30))


XYZ = np.array([[0.3, -0.5, 0.8], [1.2, 0.1, -0.4], [-0.2, -0.9, -0.1], [0.0, 0.6, 0.0]])


def test_sphericart_identity():
    sphericart = pytest.importorskip("sphericart")
    got = sphericart.SphericalHarmonics(8).compute(XYZ)
    np.testing.assert_allclose(got, _reference_sh(8, XYZ), rtol=0,
                               atol=tolerance("sh", 8, scale=np.sqrt(17 / (4 * np.pi))).atol)


def test_solid_harmonics():
    sphericart = pytest.importorskip("sphericart")
    got = sphericart.SolidHarmonics(6).compute(XYZ)
    r = np.linalg.norm(XYZ, axis=1)[:, None]
    degree = np.concatenate([np.full(2 * l + 1, l) for l in range(7)])
    # the sh policy against each value's size r^l sqrt((2l+1)/4pi)
    size = r**degree * np.sqrt((2 * degree + 1) / (4 * np.pi))
    assert (np.abs(got - r**degree * _reference_sh(6, XYZ)) <= tolerance("sh", 6).atol * size).all()


def test_scipy_matches_complex_map():
    pytest.importorskip("scipy")
    from o3ref.verify.adapters import scipy as scipy_adapter

    got = scipy_adapter.spherical_harmonics(4, XYZ)
    ours = _reference_sh(4, XYZ)
    for l in range(5):
        u = np.array(conv.SH_CONVENTIONS["complex (Condon-Shortley)"].matrix(l).evalf(20)
                     .tolist(), dtype=complex)
        s = slice(l * l, (l + 1) ** 2)
        np.testing.assert_allclose(got[:, s], ours[:, s] @ u.T,
                                   atol=2 * tolerance("sh", l, scale=np.sqrt(2 * l + 1)).atol)


def test_spherical_wigner_d():
    pytest.importorskip("spherical")
    from o3ref.verify.adapters import spherical as spherical_adapter
    from o3ref.verify.compare import to_numeric

    c = conv.WIGNER_D_CONVENTIONS["conjugated complex"]
    for l in range(4):
        for angles in [(0.3, 1.1, -2.0), (2.5, 0.4, 0.9)]:
            expected = np.array(c.matrix(l, *angles, dps=20).tolist(), dtype=object)
            np.testing.assert_allclose(spherical_adapter.wigner_D(l, *angles),
                                       to_numeric(expected), atol=tolerance("wigner_d", l).atol)


def test_featomic_cg():
    pytest.importorskip("featomic")
    from o3ref.verify.adapters import featomic as featomic_adapter

    for l1, l2, L in [(1, 1, 0), (1, 1, 1), (2, 1, 2), (2, 2, 3)]:
        ref = np.array([float(v) for v in reference.real_clebsch_gordan(l1, l2, L).ravel()])
        got = featomic_adapter.clebsch_gordan(l1, l2, L).ravel()
        np.testing.assert_allclose(got, ref, atol=tolerance("cg", L).atol)


def test_featomic_product_sign():
    pytest.importorskip("featomic")
    import featomic.clebsch_gordan as fcg
    from metatensor import Labels, TensorBlock, TensorMap

    rng = np.random.default_rng(0)
    values = {l: rng.standard_normal((1, 2 * l + 1, 1)) for l in (1, 2)}

    def tensor(names):
        blocks = [TensorBlock(values=values[l].copy(), samples=Labels(["system"], np.array([[0]])),
                              components=[Labels(["o3_mu"], np.arange(-l, l + 1).reshape(-1, 1))],
                              properties=Labels([names], np.array([[0]]))) for l in (1, 2)]
        return TensorMap(Labels(["o3_lambda", "o3_sigma"], np.array([[1, 1], [2, 1]])), blocks)

    out = fcg.ClebschGordanProduct(max_angular=4).compute(tensor("p1"), tensor("p2"), "l_1",
                                                          "l_2")
    checked = 0
    for key, block in out.items():
        l1, l2, L = int(key["l_1"]), int(key["l_2"]), int(key["o3_lambda"])
        cg = np.array([float(v) for v in reference.real_clebsch_gordan(l1, l2, L).ravel()])
        ours = np.einsum("abc,a,b->c", cg.reshape(2 * l1 + 1, 2 * l2 + 1, 2 * L + 1),
                         values[l1][0, :, 0], values[l2][0, :, 0])
        sign = conv.CG_CONVENTIONS["featomic product"].factor(l1, l2, L)
        size = np.abs(values[l1]).max() * np.abs(values[l2]).max()
        np.testing.assert_allclose(block.values[0, :, 0], float(sign) * ours,
                                   atol=2 * tolerance("acdc", L, scale=size).atol)
        checked += (l1 + l2 + L) % 2  # the odd ones are where the sign bites
    assert checked > 0


def test_table_rows_name_existing_tests():
    names = set(re.findall(r"`(test_\w+)`", conv.CONVENTIONS_TABLE))
    source = "".join(p.read_text()
                     for p in Path(__file__).parent.glob("test_verify_conventions*.py"))
    missing = [n for n in names if f"def {n}(" not in source]
    assert names and not missing, missing
