"""The survey's layer rows: each library's tensor products decomposed onto the exact couplings
(:func:`o3ref.verify.layers.decompose.decompose_bilinear`) and their normalisation named
(:func:`o3ref.verify.layers.normalisation.name_normalisation`).

:data:`LAYER_CASES` maps a library (``"o3ref"``, or an adapter name) to a function that
builds its products as :class:`LayerCase` (an ``ImportError`` when the library is missing).
o3ref's own case is a NumPy full tensor product from :func:`o3ref.fast.real_clebsch_gordan`
(plain CG), always available, so the survey's layer path runs wherever o3ref does; e3nn's
and cuequivariance-torch's go through :mod:`o3ref.verify.adapters.e3nn_layers` (torch).

:func:`measure_layer` returns the named normalisation and, per ``l = max(l1, l2, L)`` of the
copy triples, the largest residual (the part of a block that no CG explains) next to the
``"irreps_layer"`` tolerance the verdict uses (:mod:`o3ref.verify.tolerances`).

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..tolerances import tolerance

__all__ = ["LAYER_CASES", "LayerCase", "LayerMeasure", "measure_layer"]

#: the irreps every library's products are built on (three l, both parities, multiplicities)
IR1, IR2, IR_OUT = "2x0e+1o", "0e+1o+2e", "0e+2x1o+1e+2e"


@dataclass
class LayerCase:
    """One product to decompose: ``f(x1, x2)`` on NumPy arrays, its irreps, the frame and
    layout of its features, and ``weights`` (copy triples; ``None`` for a weightless one)."""

    title: str
    version: str
    f: Callable
    irreps: tuple[str, str, str]
    frame: str = "o3ref"
    layout: str = "mul_ir"
    weights: np.ndarray | None = None


@dataclass
class LayerMeasure:
    """What :func:`measure_layer` found: the convention named, errors and tolerances per l,
    ``passed`` (every residual within its tolerance and ``f`` bilinear), notes, dtype."""

    convention: str
    errors: list[float]
    tolerances: list[float]
    passed: bool
    notes: list[str]
    dtype: str
    l_max: int


def measure_layer(case: LayerCase) -> LayerMeasure:
    """Decompose ``case.f``, name its normalisation, and gather the residuals per l."""
    from ..layers.decompose import decompose_bilinear
    from ..layers.normalisation import name_normalisation

    report = decompose_bilinear(case.f, *case.irreps, frame=case.frame, layout=case.layout)
    named = name_normalisation(report, case.weights)
    c1, c2, co = report.copies
    l_max = max(c.l for c in c1 + c2 + co)
    errors, tols = [0.0] * (l_max + 1), [None] * (l_max + 1)
    for (i, j, k), err in np.ndenumerate(report.abs_residuals):
        top = max(c1[i].l, c2[j].l, co[k].l)
        errors[top] = max(errors[top], float(err) if np.isfinite(err) else float("inf"))
        tols[top] = float(report.tolerances[i, j, k])
    tols = [t if t is not None else tolerance("irreps_layer", l, report.dtype,
                                              scale=report.scale).atol
            for l, t in enumerate(tols)]
    notes = []
    if named.matches:
        convention = "; ".join(named.matches)
    else:
        best, off = named.closest()
        convention = f"none named (closest {best}, deviates on {len(off)} paths)"
        notes.append("paths no convention predicts: " + ", ".join(r["label"] for r in off[:3])
                     + (f" and {len(off) - 3} more" if len(off) > 3 else ""))
    if case.weights is not None:
        notes.append("factor = scalar / the layer's weight")
    if not report.structure_ok:
        notes.append(f"not bilinear: {report.structure_error:.1e} > "
                     f"{report.structure_tolerance:.1e}")
    failures = report.failures()
    if failures:
        notes.append(f"{len(failures)} blocks not CG multiples, worst {failures[0]['label']}")
    return LayerMeasure(convention, errors, tols, report.passed, notes, report.dtype, l_max)


# ----------------------------------------------------------------------------- cases


def _o3ref_cases() -> list[LayerCase]:
    """A weightless full tensor product in NumPy from o3ref.fast's real CG (plain CG)."""
    from o3ref import __version__, fast

    from ..layers.irreps import parse_irreps

    def blocks(irreps):
        out, start = [], 0
        for mul, l, p in parse_irreps(irreps):
            for _ in range(mul):
                out.append((l, p, slice(start, start + 2 * l + 1)))
                start += 2 * l + 1
        return out

    b1, b2 = blocks(IR1), blocks(IR2)
    paths = [(a, b, L) for a in b1 for b in b2 for L in range(abs(a[0] - b[0]), a[0] + b[0] + 1)]
    parities = {1: "e", -1: "o"}
    out_irreps = "+".join(f"{L}{parities[a[1] * b[1]]}" for a, b, L in paths)
    cgs = {(a[0], b[0], L): np.asarray(fast.real_clebsch_gordan(a[0], b[0], L))
           for a, b, L in paths}

    def f(x1, x2):
        x1, x2 = np.asarray(x1, dtype=np.float64), np.asarray(x2, dtype=np.float64)
        parts = [np.einsum("ijk,ni,nj->nk", cgs[(a[0], b[0], L)], x1[:, a[2]], x2[:, b[2]])
                 for a, b, L in paths]
        return np.concatenate(parts, axis=1)

    return [LayerCase("layer: full product (NumPy, o3ref.fast CG)", __version__ or "?", f,
                      (IR1, IR2, out_irreps))]


