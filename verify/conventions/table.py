"""Exact maps between o3ref's conventions and those of other libraries.

A map is exact: signed permutations, unit phases, normalisation factors such as
``sqrt(4 pi)``, and transformations of the argument (axis order, Euler angles). Each map is
written as a function returning sympy objects built from :mod:`o3ref.reference` (the exact
layer), so that ``tests/verify/test_verify_conventions.py`` proves it in exact arithmetic
against the other library's own definition.

- Spherical harmonics: ``other_l(r) = M_l @ Y_l(A r)`` with ``Y_l`` o3ref's real harmonics of
  degree ``l`` (vector over ``m = -l..l``), ``M_l`` a ``(2l+1) x (2l+1)`` matrix
  (:meth:`SHConvention.matrix`) and ``A`` a 3x3 matrix (:attr:`SHConvention.argument`).
- Wigner D: ``other(l, alpha, beta, gamma)`` from o3ref's real or complex D at transformed
  angles, transposed, conjugated and/or in descending ``m`` (:meth:`WignerDConvention.matrix`).
- Clebsch-Gordan: ``other(l1, l2, L) = f(l1, l2, L) * base`` with ``base`` o3ref's real CG,
  the complex Condon-Shortley CG or the Wigner 3j array (:meth:`CGConvention.array`).

Conventions: :mod:`o3ref.reference.conventions`.

>>> SH_CONVENTIONS["sympy Znm"].matrix(1)
Matrix([
[-1, 0,  0],
[ 0, 1,  0],
[ 0, 0, -1]])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy

__all__ = [
    "CG_CONVENTIONS",
    "CONVENTIONS_TABLE",
    "E3NN_ARGUMENT",
    "SH_CONVENTIONS",
    "WIGNER_D_CONVENTIONS",
    "CGConvention",
    "SHConvention",
    "WignerDConvention",
    "unnormalised_factor",
]

_PI = sympy.pi


def _diag(values) -> sympy.Matrix:
    return sympy.diag(*values)


def _ms(l: int) -> range:
    return range(-l, l + 1)


def unnormalised_factor(l: int, m: int) -> sympy.Expr:
    """``P_l^|m|(cos theta) trig(|m| phi) / Y_lm``: the factor from o3ref's orthonormal real
    harmonics to the unnormalised ones (associated Legendre without Condon-Shortley phase,
    times ``cos(m phi)`` or ``sin(|m| phi)``): ``1/(sqrt(2 - delta_m0) N_l|m|)`` with
    ``N_lm = sqrt((2l+1)/(4 pi) (l-m)!/(l+m)!)``."""
    am = abs(m)
    n_lm = sympy.sqrt(sympy.Rational(2 * l + 1) / (4 * _PI) * sympy.factorial(l - am)
                      / sympy.factorial(l + am))
    return sympy.simplify(1 / (sympy.sqrt(2 if m else 1) * n_lm))


# e3nn reads its argument as (y, z, x): e3nn(v) = N_l Y(A v) with A (a, b, c) -> (c, a, b)
E3NN_ARGUMENT = sympy.ImmutableMatrix([[0, 0, 1], [1, 0, 0], [0, 1, 0]])


@dataclass(frozen=True)
class SHConvention:
    """``other_l(r) = matrix(l) @ Y_l(argument @ r)``; complex when ``matrix`` is."""

    name: str
    libraries: str
    kind: str  # "real" or "complex"
    description: str
    _matrix: Callable[[int], sympy.Matrix]
    argument: sympy.ImmutableMatrix = sympy.ImmutableMatrix.eye(3)

    def matrix(self, l: int) -> sympy.Matrix:
        """The exact ``(2l+1) x (2l+1)`` matrix ``M_l``."""
        return sympy.Matrix(self._matrix(l))


def _u(l: int) -> sympy.Matrix:
    from o3ref import reference

    return sympy.Matrix(reference.complex_to_real(l))


def _znm(l):
    return _diag([(-1 if m < 0 else sympy.Integer(-1) ** m) for m in _ms(l)])


def _cs_kept(l):
    return _diag([sympy.Integer(-1) ** m for m in _ms(l)])  # exact, also for m < 0


SH_CONVENTIONS: dict[str, SHConvention] = {
    c.name: c
    for c in [
        SHConvention("o3ref", "o3ref, sphericart, featomic, Wikipedia real form", "real",
                     "real orthonormal harmonics, no residual Condon-Shortley phase, m = -l..l",
                     lambda l: sympy.eye(2 * l + 1)),
        SHConvention("sympy Znm", "sympy (Znm)", "real",
                     "every m < 0 negated and m > 0 multiplied by (-1)^m",
                     _znm),
        SHConvention("Condon-Shortley phase kept", "real form built from CS complex Y "
                     "without the (-1)^m that cancels it", "real",
                     "every entry multiplied by (-1)^m", _cs_kept),
        SHConvention("4pi normalisation", "geodesy 4pi-normalised; e3nn 'component' up to "
                     "its argument order", "real", "multiplied by sqrt(4 pi)",
                     lambda l: sympy.sqrt(4 * _PI) * sympy.eye(2 * l + 1)),
        SHConvention("Schmidt semi-normalisation", "geomagnetism; e3nn 'norm' up to its "
                     "argument order", "real", "multiplied by sqrt(4 pi/(2l+1))",
                     lambda l: sympy.sqrt(4 * _PI / (2 * l + 1)) * sympy.eye(2 * l + 1)),
        SHConvention("unnormalised", "P_l^|m| cos(m phi) / sin(|m| phi), no CS phase", "real",
                     "multiplied by 1/(sqrt(2 - delta_m0) N_l|m|)",
                     lambda l: _diag([unnormalised_factor(l, m) for m in _ms(l)])),
        SHConvention("e3nn 'integral'", "e3nn spherical_harmonics(normalization='integral')",
                     "real", "argument read as (y, z, x): pass xyz[:, [1, 2, 0]]",
                     lambda l: sympy.eye(2 * l + 1), E3NN_ARGUMENT),
        SHConvention("e3nn 'component'", "e3nn spherical_harmonics (default)", "real",
                     "argument read as (y, z, x), multiplied by sqrt(4 pi)",
                     lambda l: sympy.sqrt(4 * _PI) * sympy.eye(2 * l + 1), E3NN_ARGUMENT),
        SHConvention("e3nn 'norm'", "e3nn spherical_harmonics(normalization='norm')", "real",
                     "argument read as (y, z, x), multiplied by sqrt(4 pi/(2l+1))",
                     lambda l: sympy.sqrt(4 * _PI / (2 * l + 1)) * sympy.eye(2 * l + 1),
                     E3NN_ARGUMENT),
        SHConvention("complex (Condon-Shortley)", "scipy sph_harm_y, sympy Ynm, mpmath "
                     "spherharm", "complex", "complex Y_l^mu = sum_m U[mu, m] Y_lm, "
                     "U = o3ref.reference.complex_to_real(l)", _u),
        SHConvention("complex without Condon-Shortley phase", "e.g. some quantum-chemistry "
                     "codes", "complex", "(-1)^mu times the Condon-Shortley Y_l^mu for mu > 0",
                     lambda l: _diag([(-1) ** m if m > 0 else 1 for m in _ms(l)]) * _u(l)),
    ]
}


@dataclass(frozen=True)
class WignerDConvention:
    """``other(l, a, b, g)`` from o3ref's D (``base`` "real" or "complex") at ``angles(a, b,
    g)``, then ``transform`` ("none", "transpose", "conjugate", "adjoint"), rows and columns
    in descending ``m`` when ``descending``."""

    name: str
    libraries: str
    base: str
    description: str
    angles: Callable = lambda a, b, g: (a, b, g)
    transform: str = "none"
    descending: bool = False

    def matrix(self, l: int, alpha, beta, gamma, dps: int | None = None):
        """The other convention's matrix, exact (sympy) when ``dps`` is None."""
        from o3ref import reference

        a, b, g = self.angles(alpha, beta, gamma)
        f = reference.wigner_D_real if self.base == "real" else reference.wigner_D
        d = sympy.Matrix(f(l, a, b, g)) if dps is None else sympy.Matrix(f(l, a, b, g, dps=dps))
        if self.transform in ("transpose", "adjoint"):
            d = d.T
        if self.transform in ("conjugate", "adjoint"):
            d = d.conjugate()
        if self.descending:
            d = d[::-1, ::-1]
        return d


