"""Composed convention maps: :class:`ConventionMap` and the pieces it is made of.

Another library's spherical harmonics, Wigner D or Clebsch-Gordan coefficients differ from
o3ref's by a composition of small, exact pieces (:class:`Piece`): how it reads its argument
(an axis permutation with signs; Euler angles in one of 12 sequences, intrinsic or extrinsic,
active or passive; a rotation matrix; a quaternion, scalar first or last; for a Wigner D, the
rotation taken in other axes: conjugation by a signed axis permutation), a complex basis,
the order of ``m``, a normalisation per ``l``, sign rules per ``l``, ``m`` or triple
``(l1, l2, L)``, a CG normalisation and, for solid harmonics, ``r^l``. The detector
(:func:`o3ref.verify.detect_convention`) finds the composition; the map then converts the
library's function into o3ref's convention (:meth:`ConventionMap.convert`) and prints that
conversion as NumPy code (:meth:`ConventionMap.to_code`, the same text ``convert`` runs).

Each piece's formula is one Python expression, evaluated with :mod:`math` for floats and
with sympy for exact values (:meth:`Piece.exact`), so the same text is proven exactly in
``tests/verify/test_verify_convention_maps.py``.

Conventions: :mod:`o3ref.reference.conventions`.

>>> SH_SIGNS["sympy Znm signs"].exact(1, -1), SH_NORMALISATIONS["4pi normalisation"].exact(3, 0)
(-1, 2*sqrt(pi))
>>> m = NAMED_MAPS["sh", "e3x (Cartesian order, racah)"]
>>> [p.name for p in m.pieces]
['e3x Cartesian order', 'Schmidt semi-normalisation']
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import _codegen as convention_code
from .libraries import E3NN_04_NEGATED

__all__ = [
    "CG_NORMALISATIONS",
    "CG_SIGNS",
    "M_ORDERS",
    "NAMED_MAPS",
    "SH_NORMALISATIONS",
    "SH_SIGNS",
    "ConventionMap",
    "Piece",
    "argument_piece",
    "complex_basis",
    "frame_piece",
    "rotation_piece",
]


@dataclass(frozen=True)
class Piece:
    """One exact ingredient of a :class:`ConventionMap`.

    ``role`` says what it acts on: ``"argument"`` (SH argument ``A r = r[perm] * signs``),
    ``"rotation"`` (how a D reads its argument), ``"frame"`` (a D of the rotation taken in
    other axes, ``B R B^T``), ``"basis"`` (a complex basis), ``"order"``
    (the ``m`` held at each position), ``"normalisation"`` / ``"signs"`` (a factor per
    ``(l, m)``), ``"cg_normalisation"`` / ``"cg_signs"`` (a factor per ``(l1, l2, L, M)``),
    ``"third_reversed"`` (a CG's third index read as ``-M``), ``"radial"`` (solid ``r^l``).
    ``formula`` is a Python expression (in ``l, m``, or ``l1, l2, L, M``, or the list of
    ``m`` for an order); ``params`` the piece's parameters.
    """

    role: str
    name: str
    formula: str = ""
    params: tuple = ()
    description: str = ""

    def value(self, *args) -> float:
        """The float factor (or ``m`` list of an order) at ``args``."""
        names = ("l", "m") if self.role in ("normalisation", "signs", "order") else (
            "l1", "l2", "L", "M")
        env = dict(zip(names, args, strict=False))
        return eval(self.formula, {"sqrt": math.sqrt, "pi": math.pi,  # noqa: S307
                                   "factorial": math.factorial}, env)

    def exact(self, *args):
        """The exact (sympy) factor at integers ``args`` (``l, m`` or ``l1, l2, L, M``)."""
        import sympy

        names = ("l", "m") if self.role in ("normalisation", "signs", "order") else (
            "l1", "l2", "L", "M")
        env = {n: sympy.Integer(a) for n, a in zip(names, args, strict=False)}
        value = eval(self.formula, {"sqrt": sympy.sqrt, "pi": sympy.pi,  # noqa: S307
                                    "factorial": sympy.factorial}, env)
        return value if self.role == "order" else sympy.simplify(value)

    def __str__(self) -> str:
        return self.name


def _p(role, name, formula, description=""):
    return Piece(role, name, formula, (), description)


#: m orderings: the ``m`` held at each position of a degree-``l`` block.
M_ORDERS: dict[str, Piece] = {p.name: p for p in [
    _p("order", "m descending", "list(range(l, -l - 1, -1))", "m = l, l-1, ..., -l"),
    _p("order", "e3x Cartesian order", "[s * k for k in range(l, 0, -1) for s in (1, -1)] + [0]",
       "m = l, -l, l-1, -(l-1), ..., 1, -1, 0 (e3x's default)"),
    _p("order", "m pairs 0, +-1, +-2", "[0] + [s * k for k in range(1, l + 1) for s in (1, -1)]",
       "m = 0, 1, -1, 2, -2, ... (quantum-chemistry style)"),
]}

#: per-(l, m) normalisations relative to o3ref's orthonormal harmonics.
SH_NORMALISATIONS: dict[str, Piece] = {p.name: p for p in [
    _p("normalisation", "4pi normalisation", "sqrt(4 * pi)",
       "geodesy 4pi; e3nn 'component', e3x '4pi' (up to order)"),
    _p("normalisation", "Schmidt semi-normalisation", "sqrt(4 * pi / (2 * l + 1))",
       "geomagnetism Schmidt = Racah; e3nn 'norm', e3x 'racah'/'schmidt'"),
    _p("normalisation", "unnormalised",
       "sqrt(4 * pi * factorial(l + abs(m)) / ((2 - (m == 0)) * (2 * l + 1) "
       "* factorial(l - abs(m))))",
       "P_l^|m| cos(m phi) / sin(|m| phi), no Condon-Shortley phase"),
]}

#: per-(l, m) sign rules (products of two are searched as well).
SH_SIGNS: dict[str, Piece] = {p.name: p for p in [
    _p("signs", "Condon-Shortley phase kept", "(-1) ** m", "(-1)^m"),
    _p("signs", "(-1)^l", "(-1) ** l", "(-1)^l per degree"),
    _p("signs", "sympy Znm signs", "-1 if m < 0 else (-1) ** m",
       "every m < 0 negated, m > 0 times (-1)^m"),
    _p("signs", "no Condon-Shortley phase", "(-1) ** m if m > 0 else 1",
       "(-1)^m at m > 0 (complex harmonics without the Condon-Shortley phase)"),
    _p("signs", "m < 0 negated", "-1 if m < 0 else 1", "-1 at every m < 0"),
]}

#: per-triple normalisations of coupling coefficients relative to o3ref's CG.
CG_NORMALISATIONS: dict[str, Piece] = {p.name: p for p in [
    _p("cg_normalisation", "3j normalisation 1/sqrt(2L+1)", "1 / sqrt(2 * L + 1)",
       "Wigner 3j size (unit Frobenius norm per triple)"),
    _p("cg_normalisation", "sqrt(2L+1)-scaled", "sqrt(2 * L + 1)", "CG times sqrt(2L+1)"),
]}

#: per-triple sign rules of coupling coefficients.
CG_SIGNS: dict[str, Piece] = {p.name: p for p in [
    _p("cg_signs", "(-1)^floor((l1+l2-L)/2)", "(-1) ** ((l1 + l2 - L) // 2)",
       "e3nn wigner_3j, cuequivariance, e3x"),
    _p("cg_signs", "(-1)^(l1+l2+L)", "(-1) ** (l1 + l2 + L)", "featomic products"),
    _p("cg_signs", "(-1)^(l1-l2+M)", "(-1) ** (l1 - l2 + M)", "CG <-> 3j phase"),
    _p("cg_signs", "e3nn 0.4.x wigner_3j signs",
       "-1 if tuple(sorted((l1, l2, L))) in {" + ", ".join(
           f"({a}, {b}, {c})" for a, b, c in sorted(E3NN_04_NEGATED)) + "} else 1",
       "e3nn 0.4.x's stored wigner_3j table: -1 at 44 sorted triples (l <= 11) "
       "against e3nn >= 0.5"),
]}

THIRD_REVERSED = Piece("third_reversed", "third index -M", "", (), "the 3j's m3 = -M")
SOLID = Piece("radial", "solid (r^l)", "", (), "values scale as r^l")


def complex_basis(conjugated: bool = False) -> Piece:
    """The complex basis: ``Y_l^mu = sum_m U[mu, m] Y_lm`` (``conj(U)`` when conjugated: the
    standard complex D is ``conj(U) D_real U^T``)."""
    if conjugated:
        return Piece("basis", "standard complex basis (conj U)", "", ("conj U",),
                     "complex, transforming with the standard D")
    return Piece("basis", "complex (Condon-Shortley)", "", ("U",),
                 "Y_l^mu = sum_m U[mu, m] Y_lm")


_AXES = "xyz"


def _axes_text(perm, signs) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """``(perm, signs)`` as ints and their text: the library's slot ``perm[i]`` holds
    o3ref's axis ``i`` (times ``signs[i]``), e.g. ``"y, z, x"``."""
    perm, signs = tuple(int(p) for p in perm), tuple(int(s) for s in signs)
    slots = [""] * 3
    for i, (p, s) in enumerate(zip(perm, signs, strict=True)):
        slots[p] = ("-" if s < 0 else "") + _AXES[i]
    return perm, signs, ", ".join(slots)


def argument_piece(perm, signs=(1, 1, 1)) -> Piece:
    """The library evaluates o3ref's harmonics at ``A r = r[perm] * signs``."""
    perm, signs, text = _axes_text(perm, signs)
    return Piece("argument", f"argument read as ({text})", "", (perm, signs),
                 f"its argument holds o3ref's ({text})")


def frame_piece(perm, signs=(1, 1, 1)) -> Piece:
    """A Wigner D of the rotation taken in other axes: the library's vectors are
    ``v = B p`` with ``B[perm[i], i] = signs[i]`` (o3ref's axis ``i`` is its axis ``perm[i]``,
    as in :func:`argument_piece`), so it reads o3ref's rotation ``R`` as ``B R B^T``:
    ``other(B R B^T) = D_real(R)`` up to the other pieces."""
    perm, signs, text = _axes_text(perm, signs)
    return Piece("frame", f"rotation in axes ({text})", "", (perm, signs),
                 f"the rotation taken in axes that hold o3ref's ({text}): D(B R B^T)")


def _frame_choices() -> list[Piece]:
    """The 23 conjugations by a proper signed axis permutation other than the identity (an
    improper ``B`` conjugates as ``-B`` does), the simplest first: the two cyclic ones
    (e3nn's axes first), the other permutations, then with signs."""
    perms = [(2, 0, 1), (1, 2, 0)] + [p for p in itertools.permutations(range(3))
                                      if p not in ((0, 1, 2), (2, 0, 1), (1, 2, 0))]
    perms = [(0, 1, 2)] + perms
    signs = sorted(itertools.product((1, -1), repeat=3), key=lambda s: s.count(-1))
    out = []
    for sg in signs:
        for p in perms:
            b = np.zeros((3, 3))
            b[list(p), [0, 1, 2]] = sg
            if np.linalg.det(b) > 0 and (p, sg) != ((0, 1, 2), (1, 1, 1)):
                out.append(frame_piece(p, sg))
    return out


_SEQUENCES = [s for s in ("ZYZ", "ZXZ", "XYX", "XZX", "YXY", "YZY", "XYZ", "XZY", "YXZ",
                          "YZX", "ZXY", "ZYX")]


def rotation_piece(takes: str, sequence: str = "ZYZ", extrinsic: bool = False,
                   passive: bool = False, scalar_first: bool = True) -> Piece:
    """How a Wigner D reads its argument: Euler angles of ``sequence`` (applied as
    ``R_1(a) R_2(b) R_3(c)`` intrinsic, ``R_3(c) R_2(b) R_1(a)`` extrinsic), a matrix or a
    quaternion; ``passive`` when the argument is the inverse rotation."""
    if takes not in ("euler", "matrix", "quaternion"):
        raise ValueError(f"takes={takes!r} must be one of euler, matrix, quaternion")
    if takes == "euler":
        if sequence not in _SEQUENCES:
            raise ValueError(f"sequence={sequence!r} must be one of {', '.join(_SEQUENCES)}")
        name = f"Euler {sequence} {'extrinsic' if extrinsic else 'intrinsic'}"
        params = {"takes": takes, "axes": tuple(_AXES.index(a.lower()) for a in sequence),
                  "extrinsic": extrinsic, "passive": passive}
    elif takes == "matrix":
        name, params = "rotation matrix", {"takes": takes, "passive": passive}
    else:
        name = f"quaternion {'scalar first' if scalar_first else 'scalar last'}"
        params = {"takes": takes, "passive": passive, "scalar_first": scalar_first}
    name += ", passive" if passive else ""
    return Piece("rotation", name, "", tuple(sorted(params.items())), name)


ROTATION_CHOICES = {
    "euler": [rotation_piece("euler", s, e, p) for p in (False, True) for e in (False, True)
              for s in _SEQUENCES],
    "matrix": [rotation_piece("matrix", passive=p) for p in (False, True)],
    "quaternion": [rotation_piece("quaternion", passive=p, scalar_first=f)
                   for f in (True, False) for p in (False, True)],
}
#: the rotation taken in other axes (Wigner D): tried only when no reading in o3ref's axes fits
FRAME_CHOICES = _frame_choices()
ROTATION_CHOICES["euler"].sort(key=lambda p: (dict(p.params)["passive"],
                                              dict(p.params)["extrinsic"], p.name != "Euler "
                                              "ZYZ intrinsic"))

_IDENTITY_ARGUMENT = argument_piece((0, 1, 2))
_ROLE_ORDER = ("argument", "rotation", "frame", "basis", "order", "third_reversed", "signs",
               "cg_signs", "normalisation", "cg_normalisation", "radial")
_DEFAULT_ROTATION = {"euler": rotation_piece("euler"), "matrix": rotation_piece("matrix"),
                     "quaternion": rotation_piece("quaternion")}


@dataclass(frozen=True)
class ConventionMap:
    """Another library's convention as a composition of :class:`Piece` s.

    ``kind`` is ``"sh"``, ``"wigner_d"`` or ``"cg"``; ``takes`` (Wigner D only) is what the
    library's D takes: ``"euler"``, ``"matrix"`` or ``"quaternion"``. A map without pieces
    (other than the default reading of the argument) is o3ref's own convention.
    :meth:`convert` returns the library's function in o3ref's callable convention
    (``sh(l_max, xyz)``, ``wigner_d(l, alpha, beta, gamma)`` / ``(l, R)`` / ``(l, q)``,
    ``cg(l1, l2, L)``).
    """

    kind: str
    pieces: tuple[Piece, ...] = ()
    takes: str = "euler"
    label: str = ""
    libraries: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self):
        if self.kind not in ("sh", "wigner_d", "cg"):
            raise ValueError(f"kind={self.kind!r} must be one of sh, wigner_d, cg")
        pieces = tuple(sorted(self.pieces, key=lambda p: (_ROLE_ORDER.index(p.role), p.name)))
        object.__setattr__(self, "pieces", pieces)

    # -- descriptions --------------------------------------------------------------------
    @property
    def visible(self) -> tuple[Piece, ...]:
        """The pieces that differ from o3ref (the identity argument and the default rotation
        reading left out)."""
        return tuple(p for p in self.pieces
                     if not (p.role == "rotation" and p == _DEFAULT_ROTATION[self.takes])
                     and not (p.role == "argument" and p == _IDENTITY_ARGUMENT))

    @property
    def is_identity(self) -> bool:
        """True when the map has no pieces: the implementation is in o3ref's convention."""
        return not self.visible

    @property
    def name(self) -> str:
        """The label given, a known convention's name (after the way a D reads its
        argument, when that differs from the known one), or the pieces' names joined."""
        if self.label:
            return self.label
        mine = set(self.visible)
        for (kind, name), known in NAMED_MAPS.items():
            if kind == self.kind and known.takes == self.takes and set(known.visible) == mine:
                return name
        rot = [p for p in self.visible if p.role == "rotation"]
        rest = mine - set(rot)
        for (kind, name), known in NAMED_MAPS.items():
            if kind == self.kind and rest and set(known.visible) == rest:
                return ", ".join([p.name for p in rot] + [name])
        return ", ".join(p.name for p in self.visible) or "o3ref"

    def summary(self) -> str:
        """What the pieces do, in one line (``"o3ref's own"`` for the identity)."""
        return "; ".join(p.description or p.name for p in self.visible) or "o3ref's own"

    def describe(self) -> str:
        """One line per piece: its name and what it does."""
        return "\n".join(f"{p.name}: {p.description}" for p in self.visible) or "o3ref"

    def __str__(self) -> str:
        return self.name

    def _one(self, role):
        return [p for p in self.pieces if p.role == role]

    # -- the conversion ------------------------------------------------------------------
    def to_code(self) -> str:
        """A short self-contained NumPy module (text) whose ``convert(f)`` does what
        :meth:`convert` does (``convert`` runs this very text)."""
        order = self._one("order")
        order_expr = order[0].formula if order else "list(range(-l, l + 1))"
        factors = [p.formula for p in self.pieces if p.role in ("signs", "normalisation")]
        basis = self._one("basis")
        basis = basis[0].params[0] if basis else None
        if self.kind == "sh":
            arg = self._one("argument")
            perm, signs = arg[0].params if arg else ((0, 1, 2), (1, 1, 1))
            return convention_code.sh_code(self.name, perm, signs, order_expr, factors, basis,
                                           bool(self._one("radial")))
        if self.kind == "wigner_d":
            rot = self._one("rotation")
            rot = dict(rot[0].params) if rot else dict(_DEFAULT_ROTATION[self.takes].params)
            frame = self._one("frame")
            return convention_code.d_code(self.name, self.takes, rot, order_expr, factors,
                                          basis, frame[0].params if frame else None)
        triple = [p.formula for p in self.pieces if p.role in ("cg_signs", "cg_normalisation")]
        return convention_code.cg_code(self.name, order_expr, factors, triple, basis,
                                       bool(self._one("third_reversed")))

    def convert(self, func: Callable) -> Callable:
        """``func`` (the other library's, in this convention) as a function in o3ref's."""
        if not callable(func):
            raise TypeError(f"func={func!r} must be callable")
        return _compiled(self.to_code())(func)


