"""Adapter: e3nn (needs torch; not a dependency of o3ref).

e3nn's conventions, from its source (``e3nn/o3/_spherical_harmonics.py``,
``e3nn/o3/_wigner.py``, ``e3nn/o3/_rotation.py``):

- ``spherical_harmonics(l, v, normalize=True, normalization=...)`` reads ``v`` as
  ``(y, z, x)`` (its docstring: it "match[es] ... standard real spherical harmonics ... when
  called with the argument in the order y,z,x"): ``e3nn(r[[1, 2, 0]]) = c_l Y_l(r)`` with
  ``c_l = 1`` ('integral'), ``sqrt(4 pi)`` ('component', the default), ``sqrt(4 pi/(2l+1))``
  ('norm').
- ``angles_to_matrix(a, b, g) = Ry(a) Rx(b) Ry(g)`` (Y-X-Y) in e3nn's axes; read in o3ref's
  axes this is ``Rz(a) Ry(b) Rz(g)``, and ``wigner_D(l, a, b, g)`` equals o3ref's
  ``D_real(a, b, g)``.
- ``change_basis_real_to_complex(l) = (-i)^l U`` and ``wigner_3j(l1, l2, L) =
  (-1)^floor((l1+l2-L)/2) C / sqrt(2L+1)`` with ``C`` o3ref's real CG.

The exact transcriptions below (:func:`change_basis_real_to_complex`, :func:`wigner_3j_exact`,
:func:`angles_to_matrix`, :func:`sh_polynomials`) follow e3nn's documented formulas, so the
maps can be proven without torch; the float functions need ``torch`` and ``e3nn``.
Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import numpy as np
import sympy

from ..conventions.libraries import E3NN_04_NEGATED
from . import require

__all__ = ["CONVENTIONS", "DISTRIBUTIONS", "DTYPE", "E3NN_04_NEGATED", "KNOWN_VERSIONS", "MAX_L",
           "max_l", "natives", "wigner_3j_sign", "angles_to_matrix",
           "change_basis_real_to_complex", "so3_generators",
           "implementations", "sh_polynomials", "spherical_harmonics", "wigner_3j",
           "wigner_3j_exact", "wigner_D"]

CONVENTIONS = {"sh": "e3nn 'component'", "wigner_d": "o3ref", "cg": "e3nn wigner_3j"}
DISTRIBUTIONS = ("e3nn", "torch")
KNOWN_VERSIONS = {"e3nn": ("0.4.4", "0.5", "0.6")}
# e3nn 0.4.x: SH and wigner_3j (a stored table) stop at l = 11; >= 0.5: SH stop at l = 12,
# wigner_3j and wigner_D have no limit. MAX_L holds for both; max_l() for the installed one.
MAX_L: dict[str, int] = {"sh": 11, "cg": 11}
DTYPE = "float64"

def _version() -> tuple[int, ...]:
    from ..provenance import distribution_version

    v = distribution_version("e3nn") or "0.6"
    return tuple(int(p) for p in v.split("+")[0].split(".")[:2] if p.isdigit())


def max_l() -> dict[str, int]:
    """The largest degree per quantity of the installed e3nn (0.4.x or >= 0.5)."""
    return {"sh": 11, "cg": 11} if _version() < (0, 5) else {"sh": 12}


def wigner_3j_sign(l1: int, l2: int, L: int, version: tuple[int, ...] | None = None) -> int:
    """``wigner_3j(l1, l2, L) sqrt(2L+1)`` divided by o3ref's real CG for an e3nn version:
    ``(-1)^floor((l1+l2-L)/2)``, times -1 at :data:`E3NN_04_NEGATED` for e3nn 0.4.x."""
    sign = -1 if ((l1 + l2 - L) // 2) % 2 else 1
    old = (_version() if version is None else tuple(version)) < (0, 5)
    return -sign if old and tuple(sorted((l1, l2, L))) in E3NN_04_NEGATED else sign


def _o3():
    import warnings

    require("torch")
    try:
        with warnings.catch_warnings():  # torch.load and torch.jit warnings at e3nn 0.4.x import
            warnings.simplefilter("ignore")
            return require("e3nn.o3")
    except ImportError:
        raise
    except Exception as exc:  # e3nn 0.4.x under torch >= 2.6: torch.load refuses constants.pt
        hint = ("e3nn 0.4.x loads its constants.pt with torch.load, which torch >= 2.6 "
                "refuses unless TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 is set (as mace-torch "
                "sets it)") if "weights" in str(exc).lower() else str(exc).splitlines()[0]
        raise ImportError(f"e3nn {'.'.join(map(str, _version()))} failed to import "
                          f"({type(exc).__name__}): {hint}") from None


def change_basis_real_to_complex(l: int) -> sympy.Matrix:
    """e3nn's ``change_basis_real_to_complex(l)`` exactly: Wikipedia's real-to-complex
    unitary (rows complex m) times ``(-i)^l`` "to make the Clebsch-Gordan coefficients real"."""
    q = sympy.zeros(2 * l + 1, 2 * l + 1)
    s2 = sympy.sqrt(2)
    for m in range(-l, 0):
        q[l + m, l + abs(m)] = 1 / s2
        q[l + m, l - abs(m)] = -sympy.I / s2
    q[l, l] = 1
    for m in range(1, l + 1):
        q[l + m, l + abs(m)] = (-1) ** m / s2
        q[l + m, l - abs(m)] = sympy.I * (-1) ** m / s2
    return (-sympy.I) ** l * q


def wigner_3j_exact(l1: int, l2: int, L: int) -> sympy.MutableDenseNDimArray:
    """e3nn's ``wigner_3j`` construction in exact arithmetic: the Condon-Shortley CG
    ``C[m1, m2, M]`` taken to the real basis with ``Q1, Q2, conj(Q3)``, real part, divided
    by its Frobenius norm (e3nn ``_so3_clebsch_gordan``)."""
    from o3ref import reference

    q1, q2, q3 = (change_basis_real_to_complex(l) for l in (l1, l2, L))
    out = sympy.MutableDenseNDimArray.zeros(2 * l1 + 1, 2 * l2 + 1, 2 * L + 1)
    cg = {}
    for m1 in range(-l1, l1 + 1):
        for m2 in range(-l2, l2 + 1):
            if abs(m1 + m2) <= L:
                cg[(m1, m2)] = reference.clebsch_gordan(l1, m1, l2, m2, L, m1 + m2)
    for j in range(2 * l1 + 1):
        for k in range(2 * l2 + 1):
            for n in range(2 * L + 1):
                v = sum(q1[m1 + l1, j] * q2[m2 + l2, k] * sympy.conjugate(q3[m1 + m2 + L, n]) * c
                        for (m1, m2), c in cg.items())
                out[j, k, n] = sympy.re(sympy.expand(v))
    norm = sympy.sqrt(sum(v**2 for v in sympy.flatten(out.tolist())))
    return (out / norm).applyfunc(sympy.simplify)


def _rx(t):
    c, s = sympy.cos(t), sympy.sin(t)
    return sympy.Matrix([[1, 0, 0], [0, c, -s], [0, s, c]])


def _ry(t):
    c, s = sympy.cos(t), sympy.sin(t)
    return sympy.Matrix([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def angles_to_matrix(alpha, beta, gamma) -> sympy.Matrix:
    """e3nn's ``angles_to_matrix``: ``matrix_y(alpha) @ matrix_x(beta) @ matrix_y(gamma)``."""
    return _ry(alpha) * _rx(beta) * _ry(gamma)


