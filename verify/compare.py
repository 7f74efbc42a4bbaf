"""Comparisons with reports: arrays (float, complex, mpmath objects) and metatensor TensorMaps.

A comparison never just says "not close": its :class:`ComparisonReport` gives the largest
absolute and relative errors, where the worst entry is (as an index, or as named labels) and
both values there.

Conventions: :mod:`o3ref.reference.conventions`.

>>> r = compare_arrays([1.0, 2.0 + 1e-9], [1, 2], atol=1e-12)
>>> r.passed, r.worst_index
(False, (1,))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .tolerances import Tolerance, check_tolerance_value

__all__ = [
    "ComparisonReport",
    "TensorMapReport",
    "assert_close",
    "compare_arrays",
    "compare_tensormaps",
    "over_tolerance",
    "to_numeric",
]


def to_numeric(values, name: str = "values") -> np.ndarray:
    """``values`` as a float64 or complex128 array (mpmath, sympy and Fraction entries too).

    Exact entries are rounded once, to the nearest double: at most half an ulp, below every
    tolerance of :mod:`o3ref.verify.tolerances`. A ragged nesting or an entry that is not a
    number raises ``ValueError``/``TypeError`` naming ``name``.
    """
    try:
        arr = np.asarray(values)
    except ValueError as exc:  # ragged nesting
        raise ValueError(f"{name} must be a rectangular array of numbers (a ragged nesting "
                         f"of lists cannot be compared entrywise): {exc}") from None
    if arr.dtype.kind in "USV" or (arr.dtype.kind == "O" and any(
            isinstance(v, (str, bytes, list, tuple, np.ndarray)) for v in arr.ravel())):
        raise TypeError(f"{name} must hold numbers, got entries of type "
                        f"{type(arr.ravel()[0]).__name__ if arr.size else arr.dtype}")
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64)
    if arr.dtype.kind == "c":
        return arr.astype(np.complex128)
    flat = arr.ravel()
    out = []
    is_complex = False
    for v in flat:
        try:
            out.append(float(v))
        except TypeError:
            out.append(complex(v))
            is_complex = True
    dtype = np.complex128 if is_complex else np.float64
    return np.array(out, dtype=dtype).reshape(arr.shape)


@dataclass
class ComparisonReport:
    """Result of :func:`compare_arrays`."""

    n: int
    max_abs: float
    max_rel: float
    worst_index: tuple
    worst_actual: complex | float
    worst_expected: complex | float
    atol: float
    rtol: float
    passed: bool
    label: str = ""
    n_failed: int = 0
    names: Sequence[str] | None = None
    offsets: Sequence[int] | None = None

    def where(self) -> str:
        """The worst entry's position, in words (``names`` label each axis when given, and
        ``offsets`` shift the indices, e.g. ``-l`` to print ``m`` instead of ``m + l``)."""
        if not self.worst_index:
            return "the single entry"
        if self.names:
            offsets = self.offsets or [0] * len(self.worst_index)
            pairs = zip(self.names, self.worst_index, offsets, strict=False)
            return ", ".join(f"{n} = {i + o}" for n, i, o in pairs)
        return "index " + str(tuple(int(i) for i in self.worst_index))

    def __str__(self) -> str:
        head = f"{self.label}: " if self.label else ""
        status = "ok" if self.passed else f"FAILED ({self.n_failed} of {self.n} entries)"
        return (
            f"{head}{status}; max abs err {self.max_abs:.3e}, max rel err {self.max_rel:.3e} "
            f"(atol {self.atol:.1e}, rtol {self.rtol:.1e}); worst at {self.where()}: "
            f"got {self.worst_actual!r}, expected {self.worst_expected!r}"
        )


def compare_arrays(
    actual,
    expected,
    tol: Tolerance | None = None,
    *,
    atol: float | None = None,
    rtol: float = 0.0,
    label: str = "",
    names: Sequence[str] | None = None,
    offsets: Sequence[int] | None = None,
) -> ComparisonReport:
    """Compare ``actual`` with ``expected`` entrywise; the shapes must agree exactly.

    Pass either a :class:`o3ref.verify.tolerances.Tolerance` or ``atol`` (and ``rtol``).
    The relative error is taken over the entries whose expected magnitude is above 1e-6
    of the largest (smaller ones, exact zeros included, are judged by the
    absolute error). ``names`` label the axes in the report and ``offsets`` shift the
    printed indices (``-l`` turns ``m + l`` into ``m``).
    """
    a = to_numeric(actual, "actual")
    e = to_numeric(expected, "expected")
    if a.shape != e.shape:
        raise ValueError(
            f"actual.shape={a.shape} must equal expected.shape={e.shape}"
            + (f" ({label})" if label else "")
        )
    if tol is not None:
        atol, rtol = tol.atol, tol.rtol
    if atol is None:
        raise TypeError("compare_arrays needs tol=Tolerance(...) or atol=<float>")
    atol = check_tolerance_value("atol", atol)
    rtol = check_tolerance_value("rtol", rtol)
    if a.size == 0:
        return ComparisonReport(0, 0.0, 0.0, (), 0.0, 0.0, atol, rtol, True, label, 0, names,
                                offsets)
    # a NaN or infinity on either side is a failure, never a silent pass (NaN compares False)
    bad_value = ~np.isfinite(a) | ~np.isfinite(e)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.where(bad_value, np.inf, np.abs(a - e))
    mag = np.where(np.isfinite(e), np.abs(e), 0.0)
    # relative error where it means something: entries above 1e-6 of the largest one (near
    # an exact zero, the relative error of a rounded value is unbounded and says nothing)
    floor = 1e-6 * float(np.max(mag))
    rel = np.where(mag > floor, err / np.where(mag > floor, mag, 1.0), 0.0)
    failed = (err > atol + rtol * mag) | bad_value
    # the worst entry: the largest excess over the tolerance (or the largest error)
    excess = err - (atol + rtol * mag)
    k = int(np.argmax(excess))
    idx = np.unravel_index(k, a.shape)

    def _py(v):
        return complex(v) if np.iscomplexobj(v) and np.imag(v) != 0 else float(np.real(v))

    return ComparisonReport(
        n=int(a.size),
        max_abs=float(np.max(err)),
        max_rel=float(np.max(rel)),
        worst_index=tuple(int(i) for i in idx),
        worst_actual=_py(a[idx]),
        worst_expected=_py(e[idx]),
        atol=float(atol),
        rtol=float(rtol),
        passed=not bool(np.any(failed)),
        label=label,
        n_failed=int(np.count_nonzero(failed)),
        names=names,
        offsets=offsets,
    )


def over_tolerance(errors: Sequence[float], tolerances: Sequence[float]) -> list[int]:
    """The positions where an error (already measured, e.g. one per degree) is above its
    tolerance: the verdict of :func:`compare_arrays` on summary numbers. A NaN or infinite
    error never passes; each tolerance must be finite and non-negative.

    >>> over_tolerance([1e-16, float("nan"), 3e-15], [1e-15, 1e-15, 1e-15])
    [1, 2]
    """
    if len(errors) != len(tolerances):
        raise ValueError(f"len(errors)={len(errors)} must equal "
                         f"len(tolerances)={len(tolerances)}")
    out = []
    for i, (err, tol) in enumerate(zip(errors, tolerances, strict=True)):
        tol = check_tolerance_value("tolerance", tol)
        if not (np.isfinite(err) and err <= tol):
            out.append(i)
    return out


def assert_close(actual, expected, tol: Tolerance | None = None, **kwargs) -> ComparisonReport:
    """:func:`compare_arrays`, raising ``AssertionError`` with the report when it fails."""
    report = compare_arrays(actual, expected, tol, **kwargs)
    if not report.passed:
        raise AssertionError(str(report))
    return report


@dataclass
class TensorMapReport:
    """Result of :func:`compare_tensormaps`: metadata problems and one report per array."""

    problems: list[str] = field(default_factory=list)
    blocks: list[ComparisonReport] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No metadata problem and every array within its tolerance."""
        return not self.problems and all(b.passed for b in self.blocks)

    @property
    def max_abs(self) -> float:
        """The largest absolute error over all arrays (0.0 without any)."""
        return max((b.max_abs for b in self.blocks), default=0.0)

    @property
    def max_rel(self) -> float:
        """The largest relative error over all arrays (0.0 without any)."""
        return max((b.max_rel for b in self.blocks), default=0.0)

    def worst(self) -> ComparisonReport | None:
        """The block report with the largest excess over its tolerance."""
        if not self.blocks:
            return None
        return max(self.blocks, key=lambda b: (not b.passed, b.max_abs - b.atol))

    def __str__(self) -> str:
        lines = list(self.problems)
        failed = [b for b in self.blocks if not b.passed]
        lines += [str(b) for b in failed]
        if not lines:
            w = self.worst()
            return "TensorMaps agree" + (f"; worst block {w}" if w is not None else "")
        return "TensorMaps differ:\n  " + "\n  ".join(lines)


