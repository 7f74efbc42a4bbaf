"""The convention detector names synthetic variants of every known convention and the
installed libraries; unknown variants get the place where they first differ."""

from __future__ import annotations

from math import factorial, pi, sqrt

import numpy as np
import pytest

from o3ref import reference
from o3ref.verify import detect_convention
from o3ref.verify.compare import to_numeric


def ours_sh(l_max, xyz):
    return to_numeric(reference.real_spherical_harmonics(l_max, xyz, dps=20))


def per_m(l_max, f):
    """A row vector over the flat index with f(l, m)."""
    return np.array([f(l, m) for l in range(l_max + 1) for m in range(-l, l + 1)])


def variant(f, transform=None):
    def sh(l_max, xyz):
        xyz = np.asarray(xyz)
        base = ours_sh(l_max, xyz if transform is None else transform(xyz))
        return base * per_m(l_max, f)

    return sh


def n_lm(l, m):
    am = abs(m)
    return sqrt((2 - (m == 0)) * (2 * l + 1) / (4 * pi) * factorial(l - am) / factorial(l + am))


SH_CASES = [
    ("o3ref", lambda l, m: 1.0, None, None),
    ("sympy Znm", lambda l, m: -1.0 if m < 0 else (-1.0) ** m, None, "l = 1, m = -1"),
    ("Condon-Shortley phase kept", lambda l, m: (-1.0) ** m, None, "l = 1, m = -1"),
    ("4pi normalisation", lambda l, m: sqrt(4 * pi), None, "l = 0, m = 0"),
    ("Schmidt semi-normalisation", lambda l, m: sqrt(4 * pi / (2 * l + 1)), None,
     "l = 0, m = 0"),
    ("unnormalised", lambda l, m: 1 / n_lm(l, m), None, "l = 0, m = 0"),
    ("e3nn 'component'", lambda l, m: sqrt(4 * pi), lambda r: r[:, [2, 0, 1]], "l = 0, m = 0"),
    ("e3nn 'integral'", lambda l, m: 1.0, lambda r: r[:, [2, 0, 1]], "l = 1, m = -1"),
    ("e3nn 'norm'", lambda l, m: sqrt(4 * pi / (2 * l + 1)), lambda r: r[:, [2, 0, 1]],
     "l = 0, m = 0"),
    ("sympy Znm signs, 4pi normalisation",
     lambda l, m: sqrt(4 * pi) * (-1.0 if m < 0 else (-1.0) ** m), None, "l = 0, m = 0"),
    ("Condon-Shortley phase kept, unnormalised", lambda l, m: (-1.0) ** m / n_lm(l, m), None,
     "l = 0, m = 0"),
]


@pytest.mark.parametrize("name, f, transform, first", SH_CASES, ids=[c[0] for c in SH_CASES])
def test_detects_sh_variants(name, f, transform, first):
    report = detect_convention(variant(f, transform), "sh")
    assert report.convention == name
    assert report.matches == (name == "o3ref")
    assert report.first_difference == first
    assert name in str(report)


def test_detects_complex_sh():
    def complex_sh(l_max, xyz):
        real = ours_sh(l_max, xyz)
        out = np.empty(real.shape, dtype=complex)
        for l in range(l_max + 1):
            u = np.array(reference.complex_to_real(l).evalf(20).tolist(), dtype=complex)
            out[:, l * l:(l + 1) ** 2] = real[:, l * l:(l + 1) ** 2] @ u.T
        return out

    report = detect_convention(complex_sh, "sh")
    assert report.convention == "complex (Condon-Shortley)" and not report.matches


