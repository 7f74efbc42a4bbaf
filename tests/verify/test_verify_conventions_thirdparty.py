"""The CONVENTIONS_TABLE rows of cuequivariance, e3x, escnn and e3nn 0.4.x: each map proven against
the installed library (``pytest.importorskip``) and o3ref's exact reference, at the library's
precision (:mod:`o3ref.verify.tolerances` at its dtype). The maps are written out here in
full, independently of the adapters that apply them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from o3ref import reference
from o3ref.verify.compare import to_numeric
from o3ref.verify.properties import matrix_to_euler
from o3ref.verify.tolerances import tolerance

XYZ = np.array([[0.3, -0.5, 0.8], [1.2, 0.1, -0.4], [-0.2, -0.9, -0.1], [0.0, 0.0, 2.0],
                [0.7, 0.7, 0.0], [-1.1, 0.4, 0.6]])
ANGLES = [(0.4, 1.3, -2.2), (0.7, math.pi, -0.2), (-1.0, 0.5, 2.9)]


def _ref_sh(l_max: int, xyz) -> np.ndarray:
    return to_numeric(reference.real_spherical_harmonics(l_max, np.asarray(xyz), dps=30))


def _ref_d(l, angles) -> np.ndarray:
    return to_numeric(reference.wigner_D_real(l, *angles, dps=30))


def _rot(angles) -> np.ndarray:
    """``Rz(alpha) Ry(beta) Rz(gamma)`` (CONVENTIONS.md), in floats."""
    def rz(t):
        return np.array([[math.cos(t), -math.sin(t), 0], [math.sin(t), math.cos(t), 0],
                         [0, 0, 1]])

    a, b, g = angles
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    return rz(a) @ ry @ rz(g)


def _assert_within(got, expected, quantity, l, dtype=np.float64, what=""):
    err = float(np.max(np.abs(np.asarray(got) - expected), initial=0.0))
    tol = tolerance(quantity, l, dtype).atol
    assert err <= tol, f"{what}: error {err:.2e} > {tol:.2e} ({quantity}, l = {l})"


def _triples(l_max):
    return [(l1, l2, L) for l1 in range(l_max + 1) for l2 in range(l_max + 1)
            for L in range(abs(l1 - l2), l1 + l2 + 1)]


def _floor_sign(l1, l2, L):
    return (-1) ** ((l1 + l2 - L) // 2)


# ------------------------------------------------------------------ e3x

def _e3x_cartesian_order(l):
    """e3x's "Cartesian order": m = l, -l, l-1, -(l-1), ..., 1, -1, 0."""
    return [m for k in range(l, 0, -1) for m in (k, -k)] + [0]


E3X_FACTORS = {"orthonormal": lambda l: 1.0, "4pi": lambda l: math.sqrt(4 * math.pi),
               "racah": lambda l: math.sqrt(4 * math.pi / (2 * l + 1)),
               "schmidt": lambda l: math.sqrt(4 * math.pi / (2 * l + 1))}


@pytest.mark.parametrize("normalization", sorted(E3X_FACTORS))
@pytest.mark.parametrize("cartesian_order", [True, False])
def test_e3x_sh(normalization, cartesian_order):
    pytest.importorskip("e3x")
    from o3ref.verify.adapters import e3x

    l_max = 6
    got = e3x.spherical_harmonics(l_max, XYZ, cartesian_order, normalization)
    ref = _ref_sh(l_max, XYZ)
    for l in range(l_max + 1):
        ms = _e3x_cartesian_order(l) if cartesian_order else list(range(-l, l + 1))
        expected = E3X_FACTORS[normalization](l) * ref[:, [l * l + l + m for m in ms]]
        _assert_within(got[:, l * l : (l + 1) ** 2], expected, "sh", l,
                       what=f"e3x {normalization}, cartesian_order={cartesian_order}")


def test_e3x_wigner_d():
    pytest.importorskip("e3x")
    from o3ref.verify.adapters import e3x

    for angles in ANGLES:
        for l in range(5):
            got = e3x.wigner_D(l, _rot(angles), cartesian_order=False)
            _assert_within(got, _ref_d(l, angles), "wigner_d", l, what=f"e3x D at {angles}")
        order = [3 + m for m in _e3x_cartesian_order(3)]
        got = e3x.wigner_D(3, _rot(angles), cartesian_order=True)
        _assert_within(got, _ref_d(3, angles)[np.ix_(order, order)], "wigner_d", 3,
                       what="e3x D, Cartesian order")