def _labels_str(labels) -> str:
    return f"{list(labels.names)} x {len(labels)}"


def _same_labels(a, b) -> bool:
    same_values = np.array_equal(np.asarray(a.values), np.asarray(b.values))
    return list(a.names) == list(b.names) and same_values


def compare_tensormaps(
    actual,
    expected,
    tol: Tolerance | Callable[[dict], Tolerance] | None = None,
    *,
    atol: float | None = None,
    rtol: float = 0.0,
    relative_to_block_max: bool = False,
    gradients: bool = True,
) -> TensorMapReport:
    """Compare two metatensor ``TensorMap``: keys, samples, components, properties, values.

    ``tol`` may be a function of the block's key (a dict ``name -> value``), so that the
    tolerance follows ``o3_lambda``. With ``relative_to_block_max`` the tolerance is scaled by
    the largest absolute value of the expected block. Gradients are compared the same way
    (scaled by their own largest value).
    """
    for name, value in (("actual", actual), ("expected", expected)):
        if not (hasattr(value, "keys") and hasattr(value, "block")):
            raise TypeError(f"{name} must be a metatensor TensorMap, got "
                            f"{type(value).__name__}")
    report = TensorMapReport()
    keys_a, keys_e = actual.keys, expected.keys
    if list(keys_a.names) != list(keys_e.names):
        report.problems.append(f"key names {list(keys_a.names)} != {list(keys_e.names)}")
        return report
    set_a = {tuple(int(v) for v in k) for k in np.asarray(keys_a.values)}
    set_e = {tuple(int(v) for v in k) for k in np.asarray(keys_e.values)}
    if set_a != set_e:
        report.problems.append(
            f"keys differ: only in actual {sorted(set_a - set_e)}, "
            f"only in expected {sorted(set_e - set_a)}"
        )
    for key_values in sorted(set_a & set_e):
        sel = dict(zip(keys_e.names, key_values, strict=True))
        blk_a = actual.block(sel)
        blk_e = expected.block(sel)
        where = ", ".join(f"{k}={v}" for k, v in sel.items())
        _compare_block(report, blk_a, blk_e, where, sel, tol, atol, rtol, relative_to_block_max)
        if gradients:
            ga, ge = set(blk_a.gradients_list()), set(blk_e.gradients_list())
            if ga != ge:
                report.problems.append(f"[{where}] gradients {sorted(ga)} != {sorted(ge)}")
            for p in sorted(ga & ge):
                _compare_block(
                    report,
                    blk_a.gradient(p),
                    blk_e.gradient(p),
                    f"{where}; d/d{p}",
                    sel,
                    tol,
                    atol,
                    rtol,
                    relative_to_block_max,
                )
    return report