def test_detects_complex_sh_without_condon_shortley_phase():
    def no_cs(l_max, xyz):  # Y_l^mu without the (-1)^mu of mu > 0, from mpmath.spherharm
        import mpmath

        out = np.empty((len(xyz), (l_max + 1) ** 2), dtype=complex)
        for i, (px, py, pz) in enumerate(np.asarray(xyz, dtype=float)):
            theta = np.arccos(pz / np.linalg.norm([px, py, pz]))
            phi = np.arctan2(py, px)
            out[i] = [complex(mpmath.spherharm(l, mu, theta, phi)) * (-1) ** max(mu, 0)
                      for l in range(l_max + 1) for mu in range(-l, l + 1)]
        return out

    report = detect_convention(no_cs, "sh", l_max=3)
    assert report.convention == "complex without Condon-Shortley phase"
    assert not report.matches and "complex without Condon-Shortley phase" in str(report)


def test_detects_solid_harmonics():
    def solid(l_max, xyz):
        r = np.linalg.norm(xyz, axis=1)[:, None]
        return ours_sh(l_max, xyz) * r ** per_m(l_max, lambda l, m: l)

    report = detect_convention(solid, "sh")
    assert report.convention == "sphericart SolidHarmonics"
    assert "r^l" in str(report)


def test_flipped_sign_at_one_l_is_located():
    sh = variant(lambda l, m: -1.0 if (l, m) == (3, 1) else 1.0)
    report = detect_convention(sh, "sh")
    assert report.convention is None and not report.matches
    assert report.first_difference == "l = 3, m = 1"
    text = str(report)
    assert "matches no known convention" in text and "l = 3, m = 1" in text
    assert "l = 3: sign flipped at m = 1" in text and "complex phase" not in text


def test_orderings():
    def descending(l_max, xyz):
        v = ours_sh(l_max, xyz)
        return np.concatenate([v[:, l * l:(l + 1) ** 2][:, ::-1] for l in range(l_max + 1)],
                              axis=1)

    report = detect_convention(descending, "sh")
    assert report.convention == "m descending" and report.first_difference == "l = 1, m = -1"

    def interleaved(l_max, xyz):  # m = 0, 1, -1, 2, -2, ...: no known ordering
        v = ours_sh(l_max, xyz)
        order = [l * l + l + m for l in range(l_max + 1)
                 for m in sorted(range(-l, l + 1), key=lambda m: (abs(m), -m))]
        return v[:, order]

    report = detect_convention(interleaved, "sh")  # a known order: quantum chemistry's
    assert report.convention == "m pairs 0, +-1, +-2"
    assert report.first_difference == "l = 1, m = -1"

    def shuffled(l_max, xyz):  # m = 0, -1, 1, -2, 2, ...: no known ordering
        v = ours_sh(l_max, xyz)
        order = [l * l + l + m for l in range(l_max + 1)
                 for m in sorted(range(-l, l + 1), key=lambda m: (abs(m), m))]
        return v[:, order]

    report = detect_convention(shuffled, "sh")
    assert report.convention is None and report.map is None
    assert report.first_difference == "l = 1, m = -1"
    assert "l = 1: o3ref's m in the order 0, -1, 1" in str(report)


def test_not_harmonics_at_all():
    def wrong(l_max, xyz):
        v = ours_sh(l_max, xyz)
        v[:, 4:9] = xyz[:, :1] ** 2  # l = 2 block replaced by x^2
        return v

    report = detect_convention(wrong, "sh")
    assert report.convention is None and report.first_difference == "l = 2, m = -2"
    assert "not a linear combination" in str(report)


# ------------------------------------------------------------------ Wigner D


def ours_d(l, a, b, g):
    return to_numeric(reference.wigner_D_real(l, a, b, g, dps=20))


def standard_d(l, a, b, g):
    return to_numeric(reference.wigner_D(l, a, b, g, dps=20))


def znm_signs(l):
    return np.array([-1.0 if m < 0 else (-1.0) ** m for m in range(-l, l + 1)])