def test_e3x_cg():
    pytest.importorskip("e3x")
    from o3ref.verify.adapters import e3x

    for l1, l2, L in _triples(3):
        got = e3x.clebsch_gordan(l1, l2, L, cartesian_order=False)
        expected = _floor_sign(l1, l2, L) * to_numeric(reference.real_clebsch_gordan(l1, l2, L))
        _assert_within(got, expected, "cg", max(l1, l2, L), what=f"e3x CG {(l1, l2, L)}")


def test_e3x_adapter_maps():
    pytest.importorskip("e3x")
    from o3ref.verify.adapters import get_adapter

    impl = get_adapter("e3x").implementations()
    _assert_within(impl["sh"](4, XYZ), _ref_sh(4, XYZ), "sh", 4, what="e3x mapped SH")
    _assert_within(impl["wigner_d"](3, *ANGLES[0]), _ref_d(3, ANGLES[0]), "wigner_d", 3,
                   what="e3x mapped D")
    _assert_within(impl["cg"](2, 3, 3), to_numeric(reference.real_clebsch_gordan(2, 3, 3)),
                   "cg", 3, what="e3x mapped CG")


# ------------------------------------------------------------------ cuequivariance

# o3ref point p -> cuequivariance's (e3nn's) vector v = P p = (p_y, p_z, p_x)
P = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])


def test_cuequivariance_sh():
    pytest.importorskip("cuequivariance")
    from o3ref.verify.adapters import cuequivariance as cue_adapter

    l_max = 4  # the NumPy descriptor takes about a minute to build at l = 4
    v = XYZ @ P.T
    got = cue_adapter.spherical_harmonics(l_max, v)
    ref = _ref_sh(l_max, XYZ)
    for l in range(l_max + 1):
        _assert_within(got[:, l * l : (l + 1) ** 2],
                       math.sqrt(4 * math.pi) * ref[:, l * l : (l + 1) ** 2], "sh", l,
                       what="cuequivariance SH")


def _rodrigues(axis, angle):
    n = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    k = np.array([[0, -n[2], n[1]], [n[2], 0, -n[0]], [-n[1], n[0], 0]])
    return np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * k @ k


def test_cuequivariance_wigner_d():
    cue = pytest.importorskip("cuequivariance")

    for axis, angle in [((1.0, 2.0, -0.5), 0.9), ((0.0, 0.0, 1.0), 2.5), ((1.0, -1.0, 0.3), 3.0)]:
        rot_cue = _rodrigues(axis, angle)  # the rotation in cuequivariance's axes
        angles = tuple(float(a) for a in matrix_to_euler(P.T @ rot_cue @ P))  # in o3ref's
        for l in range(5):
            got = np.asarray(cue.SO3(l).rotation(np.asarray(axis) / np.linalg.norm(axis),
                                                 angle))
            _assert_within(got, _ref_d(l, angles), "wigner_d", l,
                           what=f"cuequivariance D about {axis}")


def test_cuequivariance_cg():
    cue = pytest.importorskip("cuequivariance")

    for l1, l2, L in _triples(3):
        got = cue.SO3.clebsch_gordan(cue.SO3(l1), cue.SO3(l2), cue.SO3(L))
        assert got.shape == (1, 2 * l1 + 1, 2 * l2 + 1, 2 * L + 1)
        expected = _floor_sign(l1, l2, L) * to_numeric(reference.real_clebsch_gordan(l1, l2, L))
        _assert_within(got[0], expected, "cg", max(l1, l2, L),
                       what=f"cuequivariance CG {(l1, l2, L)}")


def test_cuequivariance_adapter_maps():
    pytest.importorskip("cuequivariance")
    from o3ref.verify.adapters import get_adapter

    _assert_mapped(get_adapter("cuequivariance").implementations(), "cuequivariance",
                   sh_l=2, cg=(2, 2, 2))


def _assert_mapped(impl, name, sh_l, cg, sh_dtype=np.float64):
    """An adapter's (mapped) SH, D and CG against the exact reference."""
    _assert_within(impl["sh"](sh_l, XYZ), _ref_sh(sh_l, XYZ), "sh", sh_l, sh_dtype,
                   what=f"{name} mapped SH")
    for angles in ANGLES:
        _assert_within(impl["wigner_d"](3, *angles), _ref_d(3, angles), "wigner_d", 3,
                       what=f"{name} mapped D at {angles}")
    _assert_within(impl["cg"](*cg), to_numeric(reference.real_clebsch_gordan(*cg)),
                   "cg", cg[2], what=f"{name} mapped CG")


# ------------------------------------------------------------------ e3nn 0.4.x and >= 0.5

