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
``cg``           exact complex CG table, l1, l2 <= 8 (cold caches)       sympy            1/50
``lambda-soap``  lambda-SOAP CG step (nu = 2, all blocks), seed data     featomic         0.5x
===============  ======================================================  ===============  =====

(* at l_max = 10. The goals are the issues', for their sizes: ``--quick`` rows carry none
and say so.) Each row's largest difference from the other library is judged by a tolerance
of :mod:`o3ref.verify.tolerances` (:mod:`o3ref.verify.reports.bench_cases` lists them).

Every library runs on one thread: ``o3ref bench`` starts itself again in a child process
with ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` and
``RAYON_NUM_THREADS`` set to ``--threads`` (thread pools read them when they start). The
libraries alternate round by round (so that a slow spell of the machine hits both), and the
table gives the minimum and the median of ``--repeat`` rounds, the ratio ours/theirs of the
minima, and the largest difference between the two results (the conventions mapped through
:mod:`o3ref.verify.adapters`) with its tolerance. Missing libraries are reported as such:
o3ref's time is still given. ``--json FILE`` writes the report (schema of
:mod:`o3ref.verify.report_schema`, kind ``"bench"``, atomically); its path is checked before
anything runs. Progress goes to stderr (``--quiet``: none).

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from .._io import UsageError, atomic_write, check_output_file, printing_beside_progress
from ..reports.bench_cases import BOX_HYPERS, CASE_FUNCTIONS, CASE_ROWS, CASES

__all__ = ["BOX_HYPERS", "CASES", "QUICK_SIZES", "REPEAT", "SYMPY_CG_ROUNDS", "configure_parser",
           "quick_help", "run"]

#: only UsageError is a user error here (see o3ref.verify.cli)
_CHILD = "O3REF_BENCH_CHILD"
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")
_DEFAULT = ("sh", "sh-grad", "wigner", "expansion", "cg", "lambda-soap")


#: the sizes that ``--quick`` runs, as the case functions of
#: :mod:`o3ref.verify.reports.bench_cases` run them (tests/verify/test_cli_help.py runs those
#: functions' set-up and holds their row labels to these numbers)
QUICK_SIZES = {"sh_points": 10_000, "sh_l_max": 10, "wigner_rotations": 1_000,
               "wigner_l_max": 10, "box_molecules": 8, "cg_l_max": 3, "lambda_soap_frames": 20}


#: rounds per library by default (``--repeat``), and those of sympy's CG table, which the
#: cg case of :mod:`o3ref.verify.reports.bench_cases` caps (its test holds it to these)
REPEAT = {"full": 15, "quick": 5}
SYMPY_CG_ROUNDS = {"full": 1, "quick": 3}


def quick_help() -> str:
    """The help of ``--quick``, from :data:`QUICK_SIZES`."""
    q = QUICK_SIZES
    return (f"small sizes: SH on {q['sh_points']:,} points at l_max = {q['sh_l_max']} only, "
            f"Wigner D to l = {q['wigner_l_max']} for {q['wigner_rotations']:,} rotations, a water "
            f"box of {q['box_molecules']} molecules, the CG table for l1, l2 <= "
            f"{q['cg_l_max']}, lambda-SOAP on {q['lambda_soap_frames']} frames; no goals")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``o3ref bench`` to ``parser``."""
    parser.add_argument("--only", default=",".join(_DEFAULT),
                        help=f"comma-separated cases among {', '.join(CASES)} (default: all)")
    parser.add_argument("--quick", action="store_true", help=quick_help())
    parser.add_argument("--repeat", type=int, default=None,
                        help=f"rounds per library (default {REPEAT['full']}, --quick "
                        f"{REPEAT['quick']}; sympy's CG table: {SYMPY_CG_ROUNDS['full']}, "
                        f"--quick at most {SYMPY_CG_ROUNDS['quick']})")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for every library (default 1)")
    parser.add_argument("--json", default=None, metavar="FILE",
                        help="also write the report to FILE (schema o3ref-report/1)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _cases(text: str) -> list[str]:
    chosen = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in CASES]
    if unknown or not chosen:
        raise UsageError(f"--only must name cases among {', '.join(CASES)}, got {text!r}")
    return chosen


def run(args: argparse.Namespace) -> int:
    """Run ``o3ref bench``: check the options (a :class:`o3ref.verify._io.UsageError` on a
    mistake, before any computation), compute, print, write; returns the exit status."""
    cases = _cases(args.only)
    if args.repeat is not None and args.repeat < 1:
        raise UsageError(f"--repeat must be at least 1, got {args.repeat}")
    if args.threads < 1:
        raise UsageError(f"--threads must be at least 1, got {args.threads}")
    json_path = check_output_file(args.json, "--json") if args.json is not None else None
    if os.environ.get(_CHILD) != "1":
        env = dict(os.environ, **{v: str(args.threads) for v in _THREAD_VARS}, **{_CHILD: "1"})
        argv = [sys.executable, "-m", "o3ref.verify.cli", "bench", "--only", ",".join(cases),
                "--threads", str(args.threads)]
        argv += ["--quick"] if args.quick else []
        argv += ["--quiet"] if args.quiet else []
        argv += ["--repeat", str(args.repeat)] if args.repeat is not None else []
        argv += ["--json", str(json_path.resolve())] if json_path is not None else []
        return subprocess.run(argv, env=env, check=False).returncode
    return _run_here(args, cases, json_path)


def _run_here(args, cases, json_path) -> int:
    from ..progress import Progress
    from ..reports.schema import envelope

    repeat = args.repeat or REPEAT["quick" if args.quick else "full"]
    rows = []
    print(f"o3ref bench: {args.threads} thread(s), {repeat} rounds, min / median in ms; "
          "max diff against tol (kind per case: see --json or o3ref.verify.reports.bench_cases)")
    print(f"{'case':<62} {'o3ref':>17} {'other':>30} {'ratio':>6} {'goal':>6} "
          f"{'max diff':>9} {'tol':>9} {'ok':>4}")
    total = sum(CASE_ROWS[c][0 if args.quick else 1] for c in cases)
    with printing_beside_progress(args.quiet), \
            Progress(total, "o3ref bench", quiet=args.quiet, unit="row") as bar:
        for case in cases:
            for row in CASE_FUNCTIONS[case](args.quick, repeat, bar):
                rows.append(row)
                print(_format(row), flush=True)
    judged = [r["diff_ok"] for r in rows if r["diff_ok"] is not None]
    passed = all(judged) if judged else None
    if any(r["goal_note"] and r["goal"] is None and args.quick for r in rows):
        print("no goals at --quick sizes: the goals are set for the full sizes")
    if json_path is not None:
        from ..provenance import distribution_version

        report = envelope("bench", {"name": "o3ref.fast",
                                    "version": distribution_version("o3ref")},
                          {r["other"]: r["other_version"] for r in rows})
        report.update(passed=passed, threads=args.threads,
                      thread_env={v: os.environ.get(v) for v in _THREAD_VARS},
                      rounds=repeat, quick=bool(args.quick), rows=rows)
        atomic_write(json_path, lambda tmp: tmp.write_text(json.dumps(report, indent=1),
                                                           encoding="utf-8"))
        print(f"wrote {json_path}")
    return 0 if passed is not False else 1


def _format(row: dict) -> str:
    ours = f"{row['ours_min_ms']:.2f} / {row['ours_median_ms']:.2f}"
    diff = tol = ok = "-"
    if row["other_min_ms"] is None:
        other, ratio = f"{row['other']}: not installed", "-"
    else:
        other = f"{row['other']} {row['other_min_ms']:.2f} / {row['other_median_ms']:.2f}"
        ratio = f"{row['ratio']:.2f}"
        if row["max_diff"] is not None:
            diff, tol = f"{row['max_diff']:.1e}", f"{row['diff_tol']:.1e}"
            ok = "yes" if row["diff_ok"] else "NO"
    goal = "-" if row["goal"] is None else f"{row['goal']:.3g}x"
    return (f"{row['case']:<62} {ours:>17} {other:>30} {ratio:>6} {goal:>6} {diff:>9} "
            f"{tol:>9} {ok:>4}")