D_CASES = [
    ("o3ref", ours_d),
    ("passive (transposed)", lambda l, a, b, g: ours_d(l, a, b, g).T),
    ("standard complex", standard_d),
    ("conjugated complex", lambda l, a, b, g: np.conj(standard_d(l, a, b, g))),
    ("adjoint complex", lambda l, a, b, g: np.conj(standard_d(l, a, b, g)).T),
    ("Euler ZYZ extrinsic, passive", lambda l, a, b, g: ours_d(l, -a, -b, -g)),
    ("ZYZ angles reversed (gamma, beta, alpha)", lambda l, a, b, g: ours_d(l, g, b, a)),
    ("sympy Znm signs",
     lambda l, a, b, g: znm_signs(l)[:, None] * ours_d(l, a, b, g) * znm_signs(l)[None, :]),
    ("m descending", lambda l, a, b, g: ours_d(l, a, b, g)[::-1, ::-1]),
    ("Euler ZXZ intrinsic", lambda l, a, b, g: ours_d(l, *zxz_to_zyz(a, b, g))),
]


def yxy_to_zyz(a, b, g):
    # Ry(a) Rx(b) Ry(g) in o3ref's axes, by matrices (independent of the detector's code)
    def ry(t):
        return np.array([[np.cos(t), 0, np.sin(t)], [0, 1, 0], [-np.sin(t), 0, np.cos(t)]])

    def rx(t):
        return np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])

    r = ry(a) @ rx(b) @ ry(g)
    beta = np.arccos(np.clip(r[2, 2], -1, 1))
    return np.arctan2(r[1, 2], r[0, 2]), beta, np.arctan2(r[2, 1], -r[2, 0])


D_CASES.append(("Euler YXY intrinsic",
                lambda l, a, b, g: ours_d(l, *yxy_to_zyz(a, b, g))))


def zxz_to_zyz(a, b, g):
    # Rz(a) Rx(b) Rz(g) = Rz(a) [Rz(-pi/2) Ry(b) Rz(pi/2)] Rz(g), since Rz(-pi/2) y = x
    return a - np.pi / 2, b, g + np.pi / 2


@pytest.mark.parametrize("name, func", D_CASES, ids=[c[0] for c in D_CASES])
def test_detects_wigner_d_variants(name, func):
    report = detect_convention(func, "wigner_d")
    assert report.convention == name
    assert report.matches == (name == "o3ref")
    assert name in str(report)


def test_wigner_d_broken_entry():
    def broken(l, a, b, g):
        d = ours_d(l, a, b, g)
        if l == 2:
            d = d.copy()
            d[1, 2] += 0.1
        return d

    report = detect_convention(broken, "wigner_d")
    assert report.convention is None
    assert report.first_difference == "l = 2, m' = -1, m = 0"


# ------------------------------------------------------------------ Clebsch-Gordan


def ours_cg(l1, l2, L):
    return to_numeric(reference.real_clebsch_gordan(l1, l2, L))