def test_e3nn_versions_wigner_3j():
    torch = pytest.importorskip("torch")
    pytest.importorskip("e3nn")
    from o3ref.verify.adapters import e3nn as adapter

    try:
        o3 = adapter._o3()
    except ImportError as exc:  # e3nn 0.4.x without TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1
        pytest.skip(str(exc))
    old = adapter._version() < (0, 5)
    # (1, 2, 2) and its permutations are where 0.4.4 and 0.6 differ at the smallest l
    for l1, l2, L in _triples(4) + [(5, 6, 10), (1, 9, 9)]:
        w = o3.wigner_3j(l1, l2, L, dtype=torch.float64).numpy() * math.sqrt(2 * L + 1)
        extra = -1 if old and tuple(sorted((l1, l2, L))) in adapter.E3NN_04_NEGATED else 1
        expected = (extra * _floor_sign(l1, l2, L)
                    * to_numeric(reference.real_clebsch_gordan(l1, l2, L)))
        _assert_within(w, expected, "cg", max(l1, l2, L),
                       what=f"e3nn {adapter._version()} wigner_3j {(l1, l2, L)}")


def test_e3nn_sh_limit_is_declared():
    torch = pytest.importorskip("torch")
    pytest.importorskip("e3nn")
    from o3ref.verify.adapters import e3nn as adapter

    try:
        o3 = adapter._o3()
    except ImportError as exc:
        pytest.skip(str(exc))
    top = adapter.max_l()["sh"]
    x = torch.randn(2, 3, dtype=torch.float64)
    assert o3.spherical_harmonics(top, x, True).shape == (2, 2 * top + 1)
    with pytest.raises(NotImplementedError):
        o3.spherical_harmonics(top + 1, x, True)


# ------------------------------------------------------------------ escnn

# escnn builds its harmonic polynomials' change-of-basis buffers in float32 (then .double()):
# its harmonics are held to the float32 policy; its D (lie_learn) and CG (py3nj) to float64
ESCNN_SH_DTYPE = np.float32


def _escnn_harmonics(l_max, xyz):
    """escnn's own harmonic polynomials at ``xyz``, straight from escnn (no map)."""
    torch = pytest.importorskip("torch")
    from escnn.kernels import HarmonicPolynomialR3Generator

    with torch.no_grad():
        gen = HarmonicPolynomialR3Generator(l_max).double()
        return gen(torch.as_tensor(np.asarray(xyz, dtype=np.float64))).numpy()


def _scalar_last_quaternion(angles) -> np.ndarray:
    """``(x, y, z, w)`` of ``Rz(alpha) Ry(beta) Rz(gamma)``: the product of the three
    half-angle quaternions, written out here."""
    a, b, g = angles

    def mul(p, q):  # scalar first
        w1, x1, y1, z1 = p
        w2, x2, y2, z2 = q
        return np.array([w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
                         w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
                         w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
                         w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2])

    def qz(t):
        return np.array([math.cos(t / 2), 0.0, 0.0, math.sin(t / 2)])

    qy = np.array([math.cos(b / 2), 0.0, math.sin(b / 2), 0.0])
    w, x, y, z = mul(mul(qz(a), qy), qz(g))
    return np.array([x, y, z, w])


def test_escnn_sh():
    pytest.importorskip("escnn")
    l_max = 8
    got = _escnn_harmonics(l_max, XYZ)
    r = np.linalg.norm(XYZ, axis=1)
    ref = _ref_sh(l_max, XYZ)
    for l in range(l_max + 1):
        s = slice(l * l, (l + 1) ** 2)
        # solid: |r|^l times the Schmidt semi-normalised (racah) harmonics, m = -l..l,
        # o3ref's axes; compared on the sphere (divided by |r|^l)
        expected = math.sqrt(4 * math.pi / (2 * l + 1)) * ref[:, s]
        _assert_within(got[:, s] / r[:, None] ** l, expected, "sh", l, ESCNN_SH_DTYPE,
                       what="escnn harmonic polynomials")
    # ... and not at float64 precision (the reason for the float32 declaration)
    err = np.max(np.abs(got[:, 4:9] / r[:, None] ** 2 - math.sqrt(4 * math.pi / 5) * ref[:, 4:9]))
    assert err > tolerance("sh", 2, np.float64).atol


def test_escnn_wigner_d():
    pytest.importorskip("escnn")
    from escnn.group import so3_group

    G = so3_group(1)
    for angles in ANGLES:
        q = _scalar_last_quaternion(angles)
        for l in range(6):
            expected = _ref_d(l, angles)
            for value, param in [(q, "Q"), (_rot(angles), "MAT"), (np.array(angles), "ZYZ")]:
                got = np.asarray(G.irrep(l)(G.element(value, param)))
                _assert_within(got, expected, "wigner_d", l,
                               what=f"escnn irrep({l}) of a {param} element at {angles}")


