"""The arguments of the conformance checks, checked before any work: a degree out of range
or of the wrong type is the caller's mistake (``ValueError`` / ``TypeError`` naming the
argument, the value and the allowed range), never an ``AssertionError`` that blames the
implementation, a hang, or a list of a million degrees.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import numpy as np

from ..properties import check_sh_property
from ..tolerances import PrecisionPolicy

__all__ = ["L_MAX_ALLOWED", "check_arguments", "check_count", "check_degree"]

#: the largest ``l_max`` each check accepts. Wigner D (and the equivariance of harmonics,
#: which uses it): 25, the largest degree whose exact D at the oracle's 30 digits the
#: reference computes within its default work budget (60 s); harmonics: 60 (the profile's
#: range); gradients: 12 (one exact derivative per (l, m), symbolic); Clebsch-Gordan: 10
#: (every triple with l1, l2 <= l_max, exact); the homomorphism check uses no exact values.
#: ``sh_properties`` is the equivariance bound; its other properties take the ``sh`` bound.
L_MAX_ALLOWED = {"sh": 60, "sh_gradient": 12, "sh_properties": 25, "wigner_d": 25,
                 "wigner_d_homomorphism": 40, "cg": 10}

_TAKES = ("euler", "matrix", "quaternion")


def check_degree(name: str, value, low: int, high: int) -> int:
    """``value`` as an int when it is an integer in ``low..high``; ``TypeError`` (not an
    integer: a float, a bool, a string) or ``ValueError`` (out of range) otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}={value!r} must be an integer in {low}..{high}")
    if not low <= int(value) <= high:
        raise ValueError(f"{name}={value!r} must be an integer in {low}..{high}")
    return int(value)


def check_count(name: str, value, high: int = 10_000) -> int:
    """A number of points or rotations: an integer in ``1..high``."""
    return check_degree(name, value, 1, high)


def check_arguments(check: str, func, l_max, policy, *, prop: str | None = None,
                    takes: str | None = None, **counts) -> int:
    """Check the arguments of ``check_<check>``; returns ``l_max`` as an int."""
    if not callable(func):
        raise TypeError(f"func={func!r} must be callable")
    if check == "sh_properties":
        check_sh_property(prop)
    high = L_MAX_ALLOWED[check]
    if check == "sh_properties" and prop != "equivariant":
        high = L_MAX_ALLOWED["sh"]  # no exact D needed
    l_max = check_degree("l_max", l_max, 0, high)
    if not isinstance(policy, PrecisionPolicy):
        raise TypeError(f"policy={policy!r} must be an o3ref.verify.tolerances."
                        "PrecisionPolicy")
    if takes is not None and takes not in _TAKES:
        raise ValueError(f"takes={takes!r} must be one of {', '.join(_TAKES)}")
    for name, value in counts.items():
        check_count(name, value)
    return l_max
