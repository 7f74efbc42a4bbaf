"""The detector names every installed library's native conventions, without glue.

Each library's *raw* function is wrapped here only to be called with the detector's
signature and return a NumPy array: no axis swap, no sign, no normalisation, no reordering
(angles from ``xyz`` where a library takes ``theta, phi``; a quaternion read as axis and angle
where it takes those). The detector must name the convention, and both ``report.map.convert``
and the executed text of ``report.map.to_code()`` must pass the exact comparison with o3ref's
reference (mpmath at 30 digits) under the tolerance policy of the library's dtype, times 2
for the map's own product and solve (as in ``test_verify_convention_maps.py``).

``tests/verify/test_verify_detect.py`` checks the names on the adapters' native functions;
this file calls the libraries directly and checks the maps too. Each test skips without its
library (``pytest.importorskip``): run it in every environment that has some of them.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from o3ref import fast, reference
from o3ref.verify import detect_convention
from o3ref.verify.compare import to_numeric
from o3ref.verify.tolerances import tolerance

XYZ = np.array([[0.3, -0.5, 0.8], [1.2, 0.1, -0.4], [-0.2, -0.9, -0.1], [0.1, 0.2, 2.0],
                [0.7, 0.7, 0.05], [-1.1, 0.4, 0.6]])
ANGLES = [(0.4, 1.3, -2.2), (-1.0, 0.5, 2.9), (2.1, 2.8, 0.3)]
SLACK = 2  # the map's own product by a monomial matrix and solve
# without CUDA kernels cuequivariance-torch falls back to its naive torch path, and says so
NAIVE = pytest.mark.filterwarnings("ignore:cuequivariance_ops_torch is not available")


# ------------------------------------------------------------------ exact references


@cache
def _ref_sh(l_max: int) -> np.ndarray:
    return to_numeric(reference.real_spherical_harmonics(l_max, XYZ, dps=30))


@cache
def _ref_d(l: int, k: int) -> np.ndarray:
    return to_numeric(reference.wigner_D_real(l, *ANGLES[k], dps=30))


@cache
def _ref_cg(l1: int, l2: int, L: int) -> np.ndarray:
    return to_numeric(reference.real_clebsch_gordan(l1, l2, L))


def _assert_close(got, expected, quantity, l, dtype, what):
    err = float(np.max(np.abs(np.asarray(got) - expected), initial=0.0))
    tol = SLACK * tolerance(quantity, l, np.dtype(dtype)).atol
    assert err <= tol, f"{what}: error {err:.2e} > {tol:.2e} ({quantity}, l = {l}, {dtype})"


def _check_sh(func, l_max, dtype, what):
    got = np.asarray(func(l_max, XYZ))
    for l in range(l_max + 1):
        s = slice(l * l, (l + 1) ** 2)
        _assert_close(got[:, s], _ref_sh(l_max)[:, s], "sh", l, dtype, what)


def _check_d(func, l_max, dtype, what, takes):
    for k, angles in enumerate(ANGLES):
        R = np.asarray(fast.rotation_matrix(*angles)).reshape(3, 3)
        arg = {"euler": angles, "matrix": (R,),
               "quaternion": (np.asarray(fast.matrix_to_quaternion(R)),)}[takes]
        for l in range(l_max + 1):
            _assert_close(func(l, *arg), _ref_d(l, k), "wigner_d", l, dtype,
                          f"{what} at {angles}")


def _check_cg(func, l_max, dtype, what):
    for l1 in range(l_max + 1):
        for l2 in range(l_max + 1):
            for L in range(abs(l1 - l2), l1 + l2 + 1):
                _assert_close(func(l1, l2, L), _ref_cg(l1, l2, L), "cg", max(l1, l2, L), dtype,
                              f"{what} {(l1, l2, L)}")


def assert_named(raw, kind, expected, *, l_max, dtype="float64", takes="euler"):
    """The detector names ``raw``'s convention ``expected``; its map (converted, and as the
    executed NumPy text) gives o3ref's values at ``dtype``'s policy."""
    kw = {"takes": takes} if kind == "wigner_d" else {}
    report = detect_convention(raw, kind, l_max=l_max, **kw)
    assert report.map is not None, str(report)
    assert report.convention == expected == report.map.name, str(report)
    namespace: dict = {}
    exec(report.map.to_code(), namespace)  # noqa: S102 - the text a user would copy
    for how, func in (("convert", report.map.convert(raw)),
                      ("to_code", namespace["convert"](raw))):
        what = f"{expected} ({how})"
        if kind == "sh":
            _check_sh(func, l_max, dtype, what)
        elif kind == "wigner_d":
            _check_d(func, l_max, dtype, what, takes)
        else:
            _check_cg(func, l_max, dtype, what)
    return report


def _angles(xyz):
    xyz = np.asarray(xyz, dtype=np.float64)
    r = np.linalg.norm(xyz, axis=1)
    return np.arccos(np.clip(xyz[:, 2] / r, -1, 1)), np.arctan2(xyz[:, 1], xyz[:, 0])


def _axis_angle_of_quaternion(q):
    q = np.asarray(q, dtype=np.float64) / np.linalg.norm(q)
    s = float(np.linalg.norm(q[1:]))
    return (q[1:] / s if s > 0 else np.array([0.0, 0.0, 1.0])), 2 * math.atan2(s, float(q[0]))


def _axis_angle_of_matrix(R):
    R = np.asarray(R, dtype=np.float64)
    w = np.array([R[2, 1] - R[1, 2], R[0, 2] - R[2, 0], R[1, 0] - R[0, 1]])
    angle = math.atan2(np.linalg.norm(w) / 2, (np.trace(R) - 1) / 2)
    n = np.linalg.norm(w)
    return (w / n if n > 1e-12 else np.array([0.0, 0.0, 1.0])), angle


def _complex_cg_array(cg, l1, l2, L, third=lambda m1, m2: m1 + m2):
    out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
    for m1 in range(-l1, l1 + 1):
        for m2 in range(-l2, l2 + 1):
            m3 = third(m1, m2)
            if abs(m3) <= L:
                out[m1 + l1, m2 + l2, m3 + L] = float(cg(l1, m1, l2, m2, L, m3))
    return out


# ------------------------------------------------------------------ sphericart, scipy


def test_sphericart():
    sc = pytest.importorskip("sphericart")

    assert_named(lambda l_max, xyz: sc.SphericalHarmonics(l_max).compute(xyz), "sh", "o3ref",
                 l_max=4)
    assert_named(lambda l_max, xyz: sc.SolidHarmonics(l_max).compute(xyz), "sh",
                 "sphericart SolidHarmonics", l_max=4)


def test_scipy_sph_harm_y():
    special = pytest.importorskip("scipy.special")

    def raw(l_max, xyz):
        theta, phi = _angles(xyz)
        return np.stack([special.sph_harm_y(l, m, theta, phi) for l in range(l_max + 1)
                         for m in range(-l, l + 1)], axis=1)

    assert_named(raw, "sh", "complex (Condon-Shortley)", l_max=4, dtype="complex128")


# ------------------------------------------------------------------ sympy


def test_sympy_znm_and_ynm():
    sp = pytest.importorskip("sympy")
    theta_s, phi_s = sp.symbols("theta phi", real=True)

    def raw(which):
        @cache
        def funcs(l_max):
            return [sp.lambdify((theta_s, phi_s), which(l, m, theta_s, phi_s).expand(func=True),
                                "numpy") for l in range(l_max + 1) for m in range(-l, l + 1)]

        def sh(l_max, xyz):
            theta, phi = _angles(xyz)
            return np.stack([np.broadcast_to(f(theta, phi), theta.shape)
                             for f in funcs(l_max)], axis=1).astype(complex)

        return sh

    assert_named(raw(sp.Znm), "sh", "sympy Znm", l_max=3)
    assert_named(raw(sp.Ynm), "sh", "complex (Condon-Shortley)", l_max=3, dtype="complex128")


def test_sympy_wigner_d_and_cg():
    pytest.importorskip("sympy")
    from sympy.physics import wigner

    def raw_d(l, a, b, g):
        return np.array(wigner.wigner_d(l, float(a), float(b), float(g)).evalf(20).tolist(),
                        dtype=complex)

    assert_named(raw_d, "wigner_d", "standard complex", l_max=2, dtype="complex128")

    def raw_cg(l1, l2, L):
        return _complex_cg_array(lambda a, b, c, d, e, f: wigner.clebsch_gordan(a, c, e, b, d, f),
                                 l1, l2, L)

    def raw_3j(l1, l2, L):
        return _complex_cg_array(lambda a, b, c, d, e, f: wigner.wigner_3j(a, c, e, b, d, f),
                                 l1, l2, L, third=lambda m1, m2: -m1 - m2)

    assert_named(raw_cg, "cg", "complex (Condon-Shortley)", l_max=2)
    assert_named(raw_3j, "cg", "Wigner 3j", l_max=2)


# ------------------------------------------------------------------ spherical, wigners


def test_spherical():
    sph = pytest.importorskip("spherical")
    quaternionic = pytest.importorskip("quaternionic")

    def raw_d(l, q):  # spherical's D takes a quaternion (scalar first)
        w = sph.Wigner(l)
        flat = np.asarray(w.D(quaternionic.array(np.asarray(q, dtype=np.float64))))
        start = w.Dindex(l, -l, -l)
        return flat[start : start + (2 * l + 1) ** 2].reshape(2 * l + 1, 2 * l + 1)

    def raw_sh(l_max, xyz):  # sYlm(0, R) at R = from_spherical_coordinates(theta, phi)
        w = sph.Wigner(l_max)
        return np.stack([np.asarray(w.sYlm(0, quaternionic.array.from_spherical_coordinates(
            t, p))) for t, p in zip(*_angles(xyz), strict=True)])

    def raw_cg(l1, l2, L):
        return _complex_cg_array(sph.clebsch_gordan, l1, l2, L)

    assert_named(raw_d, "wigner_d", "conjugated complex", l_max=3, dtype="complex128",
                 takes="quaternion")
    assert_named(raw_sh, "sh", "complex (Condon-Shortley)", l_max=3, dtype="complex128")
    assert_named(raw_cg, "cg", "complex (Condon-Shortley)", l_max=2)


def test_wigners():
    wigners = pytest.importorskip("wigners")

    def raw_d(l, a, b, g):
        return np.asarray(wigners.wigner_D_array(l, a, b, g)[l])

    def raw_3j(l1, l2, L):
        return _complex_cg_array(lambda a, b, c, d, e, f: wigners.wigner_3j(a, c, e, b, d, f),
                                 l1, l2, L, third=lambda m1, m2: -m1 - m2)

    assert_named(raw_d, "wigner_d", "standard complex", l_max=3, dtype="complex128")
    assert_named(lambda l1, l2, L: np.asarray(wigners.clebsch_gordan_array(l1, l2, L)), "cg",
                 "complex (Condon-Shortley)", l_max=2)
    assert_named(raw_3j, "cg", "Wigner 3j", l_max=2)


# ------------------------------------------------------------------ e3nn (0.4.x and >= 0.5)


@pytest.fixture
def e3nn_o3():
    torch = pytest.importorskip("torch")
    pytest.importorskip("e3nn")
    import warnings

    try:
        with warnings.catch_warnings():  # e3nn 0.4.x warns at import (torch.load, torch.jit)
            warnings.simplefilter("ignore")
            from e3nn import o3
    except Exception as exc:  # e3nn 0.4.x without TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1
        pytest.skip(f"e3nn does not import here: {type(exc).__name__}: {exc}")
    # e3nn builds its generators in torch's default dtype: float64 for float64 results
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch, o3
    torch.set_default_dtype(previous)


@pytest.mark.parametrize("normalization", ["integral", "component", "norm"])
def test_e3nn_spherical_harmonics(e3nn_o3, normalization):
    torch, o3 = e3nn_o3

    def raw(l_max, xyz):
        x = torch.as_tensor(np.asarray(xyz, dtype=np.float64))
        return o3.spherical_harmonics(list(range(l_max + 1)), x, True, normalization).numpy()

    assert_named(raw, "sh", f"e3nn '{normalization}'", l_max=4)


def test_e3nn_wigner_d_and_3j(e3nn_o3):
    torch, o3 = e3nn_o3
    import e3nn

    def raw_d(l, a, b, g):
        return o3.wigner_D(l, *(torch.tensor(float(t)) for t in (a, b, g))).numpy()

    def raw_3j(l1, l2, L):
        return o3.wigner_3j(l1, l2, L).numpy()

    old = tuple(int(p) for p in e3nn.__version__.split(".")[:2]) < (0, 5)
    assert_named(raw_d, "wigner_d", "o3ref", l_max=3)
    assert_named(raw_3j, "cg", "e3nn 0.4.x wigner_3j" if old else "e3nn wigner_3j", l_max=3)


# ------------------------------------------------------------------ e3x


@pytest.fixture
def e3x_so3():
    jax = pytest.importorskip("jax")
    pytest.importorskip("e3x")
    import e3x

    with jax.enable_x64(True):  # e3x in float64 (jax computes in float32 otherwise)
        yield e3x.so3


E3X_SH = {  # (cartesian_order, normalization) -> the name the detector gives
    (True, "racah"): "e3x (Cartesian order, racah)",
    (True, "schmidt"): "e3x (Cartesian order, racah)",
    (True, "4pi"): "e3x Cartesian order, 4pi normalisation",
    (True, "orthonormal"): "e3x Cartesian order",
    (False, "racah"): "Schmidt semi-normalisation",
    (False, "schmidt"): "Schmidt semi-normalisation",
    (False, "4pi"): "4pi normalisation",
    (False, "orthonormal"): "o3ref",
}


@pytest.mark.parametrize(("cartesian_order", "normalization"), sorted(E3X_SH))
def test_e3x_spherical_harmonics(e3x_so3, cartesian_order, normalization):
    def raw(l_max, xyz):
        return np.asarray(e3x_so3.spherical_harmonics(
            np.asarray(xyz, dtype=np.float64), l_max, cartesian_order=cartesian_order,
            normalization=normalization))

    assert_named(raw, "sh", E3X_SH[cartesian_order, normalization], l_max=3)


@pytest.mark.parametrize("cartesian_order", [True, False])
def test_e3x_wigner_d_and_cg(e3x_so3, cartesian_order):
    def raw_d(l, R):  # the degree-l block of wigner_d(R, l)
        full = np.asarray(e3x_so3.wigner_d(np.asarray(R, dtype=np.float64), l,
                                           cartesian_order=cartesian_order))
        return full[l * l :, l * l :]

    def raw_cg(l1, l2, L):
        full = np.asarray(e3x_so3.clebsch_gordan(l1, l2, L, cartesian_order=cartesian_order))
        return full[l1 * l1 :, l2 * l2 :, L * L :]

    order = "e3x Cartesian order" if cartesian_order else None
    assert_named(raw_d, "wigner_d", order or "o3ref", l_max=3, takes="matrix")
    assert_named(raw_cg, "cg", f"{order}, (-1)^floor((l1+l2-L)/2)" if order
                 else "cuequivariance / e3x CG", l_max=2)


# ------------------------------------------------------------------ cuequivariance (NumPy)


def test_cuequivariance_numpy_descriptors():
    cue = pytest.importorskip("cuequivariance")

    @cache
    def descriptor(l_max):
        return cue.descriptors.spherical_harmonics(cue.SO3(1), list(range(l_max + 1)))

    def raw_sh(l_max, xyz):  # the descriptor's polynomials, at unit vectors
        xyz = np.asarray(xyz, dtype=np.float64)
        return np.asarray(descriptor(l_max)(xyz / np.linalg.norm(xyz, axis=1,
                                                                 keepdims=True))[0])

    def raw_d_quaternion(l, q):
        return np.asarray(cue.SO3(l).rotation(*_axis_angle_of_quaternion(q)))

    def raw_d_matrix(l, R):
        return np.asarray(cue.SO3(l).rotation(*_axis_angle_of_matrix(R)))

    def raw_cg(l1, l2, L):
        return np.asarray(cue.SO3.clebsch_gordan(cue.SO3(l1), cue.SO3(l2), cue.SO3(L))[0])

    assert_named(raw_sh, "sh", "e3nn 'component'", l_max=2)  # building l = 4 takes a minute
    assert_named(raw_d_quaternion, "wigner_d", "o3ref in e3nn's axes", l_max=3,
                 takes="quaternion")
    assert_named(raw_d_matrix, "wigner_d", "o3ref in e3nn's axes", l_max=3, takes="matrix")
    assert_named(raw_cg, "cg", "cuequivariance / e3x CG", l_max=2)


# ------------------------------------------------------------------ cuequivariance-torch


@NAIVE
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cuequivariance_torch(dtype):
    torch = pytest.importorskip("torch")
    cue = pytest.importorskip("cuequivariance")
    cuet = pytest.importorskip("cuequivariance_torch")
    dt = getattr(torch, dtype)

    def raw_sh(l_max, xyz):
        layer = cuet.SphericalHarmonics(list(range(l_max + 1)), normalize=True, math_dtype=dt)
        return layer(torch.as_tensor(np.asarray(xyz), dtype=dt)).detach().numpy()

    def raw_d(l, gamma, beta, alpha):  # its own angle order; D = the matrix of x -> D x
        layer = cuet.Rotation(cue.Irreps("SO3", str(l)), layout=cue.ir_mul, math_dtype=dt)
        angles = [torch.tensor([float(t)], dtype=dt) for t in (gamma, beta, alpha)]
        return layer(*angles, torch.eye(2 * l + 1, dtype=dt)).detach().numpy().T

    def raw_cg(l1, l2, L):  # the weightless full tensor product at basis vectors
        desc = cue.descriptors.full_tensor_product(cue.Irreps("SO3", str(l1)),
                                                   cue.Irreps("SO3", str(l2)), [cue.SO3(L)])
        layer = cuet.SegmentedPolynomial(desc.polynomial, method="naive", math_dtype=dt)
        n1, n2 = 2 * l1 + 1, 2 * l2 + 1
        x = torch.eye(n1, dtype=dt).repeat_interleave(n2, 0)
        z = torch.eye(n2, dtype=dt).repeat(n1, 1)
        return layer([x, z])[0].detach().numpy().reshape(n1, n2, 2 * L + 1)

    assert_named(raw_sh, "sh", "e3nn 'component'", l_max=4, dtype=dtype)
    assert_named(raw_d, "wigner_d", "ZYZ angles reversed (gamma, beta, alpha)", l_max=3,
                 dtype=dtype)
    assert_named(raw_cg, "cg", "cuequivariance / e3x CG", l_max=2, dtype=dtype)
