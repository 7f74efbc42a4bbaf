"""The convention detector: how does an unknown implementation relate to o3ref's conventions?

:func:`detect_convention` calls the implementation on probe inputs and searches for the
:class:`o3ref.verify.convention_maps.ConventionMap` (a composition of exact pieces) that
takes it to o3ref's convention. The search is factored, never a product over all
combinations: for harmonics, each of the 48 signed axis permutations (simplest first) is
tried by a least-squares fit per ``l``; where every fit is a monomial matrix, its pattern is
read as an ``m`` order and its entries as a normalisation times sign rules
(:mod:`o3ref.verify.conventions._search`). The map found is then checked by converting the function
and comparing with o3ref. When no composition fits, the report says where the function first
differs from o3ref and what the differences look like per ``l`` (a sign at one ``m``, a
reordering, a scale).

- ``kind="sh"``: ``func(l_max, xyz)`` with ``xyz`` of shape ``(n, 3)`` returns
  ``(n, (l_max+1)**2)`` values, real or complex, in the implementation's own order.
- ``kind="wigner_d"``: ``func(l, a, b, c)`` (its own Euler angles, ``takes="euler"``),
  ``func(l, R)`` (``takes="matrix"``) or ``func(l, q)`` (``takes="quaternion"``) returns a
  ``(2l+1, 2l+1)`` matrix, real or complex.
- ``kind="cg"``: ``func(l1, l2, L)`` returns a ``(2l1+1, 2l2+1, 2L+1)`` array.

The spherical harmonics are handled here, Wigner D and Clebsch-Gordan in
:mod:`o3ref.verify.conventions._matrices`.

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

import numpy as np

from ..indexing import block, lm_of_flat
from ._probes import ConventionReport, _call, _close, _ours_sh, _tol, _u

__all__ = ["ConventionReport", "detect_convention"]

_KINDS = ("sh", "wigner_d", "cg")

#: the largest ``l_max`` the detector probes, per kind: every piece of a convention (signs,
#: orderings, normalisations) shows by l = 3, and the search's work grows as a power of l
DETECT_MAX_L = {"sh": 12, "wigner_d": 8, "cg": 6}


# ---------------------------------------------------------------- spherical harmonics


def _argument_choices():
    """The 48 signed axis permutations, the simplest first (identity, e3nn's, the other
    permutations, then with signs)."""
    from .maps import argument_piece

    perms = [(0, 1, 2), (2, 0, 1)] + [p for p in itertools.permutations(range(3))
                                      if p not in ((0, 1, 2), (2, 0, 1))]
    signs = sorted(itertools.product((1, -1), repeat=3), key=lambda s: s.count(-1))
    return [argument_piece(p, s) for s in signs for p in perms]


def _detect_sh(func: Callable, l_max: int, seed: int) -> ConventionReport:
    from ._search import read_pieces
    from .maps import SOLID, ConventionMap, complex_basis

    rng = np.random.default_rng(seed)
    n = 4 * (2 * l_max + 1)
    xyz = rng.standard_normal((n, 3))
    xyz *= rng.uniform(0.5, 2.0, (n, 1)) / np.linalg.norm(xyz, axis=1, keepdims=True)
    shape = (n, (l_max + 1) ** 2)
    what = "kind='sh' expects (n, (l_max+1)**2)"
    vals = _call(func, (l_max, xyz), shape, what)
    vals2 = _call(func, (l_max, 2 * xyz), shape, what)
    findings = []
    r = np.linalg.norm(xyz, axis=1)
    degree = np.concatenate([np.full(2 * l + 1, l) for l in range(l_max + 1)])
    tol = _tol(vals)
    radial = []
    raw = vals
    if not _close(vals2, vals, tol * 2**l_max):
        if _close(vals2, vals * 2.0**degree, tol * 4**l_max):
            radial = [SOLID]
            vals = vals / r[:, None] ** degree
        else:
            findings.append("values depend on |r| but not as r^l")
    ours = _ours_sh(l_max, xyz)
    is_complex = np.iscomplexobj(vals) and np.max(np.abs(vals.imag)) > tol
    bases = [(complex_basis(), [np.linalg.inv(_u(l)) for l in range(l_max + 1)])] \
        if is_complex else [(None, None)]
    from o3ref import fast

    found = []
    for arg in _argument_choices():
        perm, signs = arg.params
        # the search runs on o3ref.fast; the map found is then checked against the reference
        base = fast.SphericalHarmonics(l_max).compute(
            xyz[:, list(perm)] * np.array(signs, dtype=float))
        fitted = {}
        for l in range(l_max + 1):
            s = block(l)
            coef, *_ = np.linalg.lstsq(base[:, s], vals[:, s], rcond=None)
            if not _close(base[:, s] @ coef, vals[:, s], tol):
                break
            fitted[l] = coef.T  # other_l = coef.T @ Y_l(A r)
        else:
            for basis, inverses in bases:
                mats = fitted if basis is None else {l: x @ inverses[l]
                                                     for l, x in fitted.items()}
                pieces = read_pieces(mats)
                if pieces is not None:
                    found.append(ConventionMap("sh", tuple(
                        [arg] + ([basis] if basis else []) + pieces + radial)))
    # the simplest description first: fewest pieces differing from o3ref
    for cmap in sorted(found, key=lambda c: len(c.visible)):
        report = _sh_report(func, cmap, l_max, xyz, raw, ours, tol, findings)
        if report is not None:
            return report
    first = _first_sh_difference(vals, ours, l_max, tol)
    findings += _describe_sh_blocks(vals, ours, l_max, tol)
    err = float(np.max(np.abs(vals - ours)))
    return ConventionReport("sh", False, None, first, "", findings, err)


def _sh_report(func, cmap, l_max, xyz, raw, ours, tol, findings):
    """The report when ``cmap.convert(func)`` gives o3ref's harmonics (else None)."""
    converted = _call(cmap.convert(func), (l_max, xyz), ours.shape,
                      "the converted function")
    if not _close(converted, ours, tol):
        return None
    err = float(np.max(np.abs(converted - ours)))
    first = None if cmap.is_identity else _first_sh_difference(raw, ours, l_max, tol)
    desc = cmap.summary()
    return ConventionReport("sh", cmap.is_identity, cmap.name, first, desc, findings, err,
                            cmap)


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

