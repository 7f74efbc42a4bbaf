"""Work estimates for the exact path: refuse a request up front instead of hanging.

Exact and high-precision computations have no natural size limit: a Clebsch-Gordan
coefficient at ``l = 10**4`` needs integers of 120,000 digits, ``dps = 10**6`` makes every
mpmath operation take seconds, an exact Wigner D at ``l = 50`` has a million sympy terms.
Each public entry point of :mod:`o3ref.reference` estimates its cost *before* it starts, from
the sizes it was given, and raises a ``ValueError`` naming the argument, the estimate and the
budget when the estimate exceeds the work budget (60 s by default).

The estimates are cost models of operation counts calibrated on the project's 2-core
machine; they are meant to be right within a small factor, which is all a refusal needs.
A request that is genuinely wanted can raise the budget for a block of code:

>>> from o3ref.reference import clebsch_gordan
>>> clebsch_gordan(10**4, 0, 10**4, 0, 10**4, 0)
Traceback (most recent call last):
...
ValueError: clebsch_gordan(l1=10000, l2=10000, L=10000): estimated ... exceeds the work budget ...
>>> with allow_work(seconds=1e9):
...     work_budget()
1000000000.0

Conventions: see :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import contextlib
import math
import threading

__all__ = ["allow_work", "check_work", "work_budget"]

_DEFAULT_BUDGET = 60.0
_state = threading.local()


def work_budget() -> float:
    """The work budget in (estimated) seconds now in force (60 by default)."""
    return getattr(_state, "budget", _DEFAULT_BUDGET)


@contextlib.contextmanager
def allow_work(seconds: float):
    """Raise (or lower) the work budget inside a ``with`` block (per thread)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not (
            seconds > 0):  # also refuses NaN
        raise ValueError(f"seconds={seconds!r} must be a positive number")
    old = work_budget()
    _state.budget = float(seconds)
    try:
        yield
    finally:
        _state.budget = old


def check_work(what: str, seconds: float, detail: str) -> None:
    """Raise ``ValueError`` when the estimate ``seconds`` for ``what`` exceeds the budget."""
    budget = work_budget()
    if seconds > budget:
        raise ValueError(
            f"{what}: estimated {seconds:.3g} s ({detail}) exceeds the work budget of "
            f"{budget:.3g} s of o3ref.reference; ask for less, or raise the budget with "
            "`with o3ref.reference.allow_work(seconds=...)`"
        )


# ----------------------------------------------------------------------------- cost models


def _digits_of_factorial(n: int) -> float:
    return math.lgamma(n + 1) / math.log(10)


def racah_seconds(dj1: int, dj2: int, dj: int) -> tuple[float, str]:
    """One Racah sum with doubled arguments: ``~min(j) + 1`` terms on integers of
    ``log10((j1 + j2 + J + 1)!)`` digits, plus the square-free split of the factorials;
    about 12 s at ``j1 + j2 + J = 9000`` and growing as its 2.5th power."""
    n = (dj1 + dj2 + dj) // 2 + 1
    digits = _digits_of_factorial(n)
    seconds = 12.0 * (n / 9000.0) ** 2.5
    return seconds, f"Racah sum on integers of ~{digits:.3g} digits"


def real_cg_seconds(l1: int, l2: int, L: int) -> tuple[float, str]:
    """A whole real CG array: about ``2 (2 l1 + 1)(2 l2 + 1)`` complex coefficients, each
    ~50 us while the factorials stay small (``l1 + l2 + L <= 300``), then a Racah sum each."""
    entries = 2 * (2 * l1 + 1) * (2 * l2 + 1)
    n = l1 + l2 + L + 1
    per_entry = 5e-5 * max(1.0, (n / 300.0) ** 2.5)
    return entries * per_entry, f"~{entries} coefficients of Racah sums up to ({n})!"


def mpmath_seconds(n_ops: float, dps: int) -> float:
    """``n_ops`` mpmath operations at ``dps`` digits: ~10 us each at low precision (Python
    overhead), growing as ``dps**1.3`` above ~150 digits (measured 30..3000 digits)."""
    return n_ops * 1e-5 * (1.0 + (dps / 150.0) ** 1.3)


def sympy_terms_seconds(n_terms: float) -> float:
    """Symbolic work: about 3 ms per sympy term built and simplified."""
    return n_terms * 3e-3


def six_j_seconds(n: int, terms: int, sums: int = 1) -> tuple[float, str]:
    """``sums`` Racah sums of 6j symbols of ``terms`` terms each, whose largest factorial is
    ``n!`` (``D`` digits): a Horner step costs ~``2.3e-8 D`` s, and the factorial table up to
    ``n!`` (built once, kept) ~``2.2e-9 n D`` s (measured: 0.3 s for ``{1000 ...}``, 3.4 s
    for ``{4000 ...}`` and for ``{10000 10000 1; 10000 10000 2}``)."""
    digits = _digits_of_factorial(n)
    seconds = sums * 2.3e-8 * max(terms, 1) * digits + 2.2e-9 * n * digits
    return seconds, (f"{sums} Racah sum(s) of up to {terms} terms on integers of "
                     f"~{digits:.3g} digits")


def factorial_table_bytes(n: int) -> float:
    """Memory of the exact factorials ``0! .. n!`` kept by the Racah sums (~0.415 bytes per
    decimal digit, ``n D / 2`` digits in all)."""
    return 0.415 * n * _digits_of_factorial(n) / 2


MAX_FACTORIAL_BYTES = 2**29


def check_memory(what: str, n: int) -> None:
    """Raise ``ValueError`` when the factorial table up to ``n!`` would exceed
    :data:`MAX_FACTORIAL_BYTES` (512 MiB), whatever the time budget."""
    size = factorial_table_bytes(n)
    if size > MAX_FACTORIAL_BYTES:
        raise ValueError(f"{what}: needs the exact factorials up to {n}! (~{size / 2**30:.3g} "
                         f"GiB of integers), more than the {MAX_FACTORIAL_BYTES / 2**30:.3g} GiB "
                         "limit of o3ref.reference; ask for smaller arguments")


def solid_polynomial_seconds(l: int) -> tuple[float, str]:
    """All monomial coefficients of the ``2l + 1`` solid harmonics of degree ``l``:
    ``~(2l+1) l^3 / 12`` Fraction products; about 0.5 s at ``l = 20``, growing as ``l^4``
    (measured to ``l = 40``)."""
    return 0.5 * (l / 20.0) ** 4, f"~{(2 * l + 1) * l**3 // 12:.3g} exact products"