def _neg(a, b, g):
    return (-a, -b, -g)


WIGNER_D_CONVENTIONS: dict[str, WignerDConvention] = {
    c.name: c
    for c in [
        WignerDConvention("o3ref", "o3ref, e3nn wigner_D (angles Y-X-Y in e3nn's axes)",
                          "real", "real D, Y_l(R r) = D Y_l(r), ZYZ active Euler angles"),
        WignerDConvention("standard complex", "Wikipedia, Sakurai, sympy Rotation.D and "
                          "wigner_d, wigners wigner_D_array", "complex",
                          "D_m'm = exp(-i m' alpha) d_m'm(beta) exp(-i m gamma)"),
        WignerDConvention("passive (transposed)", "codes that rotate the frame, not the "
                          "object", "real", "o3ref's real D transposed, which is D(R^-1): the "
                          "passive rotation", transform="transpose"),
        WignerDConvention("conjugated complex", "moble's spherical Wigner.D at "
                          "quaternionic from_euler_angles", "complex",
                          "complex conjugate of the standard D", transform="conjugate"),
        WignerDConvention("adjoint complex", "codes that rotate the frame, not the object",
                          "complex", "conjugate transpose of the standard D, which is "
                          "D(R^-1)", transform="adjoint"),
        # J D(-a, -b, -g) J equals D(a, b, g) (d_{-m',-m}(-b) = d_{m'm}(b)): the two
        # descriptions of sympy's wigner_d agree, so the detector names "standard complex"
        WignerDConvention("sympy wigner_d", "sympy.physics.wigner.wigner_d", "complex",
                          "standard D at (-alpha, -beta, -gamma), m descending (which is "
                          "the standard D itself)", angles=_neg, descending=True),
    ]
}


