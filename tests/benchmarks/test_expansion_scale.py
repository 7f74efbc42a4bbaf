"""Spherical expansion at scale (issue 21): o3ref against featomic, fresh processes, one thread.

Run with ``python -m pytest --bench tests/benchmarks/test_expansion_scale.py --benchmark-only
-s`` (``-s`` shows the figures). Every measurement is a new interpreter
(:mod:`expansion_scale`); o3ref and featomic run one after the other, never at once (the
12,288-atom box with gradients takes about 7 GB in o3ref and 11 GB in featomic). Times are
the best of the rounds of each process (after one untimed round of the case, except for the
12,288-atom box with gradients), in CPU seconds of the process (user + system, all
threads): with one thread that is the wall time of a quiet machine, and it stays so on a
machine shared with other work, where wall times of two processes run one after the other
see different loads (the wall times are printed too). The seed set, a few milliseconds a
round, runs in ``SEED_CHILDREN`` children per library, o3ref's and featomic's taking turns,
each timing rounds until they add up to ``SEED_SECONDS``: the same rule for both libraries.
The system time holds the page faults, so that the spread of the rounds still shows them
(on a virtual machine with free page reporting, memory left free for a couple of seconds
goes back to the host and costs about ten times more to fault in again: o3ref touches its
whole output at once, right after the neighbour search, see
``SphericalExpansion._allocate``). Peak memory is the whole process's peak resident set
(``VmHWM``, not ``ru_maxrss``, which holds the parent's resident set too: imports, structure
and computation; both children import both libraries; the highest of a library's children).

Goals (water-box hypers: cutoff 5 A, 9 radial functions, l <= 6):

* 12,288 atoms, values: at most 0.8x featomic's time, peak memory at most featomic's;
* 12,288 atoms, with gradients: at most 0.9x featomic's time and 0.9x its peak memory;
* 1,536 atoms with gradients: at most 0.6x featomic's time, and o3ref's rounds within 1.3x of
  each other (max/min over 5);
* the seed's water set (seed hypers): at most 0.2x featomic's time for values (with gradients,
  not a goal of the issue, at most 0.5x: a guard on today's 0.25-0.4x);
* peak memory linear in the number of atoms (1,536 to 12,288, values and gradients): the
  memory each added atom costs is the same from one size to the next within ``LINEAR_SLACK``.

Each comparison also checks the two results against each other through their block norms
(within ``NORM_RTOL``: featomic's splines are accurate to about 1e-8).
"""

from __future__ import annotations

import pytest
from expansion_scale import CASES, profile_table, run_child

NORM_RTOL = 1e-6
#: the seed set (a few milliseconds a round) in this many children per library, taking turns,
#: each with rounds until they add up to ``SEED_SECONDS`` CPU seconds: the same for both
#: libraries, so that both best rounds come from equally long, interleaved stretches of the
#: machine's load (which changes over seconds on a shared machine: one child of either
#: library can find it 1.5x slower throughout)
SEED_CHILDREN = 3
SEED_SECONDS = 1.0
#: the marginal memory per atom of each doubling may differ by this factor at most
LINEAR_SLACK = 1.3


def _mib(kib):
    return kib / 1024


def _check_norms(ours, theirs):
    assert ours["norms"].keys() == theirs["norms"].keys()
    for position in range(len(next(iter(ours["norms"].values())))):
        largest = max(v[position] for v in theirs["norms"].values())
        for key, value in ours["norms"].items():
            other = theirs["norms"][key][position]
            assert abs(value[position] - other) <= NORM_RTOL * max(other, 1e-6 * largest), key


def _merged(answers):
    """One answer from several children of one library: all their rounds, the highest peak."""
    merged = dict(answers[-1])
    for name in ("seconds", "cpu_seconds", "user_seconds", "system_seconds", "minor_faults"):
        merged[name] = [s for answer in answers for s in answer[name]]
    for name in ("baseline_kib", "peak_kib"):
        merged[name] = max(answer[name] for answer in answers)
    return merged