def sh_polynomials(l: int) -> list[sympy.Expr]:
    """e3nn's 'component' polynomials for ``l <= 3`` (``e3nn/o3/_spherical_harmonics.py``,
    ``_spherical_harmonics``), in e3nn's variables ``x, y, z`` on the unit sphere."""
    x, y, z = sympy.symbols("x y z", real=True)
    r = sympy.sqrt
    if l == 0:
        return [sympy.Integer(1)]
    if l == 1:
        return [r(3) * x, r(3) * y, r(3) * z]
    s2 = [r(15) * x * z, r(15) * x * y, r(5) * (y**2 - (x**2 + z**2) / 2), r(15) * y * z,
          r(15) / 2 * (z**2 - x**2)]
    if l == 2:
        return s2
    if l == 3:
        x2z2 = x**2 + z**2
        return [r(42) / 6 * (s2[0] * z + s2[4] * x), r(7) * s2[0] * y,
                r(168) / 8 * (4 * y**2 - x2z2) * x, r(7) / 2 * y * (2 * y**2 - 3 * x2z2),
                r(168) / 8 * z * (4 * y**2 - x2z2), r(7) * s2[4] * y,
                r(42) / 6 * (s2[4] * z - s2[0] * x)]
    raise ValueError(f"l={l} must be at most 3 (transcribed e3nn polynomials)")