def test_escnn_cg():
    pytest.importorskip("escnn")
    from escnn.group import so3_group

    G = so3_group(1)
    for l1, l2, L in _triples(3):
        got = np.asarray(G._clebsh_gordan_coeff(l1, l2, L))
        assert got.shape == (2 * l1 + 1, 2 * l2 + 1, 1, 2 * L + 1)
        expected = to_numeric(reference.real_clebsch_gordan(l1, l2, L))
        _assert_within(got[:, :, 0, :], expected, "cg", max(l1, l2, L),
                       what=f"escnn CG {(l1, l2, L)}")


def test_escnn_adapter_maps():
    pytest.importorskip("escnn")
    from o3ref.verify.adapters import adapter_dtype, checked_implementations, get_adapter

    adapter = get_adapter("escnn")
    assert adapter_dtype(adapter, "sh") == np.float32
    assert adapter_dtype(adapter, "wigner_d") == adapter_dtype(adapter, "cg") == np.float64
    _assert_mapped(checked_implementations("escnn"), "escnn", sh_l=4, cg=(2, 3, 3),
                   sh_dtype=adapter_dtype(adapter, "sh"))


def test_escnn_detector_names_native_conventions():
    """The detector names escnn's raw functions (thin wrappers: escnn's calls, no convention
    fixes) and each map's converted function passes the exact checks at escnn's precision."""
    pytest.importorskip("escnn")
    from escnn.group import so3_group

    from o3ref.verify import detect_convention
    from o3ref.verify.conformance import check_cg, check_sh, check_wigner_d
    from o3ref.verify.tolerances import PrecisionPolicy

    G = so3_group(1)

    def d(l, q):  # an SO3 element is a unit quaternion (x, y, z, w)
        return np.asarray(G.irrep(l)(G.element(np.asarray(q, dtype=np.float64), "Q")))

    def cg(l1, l2, L):
        return np.asarray(G._clebsh_gordan_coeff(l1, l2, L))[:, :, 0, :]

    sh = detect_convention(_escnn_harmonics, "sh")
    assert sh.convention == "escnn harmonic polynomials", str(sh)
    assert {p.name for p in sh.map.visible} == {"Schmidt semi-normalisation", "solid (r^l)"}
    verdict = check_sh(sh.map.convert(_escnn_harmonics), 6, PrecisionPolicy("float32"))
    assert verdict.passed, verdict.message

    dr = detect_convention(d, "wigner_d", takes="quaternion")
    assert dr.convention == "quaternion scalar last", str(dr)
    assert [p.name for p in dr.map.visible] == ["quaternion scalar last"]
    verdict = check_wigner_d(dr.map.convert(d), 4, PrecisionPolicy("float64"), "quaternion")
    assert verdict.passed, verdict.message

    cr = detect_convention(cg, "cg")
    assert cr.matches and cr.map.is_identity, str(cr)
    verdict = check_cg(cr.map.convert(cg), 3, PrecisionPolicy("float64"))
    assert verdict.passed, verdict.message


def test_escnn_failures_are_one_line():
    pytest.importorskip("escnn")
    from o3ref.verify.adapters import AdapterError, checked_implementations

    impl = checked_implementations("escnn")
    with pytest.raises(AdapterError, match=r"^adapter 'escnn', sh\(2, <array \(2, 3\)>\) "
                       r"returned non-finite values") as info:
        impl["sh"](2, np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))  # |r| = 0: no direction
    assert "\n" not in str(info.value) and info.value.__cause__ is None
    with pytest.raises(AdapterError, match=r"^adapter 'escnn', wigner_d\(151, .*\) raised "
                       r"IndexError") as info:
        impl["wigner_d"](151, 0.1, 0.2, 0.3)  # lie_learn stores J up to l = 150 (MAX_L)
    assert "\n" not in str(info.value)
# ------------------------------------------------------------------ cuequivariance-torch
# float32 by default (the layers' math follows their inputs), float64 on request: each map is
# proven at both, each under the policy of its own dtype

DTYPES = ["float32", "float64"]
# without CUDA kernels the layers fall back to their naive torch path, and say so
NAIVE = pytest.mark.filterwarnings("ignore:cuequivariance_ops_torch is not available")


