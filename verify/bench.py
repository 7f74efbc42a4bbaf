"""``o3ref bench``: time o3ref's fast kernels against the libraries users would pick instead.

The same cases as the pytest-benchmark suite in ``tests/benchmarks`` (which the installed
package does not ship), for people who have only the package:

===============  ======================================================  ===============  =====
case             what                                                    against          goal
===============  ======================================================  ===============  =====
``sh``           real spherical harmonics, N points, l_max = 4, 10, 20    sphericart       2x*
``sh-grad``      the same with gradients                                 sphericart       2x*
``wigner``       real Wigner D up to l = 10 for 1e4 rotations            ``spherical``    1x
``expansion``    spherical expansion, seed water set and a water box     featomic         0.5x/1.5x
===============  ======================================================  ===============  =====

(* at l_max = 10. The goals are the issues', for their sizes: ``--quick`` prints none.)

Every library runs on one thread: ``o3ref bench`` starts itself again in a child process
with ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` and
``RAYON_NUM_THREADS`` set to ``--threads`` (thread pools read them when they start). The
libraries alternate round by round (so that a slow spell of the machine hits both), and the
table gives the minimum and the median of ``--repeat`` rounds, the ratio ours/theirs of the
minima, and the largest difference between the two results (the conventions mapped through
:mod:`o3ref.verify.adapters`). Missing libraries are reported as such: o3ref's time is still
given. ``--json FILE`` writes the numbers (atomically).

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

CASES = ("sh", "sh-grad", "wigner", "expansion")
_CHILD = "O3REF_BENCH_CHILD"
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``o3ref bench`` to ``parser``."""
    parser.add_argument("--only", default=",".join(CASES),
                        help=f"comma-separated cases among {', '.join(CASES)} (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes (N = 1e4 points, l_max = 10 only, 8-molecule box)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="rounds per library (default 15, --quick 5)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for every library (default 1)")
    parser.add_argument("--json", default=None, help="also write the results to this file")


def _cases(text: str) -> list[str]:
    chosen = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in CASES]
    if unknown or not chosen:
        raise ValueError(f"--only must name cases among {', '.join(CASES)}, got {text!r}")
    return chosen


def run(args: argparse.Namespace) -> int:
    """Run ``o3ref bench`` with the parsed ``args``; returns the exit status."""
    cases = _cases(args.only)
    if args.repeat is not None and args.repeat < 1:
        raise ValueError(f"--repeat must be at least 1, got {args.repeat}")
    if args.threads < 1:
        raise ValueError(f"--threads must be at least 1, got {args.threads}")
    if os.environ.get(_CHILD) != "1":
        env = dict(os.environ, **{v: str(args.threads) for v in _THREAD_VARS}, **{_CHILD: "1"})
        argv = [sys.executable, "-m", "o3ref.verify.cli", "bench", "--only", ",".join(cases),
                "--threads", str(args.threads)]
        argv += ["--quick"] if args.quick else []
        argv += ["--repeat", str(args.repeat)] if args.repeat is not None else []
        argv += ["--json", str(Path(args.json).resolve())] if args.json else []
        return subprocess.run(argv, env=env, check=False).returncode
    repeat = args.repeat or (5 if args.quick else 15)
    rows = []
    print(f"o3ref bench: {args.threads} thread(s), {repeat} rounds, min / median in ms")
    print(f"{'case':<50} {'o3ref':>17} {'other':>28} {'ratio':>6} {'goal':>6} {'max diff':>9}")
    for case in cases:
        for row in _CASE_FUNCTIONS[case](args.quick, repeat):
            rows.append(row)
            print(_format(row), flush=True)
    if args.json:
        path = Path(args.json)
        tmp = path.with_name(path.name + ".tmp")
        thread_env = {v: os.environ.get(v) for v in _THREAD_VARS}
        tmp.write_text(json.dumps({"threads": args.threads, "thread_env": thread_env,
                                   "rounds": repeat, "rows": rows}, indent=1))
        tmp.replace(path)
        print(f"wrote {path}")
    return 0


def _format(row: dict) -> str:
    ours = f"{row['ours_min_ms']:.2f} / {row['ours_median_ms']:.2f}"
    if row["other_min_ms"] is None:
        other, ratio, diff = f"{row['other']}: not installed", "-", "-"
    else:
        other = f"{row['other']} {row['other_min_ms']:.2f} / {row['other_median_ms']:.2f}"
        ratio = f"{row['ratio']:.2f}"
        diff = f"{row['max_diff']:.1e}"
    goal = "-" if row["goal"] is None else f"{row['goal']:g}x"
    return f"{row['case']:<50} {ours:>17} {other:>28} {ratio:>6} {goal:>6} {diff:>9}"


def _time(functions: dict, repeat: int) -> dict:
    """Alternate the functions round by round (one warm-up call each); seconds per call."""
    for f in functions.values():
        f()
    times = {name: [] for name in functions}
    for _ in range(repeat):
        for name, f in functions.items():
            start = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - start)
    return times


def _row(case, times, other, goal, diff):
    ours = times["o3ref"]
    theirs = times.get(other)
    row = {"case": case, "ours_min_ms": 1e3 * min(ours),
           "ours_median_ms": 1e3 * statistics.median(ours), "other": other,
           "other_min_ms": None, "other_median_ms": None, "ratio": None, "goal": goal,
           "max_diff": None}
    if theirs:
        row.update(other_min_ms=1e3 * min(theirs), other_median_ms=1e3 * statistics.median(theirs),
                   ratio=min(ours) / min(theirs), max_diff=diff)
    return row