def _e3nn_cases() -> list[LayerCase]:
    import e3nn
    from e3nn import o3

    from ..adapters.e3nn_layers import e3nn_weights, torch_callable

    full = o3.FullTensorProduct(IR1, IR2)
    fc = o3.FullyConnectedTensorProduct(IR1, IR2, IR_OUT)
    return [
        LayerCase("layer: FullTensorProduct", e3nn.__version__, torch_callable(full),
                  (IR1, IR2, str(full.irreps_out)), frame="e3nn"),
        LayerCase("layer: FullyConnectedTensorProduct", e3nn.__version__, torch_callable(fc),
                  (IR1, IR2, IR_OUT), frame="e3nn", weights=e3nn_weights(fc)),
    ]


def _cuequivariance_torch_cases() -> list[LayerCase]:
    import cuequivariance as cue
    import cuequivariance_torch as cuet
    import torch

    from ..adapters.e3nn_layers import torch_callable

    version = getattr(cuet, "__version__", "?")
    cw = cuet.ChannelWiseTensorProduct(cue.Irreps("O3", IR1), cue.Irreps("O3", IR2),
                                       layout=cue.mul_ir, dtype=torch.float64, method="naive")
    with torch.no_grad():
        cw.weight.fill_(1.0)  # unit weights: the scalars are the normalisation itself
    d = cue.descriptors.full_tensor_product(cue.Irreps("O3", IR1), cue.Irreps("O3", IR2))
    full = cuet.SegmentedPolynomial(d.polynomial, method="naive", math_dtype=torch.float64)

    def f(a, b):
        with torch.no_grad():
            return full([torch.from_numpy(np.ascontiguousarray(a)),
                         torch.from_numpy(np.ascontiguousarray(b))])[0].numpy()

    return [
        LayerCase("layer: ChannelWiseTensorProduct (weights 1)", version, torch_callable(cw),
                  (IR1, IR2, str(cw.irreps_out)), frame="e3nn"),
        LayerCase("layer: full_tensor_product", version, f,
                  (IR1, IR2, str(d.outputs[0].irreps)), frame="e3nn", layout="ir_mul"),
    ]


#: library -> the products its survey rows decompose (``ImportError`` when missing)
LAYER_CASES: dict[str, Callable[[], list[LayerCase]]] = {
    "o3ref": _o3ref_cases,
    "e3nn": _e3nn_cases,
    "cuequivariance_torch": _cuequivariance_torch_cases,
}
