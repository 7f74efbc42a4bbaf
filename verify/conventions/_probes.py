"""What the convention detector reports, and how it calls an implementation: the
:class:`ConventionReport` of :func:`o3ref.verify.detect_convention`, the probing call that
turns a crash, a wrong shape, NaN or non-numbers into one line naming the function, and
o3ref's own values (the exact reference at 20 digits) the detector compares with. Shared by
:mod:`o3ref.verify.conventions.detect` (harmonics) and
:mod:`o3ref.verify.conventions._matrices` (D, CG).

Conventions: :mod:`o3ref.reference.conventions`.

>>> import numpy as np
>>> def broken(l_max, xyz):
...     return np.zeros((len(xyz), 2))
>>> try:
...     _call(broken, (1, np.zeros((3, 3))), (3, 4), "kind='sh'")
... except ValueError as exc:
...     print(exc)
broken(1, <array of shape (3, 3)>) returned shape (3, 2), expected (3, 4) (kind='sh')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .maps import ConventionMap

__all__ = ["ConventionReport", "show_args"]


@dataclass
class ConventionReport:
    """What :func:`detect_convention` found; ``str()`` says it in plain words."""

    kind: str
    matches: bool
    convention: str | None
    first_difference: str | None
    description: str = ""
    findings: list[str] = field(default_factory=list)
    max_abs_err: float = 0.0
    #: the :class:`o3ref.verify.convention_maps.ConventionMap` found (None when none fits)
    map: ConventionMap | None = None

    def __str__(self) -> str:
        what = {"sh": "spherical harmonics", "wigner_d": "Wigner D", "cg": "Clebsch-Gordan"}
        head = f"{what[self.kind]}: "
        if self.matches:
            text = (f"{head}matches o3ref's convention ({self.description}); largest "
                    f"difference {self.max_abs_err:.1e}")
        elif self.convention is not None:
            where = (f"first differs from o3ref at {self.first_difference}"
                     if self.first_difference else "entrywise equal to o3ref's complex form")
            text = (f"{head}{self.convention} convention ({self.description}); {where}; "
                    f"residual after the map {self.max_abs_err:.1e}")
        else:
            text = (f"{head}matches no known convention; first differs from o3ref at "
                    f"{self.first_difference}")
        if self.findings:
            text += ".\n" + "\n".join(f"  - {f}" for f in self.findings)
        return text


# ---------------------------------------------------------------- o3ref values (float64)


# The detector's oracle is the exact oracle of o3ref.verify.oracle (mpmath at its one DPS,
# rounded to float64): a convention is told apart by O(1) factors.


def _ours_sh(l_max: int, xyz: np.ndarray) -> np.ndarray:
    from ..oracle import sh_values

    return sh_values(l_max, xyz)


def _ours_d(l: int, a: float, b: float, g: float) -> np.ndarray:
    from ..oracle import wigner_d

    return wigner_d(l, float(a), float(b), float(g))


def _u(l: int) -> np.ndarray:
    from .libraries import u_matrix

    return u_matrix(l)


def _close(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol))


def _tol(values: np.ndarray) -> float:
    # a convention is a statement about O(1) factors: 1e-6 of the values' size tells apart
    # every map here while accepting float32 implementations
    return 1e-6 * max(1.0, float(np.max(np.abs(values))) if values.size else 1.0)


def _func_name(func) -> str:
    name = getattr(func, "__name__", None)
    return name if isinstance(name, str) and name.isprintable() else "func"


def show_args(args, func=None) -> str:
    """``name(...)`` arguments as short text: numbers rounded, arrays by their shape."""
    def one(a):
        if isinstance(a, np.ndarray):
            return f"<array of shape {a.shape}>"
        if isinstance(a, (float, np.floating)):
            return f"{float(a):.6g}"
        return repr(a)

    return f"{_func_name(func)}(" + ", ".join(one(a) for a in args) + ")"


def _call(func, args, shape, what):
    """``func(*args)`` as a finite float or complex array of ``shape``; one clear error
    naming the function otherwise (ValueError for a crash, a shape or a NaN, TypeError for
    output that is not numbers)."""
    try:
        out = func(*args)
    except Exception as exc:  # the implementation under test failed: say so, with its error
        raise ValueError(f"{show_args(args, func)} raised {type(exc).__name__}: {exc}") \
            from None
    try:
        out = np.asarray(out)
    except Exception as exc:  # e.g. a ragged sequence
        raise TypeError(f"{show_args(args, func)} returned {type(out).__name__}, not an "
                        f"array of numbers ({what}): {exc}") from None
    if out.dtype.kind not in "biufc":  # e.g. mpmath or sympy numbers, or strings
        from ..compare import to_numeric

        try:
            if out.dtype.kind != "O":  # strings, bytes, structured: never numbers here
                raise TypeError(out.dtype)
            out = to_numeric(out)
        except (TypeError, ValueError):
            example = repr(out.flat[0])[:40] if out.size else "nothing"
            raise TypeError(f"{show_args(args, func)} returned non-numeric values (dtype "
                            f"{out.dtype}, e.g. {example}), not an array of numbers ({what})"
                            ) from None
    if out.shape != shape:
        raise ValueError(f"{show_args(args, func)} returned shape {out.shape}, expected "
                         f"{shape} ({what})")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{show_args(args, func)} returned non-finite values ({what})")
    return out
