"""What the layer checks share: irreps copies, the exact CG as floats, frames, probing.

The irreps helpers of :mod:`o3ref.verify` are imported here and nowhere else in this
subpackage (one place to rewrite when the layout of ``verify/`` changes).

A *copy* is one irrep of an irreps description, multiplicities expanded, in the order the
description lists them: ``"2x0e+1o"`` has the copies ``0e, 0e, 1o``. ``Copy.index`` gives the
positions of its ``2l+1`` components in a feature vector of the given layout.

Conventions: :mod:`o3ref.reference.conventions`.

>>> [(c.l, c.parity, c.entry, c.u) for c in copies("2x0e+1o")]
[(0, 1, 0, 0), (0, 1, 0, 1), (1, -1, 1, 0)]
>>> copies("2x1o", "ir_mul")[1].index.tolist()
[1, 3, 5]
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .irreps import as_numpy, frame_matrix, irreps_dim, irreps_str, parse_irreps

__all__ = ["Copy", "as_numpy", "cg_block", "copies", "frame_name", "irreps_dim", "irreps_str",
           "output_dtype", "parse_irreps", "resolve_frame", "triangle_allowed"]

LAYOUTS = ("mul_ir", "ir_mul")


@dataclass(frozen=True)
class Copy:
    """One irrep copy: degree ``l``, ``parity`` (+1/-1), the ``entry`` of the irreps list it
    belongs to, its number ``u`` inside that entry, and the feature positions ``index``."""

    l: int
    parity: int
    entry: int
    u: int
    index: np.ndarray

    @property
    def label(self) -> str:
        """``"1o"`` style name of the irrep."""
        return f"{self.l}{'e' if self.parity == 1 else 'o'}"


def copies(irreps, layout: str = "mul_ir") -> list[Copy]:
    """The copies of ``irreps`` in listed order (see the module docstring)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout={layout!r} must be one of {LAYOUTS}")
    out, start = [], 0
    for k, (mul, l, p) in enumerate(parse_irreps(irreps)):
        d = 2 * l + 1
        for u in range(mul):
            if layout == "mul_ir":
                idx = start + u * d + np.arange(d)
            else:
                idx = start + np.arange(d) * mul + u
            out.append(Copy(l, p, k, u, idx))
        start += mul * d
    return out


def triangle_allowed(a: Copy, b: Copy, c: Copy) -> bool:
    """Whether a bilinear path ``a x b -> c`` exists: triangle rule and parity."""
    return abs(a.l - b.l) <= c.l <= a.l + b.l and a.parity * b.parity == c.parity


@functools.lru_cache(maxsize=512)
def _exact_cg_float(l1: int, l2: int, L: int) -> np.ndarray:
    from o3ref.reference import real_clebsch_gordan

    from ..compare import to_numeric

    out = to_numeric(real_clebsch_gordan(l1, l2, L))  # exact sqrt(p/q), rounded once
    out.setflags(write=False)
    return out


def frame_name(frame) -> str:
    """A short name of a frame for reports."""
    if isinstance(frame, str):
        return frame
    return str(getattr(frame, "name", None) or type(frame).__name__)


class _MapFrame:
    """A :class:`o3ref.verify.convention_maps.ConventionMap` of spherical harmonics as a
    frame: ``theirs = M_l @ ours``, ``M_l`` measured by converting o3ref's own harmonics
    (a map that takes ``their`` values to ours, applied to ours, gives ``M_l^-1 ours``)."""

    def __init__(self, cmap):
        if getattr(cmap, "kind", None) != "sh":
            raise ValueError(f"frame={cmap!r}: a ConventionMap frame must be of kind 'sh' "
                             f"(got kind={getattr(cmap, 'kind', None)!r})")
        self.cmap = cmap
        self.name = f"map {cmap.name}"
        self._cache: dict[int, np.ndarray] = {}

    def matrix(self, l: int) -> np.ndarray:
        if l not in self._cache:
            from o3ref.fast import spherical_harmonics

            rng = np.random.default_rng(1234)
            xyz = rng.standard_normal((8 * (2 * l + 1), 3))
            xyz /= np.linalg.norm(xyz, axis=1, keepdims=True)
            ours = spherical_harmonics(l, xyz)[:, l * l:]
            got = np.asarray(self.cmap.convert(spherical_harmonics)(l, xyz))[:, l * l:]
            if np.iscomplexobj(got) and np.abs(np.imag(got)).max() > 0:
                raise ValueError(f"frame={self.cmap.name!r} is a complex basis: the layer "
                                 "checks need a real frame")
            inv_t, *_ = np.linalg.lstsq(ours, np.real(got), rcond=None)
            self._cache[l] = np.linalg.inv(inv_t.T)
        return self._cache[l]


def resolve_frame(frame):
    """``"o3ref"``, ``"e3nn"``, a ``ConventionMap`` of kind ``"sh"``, or an object with
    ``matrix(l)`` (``theirs = M_l @ ours``) -> something :func:`frame_matrix` takes."""
    if isinstance(frame, str):
        if frame not in ("o3ref", "e3nn"):
            raise ValueError(f"frame={frame!r} must be 'o3ref', 'e3nn', a ConventionMap or "
                             "an object with matrix(l)")
        return frame
    if type(frame).__name__ == "ConventionMap":
        return _MapFrame(frame)
    if getattr(frame, "matrix", None) is None and not callable(frame):
        raise TypeError(f"frame={frame!r} must be 'o3ref', 'e3nn', a ConventionMap or an "
                        "object with matrix(l)")
    return frame


def cg_block(l1: int, l2: int, L: int, frame="o3ref") -> np.ndarray:
    """o3ref's exact real CG ``(2l1+1, 2l2+1, 2L+1)`` in float64, written in ``frame``:
    ``C'[a, b, c] = sum M1^-1[i, a] M2^-1[j, b] M_L[c, k] C[i, j, k]`` (the tensor of the
    bilinear map ``y = C(x1, x2)`` when every feature is ``M_l @ ours``)."""
    C = _exact_cg_float(l1, l2, L)
    if isinstance(frame, str) and frame == "o3ref":
        return C
    inv1 = np.linalg.inv(frame_matrix(frame, l1))
    inv2 = np.linalg.inv(frame_matrix(frame, l2))
    ML = frame_matrix(frame, L)
    return np.einsum("ia,jb,ck,ijk->abc", inv1, inv2, ML, C)


def output_dtype(y: np.ndarray, dtype) -> np.dtype:
    """The dtype whose epsilon sets the policy: ``dtype`` when given, else the output's
    (float64 for a non-floating output)."""
    if dtype is not None:
        dt = np.dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"dtype={dtype!r} must be a real floating dtype")
        return dt
    return y.dtype if y.dtype.kind == "f" else np.dtype(np.float64)


def call(f: Callable, convert: Callable | None, *xs) -> np.ndarray:
    """``f`` on NumPy inputs (through ``convert``), its output as a NumPy array."""
    conv = convert if convert is not None else (lambda a: a)
    return np.asarray(as_numpy(f(*[conv(x) for x in xs])))