def _optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


def _sh_rows(gradients: bool, quick: bool, repeat: int) -> list[dict]:
    import numpy as np

    from o3ref.fast import SphericalHarmonics

    sphericart = _optional("sphericart")
    n = 10_000 if quick else 100_000
    xyz = np.random.default_rng(0).normal(size=(n, 3))
    rows = []
    for l_max in (10,) if quick else (4, 10, 20):
        ours = SphericalHarmonics(l_max)
        method = "compute_with_gradients" if gradients else "compute"
        functions = {"o3ref": partial(getattr(ours, method), xyz)}
        diff = None
        if sphericart is not None:
            theirs = sphericart.SphericalHarmonics(l_max)
            functions["sphericart"] = partial(getattr(theirs, method), xyz)
            a, b = functions["o3ref"](), functions["sphericart"]()
            if gradients:  # sphericart's gradient layout is o3ref's: (n, 3, K)
                diff = max(float(np.abs(a[0] - b[0]).max()), float(np.abs(a[1] - b[1]).max()))
            else:
                diff = float(np.abs(a - b).max())
        what = "SH values+gradients" if gradients else "SH values"
        rows.append(_row(f"{what}, N={n:.0e}, l_max={l_max}", _time(functions, repeat),
                         "sphericart", 2.0 if l_max == 10 and not quick else None, diff))
    return rows


def _wigner_rows(quick: bool, repeat: int) -> list[dict]:
    import numpy as np

    from o3ref.fast import complex_to_real_matrix, random_quaternions
    from o3ref.fast.wigner import WignerDReal

    n = 1_000 if quick else 10_000
    q = random_quaternions(n, seed=0)
    ours = WignerDReal(10)
    functions = {"o3ref": lambda: ours.compute(q)}
    spherical, quaternionic = _optional("spherical"), _optional("quaternionic")
    diff = None
    if spherical is not None and quaternionic is not None:
        theirs = spherical.Wigner(10)
        qq = quaternionic.array(q)
        functions["spherical"] = lambda: theirs.D(qq)
        D, flat = ours.compute(q), theirs.D(qq)
        diff = 0.0
        for l in range(11):  # moble's D is the conjugate of the standard D
            U = complex_to_real_matrix(l)
            block = flat[:, theirs.Dindex(l, -l, -l) : theirs.Dindex(l, l, l) + 1]
            real = (U.conj().T @ block.reshape(-1, 2 * l + 1, 2 * l + 1) @ U).real
            diff = max(diff, float(np.abs(D[l] - real).max()))
    return [_row(f"Wigner D real, {n:.0e} rotations, l<=10", _time(functions, repeat),
                 "spherical", None if quick else 1.0, diff)]


# the water-box case of the benchmarks (tests/benchmarks/test_expansion.py uses it too)
BOX_HYPERS = {"cutoff": {"radius": 5.0, "smoothing": {"type": "ShiftedCosine", "width": 0.5}},
               "density": {"type": "Gaussian", "width": 0.3},
               "basis": {"type": "TensorProduct", "max_angular": 6,
                         "radial": {"type": "Gto", "max_radial": 8}}}


def _expansion_rows(quick: bool, repeat: int) -> list[dict]:
    import numpy as np

    from o3ref.fast import ExpansionHypers, SphericalExpansion, seed_hypers

    from .structures import seed_water_frames, water_box

    featomic = _optional("featomic")
    n_side = 2 if quick else 8
    # goals (values, gradients), for the full sizes only
    cases = [("seed water set (121 frames)", seed_hypers(), seed_water_frames(), (0.5, 0.5)),
             (f"water box ({3 * n_side**3} atoms)", BOX_HYPERS, [water_box(n_side)], (1.5, 1.0))]
    rows = []
    for name, hypers, frames, goals in cases:
        for gradients, goal in zip(([], ["positions"]), goals, strict=True):
            ours = SphericalExpansion(**hypers)
            functions = {"o3ref": partial(ours.compute, frames, gradients=gradients)}
            diff = None
            if featomic is not None:
                fhypers = ExpansionHypers.from_kwargs(**hypers).to_featomic()
                del fhypers["basis"]["spline_accuracy"]  # featomic's default splines
                theirs = featomic.SphericalExpansion(**fhypers)
                functions["featomic"] = partial(theirs.compute, frames,
                                                gradients=gradients or None)
                a, b = functions["o3ref"](), functions["featomic"]()
                diff = 0.0
                for key, block in a.items():
                    pairs = [(block, b.block(key))]
                    if gradients:
                        pairs.append((block.gradient("positions"),
                                      b.block(key).gradient("positions")))
                    for mine, other in pairs:
                        scale = max(float(np.abs(other.values).max()), 1e-12)
                        diff = max(diff, float(np.abs(mine.values - other.values).max()) / scale)
            label = f"expansion {name}{', gradients' if gradients else ''}"
            rows.append(_row(label, _time(functions, repeat), "featomic",
                             None if quick else goal, diff))
    return rows


_CASE_FUNCTIONS = {
    "sh": lambda quick, repeat: _sh_rows(False, quick, repeat),
    "sh-grad": lambda quick, repeat: _sh_rows(True, quick, repeat),
    "wigner": _wigner_rows,
    "expansion": _expansion_rows,
}

