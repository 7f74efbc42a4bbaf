"""The float64 range of the real harmonics: exact power-of-two rescaling, refusals.

:mod:`o3ref.fast.harmonics` evaluates ``Y_lm`` on a unit vector, which is defined for every
finite non-zero input; what can leave float64 is ``|r|^2`` on the way (rescaled here by exact
powers of two, :func:`rescale`), ``r^l`` of the solid harmonics and the ``1/|r|`` of the
gradients (a ``ValueError`` naming the point and ``l``, :func:`refuse_unrepresentable`), and
the recurrence itself above :data:`L_MAX_LIMIT`. Sizes are checked against
:mod:`o3ref.fast.budget` before anything is allocated.

Conventions: :mod:`o3ref.reference.conventions` (no convention of its own).

>>> scaled, e, has_zero = rescale(np.array([[1.5e308, 0.0, 0.0], [1.0, 2.0, 2.0]]))
>>> scaled[0].tolist(), e.tolist(), has_zero
([0.8344026969402005, 0.0, 0.0], [1024, 0], False)
"""

from __future__ import annotations

import math

import numpy as np

from .budget import check_budget
from .indexing import check_l, n_harmonics

__all__ = ["L_MAX_LIMIT", "check_l_max", "check_size", "refuse_unrepresentable", "rescale"]


#: the largest degree of the float64 recurrence: ``q_l^m(1)`` (the largest intermediate)
#: is about 1e205 at l = 1000 and overflows by l = 1600
L_MAX_LIMIT = 1000


def check_l_max(l_max) -> int:
    """``l_max`` as an int, refused above :data:`L_MAX_LIMIT` with the output's size per point.

    Conventions: :mod:`o3ref.reference.conventions`.
    """
    l_max = check_l("l_max", l_max)
    if l_max > L_MAX_LIMIT:
        raise ValueError(
            f"l_max={l_max} is above {L_MAX_LIMIT}, the largest degree of the float64 "
            "recurrence (its normalised Legendre values reach 1e205 at l = 1000 and overflow "
            f"by l = 1600); the values of one point alone would take an estimated "
            f"{8 * n_harmonics(l_max)} bytes"
        )
    return l_max


def check_size(name: str, l_max: int, n: int, arrays: int) -> None:
    """Budget check: ``arrays`` float64 arrays of ``(n, (l_max+1)**2)``.

    Conventions: :mod:`o3ref.reference.conventions`.
    """
    check_budget(f"{name}(l_max={l_max}) of {n} points", 8 * arrays * n * n_harmonics(l_max),
                 "l_max or the number of points")


def rescale(xyz: np.ndarray, degree: int = 0) -> tuple[np.ndarray, np.ndarray | None, bool]:
    """Rows scaled by exact powers of two where ``|r|^2`` (or ``r^degree``) could leave float64.

    Returns ``(scaled, e, has_zero)`` with ``xyz = ldexp(scaled, e[:, None])`` (``np.ldexp``:
    exact, no overflow even at 1.5e308 or for subnormal components); ``e`` is ``None`` (no
    copy) in the usual case, checked with one pass over ``|r|^2``; ``has_zero`` says whether
    some row is exactly zero. With ``degree = l_max`` (solid harmonics) a row is also scaled
    when ``r^l`` could leave the normal range: ``l_max (|e| + 1) > 1000``, ``e`` the binary
    exponent of the row's largest component.

    Conventions: :mod:`o3ref.reference.conventions`.
    """
    if xyz.shape[0] == 0:
        return xyz, None, False
    r2 = np.einsum("ij,ij->i", xyz, xyz)
    lo, hi = r2.min(), r2.max()
    if lo > 2.0**-960 and hi < 2.0**960:
        span = max(abs(math.log2(lo)), abs(math.log2(hi))) / 2 + 2
        if degree * span <= 1000:
            return xyz, None, False
    amax = np.abs(xyz).max(axis=1)
    has_zero = bool((amax == 0).any())
    e = np.frexp(amax)[1].astype(np.int64)
    bad = (amax > 0) & ((amax < 2.0**-480) | (amax > 2.0**480) | (degree * (np.abs(e) + 1) > 1000))
    if not bad.any():
        return xyz, None, has_zero
    e[~bad] = 0
    return np.ldexp(xyz, -e[:, None]), e, has_zero


def refuse_unrepresentable(what: str, values: np.ndarray, rows: np.ndarray, xyz, degrees):
    """``ValueError`` naming the first point and ``l`` where ``values`` (rows ``rows`` of the
    result, flat index last) overflowed float64; nothing when all are finite.

    Conventions: :mod:`o3ref.reference.conventions` (flat index ``l*l + l + m``).
    """
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    where = np.argwhere(bad)[0]
    i, l = int(rows[where[0]]), int(degrees[where[-1]])
    raise ValueError(
        f"{what} at xyz[{i}] = {tuple(xyz[i].tolist())}, l = {l}, cannot be represented in "
        f"float64 (its magnitude exceeds {np.finfo(np.float64).max:.4g}): lower l_max or "
        "rescale the points"
    )
