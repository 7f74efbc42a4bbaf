"""Name the normalisation behind the scalars of a decomposed bilinear layer.

A weightless product (e3nn's ``FullTensorProduct``, ``ElementwiseTensorProduct``,
cuequivariance's full and channelwise products) has one fixed scalar per path; a weighted one
(``FullyConnectedTensorProduct``) has the user's weight times a fixed factor. Each known
convention predicts that scalar from the triple ``(l1, l2, L)`` and the fan-in of the output
copy, measured on the paths the layer has (its support):

- o3ref's plain CG: ``1``; the 3j normalisation (unit Frobenius norm): ``1/sqrt(2L+1)``;
- e3nn (``e3nn/o3/_tensor_product/_tensor_product.py``, ``TensorProduct.__init__``): the
  path computes ``sqrt(alpha / x) w3j`` with ``alpha = 2L+1`` (``irrep_normalization=
  'component'``), ``(2l1+1)(2l2+1)`` (``'norm'``) or 1 (``'none'``); ``x`` is the fan-in:
  the number of input pairs ``(u, v)`` that feed the output copy over every instruction
  (``path_normalization='element'``), the pairs of this instruction times the number of
  instructions into the output entry (``'path'``) or 1 (``'none'``); input and output
  variances 1, path weights 1. e3nn's ``wigner_3j`` is ``(-1)^floor((l1+l2-L)/2) C /
  sqrt(2L+1)`` (o3ref's ``NAMED_MAPS['cg', 'e3nn wigner_3j']``; e3nn's feature basis is a
  rotation of o3ref's, under which ``C`` is invariant), so the scalar is
  ``s sqrt(alpha / x) / sqrt(2L+1)`` with ``s = (-1)^floor((l1+l2-L)/2)``; e3nn 0.4.x's
  stored ``wigner_3j`` flips the sign of some triples (its defaults are named apart);
- cuequivariance (``cuequivariance/group_theory/descriptors/irreps_tp.py``, 0.13): its CG
  is ``s C`` and ``normalize_paths_for_operand(-1)`` divides each
  path by the square root of the number of input pairs feeding the output (unit variance
  out for unit variance in): ``s / sqrt(x_element)``, the same numbers as e3nn's
  ``('component', 'element')``.

>>> import numpy as np
>>> from o3ref.verify.layers._copies import cg_block
>>> from o3ref.verify.layers.decompose import decompose_bilinear
>>> C = cg_block(1, 1, 0)
>>> f = lambda a, b: -np.einsum("ijk,ni,nj->nk", C, a, b)   # e3nn's sign for (1, 1, 0)
>>> named = name_normalisation(decompose_bilinear(f, "1o", "1o", "0e"))
>>> "e3nn ('component', 'element')" in named.matches, "plain CG (o3ref)" in named.matches
(True, False)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .layer_report import LayerReport

__all__ = ["CONVENTIONS", "NormalisationReport", "e3nn_sign", "name_normalisation"]

IRREP_NORMALISATIONS = ("component", "norm", "none")
PATH_NORMALISATIONS = ("element", "path", "none")


def e3nn_sign(l1: int, l2: int, L: int) -> int:
    """``(-1)^floor((l1+l2-L)/2)``: e3nn's (and cuequivariance's) CG sign against o3ref's."""
    return -1 if ((l1 + l2 - L) // 2) % 2 else 1


def _e3nn(irrep: str, path: str):
    def predict(l1, l2, L, x_element, x_path):
        alpha = {"component": 2 * L + 1, "norm": (2 * l1 + 1) * (2 * l2 + 1), "none": 1}[irrep]
        x = {"element": x_element, "path": x_path, "none": 1}[path]
        return e3nn_sign(l1, l2, L) * math.sqrt(alpha / (x if x > 0 else 1) / (2 * L + 1))
    return predict


#: name -> predict(l1, l2, L, x_element, x_path): the scalar times o3ref's CG
CONVENTIONS: dict = {
    "plain CG (o3ref)": lambda l1, l2, L, xe, xp: 1.0,
    "3j normalisation (o3ref signs)": lambda l1, l2, L, xe, xp: 1.0 / math.sqrt(2 * L + 1),
    "plain CG (e3nn/cuequivariance signs)": lambda l1, l2, L, xe, xp: float(e3nn_sign(l1, l2,
                                                                                     L)),
    "cuequivariance (normalize_paths_for_operand(-1))":
        lambda l1, l2, L, xe, xp: e3nn_sign(l1, l2, L) / math.sqrt(xe if xe > 0 else 1),
}
for _i in IRREP_NORMALISATIONS:
    for _p in PATH_NORMALISATIONS:
        CONVENTIONS[f"e3nn ({_i!r}, {_p!r})"] = _e3nn(_i, _p)


def _e3nn_04(l1, l2, L, xe, xp):
    """e3nn 0.4.x's defaults: its stored wigner_3j has the opposite sign at the triples of
    ``E3NN_04_NEGATED`` (MACE pins e3nn 0.4.4)."""
    from ..conventions.libraries import E3NN_04_NEGATED

    flip = -1 if tuple(sorted((l1, l2, L))) in E3NN_04_NEGATED else 1
    return flip * _e3nn("component", "element")(l1, l2, L, xe, xp)


CONVENTIONS["e3nn 0.4.x ('component', 'element')"] = _e3nn_04


@dataclass
class NormalisationReport:
    """Which conventions explain the scalars. ``rows``: one dict per path of the support
    (``label``, ``l``, ``coefficient``, ``weight``, ``factor`` = coefficient / weight,
    ``x_element``, ``x_path``, ``fits``: the conventions that predict it); ``matches``: the
    conventions that predict every row; ``deviating``: the rows no convention predicts."""

    rows: list[dict] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)
    weighted: bool = False
    layer_passed: bool = True

    @property
    def deviating(self) -> list[dict]:
        """Rows that deviate from every known convention."""
        return [r for r in self.rows if not r["fits"]]

    @property
    def named(self) -> bool:
        """True when at least one known convention explains every scalar."""
        return bool(self.matches)

    def closest(self) -> tuple[str, list[dict]]:
        """The convention that explains the most rows, and the rows it does not."""
        best = max(CONVENTIONS, key=lambda n: sum(n in r["fits"] for r in self.rows))
        return best, [r for r in self.rows if best not in r["fits"]]

    def __str__(self) -> str:
        what = "factor (scalar / weight)" if self.weighted else "scalar"
        lines = [f"{len(self.rows)} paths; {what} against known conventions"]
        if not self.layer_passed:
            lines.append("the decomposition itself FAILED (blocks that are not CG multiples): "
                         "the scalars below do not describe the layer")
        if self.matches:
            lines.append("fits: " + "; ".join(self.matches))
        else:
            best, off = self.closest()
            lines.append(f"no known convention fits; closest {best} (deviates on {len(off)})")
        shown = self.rows if not self.matches else self.rows[:20]
        for r in shown:
            w = f" weight {r['weight']: .4g}" if self.weighted else ""
            fit = "deviates from every one" if not r["fits"] else f"{len(r['fits'])} fit"
            lines.append(f"  {r['label']:<40} {r['coefficient']: .6g}{w} factor "
                         f"{r['factor']: .6g} x_element {r['x_element']} x_path {r['x_path']}"
                         f"  {fit}")
        if len(shown) < len(self.rows):
            lines.append(f"  ... {len(self.rows) - len(shown)} more")
        return "\n".join(lines)


