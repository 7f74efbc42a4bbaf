"""The convention detector: how does an unknown implementation relate to o3ref's conventions?

:func:`detect_convention` calls the implementation on probe inputs, compares it with every
known convention of :mod:`o3ref.verify.conventions` (and with combinations of their sign,
normalisation and argument choices), and when none fits, says where it first differs from
o3ref and what the differences look like (a sign at one ``m``, a reordering, a scale).

- ``kind="sh"``: ``func(l_max, xyz)`` with ``xyz`` of shape ``(n, 3)`` returns
  ``(n, (l_max+1)**2)`` values, real or complex, ``m = -l..l`` within each ``l`` (as the
  implementation orders them).
- ``kind="wigner_d"``: ``func(l, alpha, beta, gamma)`` (the implementation's own Euler
  angles) returns a ``(2l+1, 2l+1)`` matrix, real or complex.
- ``kind="cg"``: ``func(l1, l2, L)`` returns a ``(2l1+1, 2l2+1, 2L+1)`` array.

The spherical harmonics are handled here, Wigner D and Clebsch-Gordan in
:mod:`o3ref.verify.detect_matrices`.

Conventions: :mod:`o3ref.reference.conventions`.

>>> import numpy as np
>>> def sh(l_max, xyz):  # l = 0, 1 with the sign of m = -1 flipped
...     u = xyz / np.linalg.norm(xyz, axis=1, keepdims=True)
...     c = np.sqrt(3 / (4 * np.pi))
...     y00 = np.full(len(u), 0.5 / np.sqrt(np.pi))
...     return np.stack([y00, -c * u[:, 1], c * u[:, 2], c * u[:, 0]], axis=1)
>>> print(detect_convention(sh, "sh", l_max=1).first_difference)
l = 1, m = -1
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .indexing import block, lm_of_flat

__all__ = ["ConventionReport", "detect_convention"]

_KINDS = ("sh", "wigner_d", "cg")


@dataclass
class ConventionReport:
    """What :func:`detect_convention` found; ``str()`` says it in plain words."""

    kind: str
    matches: bool
    convention: str | None
    first_difference: str | None
    description: str = ""
    findings: list[str] = field(default_factory=list)
    max_abs_err: float = 0.0

    def __str__(self) -> str:
        what = {"sh": "spherical harmonics", "wigner_d": "Wigner D", "cg": "Clebsch-Gordan"}
        head = f"{what[self.kind]}: "
        if self.matches:
            text = (f"{head}matches o3ref's convention ({self.description}); largest "
                    f"difference {self.max_abs_err:.1e}")
        elif self.convention is not None:
            where = (f"first differs from o3ref at {self.first_difference}"
                     if self.first_difference else "entrywise equal to o3ref's complex form")
            text = (f"{head}{self.convention} convention ({self.description}); {where}; "
                    f"residual after the map {self.max_abs_err:.1e}")
        else:
            text = (f"{head}matches no known convention; first differs from o3ref at "
                    f"{self.first_difference}")
        if self.findings:
            text += ".\n" + "\n".join(f"  - {f}" for f in self.findings)
        return text


# ---------------------------------------------------------------- o3ref values (float64)


# The detector's oracle is the exact reference evaluated with mpmath at 20 digits: a
# convention is told apart by O(1) factors, so these values are far more accurate than needed.
_DPS = 20


def _ours_sh(l_max: int, xyz: np.ndarray) -> np.ndarray:
    from o3ref import reference

    from .compare import to_numeric

    return to_numeric(reference.real_spherical_harmonics(l_max, xyz, dps=_DPS))


@lru_cache(maxsize=4096)
def _ours_d(l: int, a: float, b: float, g: float) -> np.ndarray:
    from o3ref import reference

    from .compare import to_numeric

    out = to_numeric(reference.wigner_D_real(l, float(a), float(b), float(g), dps=_DPS))
    out.setflags(write=False)
    return out


def _u(l: int) -> np.ndarray:
    from .adapters._maps import u_matrix

    return u_matrix(l)


def _sign_patterns(l: int) -> dict[str, np.ndarray]:
    ms = np.arange(-l, l + 1)
    return {
        "": np.ones(2 * l + 1),
        "sympy Znm signs": np.where(ms < 0, -1.0, (-1.0) ** ms),
        "Condon-Shortley phase kept": (-1.0) ** ms,
    }


def _normalisations(l: int) -> dict[str, np.ndarray]:
    from math import factorial, pi, sqrt

    ms = range(-l, l + 1)
    unn = [1 / (sqrt(2 if m else 1) * sqrt((2 * l + 1) / (4 * pi) * factorial(l - abs(m))
                                           / factorial(l + abs(m)))) for m in ms]
    return {
        "": np.ones(2 * l + 1),
        "4pi normalisation": np.full(2 * l + 1, sqrt(4 * pi)),
        "Schmidt semi-normalisation": np.full(2 * l + 1, sqrt(4 * pi / (2 * l + 1))),
        "unnormalised": np.array(unn),
    }


def _close(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol))


def _tol(values: np.ndarray) -> float:
    # a convention is a statement about O(1) factors: 1e-6 of the values' size tells apart
    # every map here while accepting float32 implementations
    return 1e-6 * max(1.0, float(np.max(np.abs(values))) if values.size else 1.0)


def _show_args(args) -> str:
    """``func(...)`` arguments as short text: numbers rounded, arrays by their shape."""
    def one(a):
        if isinstance(a, np.ndarray):
            return f"<array of shape {a.shape}>"
        if isinstance(a, (float, np.floating)):
            return f"{float(a):.6g}"
        return repr(a)

    return "func(" + ", ".join(one(a) for a in args) + ")"


def _call(func, args, shape, what):
    try:
        out = np.asarray(func(*args))
    except Exception as exc:  # the implementation under test failed: say so, with its error
        raise ValueError(f"{_show_args(args)} raised {type(exc).__name__}: {exc}") from exc
    if out.shape != shape:
        raise ValueError(f"{_show_args(args)} returned shape {out.shape}, expected {shape} "
                         f"({what})")
    if out.dtype == object:  # e.g. mpmath or sympy numbers
        from .compare import to_numeric

        out = to_numeric(out)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{_show_args(args)} returned non-finite values ({what})")
    return out


# ---------------------------------------------------------------- spherical harmonics


def _detect_sh(func: Callable, l_max: int, seed: int) -> ConventionReport:
    import sympy

    from .conventions import SH_CONVENTIONS

    rng = np.random.default_rng(seed)
    n = 4 * (2 * l_max + 1)
    xyz = rng.standard_normal((n, 3))
    xyz *= rng.uniform(0.5, 2.0, (n, 1)) / np.linalg.norm(xyz, axis=1, keepdims=True)
    shape = (n, (l_max + 1) ** 2)
    vals = _call(func, (l_max, xyz), shape, "kind='sh' expects (n, (l_max+1)**2)")
    vals2 = _call(func, (l_max, 2 * xyz), shape, "kind='sh' expects (n, (l_max+1)**2)")
    findings = []
    r = np.linalg.norm(xyz, axis=1)
    degree = np.concatenate([np.full(2 * l + 1, l) for l in range(l_max + 1)])
    tol = _tol(vals)
    solid = False
    raw = vals
    if not _close(vals2, vals, tol * 2**l_max):
        if _close(vals2, vals * 2.0**degree, tol * 4**l_max):
            solid = True
            vals = vals / r[:, None] ** degree
            findings.append("solid harmonics: values scale as r^l (as sphericart "
                            "SolidHarmonics); compared after dividing by r^l")
        else:
            findings.append("values depend on |r| but not as r^l")
    ours = _ours_sh(l_max, xyz)
    perm = np.array(E3NN_PERMUTATION)
    ours_e3nn = _ours_sh(l_max, xyz[:, perm])
    is_complex = np.iscomplexobj(vals) and np.max(np.abs(vals.imag)) > tol

    def blocks(mats, base):
        out = np.empty(base.shape, dtype=complex if is_complex else float)
        for l in range(l_max + 1):
            s = block(l)
            out[:, s] = base[:, s] @ mats(l).T
        return out

    candidates = []
    for name, conv in SH_CONVENTIONS.items():
        if (conv.kind == "complex") != is_complex:
            continue
        base = ours if conv.argument == sympy.ImmutableMatrix.eye(3) else ours_e3nn
        mat = _float_matrices(conv, l_max)
        candidates.append((name, conv.description, lambda l, mat=mat: mat[l], base))
    for sname, nname, arg, desc in itertools.product(
        _sign_patterns(0), _normalisations(0), (False, True), (False, True)
    ):
        if (is_complex and sname) or not (sname or nname or arg or desc):
            continue
        parts = [p for p in (sname, nname) if p]
        if arg:
            parts = ["e3nn argument order (y, z, x)"] + parts
        if desc:
            parts = ["m descending"] + parts
        if is_complex:
            parts = ["complex (Condon-Shortley)"] + parts
        name = ", ".join(parts)

        def mats(l, sname=sname, nname=nname, desc=desc):
            m = np.diag(_sign_patterns(l)[sname] * _normalisations(l)[nname])
            m = m @ _u(l) if is_complex else m
            return m[::-1] if desc else m

        text = "combination of known ordering, sign, normalisation and argument choices"
        candidates.append((name, text, mats, ours_e3nn if arg else ours))
    for name, desc, mats, base in candidates:
        predicted = blocks(mats, base)
        if _close(vals, predicted, tol):
            if solid:
                name = "sphericart SolidHarmonics" if name == "o3ref" else name + ", solid (r^l)"
            err = float(np.max(np.abs(vals - predicted)))
            first = _first_sh_difference(raw, ours, l_max, tol)
            return ConventionReport("sh", name == "o3ref", name, first, desc, findings, err)
    first = _first_sh_difference(vals, ours, l_max, tol)
    findings += _describe_sh_blocks(vals, ours, l_max, tol)
    err = float(np.max(np.abs(vals - ours)))
    return ConventionReport("sh", False, None, first, "", findings, err)


E3NN_PERMUTATION = (2, 0, 1)  # e3nn(v) = c_l Y(v[2], v[0], v[1]): its argument read as (y, z, x)


def _float_matrices(conv, l_max):
    out = []
    for l in range(l_max + 1):
        m = np.array(conv.matrix(l).evalf(20).tolist(), dtype=np.complex128)
        out.append(m if conv.kind == "complex" else m.real)
    return out


def _first_sh_difference(vals, ours, l_max, tol) -> str | None:
    bad = np.any(np.abs(vals - ours) > tol, axis=0)
    if not np.any(bad):
        return None
    l, m = lm_of_flat(int(np.argmax(bad)))
    return f"l = {l}, m = {m}"


def _describe_sh_blocks(vals, ours, l_max, tol) -> list[str]:
    out = []
    for l in range(l_max + 1):
        s = block(l)
        v, o = vals[:, s], ours[:, s]
        if _close(v, o, tol):
            continue
        coef, *_ = np.linalg.lstsq(o, v, rcond=None)
        if not _close(o @ coef, v, tol * 10):
            out.append(f"l = {l}: not a linear combination of o3ref's Y_{l}m (a different "
                       "function, or a rotated argument at another degree)")
            continue
        a = coef.T  # v_l = a @ o_l
        out.append(f"l = {l}: " + _describe_matrix(a, l))
    return out


def _describe_matrix(a: np.ndarray, l: int) -> str:
    ms = list(range(-l, l + 1))
    big = np.abs(a) > 1e-6 * np.max(np.abs(a))
    if not np.all(big.sum(axis=1) == 1) or not np.all(big.sum(axis=0) == 1):
        return "mixes several of o3ref's m (a rotated or reflected argument?)"
    cols = np.argmax(big, axis=1)
    parts = []
    if not np.array_equal(cols, np.arange(2 * l + 1)):
        order = [ms[c] for c in cols]
        parts.append("o3ref's m in the order " + ", ".join(map(str, order))
                     + (" (descending)" if order == ms[::-1] else ""))
    f = a[np.arange(2 * l + 1), cols]
    mag = np.abs(f)
    if not np.allclose(mag, 1.0, rtol=1e-6):
        if np.allclose(mag, mag[0], rtol=1e-6):
            parts.append(f"scaled by {mag[0]:.6g}")
        else:
            parts.append("scaled per m by " + ", ".join(f"{x:.4g}" for x in mag))
    phase = f / mag
    flipped = [ms[i] for i in range(2 * l + 1) if abs(phase[i] + 1) < 1e-6]
    other = [ms[i] for i in range(2 * l + 1)
             if abs(phase[i] - 1) > 1e-6 and abs(phase[i] + 1) > 1e-6]
    if flipped:
        parts.append("sign flipped at m = " + ", ".join(map(str, flipped)))
    if other:
        parts.append("complex phase at m = " + ", ".join(map(str, other)))
    return "; ".join(parts) if parts else "agrees"


# ---------------------------------------------------------------- entry point


def detect_convention(func: Callable, kind: str = "sh", *, l_max: int | None = None,
                      seed: int = 0) -> ConventionReport:
    """Report how ``func`` relates to o3ref's conventions (see the module docstring).

    ``l_max`` is the largest degree probed (default 4 for "sh", 3 for "wigner_d", 2 for
    "cg"). The report's ``matches`` is True when ``func`` follows o3ref's convention,
    ``convention`` names the known convention (or combination) it follows, or is None, and
    ``first_difference`` says where it first differs from o3ref (``"l = 2, m = -1"``).
    """
    if kind not in _KINDS:
        raise ValueError(f"kind={kind!r} must be one of {', '.join(_KINDS)}")
    if not callable(func):
        raise TypeError(f"func={func!r} must be callable")
    default = {"sh": 4, "wigner_d": 3, "cg": 2}[kind]
    l_max = default if l_max is None else l_max
    if isinstance(l_max, bool) or not isinstance(l_max, (int, np.integer)) or l_max < 1:
        raise ValueError(f"l_max={l_max!r} must be a positive integer")
    if kind == "sh":
        return _detect_sh(func, int(l_max), seed)
    from .detect_matrices import _detect_cg, _detect_d

    return {"wigner_d": _detect_d, "cg": _detect_cg}[kind](func, int(l_max), seed)
