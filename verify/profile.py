"""``o3ref verify --profile``: float64 error of the fast path against exact values, as a
function of ``l``.

Spherical harmonics to ``l = 60`` (a few points, the exact values from mpmath at 40
digits), real Wigner D to ``l = 40`` (one generic rotation, a subset of degrees above 12),
real Clebsch-Gordan to ``l = 30`` (the couplings ``(l, 1, l)`` and ``(l, 2, l)``, exact).
Writes ``profile.csv`` (always) and ``profile.png`` (when matplotlib is installed) to the
output folder, with the tolerance policy of :mod:`o3ref.verify.tolerances` next to each
error, so the margin is visible.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import numpy as np

from .compare import compare_arrays, to_numeric
from .indexing import block
from .tolerances import tolerance

__all__ = ["PROFILE_DEGREES", "profile_errors", "run_profile", "write_outputs"]

PROFILE_DEGREES = {
    "sh": list(range(61)),
    "wigner_d": list(range(13)) + [16, 20, 25, 30, 35, 40],
    "cg": list(range(11)) + [12, 15, 20, 25, 30],
}


def _log(msg: str, progress: bool):
    if progress:
        sys.stderr.write(msg + "\n")
        sys.stderr.flush()


def _sh_rows(degrees):
    from o3ref import fast, reference

    l_max = max(degrees)
    xyz = np.array([[0.3, -0.5, 0.8], [1.0, 0.2, -0.1], [0.01, 0.02, 1.0], [-0.6, -0.6, -0.5]])
    got = np.asarray(fast.SphericalHarmonics(l_max).compute(xyz))
    ref = to_numeric(reference.real_spherical_harmonics(l_max, xyz, dps=40))
    for l in degrees:
        s = block(l)
        yield "sh", l, compare_arrays(got[:, s], ref[:, s], tolerance("sh", l)), "sh"


def _d_rows(degrees):
    from o3ref import fast, reference

    a, b, g = 0.7, 1.1, -2.3
    R = np.asarray(fast.rotation_matrix(a, b, g)).reshape(1, 3, 3)
    got = fast.wigner_D_real_blocks(max(degrees), R)
    for l in degrees:
        ref = to_numeric(reference.wigner_D_real(l, a, b, g, dps=30))
        yield "wigner_d", l, compare_arrays(np.asarray(got[l])[0], ref,
                                            tolerance("wigner_d", l)), "wigner_d"


def _cg_rows(degrees):
    from o3ref import fast, reference

    for l in degrees:
        worst = None
        for l2 in (1, 2):
            if abs(l - l2) > l:  # (l, l2, l) outside the triangle
                continue
            got = np.asarray(fast.real_clebsch_gordan(l, l2, l))
            ref = to_numeric(reference.real_clebsch_gordan(l, l2, l))
            rep = compare_arrays(got, ref, tolerance("cg", l))
            worst = rep if worst is None or rep.max_abs > worst.max_abs else worst
        if worst is not None:
            yield "cg", l, worst, "cg"


def profile_errors(progress: bool = True, degrees: dict | None = None) -> list[dict]:
    """One dict per (quantity, l): max abs / rel error, tolerance, seconds."""
    degrees = PROFILE_DEGREES if degrees is None else degrees
    rows = []
    for name, gen in (("sh", _sh_rows), ("wigner_d", _d_rows), ("cg", _cg_rows)):
        t0 = time.perf_counter()
        _log(f"profile: {name} for l = {min(degrees[name])}..{max(degrees[name])}", progress)
        try:
            for quantity, l, rep, _ in gen(degrees[name]):
                rows.append({"quantity": quantity, "l": l, "max_abs_err": rep.max_abs,
                             "max_rel_err": rep.max_rel, "tolerance": rep.atol,
                             "passed": rep.passed})
        except AttributeError as exc:  # a fast function that does not exist yet
            _log(f"profile: {name} skipped ({exc})", progress)
        _log(f"profile: {name} done in {time.perf_counter() - t0:.1f} s", progress)
    return rows


def write_outputs(rows: list[dict], out_dir) -> list[Path]:
    """``profile.csv`` and, with matplotlib, ``profile.png`` in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "profile.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["quantity", "l", "max_abs_err", "max_rel_err",
                                                "tolerance", "passed"])
        writer.writeheader()
        writer.writerows(rows)
    written = [path]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return written
    fig, ax = plt.subplots(figsize=(7, 4.5))
    labels = {"sh": "real SH", "wigner_d": "real Wigner D", "cg": "real CG (l, 1|2, l)"}
    for q, colour in (("sh", "C0"), ("wigner_d", "C1"), ("cg", "C2")):
        sel = [r for r in rows if r["quantity"] == q]
        if not sel:
            continue
        ls = [r["l"] for r in sel]
        ax.semilogy(ls, [max(r["max_abs_err"], 1e-18) for r in sel], "o-", color=colour, ms=3,
                    label=f"{labels[q]}: max abs error")
        ax.semilogy(ls, [r["tolerance"] for r in sel], "--", color=colour, lw=1,
                    label=f"{labels[q]}: tolerance")
    ax.set_xlabel("l")
    ax.set_ylabel("float64 error vs exact")
    ax.set_title("o3ref.fast against the exact reference")
    if rows:
        ax.legend(fontsize=7)
    fig.tight_layout()
    png = out / "profile.png"
    fig.savefig(png, dpi=120)
    plt.close(fig)
    written.append(png)
    return written


def run_profile(out_dir, progress: bool = True) -> int:
    """The ``--profile`` command: compute, write, print a summary; 1 if a tolerance fails."""
    rows = profile_errors(progress)
    paths = write_outputs(rows, out_dir)
    for q in ("sh", "wigner_d", "cg"):
        sel = [r for r in rows if r["quantity"] == q]
        if sel:
            worst = max(sel, key=lambda r: r["max_abs_err"])
            print(f"{q:9s} l <= {max(r['l'] for r in sel):3d}: largest error "
                  f"{worst['max_abs_err']:.2e} at l = {worst['l']}; "
                  f"{sum(not r['passed'] for r in sel)} degrees above tolerance")
        else:
            print(f"{q:9s} missing from o3ref.fast")
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0 if all(r["passed"] for r in rows) else 1