_TAKES = ("euler", "matrix", "quaternion")


def detect_convention(func: Callable, kind: str = "sh", *, l_max: int | None = None,
                      seed: int = 0, takes: str = "euler") -> ConventionReport:
    """Report how ``func`` relates to o3ref's conventions (see the module docstring).

    ``l_max`` is the largest degree probed (default 4 for "sh", 3 for "wigner_d", 2 for
    "cg"; at most :data:`DETECT_MAX_L`: a ``TypeError`` or ``ValueError`` names it otherwise,
    before any call of ``func``). ``takes`` (Wigner D only) is what ``func`` takes after
    ``l``: Euler angles ``(a, b, c)`` in its own sequence (``"euler"``), a rotation matrix
    ``(3, 3)`` (``"matrix"``) or a unit quaternion ``(4,)`` (``"quaternion"``, scalar first
    or last).
    The report's ``matches`` is True when ``func`` follows o3ref's convention, ``map`` is the
    :class:`o3ref.verify.convention_maps.ConventionMap` from ``func``'s convention to
    o3ref's (None when no composition of known pieces fits), ``convention`` its name, and
    ``first_difference`` says where ``func`` first differs from o3ref (``"l = 2, m = -1"``).
    """
    if kind not in _KINDS:
        raise ValueError(f"kind={kind!r} must be one of {', '.join(_KINDS)}")
    if not callable(func):
        raise TypeError(f"func={func!r} must be callable")
    if takes not in _TAKES:
        raise ValueError(f"takes={takes!r} must be one of {', '.join(_TAKES)}")
    if takes != "euler" and kind != "wigner_d":
        raise ValueError(f"takes={takes!r} applies to kind='wigner_d' only, not kind={kind!r}")
    default = {"sh": 4, "wigner_d": 3, "cg": 2}[kind]
    l_max = default if l_max is None else l_max
    high = DETECT_MAX_L[kind]
    if isinstance(l_max, bool) or not isinstance(l_max, (int, np.integer)):
        raise TypeError(f"l_max={l_max!r} must be an integer in 1..{high} (kind={kind!r})")
    if not 1 <= l_max <= high:
        raise ValueError(f"l_max={l_max!r} must be an integer in 1..{high} (kind={kind!r})")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"seed={seed!r} must be a non-negative integer")
    if kind == "sh":
        return _detect_sh(func, int(l_max), seed)
    from ._matrices import _detect_cg, _detect_d

    if kind == "wigner_d":
        return _detect_d(func, int(l_max), seed, takes)
    return _detect_cg(func, int(l_max), seed)