def _children(case, flags, children):
    """``children`` o3ref and featomic children, taking turns (o3ref first): both libraries
    then sample the same stretches of a shared machine's load."""
    ours, theirs = [], []
    for _ in range(children):
        ours.append(run_child("measure", "o3ref", case, *flags))
        theirs.append(run_child("measure", "featomic", case, *flags))
    return _merged(ours), _merged(theirs)


def _rounds(seconds):
    """Every round's seconds, or for many (the seed set) the best and the median."""
    if len(seconds) <= 20:
        return ", ".join(f"{s:.3f}" for s in seconds) + " s"
    ordered = sorted(seconds)
    return (f"best {ordered[0]:.4f} s, median {ordered[len(ordered) // 2]:.4f} s of "
            f"{len(ordered)} rounds")


def _side_by_side(benchmark, case, gradients, rounds, warmup=1, min_seconds=0.0, children=1):
    pytest.importorskip("featomic")
    flags = ["--rounds", rounds, "--warmup", warmup, "--min-seconds", min_seconds]
    flags += ["--gradients"] if gradients else []
    ours, theirs = benchmark.pedantic(_children, args=(case, flags, children), rounds=1,
                                      iterations=1)
    _check_norms(ours, theirs)
    time_ratio = min(ours["cpu_seconds"]) / min(theirs["cpu_seconds"])
    wall_ratio = min(ours["seconds"]) / min(theirs["seconds"])
    memory_ratio = ours["peak_kib"] / theirs["peak_kib"]
    benchmark.extra_info.update({
        "o3ref_seconds": ours["seconds"], "featomic_seconds": theirs["seconds"],
        "o3ref_cpu_seconds": ours["cpu_seconds"], "featomic_cpu_seconds": theirs["cpu_seconds"],
        "wall_ratio": wall_ratio,
        "o3ref_peak_MiB": _mib(ours["peak_kib"]), "featomic_peak_MiB": _mib(theirs["peak_kib"]),
        "time_ratio": time_ratio, "memory_ratio": memory_ratio,
    })
    kind = "gradients" if gradients else "values"
    for got in (ours, theirs):
        above = _mib(got["peak_kib"] - got["baseline_kib"])
        print(f"\n{case} ({got['atoms']} atoms), {kind}, {got['library']}: CPU "
              f"{_rounds(got['cpu_seconds'])}, wall {_rounds(got['seconds'])}; peak RSS "
              f"{_mib(got['peak_kib']):.0f} MiB ({above:.0f} MiB above imports and structure)")
    print(f"{case}, {kind}: o3ref/featomic CPU time {time_ratio:.2f} (wall {wall_ratio:.2f}), "
          f"peak memory {memory_ratio:.2f}")
    return ours, theirs, time_ratio, memory_ratio


@pytest.mark.benchmark(group="expansion at scale: 12,288-atom water box, values")
def test_box_12k_values(benchmark):
    _, _, time_ratio, memory_ratio = _side_by_side(benchmark, "box16", False, rounds=3)
    assert time_ratio <= 0.8
    assert memory_ratio <= 1.0


@pytest.mark.benchmark(group="expansion at scale: 12,288-atom water box, with gradients")
def test_box_12k_gradients(benchmark):
    # one round each, no warm-up round of the case (30 s and 11 GB for featomic)
    _, _, time_ratio, memory_ratio = _side_by_side(benchmark, "box16", True, rounds=1, warmup=0)
    assert time_ratio <= 0.9
    assert memory_ratio <= 0.9


@pytest.mark.benchmark(group="expansion at scale: 1536-atom water box, with gradients")
def test_box_1536_gradients_and_spread(benchmark):
    ours, _, time_ratio, _ = _side_by_side(benchmark, "box8", True, rounds=5)
    spread = max(ours["cpu_seconds"]) / min(ours["cpu_seconds"])
    wall_spread = max(ours["seconds"]) / min(ours["seconds"])
    benchmark.extra_info.update({"o3ref_spread": spread, "o3ref_wall_spread": wall_spread})
    print(f"box8, gradients: o3ref spread (max/min of 5 rounds) CPU {spread:.2f}, "
          f"wall {wall_spread:.2f}; o3ref user "
          f"{', '.join(f'{s:.3f}' for s in ours['user_seconds'])} s, system "
          f"{', '.join(f'{s:.3f}' for s in ours['system_seconds'])} s, minor page faults "
          f"{', '.join(str(n) for n in ours['minor_faults'])}")
    assert time_ratio <= 0.6
    assert spread <= 1.3


