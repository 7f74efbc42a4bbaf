"""Fresh-process measurements of the spherical expansion at scale (issue 21): o3ref and featomic.

Each measurement runs in a new interpreter (``run_child``), so that its peak resident set
(:func:`peak_rss_kib`) is its own: both libraries are imported in every child (the same
baseline), the calculator is built and run once on a small box (splines, caches, first-call
setup), then the case is computed ``warmup`` times untimed and ``rounds`` times timed (each
result dropped before the next), and more timed rounds while they add up to less than
``min_seconds`` CPU seconds (a short case, such as the seed set's few milliseconds, then
samples as long a stretch of the machine's load as a slow one). The child prints one JSON
line: the wall and CPU (user + system, all threads; also apart, with the minor page faults)
times of the rounds, the peak RSS before the case (imports, the structure, the warm-up) and
after it, and the norm of every block (values and gradients), so that the parent can check
the two libraries against each other without holding both results.

By hand, one thread (``tox -e bench`` sets the same variables)::

    python tests/benchmarks/expansion_scale.py measure o3ref box16 --gradients --rounds 1
    python tests/benchmarks/expansion_scale.py profile box8 --gradients

``profile`` prints where o3ref's time goes, stage by stage: ``cProfile`` timing with the
process's CPU time (user + system, so that other processes on the machine do not count),
cumulative over the functions of each stage. The page faults of the output (system time)
land in the stage that first writes it: the values in accumulation, the gradients in
gradients.

Cases: ``seed`` (the seed's 121 small water frames, the seed hypers), ``box8`` (1536-atom
periodic water box), ``box16`` (12,288 atoms), and ``box8x2``, ``box8x4``, ``box8x8``
(``box8`` repeated along one, two and three axes: 3072, 6144 and 12,288 atoms, for the
growth of memory with the number of atoms); the boxes use the benchmarks' water-box hypers
(cutoff 5 A, 9 radial functions, l <= 6).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")
HERE = Path(__file__).resolve()

SEED = {"cutoff": 2.0, "max_radial": 6, "max_angular": 4, "atomic_gaussian_width": 0.2,
        "radial_basis": {"Gto": {}}, "cutoff_function": {"ShiftedCosine": {"width": 0.5}},
        "center_atom_weight": 1.0}
REPEATS = {"box8x2": (2, 1, 1), "box8x4": (2, 2, 1), "box8x8": (2, 2, 2)}
CASES = ("seed", "box8", "box16", *REPEATS)
STAGES = {
    "neighbours": [("neighbors.py", "frames_neighbor_pairs"), ("expansion.py", "_distances")],
    "layout": [("expansion_layout.py", "layout")],
    "radial": [("radial.py", "compute"), ("cutoff.py", "compute")],
    "angular": [("harmonics.py", "compute"), ("harmonics.py", "compute_with_gradients")],
    "accumulation": [("expansion_sums.py", "add_values"),
                     ("expansion_sums.py", "segment_plans")],
    "gradients": [("expansion_sums.py", "add_gradients")],
    "metadata": [("expansion.py", "_tensor_map")],
}


def frames(case):
    """The structures of a case (a list of ``ase.Atoms``)."""
    from o3ref.verify.structures import seed_water_frames, water_box

    if case == "seed":
        return seed_water_frames()
    if case in REPEATS:
        return [water_box(8).repeat(REPEATS[case])]
    return [water_box(int(case[3:]))]


def hypers(case):
    """The seed hypers for ``seed``, the water-box hypers for the boxes."""
    from o3ref.verify.reports.bench_cases import BOX_HYPERS

    return SEED if case == "seed" else BOX_HYPERS


def calculator(library, case):
    """A calculator of ``library`` (``o3ref`` or ``featomic``) with the case's hypers; featomic
    with its default splines (``spline_accuracy`` 1e-8, ours 1e-10)."""
    from o3ref.fast import ExpansionHypers, SphericalExpansion

    if library == "o3ref":
        return SphericalExpansion(**hypers(case))
    import featomic

    featomic_hypers = ExpansionHypers.from_kwargs(**hypers(case)).to_featomic()
    del featomic_hypers["basis"]["spline_accuracy"]
    return featomic.SphericalExpansion(**featomic_hypers)


def peak_rss_kib():
    """This process's peak resident set in KiB: ``VmHWM`` of ``/proc/self/status`` where there
    is one (Linux). ``ru_maxrss`` is the fallback: on Linux it also holds the resident set
    of the parent at the spawn (``execve`` folds the old memory map's peak in), so that a
    large pytest process would raise every child's figure."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(library, case, gradients, rounds, warmup=0, min_seconds=0.0):
    """Times, peak RSS and block norms of ``rounds`` computations, more while the timed
    rounds have taken less than ``min_seconds`` CPU seconds (see the module docstring)."""
    import featomic  # noqa: F401  - both libraries in every child: one baseline
    import numpy as np

    import o3ref.fast  # noqa: F401
    from o3ref.verify.structures import water_box

    grads = ["positions"] if gradients else None
    calc = calculator(library, case)
    calc.compute([water_box(2)], gradients=grads)
    structures = frames(case)
    baseline = peak_rss_kib()
    for _ in range(warmup):
        calc.compute(structures, gradients=grads)
    times, cpu, norms, done = [], [], {}, False
    user, system, faults = [], [], []
    while not done:
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        result = calc.compute(structures, gradients=grads)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        user.append(after.ru_utime - before.ru_utime)
        system.append(after.ru_stime - before.ru_stime)
        faults.append(after.ru_minflt - before.ru_minflt)
        done = len(cpu) >= rounds and sum(cpu) >= min_seconds
        if done:  # the last round: its norms
            for key, block in result.items():
                entry = [float(np.linalg.norm(block.values))]
                if gradients:
                    entry.append(float(np.linalg.norm(block.gradient("positions").values)))
                norms[str(tuple(int(v) for v in key.values))] = entry
        del result
    return {"library": library, "case": case, "gradients": gradients,
            "atoms": sum(len(f) for f in structures), "seconds": times, "cpu_seconds": cpu,
            "user_seconds": user, "system_seconds": system, "minor_faults": faults,
            "baseline_kib": baseline, "peak_kib": peak_rss_kib(), "norms": norms}


def profile(case, gradients):
    """CPU seconds per stage of one o3ref computation (after a warm-up run), and the totals
    (wall, user and system seconds of the profiled call)."""
    import cProfile
    import pstats

    grads = ["positions"] if gradients else None
    calc = calculator("o3ref", case)
    structures = frames(case)
    calc.compute(structures, gradients=grads)
    profiler = cProfile.Profile(time.process_time)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    profiler.enable()
    result = calc.compute(structures, gradients=grads)
    profiler.disable()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    del result
    stats = pstats.Stats(profiler).stats
    stages = {}
    for stage, functions in STAGES.items():
        stages[stage] = sum(
            cumulative for (path, _, name), (_, _, _, cumulative, _) in stats.items()
            if (Path(path).name, name) in functions and "fast" in Path(path).parts[-2:-1]
        )
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    stages["other"] = cpu - sum(stages.values())
    return {"case": case, "gradients": gradients, "atoms": sum(len(f) for f in structures),
            "wall": wall, "user": after.ru_utime - before.ru_utime,
            "sys": after.ru_stime - before.ru_stime, "stages": stages}


def run_child(*arguments, timeout=1800):
    """Run this file in a fresh interpreter (one thread) and return its JSON answer."""
    env = dict(os.environ, **{var: "1" for var in THREAD_VARS})
    done = subprocess.run([sys.executable, str(HERE), *map(str, arguments)], capture_output=True,
                          text=True, env=env, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{HERE.name} {' '.join(map(str, arguments))} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def profile_table(answer) -> str:
    """A few lines: the stages of :func:`profile` in CPU seconds and percent of the call."""
    kind = "gradients" if answer["gradients"] else "values"
    cpu = answer["user"] + answer["sys"]
    lines = [f"{answer['case']} ({answer['atoms']} atoms), {kind}: CPU {cpu:.3f} s (user "
             f"{answer['user']:.3f} s, sys {answer['sys']:.3f} s), wall {answer['wall']:.3f} s, "
             "under cProfile"]
    for stage, seconds in answer["stages"].items():
        lines.append(f"  {stage:<13}{seconds:8.3f} s {100 * seconds / cpu:5.1f} %")
    return "\n".join(lines)


def main(argv=None):
    for var in THREAD_VARS:
        os.environ[var] = "1"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["measure", "profile"])
    parser.add_argument("rest", nargs="+", help="measure: LIBRARY CASE; profile: CASE")
    parser.add_argument("--gradients", action="store_true")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=0, help="untimed rounds of the case first")
    parser.add_argument("--min-seconds", type=float, default=0.0,
                        help="measure: more rounds until the timed ones take this much CPU")
    parser.add_argument("--table", action="store_true", help="profile: print a table too")
    args = parser.parse_args(argv)
    if args.what == "measure":
        library, case = args.rest
        answer = measure(library, case, args.gradients, args.rounds, args.warmup,
                         args.min_seconds)
    else:
        (case,) = args.rest
        answer = profile(case, args.gradients)
        if args.table:
            print(profile_table(answer))
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
