"""The report of a decomposed layer: one scalar per copy tuple, the unexplained part of each
block, and the verdict.

A bilinear layer has one scalar per (copy of ``irreps_in1``, copy of ``irreps_in2``, copy of
``irreps_out``); a linear one per (copy in, copy out). :func:`~.decompose.decompose_bilinear`
and :func:`~.decompose.decompose_linear` fill a :class:`LayerReport`.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._copies import Copy

__all__ = ["LayerReport"]


@dataclass
class LayerReport:
    """What a layer computes, measured against o3ref's exact couplings.

    ``coefficients``: one scalar per copy tuple (0 where no path is allowed).
    ``residuals``: ``||block - c CG||_F / ||block||_F`` (0 for an all-zero block): the part of
    each block that no coupling explains, relative to the block. ``abs_residuals``: the
    largest entry of ``block - c CG``, which the verdict compares with ``tolerances`` (the
    ``"irreps_layer"`` policy at the layer's dtype and degree, scaled by the largest value the
    layer computed; a residual relative to a block that is zero up to rounding says nothing).
    ``coefficient_tolerances`` bound the error of each scalar that follows from it.
    ``structure_error`` is the largest difference between ``f`` on random inputs and the
    multilinear map read from the probes (a bias or a nonlinearity shows there).
    """

    kind: str
    irreps: tuple
    copies: tuple[list[Copy], ...]
    coefficients: np.ndarray
    residuals: np.ndarray
    abs_residuals: np.ndarray
    allowed: np.ndarray
    tolerances: np.ndarray
    coefficient_tolerances: np.ndarray
    structure_error: float
    structure_tolerance: float
    dtype: str
    frame: str
    scale: float
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    # -- verdict --------------------------------------------------------------------------
    @property
    def failing(self) -> np.ndarray:
        """Boolean array: the copy tuples whose residual exceeds the policy (NaN fails)."""
        ok = self.abs_residuals <= self.tolerances
        return ~ok

    @property
    def structure_ok(self) -> bool:
        """Whether ``f`` is the multilinear map its probes describe (within the policy)."""
        return bool(self.structure_error <= self.structure_tolerance)

    @property
    def passed(self) -> bool:
        """Every block is a multiple of its coupling (zero where none is allowed), within
        the policy, and ``f`` is multilinear."""
        return not bool(self.failing.any()) and self.structure_ok

    # -- naming ---------------------------------------------------------------------------
    def copy_label(self, axis: int, index: int) -> str:
        """``"in1[3]=1o"``: which copy of which argument (``out`` for the output)."""
        names = ("in1", "in2", "out") if self.kind == "bilinear" else ("in", "out")
        c = self.copies[axis][index]
        return f"{names[axis]}[{index}]={c.label}"

    def triple_label(self, index) -> str:
        """A copy tuple in words: ``"in1[0]=1o x in2[1]=1o -> out[2]=1e"``."""
        labels = [self.copy_label(a, int(i)) for a, i in enumerate(index)]
        return " x ".join(labels[:-1]) + " -> " + labels[-1]

    def failures(self) -> list[dict]:
        """One dict per failing copy tuple, worst first: ``index``, ``label``,
        ``residual`` (relative), ``abs_residual``, ``tolerance``, ``allowed``."""
        idx = np.argwhere(self.failing)
        rows = []
        for i in idx:
            t = tuple(int(v) for v in i)
            rows.append({"index": t, "label": self.triple_label(t),
                         "residual": float(self.residuals[t]),
                         "abs_residual": float(self.abs_residuals[t]),
                         "tolerance": float(self.tolerances[t]),
                         "allowed": bool(self.allowed[t])})
        rows.sort(key=lambda r: -(r["abs_residual"] / r["tolerance"] if r["tolerance"] > 0
                                  else np.inf))
        return rows

    def entry_groups(self) -> dict[tuple, list[tuple]]:
        """Copy tuples grouped by the entries of the irreps lists they belong to (one group
        per "instruction" ``(entry1, entry2, entry_out)``)."""
        groups: dict[tuple, list[tuple]] = {}
        for index in np.ndindex(*self.coefficients.shape):
            key = tuple(self.copies[a][i].entry for a, i in enumerate(index))
            groups.setdefault(key, []).append(index)
        return groups

    # -- printing -------------------------------------------------------------------------
    def table(self) -> str:
        """One line per pair/triple of irreps entries that has a path or a non-zero block:
        the scalars (or their range), the worst residual, and the verdict."""
        head = (f"decompose_{self.kind}: " + " x ".join(self.irreps[:-1]) + f" -> "
                f"{self.irreps[-1]} (frame {self.frame}, {self.dtype}; tolerance "
                f"{self.reason})")
        lines = [head]
        for key, members in self.entry_groups().items():
            sel = tuple(np.array(members).T)
            allowed = bool(self.allowed[sel].any())
            coefs = self.coefficients[sel]
            if not allowed and not bool(np.any(self.abs_residuals[sel] > 0)):
                continue
            first = members[0]
            irr = [self.copies[a][i].label for a, i in enumerate(first)]
            name = " x ".join(f"[{k}]{lab}" for k, lab in zip(key[:-1], irr[:-1], strict=True))
            name += f" -> [{key[-1]}]{irr[-1]}"
            finite = coefs[np.isfinite(coefs)]
            if not allowed:
                value = "no path"
            elif len(coefs) == 1:
                value = f"{coefs[0]: .6g}"
            elif finite.size:
                value = f"{len(coefs)} scalars in [{finite.min():.4g}, {finite.max():.4g}]"
            else:
                value = f"{len(coefs)} scalars, none finite"
            bad = self.failing[sel]
            res = np.where(np.isnan(self.residuals[sel]), np.inf, self.residuals[sel])
            worst = int(np.argmax(res))
            status = "ok" if not bad.any() else (
                f"FAILED ({int(bad.sum())} of {len(members)}; worst "
                f"{self.triple_label(members[worst])})")
            lines.append(f"  {name:<28} {value:<34} residual {res.max():.1e}  {status}")
        if not self.structure_ok:
            lines.append(f"  f is not {self.kind} on random inputs: error "
                         f"{self.structure_error:.2e} > {self.structure_tolerance:.1e} (a bias? "
                         "a nonlinearity?)")
        lines += [f"  note: {n}" for n in self.notes]
        lines.append("passed" if self.passed else "FAILED")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()
