"""One generator per quantity: an implementation against the exact oracle, degree by degree.

Each generator calls the implementation (o3ref's signatures: ``sh(l_max, xyz)``,
``sh_gradient(l_max, xyz) -> (values, grads (n, 3, K))``, ``wigner_d(l, a, b, g)``,
``cg(l1, l2, L)``, ``cartesian(t)``) on the inputs its caller declares, takes the exact
values from :mod:`o3ref.verify.oracle` and yields one :class:`Case` per comparison: a
:class:`o3ref.verify.compare.ComparisonReport` made by the one comparison core, under the
tolerance the caller's ``tol`` gives (from :mod:`o3ref.verify.tolerances`: eps, degree,
dtype). The front doors (``o3ref verify``'s rows, the plugin's ``check_*``, the survey, the
error profile) only choose the inputs and the tolerance, and read the cases.

Adding a quantity: one generator here, one line in each front door.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from .. import oracle
from ..compare import ComparisonReport, compare_arrays
from ..indexing import block
from ..tolerances import Tolerance

__all__ = ["Case", "cartesian_cases", "cg_cases", "complex_cg_cases", "per_degree",
           "sh_cases", "sh_gradient_cases", "wigner_d_cases", "worst"]


@dataclass
class Case:
    """One comparison: the degree it is judged at, the core's report, the size of the exact
    values (at least 1) and which input it was (rotation ``(k,)``, tensor ``(k,)``, triple
    ``(l1, l2, L)``; empty for harmonics, whose points are an axis of the report)."""

    l: int
    report: ComparisonReport
    scale: float = 1.0
    index: tuple = ()


def _scale(ref: np.ndarray) -> float:
    return max(1.0, float(np.max(np.abs(ref)))) if ref.size else 1.0


def sh_cases(func: Callable, l_max: int, xyz: np.ndarray, tol: Callable[[int], Tolerance],
             oracle_l_max: int = 0) -> Iterator[Case]:
    """``func(l_max, xyz)`` against the exact harmonics, one case per ``l``. The exact table
    is computed to ``max(l_max, oracle_l_max)`` (one table shared by callers of any degree)."""
    got = np.asarray(func(l_max, xyz))
    ref = oracle.sh_values(max(l_max, oracle_l_max), xyz)[:, : (l_max + 1) ** 2]
    for l in range(l_max + 1):
        s = block(l)
        yield Case(l, compare_arrays(got[:, s], ref[:, s], tol(l), names=["point", "m"],
                                     offsets=[0, -l]), _scale(ref[:, s]))


def sh_gradient_cases(func: Callable, l_max: int, xyz: np.ndarray,
                      tol: Callable[[int], Tolerance], oracle_l_max: int = 0
                      ) -> Iterator[Case]:
    """``func(l_max, xyz)[1]`` against the exact gradients, compared as ``|r| grad`` (the
    gradients scale as ``1/|r|``; ``|r| grad`` is O(l)), one case per ``l``."""
    _, got = func(l_max, xyz)
    got = np.asarray(got)
    xyz64 = np.asarray(xyz, dtype=np.float64)
    ref = oracle.sh_gradients(max(l_max, oracle_l_max), xyz64)[..., : (l_max + 1) ** 2]
    r = np.linalg.norm(xyz64, axis=1)[:, None, None]
    for l in range(l_max + 1):
        s = block(l)
        exact = (r * ref)[..., s]
        yield Case(l, compare_arrays((r * got)[..., s], exact, tol(l),
                                     names=["point", "direction", "m"], offsets=[0, 0, -l]),
                   _scale(exact))


def wigner_d_cases(func: Callable, degrees: Iterable[int], angles, tol: Callable[[int],
                   Tolerance]) -> Iterator[Case]:
    """``func(l, a, b, g)`` against the exact real D, rotation by rotation (``index`` is
    ``(k,)``, the rotation's position in ``angles``), then degree by degree."""
    degrees = list(degrees)
    for k, (a, b, g) in enumerate(angles):
        for l in degrees:
            got = np.asarray(func(l, a, b, g))
            yield Case(l, compare_arrays(got, oracle.wigner_d(l, a, b, g), tol(l),
                                         names=["m'", "m"], offsets=[-l, -l]), 1.0, (k,))


def _cg(func, triples, tol, exact) -> Iterator[Case]:
    for l1, l2, L in triples:
        got = np.asarray(func(l1, l2, L))
        yield Case(max(l1, l2, L), compare_arrays(got, exact(l1, l2, L), tol(l1, l2, L),
                                                  names=["m1", "m2", "M"],
                                                  offsets=[-l1, -l2, -L]),
                   1.0, (l1, l2, L))


def cg_cases(func: Callable, triples: Iterable[tuple[int, int, int]],
             tol: Callable[[int, int, int], Tolerance]) -> Iterator[Case]:
    """``func(l1, l2, L)`` against the exact real Clebsch-Gordan, triple by triple (``l`` of
    a case is ``max(l1, l2, L)``; ``tol`` takes the triple)."""
    return _cg(func, triples, tol, oracle.real_cg)


def complex_cg_cases(func: Callable, triples: Iterable[tuple[int, int, int]],
                     tol: Callable[[int, int, int], Tolerance]) -> Iterator[Case]:
    """``func(l1, l2, L)`` against the exact complex ``<l1 m1 l2 m2 | L M>``."""
    return _cg(func, triples, tol, oracle.complex_cg)


def cartesian_cases(func: Callable, n_tensors: int, tol: Callable[[int], Tolerance],
                    seed: int = 3) -> Iterator[Case]:
    """``func(t)`` (a rank-2 Cartesian tensor, ``(x, y, z)`` axes) against its exact
    ``L = 0, 1, 2`` parts, for ``n_tensors`` tensors of integers over 7 (``index`` is
    ``(k,)``)."""
    rng = np.random.default_rng(seed)
    for k in range(n_tensors):
        ints = rng.integers(-9, 10, (3, 3))
        ref = oracle.cartesian_parts(ints, 7)
        got = func(np.asarray(ints, dtype=np.float64) / 7)
        for L in (0, 1, 2):
            yield Case(L, compare_arrays(np.asarray(got[L]).ravel(), ref[L], tol(L),
                                         names=["M"], offsets=[-L]), 1.0, (k,))


def worst(reports: Iterable[ComparisonReport]) -> ComparisonReport | None:
    """The worst of ``reports``: a failure first, then the largest error over its tolerance
    (the first of equals); None without any."""
    out = None
    for rep in reports:
        if out is None or _badness(rep) > _badness(out):
            out = rep
    return out


def per_degree(cases: Iterable[Case], l_max: int) -> list[ComparisonReport | None]:
    """The worst report (:func:`worst`) at each degree ``0..l_max`` (None where no case has
    that degree)."""
    by_l: list[list[ComparisonReport]] = [[] for _ in range(l_max + 1)]
    for case in cases:
        if case.l <= l_max:
            by_l[case.l].append(case.report)
    return [worst(reps) for reps in by_l]


def _badness(rep: ComparisonReport) -> tuple[bool, float]:
    expected = abs(rep.worst_expected)
    bound = rep.atol + rep.rtol * expected if np.isfinite(expected) else rep.atol
    ratio = rep.max_abs / bound if bound > 0 else (0.0 if rep.max_abs == 0 else np.inf)
    return (not rep.passed, ratio)
