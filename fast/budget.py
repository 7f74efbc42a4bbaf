"""The fast layer's memory budget: estimate a request's size and refuse it before allocating.

A request whose output or working memory grows with a parameter (``l_max``, the number of
points or rotations) is sized first; when the estimate exceeds the budget, a ``ValueError``
names the parameter, the estimate in bytes and the budget, and nothing is allocated. The
budget is 4 GiB unless :func:`set_memory_budget` says otherwise (``None`` restores it).

Conventions: :mod:`o3ref.reference.conventions` (no convention of its own: sizes only).

>>> try:
...     check_budget("SphericalHarmonics(l_max=1000000)", 2**43, "l_max")
... except ValueError as error:
...     print(str(error)[:77])
SphericalHarmonics(l_max=1000000) needs an estimated 8796093022208 bytes (8.8
"""

from __future__ import annotations

import numbers

__all__ = ["DEFAULT_MEMORY_BUDGET", "check_budget", "memory_budget", "set_memory_budget"]

#: bytes a single request of the fast layer may allocate unless set otherwise
DEFAULT_MEMORY_BUDGET = 4 * 2**30

_budget = [DEFAULT_MEMORY_BUDGET]


def memory_budget() -> int:
    """The budget in bytes now in force.

    Conventions: :mod:`o3ref.reference.conventions` (sizes only).
    """
    return _budget[0]


def set_memory_budget(nbytes: int | None) -> int:
    """Set the budget to ``nbytes`` (a positive integer; ``None``: the default); returns the
    previous budget, so that a caller can restore it.

    Conventions: :mod:`o3ref.reference.conventions` (sizes only).
    """
    if nbytes is None:
        nbytes = DEFAULT_MEMORY_BUDGET
    if isinstance(nbytes, bool) or not isinstance(nbytes, numbers.Integral) or nbytes <= 0:
        raise ValueError(f"nbytes={nbytes!r} must be a positive integer (bytes) or None")
    previous = _budget[0]
    _budget[0] = int(nbytes)
    return previous


def _human(nbytes: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= size:
            return f"{nbytes / size:.2g} {unit}"
    return f"{nbytes:.0f} B"


def check_budget(what: str, nbytes: int, parameters: str) -> None:
    """Raise ``ValueError`` when ``nbytes`` (an estimate) exceeds the budget.

    ``what`` names the request, ``parameters`` the arguments that set its size (the message
    tells the user to lower them).

    Conventions: :mod:`o3ref.reference.conventions` (sizes only).
    """
    nbytes = int(nbytes)
    if nbytes > _budget[0]:
        raise ValueError(
            f"{what} needs an estimated {nbytes} bytes ({_human(nbytes)}), above the memory "
            f"budget of {_budget[0]} bytes ({_human(_budget[0])}): lower {parameters}, or "
            "raise the budget with o3ref.fast.set_memory_budget(nbytes)"
        )
