"""Compare two implementations of one bilinear layer path by path.

Both layers are decomposed onto the exact couplings (:func:`~.decompose.decompose_bilinear`)
and their scalars compared triple by triple. The outcome is the first that applies:

- ``"non-equivariant residue"``: a block of either layer is not a multiple of its CG (or a
  layer is not bilinear); the triples are named;
- ``"missing or extra paths"``: a path one layer has and the other lacks;
- ``"equal"``: every scalar agrees within the two scalars' tolerances;
- ``"sign flips"``: the paths that differ are exactly negated;
- ``"global factor"``: one common ratio ``g / f`` on every path;
- ``"per-path factors"``: the ratio table, one ratio per differing triple.

This is the report to attach to an issue like "enable_cueq changes my energies".

>>> import numpy as np
>>> from o3ref.verify.layers._copies import cg_block
>>> C = cg_block(1, 1, 0)
>>> f = lambda a, b: np.einsum("ijk,ni,nj->nk", C, a, b)
>>> compare_layers(f, lambda a, b: 2 * f(a, b), "1o", "1o", "0e").outcome
'global factor'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .decompose import decompose_bilinear
from .layer_report import LayerReport

__all__ = ["LayerComparison", "compare_layers"]

OUTCOMES = ("equal", "global factor", "per-path factors", "sign flips",
            "missing or extra paths", "non-equivariant residue")


@dataclass
class LayerComparison:
    """Result of :func:`compare_layers`: the ``outcome`` (one of :data:`OUTCOMES`), the
    global ``factor`` (``g / f``, when one), and ``rows``: one dict per differing triple
    (``label``, ``f``, ``g``, ``ratio``, ``what``)."""

    outcome: str
    f_report: LayerReport
    g_report: LayerReport
    factor: float | None = None
    rows: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when the two layers compute the same function (outcome ``"equal"``)."""
        return self.outcome == "equal"

    def __str__(self) -> str:
        f = self.f_report
        head = (f"compare_layers: {' x '.join(f.irreps[:-1])} -> {f.irreps[-1]} "
                f"(frame {f.frame}): {self.outcome}")
        if self.factor is not None and self.outcome == "global factor":
            head += f" g/f = {self.factor:.8g}"
        lines = [head]
        for r in self.rows[:40]:
            ratio = "" if r["ratio"] is None else f" ratio {r['ratio']: .6g}"
            lines.append(f"  {r['label']:<44} f {r['f']: .6g}  g {r['g']: .6g}{ratio}  "
                         f"{r['what']}")
        if len(self.rows) > 40:
            lines.append(f"  ... {len(self.rows) - 40} more")
        lines.append("passed" if self.passed else "FAILED")
        return "\n".join(lines)


def compare_layers(f: Callable, g: Callable, irreps_in1, irreps_in2, irreps_out, *,
                   frame="o3ref", layout: str = "mul_ir", dtype=None,
                   convert: Callable | None = None, convert_g: Callable | None = None,
                   frame_g=None, layout_g: str | None = None) -> LayerComparison:
    """Compare the bilinear layers ``f`` and ``g`` on the same irreps, path by path.

    ``frame``, ``layout``, ``dtype`` and ``convert`` are those of
    :func:`~.decompose.decompose_bilinear`; ``frame_g``, ``layout_g`` and ``convert_g``
    (default: the same as ``f``'s) let the second layer live in another frame or layout
    (e3nn's against cuequivariance's ``ir_mul``), since both are measured against o3ref's CG.
    """
    rf = decompose_bilinear(f, irreps_in1, irreps_in2, irreps_out, frame=frame,
                            layout=layout, dtype=dtype, convert=convert)
    rg = decompose_bilinear(g, irreps_in1, irreps_in2, irreps_out,
                            frame=frame if frame_g is None else frame_g,
                            layout=layout if layout_g is None else layout_g, dtype=dtype,
                            convert=convert if convert_g is None else convert_g)
    return compare_reports(rf, rg)


def _row(report, index, a, b, ratio, what):
    return {"index": index, "label": report.triple_label(index), "f": float(a),
            "g": float(b), "ratio": ratio, "what": what}


def compare_reports(rf: LayerReport, rg: LayerReport) -> LayerComparison:
    """:func:`compare_layers` on two reports already made (same copies)."""
    if rf.coefficients.shape != rg.coefficients.shape:
        raise ValueError(f"the reports decompose different irreps: {rf.irreps} against "
                         f"{rg.irreps}")
    residue = []
    for who, rep in (("f", rf), ("g", rg)):
        for fail in rep.failures():
            residue.append({"index": fail["index"], "label": fail["label"], "f": np.nan,
                            "g": np.nan, "ratio": None,
                            "what": f"{who}: residual {fail['residual']:.2e} (not a CG multiple"
                            + ("" if fail["allowed"] else "; no path allowed") + ")"})
        if not rep.structure_ok:
            residue.append({"index": (), "label": f"{who} as a whole", "f": np.nan,
                            "g": np.nan, "ratio": None,
                            "what": f"not bilinear (error {rep.structure_error:.2e})"})
    if residue:
        return LayerComparison("non-equivariant residue", rf, rg, rows=residue)
    a, b = rf.coefficients, rg.coefficients
    ta, tb = rf.coefficient_tolerances, rg.coefficient_tolerances
    tol = ta + tb
    in_f, in_g = np.abs(a) > ta, np.abs(b) > tb
    rows = []
    for index in map(tuple, np.argwhere(in_f != in_g)):
        what = "missing in g" if in_f[index] else "extra in g (f has no such path)"
        rows.append(_row(rf, index, a[index], b[index], None, what))
    if rows:
        return LayerComparison("missing or extra paths", rf, rg, rows=rows)
    differ = np.abs(a - b) > tol
    if not differ.any():
        return LayerComparison("equal", rf, rg, factor=1.0)
    both = in_f & in_g
    ratio = np.where(both, b / np.where(both, a, 1.0), np.nan)
    # a ratio's error: (|db| + |r| |da|) / |a|
    r_tol = np.where(both, (tb + np.abs(ratio) * ta) / np.where(both, np.abs(a), 1.0), np.inf)
    flipped = differ & (np.abs(a + b) <= tol)
    if (flipped == differ).all():
        rows = [_row(rf, tuple(i), a[tuple(i)], b[tuple(i)], -1.0, "sign flipped")
                for i in np.argwhere(flipped)]
        return LayerComparison("sign flips", rf, rg, rows=rows)
    r = ratio[both]
    k = int(np.argmin(r_tol[both]))
    common = float(r[k])
    if np.all(np.abs(r - common) <= r_tol[both] + r_tol[both][k] * np.abs(r) / max(abs(common),
                                                                                    1e-300)):
        return LayerComparison("global factor", rf, rg, factor=common)
    rows = [_row(rf, tuple(i), a[tuple(i)], b[tuple(i)], float(ratio[tuple(i)]),
                 "sign flipped" if flipped[tuple(i)] else "factor")
            for i in np.argwhere(differ)]
    return LayerComparison("per-path factors", rf, rg, rows=rows)