@dataclass(frozen=True)
class CGConvention:
    """``other(l1, l2, L) = factor(l1, l2, L) * base`` with ``base`` "real" (o3ref real CG),
    "complex" (Condon-Shortley ``<l1 m1 l2 m2|L M>``) or "3j" (Wigner 3j, third index m3)."""

    name: str
    libraries: str
    base: str
    description: str
    factor: Callable[[int, int, int], sympy.Expr] = lambda l1, l2, L: sympy.Integer(1)

    def array(self, l1: int, l2: int, L: int) -> sympy.MutableDenseNDimArray:
        """The exact array ``(2l1+1, 2l2+1, 2L+1)`` of the other convention."""
        from o3ref import reference

        f = sympy.sympify(self.factor(l1, l2, L))
        out = sympy.MutableDenseNDimArray.zeros(2 * l1 + 1, 2 * l2 + 1, 2 * L + 1)
        if self.base == "real":
            real = reference.real_clebsch_gordan(l1, l2, L)
        for i, m1 in enumerate(_ms(l1)):
            for j, m2 in enumerate(_ms(l2)):
                for k, M in enumerate(_ms(L)):
                    if self.base == "real":
                        v = real[i, j, k].to_sympy()
                    elif self.base == "complex":
                        v = reference.clebsch_gordan(l1, m1, l2, m2, L, M)
                    else:
                        v = reference.wigner_3j(l1, l2, L, m1, m2, M)
                    out[i, j, k] = f * v
        return out