@NAIVE
@pytest.mark.parametrize("dtype", DTYPES)
def test_cuequivariance_torch_sh(dtype):
    torch = pytest.importorskip("torch")
    cuet = pytest.importorskip("cuequivariance_torch")

    l_max = 5  # cuet.SphericalHarmonics stops at l = 5 on CPU
    dt = getattr(torch, dtype)
    layer = cuet.SphericalHarmonics(list(range(l_max + 1)), normalize=True, math_dtype=dt)
    got = layer(torch.tensor(XYZ @ P.T, dtype=dt)).detach().numpy()
    assert got.dtype == np.dtype(dtype)
    ref = _ref_sh(l_max, XYZ)
    for l in range(l_max + 1):
        _assert_within(got[:, l * l : (l + 1) ** 2],
                       math.sqrt(4 * math.pi) * ref[:, l * l : (l + 1) ** 2], "sh", l,
                       np.dtype(dtype), what=f"cuequivariance_torch SH ({dtype})")


@NAIVE
@pytest.mark.parametrize("dtype", DTYPES)
def test_cuequivariance_torch_rotation(dtype):
    torch = pytest.importorskip("torch")
    cue = pytest.importorskip("cuequivariance")
    cuet = pytest.importorskip("cuequivariance_torch")

    dt = getattr(torch, dtype)
    for l in range(7):
        layer = cuet.Rotation(cue.Irreps("SO3", str(l)), layout=cue.ir_mul, math_dtype=dt)
        for alpha, beta, gamma in ANGLES:
            x = torch.tensor(np.random.default_rng(l).standard_normal((3, 2 * l + 1)), dtype=dt)
            t = [torch.tensor([v], dtype=dt) for v in (gamma, beta, alpha)]
            got = layer(*t, x).detach().numpy()  # rows rotated: D x
            expected = x.numpy().astype(np.float64) @ _ref_d(l, (alpha, beta, gamma)).T
            # |x| <= 3 sqrt(2l+1) here: the policy scaled by the rows' size
            scale = float(np.max(np.linalg.norm(x.numpy(), axis=1)))
            err = float(np.max(np.abs(got - expected)))
            tol = tolerance("wigner_d", l, np.dtype(dtype), scale=scale).atol
            assert err <= tol, f"Rotation l = {l}, {(alpha, beta, gamma)}: {err:.2e} > {tol:.2e}"


@NAIVE
@pytest.mark.parametrize("dtype", DTYPES)
def test_cuequivariance_torch_cg(dtype):
    torch = pytest.importorskip("torch")
    cue = pytest.importorskip("cuequivariance")
    cuet = pytest.importorskip("cuequivariance_torch")

    dt = getattr(torch, dtype)
    for l1, l2, L in _triples(3):
        desc = cue.descriptors.full_tensor_product(cue.Irreps("SO3", str(l1)),
                                                   cue.Irreps("SO3", str(l2)), [cue.SO3(L)])
        layer = cuet.SegmentedPolynomial(desc.polynomial, method="naive", math_dtype=dt)
        n1, n2 = 2 * l1 + 1, 2 * l2 + 1
        x = torch.tensor(np.random.default_rng(L).standard_normal((4, n1)), dtype=dt)
        z = torch.tensor(np.random.default_rng(l1).standard_normal((4, n2)), dtype=dt)
        got = layer([x, z])[0].detach().numpy()
        c = _floor_sign(l1, l2, L) * to_numeric(reference.real_clebsch_gordan(l1, l2, L))
        expected = np.einsum("abc,na,nb->nc", c, x.numpy().astype(np.float64),
                             z.numpy().astype(np.float64))
        scale = float(np.max(np.abs(x.numpy())) * np.max(np.abs(z.numpy())) * n1 * n2)
        err = float(np.max(np.abs(got - expected)))
        tol = tolerance("cg", max(l1, l2, L), np.dtype(dtype), scale=scale).atol
        assert err <= tol, f"cuet full_tensor_product {(l1, l2, L)}: {err:.2e} > {tol:.2e}"


def test_cuequivariance_torch_adapter_maps():
    pytest.importorskip("torch")
    pytest.importorskip("cuequivariance_torch")
    from o3ref.verify.adapters import adapter_dtype, get_adapter

    adapter = get_adapter("cuequivariance_torch")
    impl = adapter.implementations()
    f32 = adapter_dtype(adapter, "sh")
    assert f32 == np.float32
    _assert_within(impl["sh"](5, XYZ), _ref_sh(5, XYZ), "sh", 5, f32, what="mapped SH")
    for angles in ANGLES:
        _assert_within(impl["wigner_d"](4, *angles), _ref_d(4, angles), "wigner_d", 4, f32,
                       what=f"mapped D at {angles}")
    _assert_within(impl["cg"](2, 3, 3), to_numeric(reference.real_clebsch_gordan(2, 3, 3)),
                   "cg", 3, f32, what="mapped CG")