@pytest.mark.benchmark(group="expansion at scale: seed water set")
@pytest.mark.parametrize("gradients", [False, True], ids=["values", "gradients"])
def test_seed_set(benchmark, gradients):
    """Values: the goal, 0.2x. Gradients: not a goal of the issue; 0.5x guards today's ratio
    (0.25-0.4x on this shared machine, before the chunks as after) against a regression."""
    _, _, time_ratio, _ = _side_by_side(benchmark, "seed", gradients, rounds=20,
                                        min_seconds=SEED_SECONDS, children=SEED_CHILDREN)
    assert time_ratio <= (0.5 if gradients else 0.2)


def _growth(benchmark, gradients):
    sizes = ["box8", "box8x2", "box8x4", "box8x8"]
    assert set(sizes) <= set(CASES)
    flags = ["--gradients"] if gradients else []
    answers = [benchmark.pedantic(run_child, args=("measure", "o3ref", sizes[0], *flags),
                                  rounds=1, iterations=1)]
    answers += [run_child("measure", "o3ref", case, *flags) for case in sizes[1:]]
    # a process's peak rounds up by a 2 MiB huge page per large array, or not (the same
    # 12,288-atom values call peaks at 228 or 239 MiB): the smaller of two processes counts
    again = [run_child("measure", "o3ref", case, *flags) for case in sizes]
    answers = [min(a, b, key=lambda x: x["peak_kib"]) for a, b in zip(answers, again,
                                                                       strict=True)]
    atoms = [a["atoms"] for a in answers]
    peaks = [_mib(a["peak_kib"]) for a in answers]
    above = [_mib(a["peak_kib"] - a["baseline_kib"]) for a in answers]
    # MiB per 1000 added atoms, from each size to the next (the import baseline cancels)
    marginal = [1000 * (peaks[k + 1] - peaks[k]) / (atoms[k + 1] - atoms[k])
                for k in range(len(atoms) - 1)]
    kind = "gradients" if gradients else "values"
    print(f"\no3ref peak memory, {kind}:")
    for n, peak, extra in zip(atoms, peaks, above, strict=True):
        print(f"  {n:6d} atoms: peak RSS {peak:7.0f} MiB, {extra:7.0f} MiB above imports "
              f"and structure ({1000 * extra / n:.1f} MiB per 1000 atoms)")
    print(f"  marginal MiB per 1000 atoms: {', '.join(f'{m:.1f}' for m in marginal)}")
    benchmark.extra_info.update({"atoms": atoms, "peak_MiB": peaks, "above_MiB": above,
                                 "marginal_MiB_per_1000_atoms": marginal})
    assert min(marginal) > 0
    assert max(marginal) <= LINEAR_SLACK * min(marginal)


@pytest.mark.benchmark(group="expansion at scale: peak memory against atoms")
@pytest.mark.parametrize("gradients", [False, True], ids=["values", "gradients"])
def test_peak_memory_grows_linearly(benchmark, gradients):
    _growth(benchmark, gradients)


@pytest.mark.benchmark(group="expansion at scale: where the time goes")
@pytest.mark.parametrize("case", ["box8", "box16"])
@pytest.mark.parametrize("gradients", [False, True], ids=["values", "gradients"])
def test_stage_profile(benchmark, case, gradients):
    """Not a goal: the per-stage profile of o3ref (CPU seconds per stage), printed."""
    flags = ["--gradients"] if gradients else []
    answer = benchmark.pedantic(run_child, args=("profile", case, *flags), rounds=1,
                                iterations=1)
    print("\n" + profile_table(answer))
    benchmark.extra_info.update(answer["stages"])
    assert abs(sum(answer["stages"].values()) - answer["user"] - answer["sys"]) < 1e-6
    assert all(answer["stages"][stage] >= 0 for stage in answer["stages"] if stage != "other")
