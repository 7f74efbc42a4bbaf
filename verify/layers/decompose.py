"""Decompose an equivariant bilinear or linear layer onto o3ref's exact couplings.

An equivariant bilinear map between irreps is one scalar per (copy of ``l1``, copy of
``l2``, copy of ``L``) times the real CG block ``C^{l1 l2 L}``, and zero where parity or the
triangle rule forbids a path; a linear map is one scalar per (copy in, copy out) of the same
irrep times the identity. :func:`decompose_bilinear` probes ``f(x1, x2)`` with basis vectors,
reads every block and measures it against the exact CG (o3ref's
:func:`o3ref.reference.real_clebsch_gordan`, rounded once to float64) written in the
layer's frame; what no CG explains is the block's residual, which locates a fault by triple.

>>> import numpy as np
>>> from o3ref.verify.layers._copies import cg_block
>>> C = cg_block(1, 1, 0)
>>> f = lambda a, b: 2.5 * np.einsum("ijk,ni,nj->nk", C, a, b)
>>> r = decompose_bilinear(f, "1o", "1o", "0e")
>>> r.passed, round(float(r.coefficients[0, 0, 0]), 12)
(True, 2.5)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..tolerances import tolerance
from ._copies import (
    call,
    cg_block,
    copies,
    frame_matrix,
    frame_name,
    irreps_dim,
    irreps_str,
    output_dtype,
    resolve_frame,
    triangle_allowed,
)
from .layer_report import LayerReport

__all__ = ["decompose_bilinear", "decompose_linear", "probe_bilinear", "probe_linear"]

#: floats per probe batch (inputs and output together): bounds the memory of a probe
_BATCH_FLOATS = 4_000_000
#: the largest probed tensor ``dim1 x dim2 x dim_out`` (float64: 400 MB)
MAX_PROBED_ENTRIES = 50_000_000


def _input_dtype(dtype):
    return np.float64 if dtype is None else np.dtype(dtype)


def probe_bilinear(f: Callable, d1: int, d2: int, d_out: int, *, convert=None,
                   dtype=None) -> np.ndarray:
    """The tensor ``T[a, b, k] = f(e_a, e_b)[k]`` of a bilinear ``f``, probed in batches
    (``f`` takes ``(n, d1)`` and ``(n, d2)`` arrays and returns ``(n, d_out)``)."""
    dt = _input_dtype(dtype)
    if d1 * d2 * d_out > MAX_PROBED_ENTRIES:
        raise ValueError(f"irreps of dimensions {d1} x {d2} -> {d_out} give a probed tensor of "
                         f"{d1 * d2 * d_out} entries, above MAX_PROBED_ENTRIES="
                         f"{MAX_PROBED_ENTRIES}: decompose a layer with smaller multiplicities "
                         "(or the layer on a slice of its channels)")
    T = None
    rows = max(1, _BATCH_FLOATS // max(1, d2 * (d1 + d2 + d_out)))
    eye2 = np.eye(d2, dtype=dt)
    for start in range(0, d1, rows):
        stop = min(d1, start + rows)
        n = stop - start
        x1 = np.zeros((n * d2, d1), dtype=dt)
        x1[np.arange(n * d2), np.repeat(np.arange(start, stop), d2)] = 1
        x2 = np.tile(eye2, (n, 1))
        y = call(f, convert, x1, x2)
        if y.shape != (n * d2, d_out):
            raise ValueError(f"f returned shape {y.shape} for inputs of shapes {x1.shape} and "
                             f"{x2.shape}; irreps_out needs (n, {d_out})")
        if T is None:
            T = np.empty((d1, d2, d_out), dtype=np.float64)
        T[start:stop] = y.reshape(n, d2, d_out)
    if T is None:
        T = np.zeros((d1, d2, d_out))
    return T


def probe_linear(f: Callable, d_in: int, d_out: int, *, convert=None, dtype=None) -> np.ndarray:
    """The matrix ``T[a, k] = f(e_a)[k]`` of a linear ``f`` (batched: ``(n, d_in)`` in)."""
    y = call(f, convert, np.eye(d_in, dtype=_input_dtype(dtype)))
    if y.shape != (d_in, d_out):
        raise ValueError(f"f returned shape {y.shape} for an input of shape ({d_in}, {d_in}); "
                         f"irreps_out needs (n, {d_out})")
    return y.astype(np.float64)


def _finite_scale(T: np.ndarray) -> float:
    finite = T[np.isfinite(T)]
    return float(np.abs(finite).max()) if finite.size else 0.0


def _structure(f, T, ins, convert, dtype, dt, seed, l_max, scale):
    """``f`` on random inputs against the multilinear map ``T`` (largest difference)."""
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal((3, T.shape[k])).astype(_input_dtype(dtype))
          for k in range(len(ins))]
    y = call(f, convert, *xs).astype(np.float64)
    if len(xs) == 2:
        expect = np.einsum("abk,na,nb->nk", T, xs[0].astype(np.float64), xs[1].astype(np.float64))
        terms = T.shape[0] * T.shape[1]
    else:
        expect = xs[0].astype(np.float64) @ T
        terms = T.shape[0]
    # a sum of `terms` products of O(1) Gaussians: sqrt(terms) times the policy at `scale`
    x_scale = max(1.0, max(float(np.abs(x).max()) for x in xs)) ** len(xs)
    tol = tolerance("irreps_layer", l_max, dt, scale=scale * x_scale * float(np.sqrt(terms)))
    with np.errstate(invalid="ignore"):
        err = float(np.max(np.abs(y - expect), initial=0.0))
    return (err if np.isfinite(err) and np.all(np.isfinite(y)) else float("inf")), tol.atol


def decompose_bilinear(f: Callable, irreps_in1, irreps_in2, irreps_out, *, frame="o3ref",
                       layout: str = "mul_ir", dtype=None, convert: Callable | None = None,
                       seed: int = 0) -> LayerReport:
    """Decompose the bilinear layer ``f(x1, x2)`` onto the exact real CG couplings.

    ``f`` takes ``x1 (n, dim1)`` and ``x2 (n, dim2)`` and returns ``(n, dim_out)``; torch and
    jax outputs are read through ``__array__`` or dlpack, and ``convert`` (e.g.
    ``torch.from_numpy``) turns the NumPy probes into the library's arrays. ``frame`` is the
    basis the layer's features are written in: ``"o3ref"``, ``"e3nn"``, a ``ConventionMap``
    of spherical harmonics or an object with ``matrix(l)`` (``theirs = M_l @ ours``).
    The CG is invariant under a common rotation of all three bases, so a frame that is a
    rotation of o3ref's (e3nn's) gives the same scalars as o3ref's; frames with per-``l``
    normalisations, signs or orders (a ``ConventionMap``) change them. ``layout`` is
    ``"mul_ir"`` or ``"ir_mul"``. The probes are made in ``dtype`` (float64 by
    default), and the policy is taken at ``dtype`` or, when not given, the output's dtype.

    Returns a :class:`o3ref.verify.layers.layer_report.LayerReport` with
    ``coefficients[i, j, k]`` for copy ``i`` of ``irreps_in1``, ``j`` of ``irreps_in2``,
    ``k`` of ``irreps_out`` (copies in listed order, multiplicities expanded).
    """
    frame = resolve_frame(frame)
    c1, c2, co = copies(irreps_in1, layout), copies(irreps_in2, layout), copies(irreps_out,
                                                                                 layout)
    d1, d2, do = irreps_dim(irreps_in1), irreps_dim(irreps_in2), irreps_dim(irreps_out)
    if not callable(f):
        raise TypeError(f"f={f!r} must be callable as f(x1, x2)")
    T = probe_bilinear(f, d1, d2, do, convert=convert, dtype=dtype)
    y_dtype = call(f, convert, np.zeros((1, d1), _input_dtype(dtype)),
                   np.zeros((1, d2), _input_dtype(dtype))).dtype
    dt = output_dtype(np.empty(0, y_dtype), dtype)
    scale = _finite_scale(T)
    shape = (len(c1), len(c2), len(co))
    coef = np.zeros(shape)
    rel, absr = np.zeros(shape), np.zeros(shape)
    allowed = np.zeros(shape, dtype=bool)
    tols, ctols = np.zeros(shape), np.zeros(shape)
    groups = _groups(c1), _groups(c2), _groups(co)
    for (l1, _p1), g1 in groups[0].items():
        for (l2, _p2), g2 in groups[1].items():
            for (L, _pL), go in groups[2].items():
                sel = np.ix_(g1, g2, go)
                B = _blocks(T, [c1[i].index for i in g1], [c2[i].index for i in g2],
                            [co[i].index for i in go])
                ok = triangle_allowed(c1[g1[0]], c2[g2[0]], co[go[0]])
                atol = tolerance("irreps_layer", max(l1, l2, L), dt, scale=scale).atol
                tols[sel] = atol
                ctols[sel] = atol * float(np.sqrt((2 * l1 + 1) * (2 * l2 + 1)))
                allowed[sel] = ok
                if ok:
                    C = cg_block(l1, l2, L, frame)
                    c = np.einsum("uivjwk,ijk->uvw", B, C) / float(np.sum(C * C))
                    R = B - c[:, None, :, None, :, None] * C[None, :, None, :, None, :]
                    coef[sel] = c
                else:
                    R = B
                _fill(rel, absr, sel, B, R, axes=(1, 3, 5))
    bad = ~np.isfinite(rel) | ~np.isfinite(coef)
    absr[bad] = np.inf
    l_max = max([c.l for c in c1 + c2 + co] + [0])
    err, stol = _structure(f, T, (c1, c2), convert, dtype, dt, seed, l_max, scale)
    return LayerReport(
        kind="bilinear", irreps=(irreps_str(irreps_in1), irreps_str(irreps_in2),
                                 irreps_str(irreps_out)),
        copies=(c1, c2, co), coefficients=coef, residuals=rel, abs_residuals=absr,
        allowed=allowed, tolerances=tols, coefficient_tolerances=ctols, structure_error=err,
        structure_tolerance=stol, dtype=dt.name, frame=frame_name(frame), scale=scale,
        reason=f"64 (2l+1)^2 eps({dt.name}) x {scale:.3g} (irreps_layer, l = max of the "
        "triple, scale = largest probed value)")


def _groups(cs) -> dict[tuple[int, int], list[int]]:
    out: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(cs):
        out.setdefault((c.l, c.parity), []).append(i)
    return out


def _blocks(T, *index_lists) -> np.ndarray:
    """``T`` restricted to copies: shape ``(n1, 2l1+1, n2, 2l2+1, ...)``."""
    idx = [np.stack(ix) for ix in index_lists]  # (n_copies, 2l+1) each
    k = len(idx)
    grids = []
    for a, ix in enumerate(idx):
        shape = [1] * (2 * k)
        shape[2 * a], shape[2 * a + 1] = ix.shape
        grids.append(ix.reshape(shape))
    return T[tuple(grids)]


def _fill(rel, absr, sel, B, R, axes):
    with np.errstate(invalid="ignore", over="ignore"):
        nb = np.sqrt(np.sum(B * B, axis=axes))
        nr = np.sqrt(np.sum(R * R, axis=axes))
        rel[sel] = np.where(nb > 0, nr / np.where(nb > 0, nb, 1.0), 0.0)
        finite = np.all(np.isfinite(B), axis=axes)
        rel[sel] = np.where(finite, rel[sel], np.nan)
        absr[sel] = np.where(finite, np.max(np.abs(np.nan_to_num(R)), axis=axes), np.inf)


def decompose_linear(f: Callable, irreps_in, irreps_out, *, frame="o3ref",
                     layout: str = "mul_ir", dtype=None, convert: Callable | None = None,
                     seed: int = 0) -> LayerReport:
    """Decompose the linear layer ``f(x)`` (e3nn ``o3.Linear``, cuequivariance ``Linear``):
    one scalar per (copy in, copy out) of the same irrep times the identity, zero between
    different irreps. The arguments are those of :func:`decompose_bilinear`; the report's
    ``coefficients[i, k]`` is for copy ``i`` of ``irreps_in`` and ``k`` of ``irreps_out``.

    >>> r = decompose_linear(lambda x: 3.0 * x, "2x0e+1o", "2x0e+1o")
    >>> r.passed, r.coefficients.tolist()
    (True, [[3.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0]])
    """
    frame = resolve_frame(frame)
    ci, co = copies(irreps_in, layout), copies(irreps_out, layout)
    di, do = irreps_dim(irreps_in), irreps_dim(irreps_out)
    if not callable(f):
        raise TypeError(f"f={f!r} must be callable as f(x)")
    T = probe_linear(f, di, do, convert=convert, dtype=dtype)
    y_dtype = call(f, convert, np.zeros((1, di), _input_dtype(dtype))).dtype
    dt = output_dtype(np.empty(0, y_dtype), dtype)
    scale = _finite_scale(T)
    shape = (len(ci), len(co))
    coef, rel, absr = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    allowed = np.zeros(shape, dtype=bool)
    tols, ctols = np.zeros(shape), np.zeros(shape)
    gi, go = _groups(ci), _groups(co)
    for (l, p), g1 in gi.items():
        for (L, pL), g2 in go.items():
            sel = np.ix_(g1, g2)
            B = _blocks(T, [ci[i].index for i in g1], [co[i].index for i in g2])
            atol = tolerance("irreps_layer", max(l, L), dt, scale=scale).atol
            tols[sel], ctols[sel] = atol, atol
            same = (l, p) == (L, pL)
            allowed[sel] = same
            if same:
                M = frame_matrix(frame, l) if not isinstance(frame, str) else None
                eye = np.eye(2 * l + 1) if M is None else M @ np.linalg.inv(M)
                c = np.einsum("uivk,ik->uv", B, eye) / float(np.sum(eye * eye))
                R = B - c[:, None, :, None] * eye[None, :, None, :]
                coef[sel] = c
            else:
                R = B
            _fill(rel, absr, sel, B, R, axes=(1, 3))
    bad = ~np.isfinite(rel) | ~np.isfinite(coef)
    absr[bad] = np.inf
    l_max = max([c.l for c in ci + co] + [0])
    err, stol = _structure(f, T, (ci,), convert, dtype, dt, seed, l_max, scale)
    return LayerReport(
        kind="linear", irreps=(irreps_str(irreps_in), irreps_str(irreps_out)), copies=(ci, co),
        coefficients=coef, residuals=rel, abs_residuals=absr, allowed=allowed, tolerances=tols,
        coefficient_tolerances=ctols, structure_error=err, structure_tolerance=stol,
        dtype=dt.name, frame=frame_name(frame), scale=scale,
        reason=f"64 (2l+1)^2 eps({dt.name}) x {scale:.3g} (irreps_layer, scale = largest "
        "probed value)")
