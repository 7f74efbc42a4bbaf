"""The verdicts of ``o3ref verify``: a :class:`Row` of the table, the :class:`Accumulator`
that turns case reports (:class:`o3ref.verify.compare.ComparisonReport`) into a row whose
verdict agrees with the worst case it prints, and the :class:`Check` table entry.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Accumulator", "Check", "Row", "error_ratio", "missing_row"]


@dataclass
class Row:
    """One line of the table.

    The error and the tolerance are those of the row's *worst case* (the case with the
    largest error/tolerance ratio), and of the kind the verdict uses (``verdict_on``):
    ``"abs"`` compares ``max_abs_err`` with ``abs_tol``, ``"rel"`` compares ``max_rel_err``
    with ``rel_tol``. The row passes when ``err_over_tol <= 1`` in every case.
    """

    quantity: str
    l_range: str
    cases: int
    max_abs_err: float | None
    abs_tol: float | None
    status: str  # "pass", "FAIL", "missing", "error"
    worst: str = ""
    max_rel_err: float | None = None
    rel_tol: float | None = None
    verdict_on: str | None = "abs"
    err_over_tol: float | None = None
    tolerance_policy: str = ""
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """True for a row with status "FAIL" or "error" ("missing" is not a failure)."""
        return self.status in ("FAIL", "error")

    @property
    def tolerance(self) -> str:
        """The worst case's tolerance in words: the number and the policy it comes from."""
        parts = []
        if self.abs_tol is not None and self.verdict_on in ("abs", "abs+rel"):
            parts.append(f"abs {self.abs_tol:.1e}")
        if self.rel_tol is not None and self.verdict_on in ("rel", "abs+rel"):
            parts.append(f"rel {self.rel_tol:.1e}")
        text = " + ".join(parts) or "-"
        return f"{text} ({self.tolerance_policy})" if self.tolerance_policy else text


def missing_row(quantity: str, status: str, why: str) -> Row:
    """A row without numbers: an implementation that is missing (or failed to run)."""
    return Row(quantity, "-", 0, None, None, status, why, verdict_on=None)


def error_ratio(report) -> tuple[str, float]:
    """Which kind of error the report's verdict rests on, and the error/tolerance ratio."""
    def over(err, tol):
        if tol > 0:
            return err / tol
        return 0.0 if err == 0 else float("inf")

    if report.rtol == 0:
        kind, ratio = "abs", over(report.max_abs, report.atol)
    elif report.atol == 0:
        kind, ratio = "rel", over(report.max_rel, report.rtol)
    else:
        bound = report.atol + report.rtol * abs(report.worst_expected)
        kind, ratio = "abs+rel", over(report.max_abs, bound)
    if not ratio == ratio:  # NaN errors never pass
        ratio = float("inf")
    if not report.passed and ratio <= 1:
        ratio = float("inf")  # a verdict the summary numbers cannot show: never a pass
    return kind, ratio


class Accumulator:
    """Accumulates case reports into a row; the row shows the worst case (largest
    error/tolerance ratio), so its verdict agrees with the numbers it prints."""

    def __init__(self):
        self.cases = 0
        self.max_rel = 0.0
        self.failures: list[str] = []
        self.kinds: set[str] = set()
        self.worst = ""
        self._worst_ratio = -np.inf
        self._worst_report = None

    def add(self, report, where: str):
        """Count one case's report, keep it when it is the worst so far."""
        self.cases += 1
        self.max_rel = max(self.max_rel, report.max_rel)
        kind, ratio = error_ratio(report)
        self.kinds.add(kind)
        if ratio > self._worst_ratio or self._worst_report is None:
            self._worst_ratio, self._worst_report = ratio, report
            self.worst = f"{where}: {report}"
        if not report.passed:
            self.failures.append(f"{where}: {report}")

    def row(self, quantity, l_range, tol_text) -> Row:
        """The row of every case added: status, worst case, its error and tolerance."""
        status = "FAIL" if self.failures else "pass"
        rep = self._worst_report
        if rep is None:
            return Row(quantity, l_range, 0, None, None, status, self.worst, verdict_on=None,
                       tolerance_policy=tol_text)
        kind = self.kinds.pop() if len(self.kinds) == 1 else "abs+rel"
        rel_err = rep.max_rel if kind == "rel" else self.max_rel
        return Row(quantity, l_range, self.cases, rep.max_abs, rep.atol, status, self.worst,
                   max_rel_err=rel_err, rel_tol=rep.rtol if kind != "abs" else None,
                   verdict_on=kind, err_over_tol=self._worst_ratio, tolerance_policy=tol_text)


@dataclass
class Check:
    """One row of ``o3ref verify``: its quantity, the implementation key it needs, and the
    function computing it."""

    quantity: str
    key: str  # implementation key
    func: Callable[[Callable, dict], Row]