CG_CASES = [
    ("o3ref", lambda l1, l2, L: 1.0),
    ("featomic product", lambda l1, l2, L: (-1.0) ** (l1 + l2 + L)),
    ("e3nn wigner_3j", lambda l1, l2, L: (-1.0) ** ((l1 + l2 - L) // 2) / sqrt(2 * L + 1)),
    ("Frobenius-normalised", lambda l1, l2, L: 1 / sqrt(2 * L + 1)),
]


@pytest.mark.parametrize("name, factor", CG_CASES, ids=[c[0] for c in CG_CASES])
def test_detects_cg_variants(name, factor):
    report = detect_convention(lambda l1, l2, L: factor(l1, l2, L) * ours_cg(l1, l2, L), "cg")
    assert report.convention == name
    assert report.matches == (name == "o3ref")


def test_detects_complex_cg_and_3j():
    def complex_cg(l1, l2, L):
        out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
        for m1 in range(-l1, l1 + 1):
            for m2 in range(-l2, l2 + 1):
                if abs(m1 + m2) <= L:
                    out[m1 + l1, m2 + l2, m1 + m2 + L] = float(
                        reference.clebsch_gordan(l1, m1, l2, m2, L, m1 + m2))
        return out

    assert detect_convention(complex_cg, "cg").convention == "complex (Condon-Shortley)"

    def three_j(l1, l2, L):
        out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
        for m1 in range(-l1, l1 + 1):
            for m2 in range(-l2, l2 + 1):
                if abs(m1 + m2) <= L:
                    out[m1 + l1, m2 + l2, -m1 - m2 + L] = float(
                        reference.wigner_3j(l1, l2, L, m1, m2, -m1 - m2))
        return out

    assert detect_convention(three_j, "cg").convention == "Wigner 3j"


def test_cg_in_znm_basis():
    def znm_cg(l1, l2, L):
        s = [znm_signs(l) for l in (l1, l2, L)]
        return (ours_cg(l1, l2, L) * s[0][:, None, None] * s[1][None, :, None]
                * s[2][None, None, :])

    report = detect_convention(znm_cg, "cg")
    assert report.convention == "sympy Znm signs"


def test_cg_sign_flipped_for_one_triple():
    def flipped(l1, l2, L):
        c = ours_cg(l1, l2, L)
        return -c if (l1, l2, L) == (2, 1, 2) else c

    report = detect_convention(flipped, "cg")
    assert report.convention is None
    assert report.first_difference.startswith("l1 = 2, l2 = 1, L = 2,")
    assert "l1 = 2, l2 = 1, L = 2: o3ref's times -1" in str(report)


# ------------------------------------------------------------------ input errors


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind='D' must be one of sh, wigner_d, cg"):
        detect_convention(ours_sh, "D")
    with pytest.raises(TypeError, match="must be callable"):
        detect_convention(3, "sh")
    with pytest.raises(ValueError, match=r"l_max=0 must be an integer in 1\.\.12"):
        detect_convention(ours_sh, "sh", l_max=0)
    with pytest.raises(ValueError, match=r"returned shape \(20, 3\), expected \(20, 9\)"):
        detect_convention(lambda l_max, xyz: xyz, "sh", l_max=2)


def test_failing_implementation_is_reported_readably():
    def crashes(l_max, xyz):
        raise KeyError("no such degree")

    with pytest.raises(ValueError, match=r"^crashes\(4, <array of shape \(36, 3\)>\) raised "
                       r"KeyError: 'no such degree'$"):
        detect_convention(crashes, "sh")
    with pytest.raises(ValueError, match=r"^<lambda>\(0, -?\d\.\d+, -?\d\.\d+, -?\d\.\d+\) "
                       r"returned shape \(3, 3\), expected \(1, 1\)"):
        detect_convention(lambda l, a, b, g: np.eye(3), "wigner_d")
    with pytest.raises(ValueError, match=r"returned non-finite values"):
        detect_convention(lambda l1, l2, L: np.full((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1),
                                                    np.nan), "cg")


def test_exact_outputs_are_accepted():
    # an implementation returning mpmath numbers (object arrays), like o3ref.reference
    report = detect_convention(
        lambda l, a, b, g: reference.wigner_D_real(l, a, b, g, dps=20), "wigner_d", l_max=2)
    assert report.matches


# ------------------------------------------------------------------ installed libraries


def test_sphericart():
    pytest.importorskip("sphericart")
    from o3ref.verify.adapters import sphericart as sc

    assert detect_convention(sc.spherical_harmonics, "sh").matches
    assert detect_convention(sc.solid_harmonics, "sh").convention == "sphericart SolidHarmonics"


def test_scipy():
    pytest.importorskip("scipy")
    from o3ref.verify.adapters import scipy as sa

    assert detect_convention(sa.spherical_harmonics, "sh").convention == (
        "complex (Condon-Shortley)")


def test_sympy():
    from o3ref.verify.adapters import sympy as sa

    assert detect_convention(sa.znm, "sh", l_max=3).convention == "sympy Znm"
    assert detect_convention(sa.wigner_d, "wigner_d", l_max=2).convention == "standard complex"
    assert detect_convention(sa.clebsch_gordan, "cg").convention == "complex (Condon-Shortley)"


def test_spherical():
    pytest.importorskip("spherical")
    from o3ref.verify.adapters import spherical as sa

    assert detect_convention(sa.wigner_D, "wigner_d").convention == "conjugated complex"
    assert detect_convention(sa.spherical_harmonics, "sh", l_max=3).convention == (
        "complex (Condon-Shortley)")


def test_wigners():
    pytest.importorskip("wigners")
    from o3ref.verify.adapters import wigners as wa

    assert detect_convention(wa.wigner_D, "wigner_d").convention == "standard complex"
    assert detect_convention(wa.clebsch_gordan, "cg").convention == "complex (Condon-Shortley)"
    assert detect_convention(wa.wigner_3j, "cg").convention == "Wigner 3j"


def test_featomic():
    pytest.importorskip("featomic")
    from o3ref.verify.adapters import featomic as fa

    assert detect_convention(fa.clebsch_gordan, "cg").matches


@pytest.mark.parametrize("normalization", ["integral", "component", "norm"])
def test_e3nn_spherical_harmonics(normalization):
    pytest.importorskip("e3nn")
    from o3ref.verify.adapters import e3nn as ea

    report = detect_convention(
        lambda l_max, xyz: ea.spherical_harmonics(l_max, xyz, normalization), "sh")
    assert report.convention == f"e3nn '{normalization}'"


def test_e3nn_wigner_d_and_3j():
    pytest.importorskip("e3nn")
    from o3ref.verify.adapters import e3nn as ea

    # e3nn's Y-X-Y angles in its (y, z, x) axes are o3ref's ZYZ angles: the same real D
    assert detect_convention(ea.wigner_D, "wigner_d").matches
    old = ea._version() < (0, 5)  # 0.4.x's stored table: a sign at 44 sorted triples
    assert detect_convention(ea.wigner_3j, "cg").convention == (
        "e3nn 0.4.x wigner_3j" if old else "e3nn wigner_3j")


def test_non_numeric_output_is_one_type_error_naming_the_function():
    def strings(l_max, xyz):
        return np.full((len(xyz), (l_max + 1) ** 2), "0.5")

    with pytest.raises(TypeError, match=r"^strings\(4, <array of shape \(36, 3\)>\) returned "
                       r"non-numeric values \(dtype <U3, e\.g\. .*'0\.5'.*\), not an array"):
        detect_convention(strings, "sh")

    def a_dict(l1, l2, L):
        return {"values": 1.0}

    with pytest.raises(TypeError, match=r"^a_dict\(0, 0, 0\) returned non-numeric values "
                       r"\(dtype object, e\.g\. \{'values': 1\.0\}\), not an array of numbers"):
        detect_convention(a_dict, "cg")


def test_wigner_d_of_a_quaternion_scalar_last():
    from o3ref import fast

    def d_of_quaternion(l, q):  # scalar last (x, y, z, w), as scipy's as_quat()
        R = np.asarray(fast.quaternion_to_matrix(np.asarray(q)[[3, 0, 1, 2]]))
        return fast.wigner_D_real_blocks(l, R.reshape(1, 3, 3))[l][0]

    report = detect_convention(d_of_quaternion, "wigner_d", l_max=2, takes="quaternion")
    assert report.convention == "quaternion scalar last" and not report.matches
    assert report.map.takes == "quaternion"


def test_takes_errors():
    with pytest.raises(ValueError, match="takes='angles' must be one of euler, matrix, "
                       "quaternion"):
        detect_convention(ours_d, "wigner_d", takes="angles")
    with pytest.raises(ValueError, match="takes='matrix' applies to kind='wigner_d' only, "
                       "not kind='sh'"):
        detect_convention(ours_sh, "sh", takes="matrix")