def spherical_harmonics(l_max: int, xyz, normalization: str = "component") -> np.ndarray:
    """``e3nn.o3.spherical_harmonics(range(l_max+1), xyz, True, normalization)``, native."""
    torch = require("torch")
    o3 = _o3()
    x = torch.as_tensor(np.asarray(xyz, dtype=np.float64))
    return o3.spherical_harmonics(list(range(l_max + 1)), x, True, normalization).numpy()


def wigner_D(l: int, alpha, beta, gamma) -> np.ndarray:
    """``e3nn.o3.wigner_D`` (Y-X-Y angles in e3nn's axes), native."""
    torch = require("torch")
    o3 = _o3()
    t = [torch.tensor(float(a), dtype=torch.float64) for a in (alpha, beta, gamma)]
    # e3nn builds its so(3) generators in torch's default dtype (float32 unless changed) and
    # only then promotes: without float64 as the default, D is good to ~1e-7 only
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        return o3.wigner_D(l, *t).numpy()
    finally:
        torch.set_default_dtype(previous)


def wigner_3j(l1: int, l2: int, L: int) -> np.ndarray:
    """``e3nn.o3.wigner_3j`` in float64, native."""
    torch = require("torch")
    return _o3().wigner_3j(l1, l2, L, dtype=torch.float64).numpy()


def natives() -> dict:
    """``quantity -> (function, takes)`` in e3nn's own convention (for the detector)."""
    return {"sh": (spherical_harmonics, None), "wigner_d": (wigner_D, "euler"),
            "cg": (wigner_3j, None)}


def implementations() -> dict:
    """This library's functions in o3ref's conventions, by kind (``"sh"``, ``"wigner_d"``,
    ``"cg"``, ...; see :mod:`o3ref.verify.callables`); raises ``ImportError`` naming the
    library when e3nn is not installed."""
    _o3()
    version = _version()

    def sh(l_max, xyz):
        v = spherical_harmonics(l_max, np.asarray(xyz)[:, [1, 2, 0]], "integral")
        return v

    def cg(l1, l2, L):
        return wigner_3j(l1, l2, L) * wigner_3j_sign(l1, l2, L, version) * np.sqrt(2 * L + 1)

    return {"sh": sh, "wigner_d": wigner_D, "cg": cg}


def so3_generators(l: int) -> list[sympy.Matrix]:
    """e3nn's ``so3_generators(l)`` exactly: ``Q^dagger X Q`` for e3nn's SU(2) generators
    ``X = [(raising + lowering)/2, diag(i m), -i (raising - lowering)/2]`` (e3nn
    ``su2_generators``: ``raising`` has ``-sqrt(j(j+1) - m(m+1))`` below the diagonal,
    ``lowering`` ``+sqrt(j(j+1) - m(m-1))`` above it) and ``Q`` =
    :func:`change_basis_real_to_complex`. ``wigner_D(l, a, b, g) = exp(a X[1]) exp(b X[0])
    exp(g X[1])``."""
    n = 2 * l + 1
    raising = sympy.zeros(n, n)
    lowering = sympy.zeros(n, n)
    for i, m in enumerate(range(-l, l)):
        raising[i + 1, i] = -sympy.sqrt(l * (l + 1) - m * (m + 1))
    for i, m in enumerate(range(-l + 1, l + 1)):
        lowering[i, i + 1] = sympy.sqrt(l * (l + 1) - m * (m - 1))
    gens = [(raising + lowering) / 2, sympy.diag(*[sympy.I * m for m in range(-l, l + 1)]),
            -sympy.I / 2 * (raising - lowering)]
    q = change_basis_real_to_complex(l)
    return [sympy.simplify(q.H * g * q) for g in gens]