def _support(report: LayerReport, weights):
    if weights is None:
        return np.abs(report.coefficients) > report.coefficient_tolerances
    return (np.asarray(weights) != 0) & report.allowed


def name_normalisation(report: LayerReport, weights=None) -> NormalisationReport:
    """Name the normalisation of the bilinear layer that ``report`` decomposed.

    Without ``weights`` (a weightless product) the scalars themselves are matched; with
    ``weights`` (an array of the coefficients' shape: the user's weight of each copy triple,
    0 where the layer has no path) the factor ``scalar / weight`` is matched, so that the
    fan-in factor is separated from the weights. A convention fits a path when it predicts
    the factor within the scalar's tolerance (divided by ``|weight|``).
    """
    if report.kind != "bilinear":
        raise ValueError(f"report.kind={report.kind!r} must be 'bilinear' (a decomposed "
                         "bilinear layer)")
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)
        if weights.shape != report.coefficients.shape:
            raise ValueError(f"weights.shape={weights.shape} must equal the coefficients' "
                             f"shape {report.coefficients.shape}")
    support = _support(report, weights)
    idx = [tuple(int(v) for v in i) for i in np.argwhere(support)]
    c1, c2, co = report.copies
    x_element: dict[int, int] = {}
    per_instruction: dict[tuple, int] = {}
    entries_into: dict[int, set] = {}
    for i, j, k in idx:
        key = (c1[i].entry, c2[j].entry, co[k].entry)
        x_element[k] = x_element.get(k, 0) + 1
        per_instruction[key + (k,)] = per_instruction.get(key + (k,), 0) + 1
        entries_into.setdefault(co[k].entry, set()).add(key)
    out = NormalisationReport(weighted=weights is not None, layer_passed=report.passed)
    for i, j, k in idx:
        key = (c1[i].entry, c2[j].entry, co[k].entry)
        xe = x_element[k]
        xp = per_instruction[key + (k,)] * len(entries_into[co[k].entry])
        coef = float(report.coefficients[i, j, k])
        w = 1.0 if weights is None else float(weights[i, j, k])
        factor = coef / w
        tol = float(report.coefficient_tolerances[i, j, k]) / abs(w)
        l1, l2, L = c1[i].l, c2[j].l, co[k].l
        fits = [name for name, predict in CONVENTIONS.items()
                if abs(factor - predict(l1, l2, L, xe, xp)) <= tol]
        out.rows.append({"index": (i, j, k), "label": report.triple_label((i, j, k)),
                         "l": (l1, l2, L), "coefficient": coef, "weight": w, "factor": factor,
                         "x_element": xe, "x_path": xp, "fits": fits})
    out.matches = [n for n in CONVENTIONS if out.rows and all(n in r["fits"] for r in out.rows)]
    return out
