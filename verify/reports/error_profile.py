"""``o3ref verify --profile``: float64 error of an implementation against exact values, as a
function of ``l``.

The implementation is :mod:`o3ref.fast` or, with ``--against NAME``, the adapter's functions
(the signatures of :func:`o3ref.verify.conformance.suite.fast_implementations`). The exact
values come from :mod:`o3ref.verify.oracle` (mpmath at its 30 digits, or exact). Degrees
(:data:`PROFILE_DEGREES`):

- ``quick`` (the default): spherical harmonics to ``l = 60`` (four points), real Wigner D to
  ``l = 25`` (one generic rotation, a subset of the degrees above 12), real Clebsch-Gordan to
  ``l = 30`` (the couplings ``(l, 1, l)`` and ``(l, 2, l)``, exact);
- ``full``: the same ranges with every degree, eight points and the coupling ``(l, 3, l)``
  as well.

Wigner D stops at :data:`D_L_MAX` = 25: the exact D at ``l = 30`` (and above) at 30 digits is
estimated above the reference's default work budget of 60 s (:mod:`o3ref.reference.limits`)
and refused, so the default degrees are those the oracle computes. A degree that raises
anyway (the implementation, or the reference refusing the work) is a row of its own, with
its error, and the degrees after it are still computed.

Writes ``profile.csv`` (always) and ``profile.png`` (when matplotlib is installed) to the
output folder, with the absolute tolerance of :mod:`o3ref.verify.tolerances` next to each
absolute error (the verdict is absolute: ``max_abs_err <= abs_tol``), and, with ``--json``,
a report in the format of :mod:`o3ref.verify.report_schema` (kind ``"profile"``).

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np

from .._io import atomic_write
from ..conformance.quantities import (
    cg_cases,
    per_degree,
    sh_cases,
    wigner_d_cases,
    worst,
)
from ..oracle import DPS
from ..progress import Progress
from ..tolerances import policy_text, tolerance

__all__ = ["CG_L_MAX", "CSV_FIELDS", "D_L_MAX", "PROFILE_DEGREES", "SH_L_MAX", "degrees_text",
           "profile_errors", "run_profile", "write_outputs"]

#: the largest degree of each quantity (the exact D above 25 is over the work budget)
SH_L_MAX, D_L_MAX, CG_L_MAX = 60, 25, 30
PROFILE_DEGREES: dict[str, dict[str, list[int]]] = {
    "quick": {
        "sh": list(range(SH_L_MAX + 1)),
        "wigner_d": list(range(13)) + [16, 20, D_L_MAX],
        "cg": list(range(11)) + [12, 15, 20, 25, CG_L_MAX],
    },
    "full": {
        "sh": list(range(SH_L_MAX + 1)),
        "wigner_d": list(range(D_L_MAX + 1)),
        "cg": list(range(CG_L_MAX + 1)),
    },
}


def degrees_text() -> str:
    """The largest profiled degrees in words, for ``--help``:
    ``SH to l = 60, Wigner D to 25, real CG to 30``."""
    top = {q: max(max(modes[q]) for modes in PROFILE_DEGREES.values())
           for q in PROFILE_DEGREES["quick"]}
    return f"SH to l = {top['sh']}, Wigner D to {top['wigner_d']}, real CG to {top['cg']}"


_POINTS = np.array([[0.3, -0.5, 0.8], [1.0, 0.2, -0.1], [0.01, 0.02, 1.0], [-0.6, -0.6, -0.5],
                    [0.0, 0.0, -2.0], [1e-3, -1.0, 1e-3], [2.0, 1.0, 0.5], [-0.2, 0.9, -0.4]])
_ANGLES = (0.7, 1.1, -2.3)
CSV_FIELDS = ["quantity", "l", "max_abs_err", "abs_tol", "passed", "max_rel_err",
              "tolerance_policy"]
_NAMES = {"sh": "spherical harmonics", "wigner_d": "real Wigner D",
          "cg": "real Clebsch-Gordan"}


def _sh_rows(impl, degrees, mode, bar):
    l_max = max(degrees)
    xyz = _POINTS[:4] if mode == "quick" else _POINTS
    reports: list = []

    def at(l):
        if not reports:  # one exact table and one call for every degree
            bar.set_label(f"sh: exact values to l = {l_max} (mpmath, {DPS} digits)")
            reports.append(per_degree(sh_cases(impl, l_max, xyz, _tol("sh")), l_max))
        return reports[0][l]

    for l in degrees:
        yield l, lambda l=l: at(l)


def _d_rows(impl, degrees, mode, bar):
    for l in degrees:
        def at(l=l):
            bar.set_label(f"wigner_d: l = {l}")
            return next(wigner_d_cases(impl, [l], [_ANGLES], _tol("wigner_d"))).report
        yield l, at


def _cg_rows(impl, degrees, mode, bar):
    couplings = (1, 2) if mode == "quick" else (1, 2, 3)
    for l in degrees:
        # (l, l2, l) inside the triangle; the tolerance at l
        triples = [(l, l2, l) for l2 in couplings if l2 <= 2 * l]
        if not triples:
            continue

        def at(l=l, triples=triples):
            bar.set_label(f"cg: l = {l}")
            cases = cg_cases(impl, triples, lambda *t: tolerance("cg", l))
            return worst(case.report for case in cases)
        yield l, at


def _tol(quantity: str):
    return lambda l: tolerance(quantity, l)


_GENERATORS = {"sh": _sh_rows, "wigner_d": _d_rows, "cg": _cg_rows}


def _row(q: str, l: int, rep) -> dict:
    return {"quantity": q, "l": l, "max_abs_err": rep.max_abs, "abs_tol": rep.atol,
            "passed": bool(rep.passed), "max_rel_err": rep.max_rel,
            "tolerance_policy": policy_text(q)}


def _error_row(q: str, l: int, exc: Exception) -> dict:
    return {"quantity": q, "l": l, "max_abs_err": None, "abs_tol": None, "passed": False,
            "max_rel_err": None, "tolerance_policy": policy_text(q),
            "error": f"{type(exc).__name__}: {exc}"}


def profile_errors(implementations: dict, mode: str = "quick", progress: bool = True,
                   degrees: dict | None = None) -> tuple[list[dict], list[str]]:
    """One dict per (quantity, l) (keys :data:`CSV_FIELDS`), and notes on the quantities that
    are missing or raised. A degree that raises (the implementation, or the exact reference
    refusing the work) is a row with ``error`` and ``passed`` False; the next degrees go on."""
    degrees = PROFILE_DEGREES[mode] if degrees is None else degrees
    rows: list[dict] = []
    notes: list[str] = []
    todo = [q for q in _GENERATORS if q in implementations and degrees.get(q)]
    for q in _GENERATORS:
        if q not in implementations:
            notes.append(f"{q}: no implementation (missing)")
    total = sum(len(degrees[q]) for q in todo)
    with Progress(total, "o3ref verify --profile", quiet=not progress, unit="degree") as bar:
        for q in todo:
            t0 = time.perf_counter()
            failed: dict[str, list[int]] = {}
            done = 0
            for l, at in _GENERATORS[q](implementations[q], degrees[q], mode, bar):
                try:
                    rows.append(_row(q, l, at()))
                except Exception as exc:  # reported as that degree's row, not fatal
                    rows.append(_error_row(q, l, exc))
                    failed.setdefault(rows[-1]["error"], []).append(l)
                done += 1
                bar.update()
            bar.update(len(degrees[q]) - done)
            for msg, ls in failed.items():
                notes.append(f"{q}: error at l = {', '.join(map(str, ls))}: {msg}")
            notes.append(f"{q}: {time.perf_counter() - t0:.1f} s")
    return rows, notes


def _write_csv(rows, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _write_png(rows, path: Path, title: str) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for q, colour in (("sh", "C0"), ("wigner_d", "C1"), ("cg", "C2")):
        sel = [r for r in rows if r["quantity"] == q and r["max_abs_err"] is not None]
        if not sel:
            continue
        ls = [r["l"] for r in sel]
        ax.semilogy(ls, [max(r["max_abs_err"], 1e-18) for r in sel], "o-", color=colour, ms=3,
                    label=f"{_NAMES[q]}: max abs error")
        ax.semilogy(ls, [r["abs_tol"] for r in sel], "--", color=colour, lw=1,
                    label=f"{_NAMES[q]}: abs tolerance ({policy_text(q)})")
    ax.set_xlabel("degree l")
    ax.set_ylabel("max |float64 - exact| (errors below 1e-18 drawn at 1e-18)")
    ax.set_title(title)
    if rows:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def write_outputs(rows: list[dict], out_dir, title: str = "float64 error against the exact "
                  "reference") -> list[Path]:
    """``profile.csv`` and, with matplotlib, ``profile.png`` in ``out_dir`` (atomically)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [atomic_write(out / "profile.csv", lambda tmp: _write_csv(rows, tmp))]
    try:
        import matplotlib
    except ImportError:
        return written
    matplotlib.use("Agg")
    written.append(atomic_write(out / "profile.png", lambda tmp: _write_png(rows, tmp, title)))
    return written