def _compare_block(report, blk_a, blk_e, where, sel, tol, atol, rtol, relative):
    ok = True
    for what in ("samples", "properties"):
        la, le = getattr(blk_a, what), getattr(blk_e, what)
        if not _same_labels(la, le):
            report.problems.append(f"[{where}] {what} {_labels_str(la)} != {_labels_str(le)}")
            ok = False
    if len(blk_a.components) != len(blk_e.components) or not all(
        _same_labels(ca, ce) for ca, ce in zip(blk_a.components, blk_e.components, strict=True)
    ):
        report.problems.append(f"[{where}] components differ")
        ok = False
    if not ok:
        return
    t = tol(sel) if callable(tol) else tol
    e = np.asarray(blk_e.values)
    scale = float(np.max(np.abs(e))) if relative and e.size else 1.0
    scale = scale if scale > 0 else 1.0
    if t is not None:
        a_tol, r_tol = t.atol * scale, t.rtol
    else:
        if atol is None:
            raise TypeError("compare_tensormaps needs tol=... or atol=<float>")
        a_tol = check_tolerance_value("atol", atol) * scale
        r_tol = check_tolerance_value("rtol", rtol)
    names = ["sample"] + [c.names[0] for c in blk_e.components] + ["property"]
    report.blocks.append(
        compare_arrays(blk_a.values, e, atol=a_tol, rtol=r_tol, label=f"[{where}]", names=names)
    )