@lru_cache(maxsize=512)
def _compiled(code: str) -> Callable:
    namespace: dict = {}
    exec(compile(code, "<o3ref ConventionMap.to_code>", "exec"), namespace)  # noqa: S102
    return namespace["convert"]


def _named(kind, pieces, libraries, takes="euler"):
    return ConventionMap(kind, tuple(pieces), takes, "", libraries)


_E3NN_ARG = argument_piece((2, 0, 1))
#: Known conventions, by (kind, name): the detector names a map after the one it equals.
_ZNM, _CS_OFF = SH_SIGNS["sympy Znm signs"], SH_SIGNS["no Condon-Shortley phase"]
_PI4, _RACAH = SH_NORMALISATIONS["4pi normalisation"], SH_NORMALISATIONS[
    "Schmidt semi-normalisation"]
_FLOOR, _FEATOMIC = CG_SIGNS["(-1)^floor((l1+l2-L)/2)"], CG_SIGNS["(-1)^(l1+l2+L)"]
_THREE_J = CG_NORMALISATIONS["3j normalisation 1/sqrt(2L+1)"]
_PASSIVE = rotation_piece("euler", passive=True)
NAMED_MAPS: dict[tuple[str, str], ConventionMap] = {
    ("sh", "sympy Znm"): _named("sh", [_ZNM], "sympy Znm"),
    ("sh", "e3nn 'integral'"): _named("sh", [_E3NN_ARG], "e3nn normalization='integral'"),
    ("sh", "e3nn 'component'"): _named("sh", [_E3NN_ARG, _PI4], "e3nn (default)"),
    ("sh", "e3nn 'norm'"): _named("sh", [_E3NN_ARG, _RACAH], "e3nn normalization='norm'"),
    ("sh", "e3x (Cartesian order, racah)"): _named(
        "sh", [M_ORDERS["e3x Cartesian order"], _RACAH], "e3x default"),
    ("sh", "sphericart SolidHarmonics"): _named("sh", [SOLID], "sphericart SolidHarmonics"),
    ("sh", "escnn harmonic polynomials"): _named(
        "sh", [_RACAH, SOLID], "escnn HarmonicPolynomialR3 (Schmidt, solid)"),
    ("sh", "complex (Condon-Shortley)"): _named(
        "sh", [complex_basis()], "scipy sph_harm_y, sympy Ynm, mpmath spherharm"),
    ("sh", "complex without Condon-Shortley phase"): _named(
        "sh", [complex_basis(), _CS_OFF], "some quantum-chemistry codes"),
    ("wigner_d", "standard complex"): _named("wigner_d", [complex_basis(True)],
                                             "Wikipedia, Sakurai, sympy, wigners"),
    ("wigner_d", "conjugated complex"): _named("wigner_d", [complex_basis()],
                                               "moble's spherical"),
    ("wigner_d", "adjoint complex"): _named("wigner_d", [complex_basis(True), _PASSIVE],
                                            "frame rotations"),
    ("wigner_d", "passive (transposed)"): _named("wigner_d", [_PASSIVE], "frame rotations"),
    ("wigner_d", "quaternion scalar last"): _named(
        "wigner_d", [rotation_piece("quaternion", scalar_first=False)],
        "escnn SO3 elements, scipy Rotation.from_quat (x, y, z, w)", "quaternion"),
    ("wigner_d", "o3ref in e3nn's axes"): _named("wigner_d", [frame_piece((2, 0, 1))],
                                                 "cuequivariance SO3(l).rotation"),
    ("wigner_d", "ZYZ angles reversed (gamma, beta, alpha)"): _named(
        "wigner_d", [rotation_piece("euler", "ZYZ", extrinsic=True)],
        "cuequivariance_torch Rotation(gamma, beta, alpha)"),
    ("cg", "featomic product"): _named("cg", [_FEATOMIC], "featomic products"),
    ("cg", "e3nn wigner_3j"): _named("cg", [_FLOOR, _THREE_J], "e3nn.o3.wigner_3j"),
    ("cg", "e3nn 0.4.x wigner_3j"): _named(
        "cg", [_FLOOR, CG_SIGNS["e3nn 0.4.x wigner_3j signs"], _THREE_J],
        "e3nn 0.4.x o3.wigner_3j (stored table)"),
    ("cg", "cuequivariance / e3x CG"): _named("cg", [_FLOOR],
                                              "cuequivariance, e3x clebsch_gordan"),
    ("cg", "Frobenius-normalised"): _named("cg", [_THREE_J], "unit Frobenius norm"),
    ("cg", "complex (Condon-Shortley)"): _named("cg", [complex_basis()],
                                                "sympy clebsch_gordan, wigners"),
    ("cg", "Wigner 3j"): _named("cg", [complex_basis(), THIRD_REVERSED,
                                       CG_SIGNS["(-1)^(l1-l2+M)"], _THREE_J],
                                "sympy wigner_3j, wigners wigner_3j"),
}