def run_profile(implementations: dict, out_dir, *, mode: str = "quick", name: str = "o3ref.fast",
                progress: bool = True, report: dict | None = None, json_path=None,
                l_max_caps: dict[str, int] | None = None) -> int:
    """The ``--profile`` command: compute, write, print a summary; 1 if a tolerance fails.

    ``report`` is the envelope of :func:`o3ref.verify.report_schema.envelope` (kind
    ``"profile"``), completed and written to ``json_path`` when both are given.
    ``l_max_caps`` (quantity -> largest degree, as adapters declare it) drops the degrees
    above it.
    """
    import json

    caps = l_max_caps or {}
    degrees = {q: [l for l in ls if l <= caps.get(q, l)]
               for q, ls in PROFILE_DEGREES[mode].items()}
    rows, notes = profile_errors(implementations, mode, progress, degrees)
    paths = write_outputs(rows, out_dir, f"{name} against the exact reference ({mode})")
    for q in _GENERATORS:
        sel = [r for r in rows if r["quantity"] == q and r["max_abs_err"] is not None]
        if sel:
            worst = max(sel, key=lambda r: r["max_abs_err"] / r["abs_tol"])
            print(f"{q:9s} l <= {max(r['l'] for r in sel):3d}: worst case l = {worst['l']}: "
                  f"max abs err {worst['max_abs_err']:.2e}, abs tol {worst['abs_tol']:.2e} "
                  f"({policy_text(q)}); {sum(not r['passed'] for r in sel)} degrees above "
                  "tolerance")
    for note in notes:
        if "error" in note or "missing" in note:
            print(note)
    passed = bool(rows) and all(r["passed"] for r in rows)
    if report is not None and json_path is not None:
        report.update(passed=passed, mode=mode,
                      degrees={q: degrees[q] for q in _GENERATORS},
                      rows=rows)
        paths.append(atomic_write(json_path, lambda tmp: tmp.write_text(
            json.dumps(report, indent=1), encoding="utf-8")))
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0 if passed else 1