CG_CONVENTIONS: dict[str, CGConvention] = {
    c.name: c
    for c in [
        CGConvention("o3ref", "o3ref, featomic calculate_cg_coefficients", "real",
                     "real CG: Re K or Im K of the complex CG in the real basis"),
        CGConvention("featomic product", "featomic ClebschGordanProduct / "
                     "DensityCorrelations", "real", "extra (-1)^(l1+l2+L)",
                     lambda l1, l2, L: sympy.Integer(-1) ** (l1 + l2 + L)),
        CGConvention("e3nn wigner_3j", "e3nn.o3.wigner_3j", "real",
                     "(-1)^floor((l1+l2-L)/2)/sqrt(2L+1) (unit Frobenius norm)",
                     lambda l1, l2, L: sympy.Integer(-1) ** ((l1 + l2 - L) // 2)
                     / sympy.sqrt(2 * L + 1)),
        CGConvention("Frobenius-normalised", "real CG scaled to unit Frobenius norm", "real",
                     "1/sqrt(2L+1)", lambda l1, l2, L: 1 / sympy.sqrt(2 * L + 1)),
        CGConvention("complex (Condon-Shortley)", "sympy clebsch_gordan, wigners "
                     "clebsch_gordan_array", "complex", "<l1 m1 l2 m2 | L M>, complex basis"),
        CGConvention("Wigner 3j", "sympy wigner_3j, wigners wigner_3j", "3j",
                     "(l1 l2 L; m1 m2 M), complex basis"),
    ]
}


_TABLE_ROWS = [
    ("real SH", "sphericart `SphericalHarmonics`, featomic",
     "identical (`Y_lm`, `m = -l..l`, flat index `l*l+l+m`)", "test_sphericart_identity"),
    ("real SH", "sphericart `SolidHarmonics`", "`r^l Y_lm`", "test_solid_harmonics"),
    ("real SH", "sympy `Znm(l, m, theta, phi)`",
     "`-Y_lm` (m < 0), `Y_l0` (m = 0), `(-1)^m Y_lm` (m > 0)", "test_sympy_znm"),
    ("real SH", "Condon-Shortley phase kept (`sqrt2 Re/Im Y_l^|m|`)", "`(-1)^m Y_lm`",
     "test_cs_kept"),
    ("real SH", "4pi-normalised / Schmidt semi-normalised / unnormalised",
     "`sqrt(4pi) Y_lm` / `sqrt(4pi/(2l+1)) Y_lm` / `Y_lm / (sqrt(2-delta_m0) N_l|m|)`",
     "test_normalisations"),
    ("complex SH", "scipy `sph_harm_y(l, m, theta, phi)`, sympy `Ynm`",
     "`Y_l^mu = sum_m U[mu, m] Y_lm`, `U = complex_to_real(l)`", "test_complex_sh"),
    ("real SH", "e3nn `spherical_harmonics(l, v, True, normalization)`",
     "`e3nn(r[:, [1, 2, 0]]) = c_l Y_l(r)`: `c_l = 1` ('integral'), `sqrt(4pi)` "
     "('component'), `sqrt(4pi/(2l+1))` ('norm')", "test_e3nn_sh"),
    ("Wigner D", "standard complex (Wikipedia, sympy `Rotation.D`, wigners `wigner_D_array`)",
     "`D_real = U^dagger conj(D) U`", "test_complex_d"),
    ("Wigner D", "sympy `wigner_d(l, a, b, g)`", "`J D(-a, -b, -g) J` (`J` reverses m), "
     "which is the standard `D(a, b, g)` itself", "test_sympy_wigner_d"),
    ("Wigner D", "moble's spherical `Wigner(l).D(from_euler_angles(a, b, g))`",
     "`conj(D(a, b, g))`", "test_spherical_wigner_d"),
    ("Wigner D", "e3nn `wigner_D(l, a, b, g)`, Y-X-Y angles in e3nn's axes",
     "`= D_real(a, b, g)` (ZYZ): `angles_to_matrix(a, b, g) = A^-1 Rz(a) Ry(b) Rz(g) A` "
     "with `A (y, z, x) = (x, y, z)`", "test_e3nn_wigner_d"),
    ("Wigner D", "passive / transposed", "`D_real(R)^T = D_real(R^-1)`", "test_passive_d"),
    ("CG", "featomic `calculate_cg_coefficients`", "identical", "test_featomic_cg"),
    ("CG", "featomic products (`ClebschGordanProduct`, `DensityCorrelations`)",
     "extra `(-1)^(l1+l2+L)`", "test_featomic_product_sign"),
    ("CG", "e3nn `wigner_3j(l1, l2, L)`", "`(-1)^floor((l1+l2-L)/2) C / sqrt(2L+1)`",
     "test_e3nn_wigner_3j"),
    ("CG", "complex Condon-Shortley (sympy `clebsch_gordan`, wigners)",
     "`C = Re K` (l1+l2+L even) or `Im K` (odd), "
     "`K = sum U1[mu1,m1] U2[mu2,m2] <l1 mu1 l2 mu2|L mu> conj(UL[mu,M])`", "test_complex_cg"),
    ("CG", "Wigner 3j", "`<l1 m1 l2 m2|L M> = (-1)^(l1-l2+M) sqrt(2L+1) (l1 l2 L; m1 m2 -M)`",
     "test_wigner_3j"),
    # third-party libraries (proven in tests/verify/test_verify_conventions_thirdparty.py)
    ("real SH", "e3x 1.0 `so3.spherical_harmonics(r, l_max, cartesian_order, normalization)`",
     "per l, `m = l, -l, l-1, -(l-1), ..., 0` (Cartesian order, default) or `-l..l`; times "
     "`1` ('orthonormal'), `sqrt(4pi)` ('4pi'), `sqrt(4pi/(2l+1))` ('racah', default, = "
     "'schmidt')", "test_e3x_sh"),
    ("Wigner D", "e3x 1.0 `so3.wigner_d(R, l_max)` (of a rotation matrix)",
     "`D_real(R)`, block diagonal, in the order of its harmonics", "test_e3x_wigner_d"),
    ("CG", "e3x 1.0 `so3.clebsch_gordan(l1, l2, L)` (blocks)",
     "`(-1)^floor((l1+l2-L)/2) C` (e3nn's sign rule without `1/sqrt(2L+1)`)", "test_e3x_cg"),
    ("real SH", "cuequivariance 0.13 `descriptors.spherical_harmonics(SO3(1), ls)` (NumPy)",
     "e3nn 'component': `sqrt(4pi) Y_l(r)` at `v = r[[1, 2, 0]]`", "test_cuequivariance_sh"),
    ("Wigner D", "cuequivariance 0.13 `SO3(l).rotation(axis, angle)` (e3nn's axes)",
     "`D_cue(P R P^T) = D_real(R)`, `P (x, y, z) = (y, z, x)`", "test_cuequivariance_wigner_d"),
    ("CG", "cuequivariance 0.13 `SO3.clebsch_gordan(SO3(l1), SO3(l2), SO3(L))[0]`",
     "`(-1)^floor((l1+l2-L)/2) C`", "test_cuequivariance_cg"),
    ("real SH", "escnn 1.0 `kernels.HarmonicPolynomialR3Generator(L)(r)` "
     "(`nn.HarmonicPolynomialR3`)",
     "`sqrt(4pi/(2l+1)) |r|^l Y_lm(r/|r|)`, `m = -l..l`, o3ref's axes (float32 "
     "buffers: ~4e-8)", "test_escnn_sh"),
    ("Wigner D", "escnn 1.0 `SO3.irrep(l)(element)` (lie_learn real `wigner_D_matrix`)",
     "`= D_real(R)` (active); elements are quaternions `(x, y, z, w)` (scalar last), "
     "`'MAT'` / `'ZYZ'` give the same", "test_escnn_wigner_d"),
    ("CG", "escnn 1.0 `SO3._clebsh_gordan_coeff(l1, l2, L)[:, :, 0, :]`", "identical",
     "test_escnn_cg"),
    ("real SH", "cuequivariance_torch 0.13 `SphericalHarmonics(ls, normalize=True)` (float32 "
     "by default; on CPU l <= 5)", "e3nn 'component': `sqrt(4pi) Y_l(r)` at `v = r[[1, 2, 0]]`",
     "test_cuequivariance_torch_sh"),
    ("Wigner D", "cuequivariance_torch 0.13 `Rotation(SO3(l))(gamma, beta, alpha, x) = D x` "
     "(angles in that order)", "`D = D_real(alpha, beta, gamma)` (ZYZ; Y-X-Y in e3nn's axes)",
     "test_cuequivariance_torch_rotation"),
    ("CG", "cuequivariance_torch 0.13 weightless `full_tensor_product(l1, l2, [L])` at basis "
     "vectors", "`(-1)^floor((l1+l2-L)/2) C`", "test_cuequivariance_torch_cg"),
    ("CG", "e3nn 0.4.x `wigner_3j` (stored table, l <= 11)",
     "e3nn >= 0.5's map times -1 at 44 sorted triples (`E3NN_04_NEGATED` in "
     "`o3ref.verify.adapters.e3nn`: (1, l, l) for l >= 2, (3, 4, 6), (4, 4, 5), ...)",
     "test_e3nn_versions_wigner_3j"),
]

#: The maps as a markdown table (for the README); each row names the test that proves it
#: (in ``tests/verify/test_verify_conventions.py``, or
#: ``tests/verify/test_verify_conventions_thirdparty.py`` for the third-party rows).
CONVENTIONS_TABLE = "\n".join(
    ["| object | other convention | exact map to o3ref | proven by |", "|---|---|---|---|"]
    + ["| " + " | ".join(cell.replace("|", "\\|") for cell in (a, b, c, f"`{d}`")) + " |"
       for a, b, c, d in _TABLE_ROWS]
)
