"""Smooth cutoff functions ``f_c(r)`` and their derivatives (float64, vectorised).

* ``ShiftedCosine(r_c, w)``: ``1`` for ``r <= r_c - w``,
  ``(1 + cos(pi (r - r_c + w)/w))/2`` for ``r_c - w < r < r_c``, ``0`` for ``r >= r_c``.
* ``Step(r_c)``: ``1`` for ``r < r_c``, ``0`` for ``r >= r_c`` (derivative 0).

Conventions: :mod:`o3ref.reference.conventions` (density expansion section).

>>> import numpy as np
>>> f, df = ShiftedCosine(3.0, 0.5).compute(np.array([2.0, 2.75, 3.0]))
>>> f.tolist(), float(df[1])  # half way down the slope: value 1/2, slope -pi/(2w)
([1.0, 0.5, 0.0], -3.141592653589793)
"""

from __future__ import annotations

import numpy as np

__all__ = ["ShiftedCosine", "Step", "cutoff_function"]


class ShiftedCosine:
    """Shifted-cosine cutoff of radius ``cutoff`` and width ``width`` (``0 < width < cutoff``)."""

    def __init__(self, cutoff: float, width: float):
        if not 0 < width < cutoff:
            raise ValueError(f"width={width} must satisfy 0 < width < cutoff={cutoff}")
        self.cutoff = float(cutoff)
        self.width = float(width)

    def compute(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(f_c(r), d f_c/dr)`` for an array of distances."""
        r = np.asarray(r, dtype=np.float64)
        t = (r - (self.cutoff - self.width)) * (np.pi / self.width)
        inside = (t > 0) & (r < self.cutoff)
        value = np.where(r < self.cutoff, 1.0, 0.0)
        value = np.where(inside, 0.5 * (1.0 + np.cos(t)), value)
        deriv = np.where(inside, -0.5 * np.pi / self.width * np.sin(t), 0.0)
        return value, deriv


class Step:
    """Hard cutoff at ``cutoff``: 1 inside, 0 from ``cutoff`` on; derivative 0."""

    def __init__(self, cutoff: float):
        if not cutoff > 0:
            raise ValueError(f"cutoff={cutoff} must be positive")
        self.cutoff = float(cutoff)

    def compute(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(f_c(r), d f_c/dr)`` for an array of distances."""
        r = np.asarray(r, dtype=np.float64)
        return np.where(r < self.cutoff, 1.0, 0.0), np.zeros_like(r)


def cutoff_function(hypers) -> ShiftedCosine | Step:
    """The cutoff function described by an :class:`o3ref.fast.hypers.ExpansionHypers`."""
    if hypers.smoothing == "ShiftedCosine":
        return ShiftedCosine(hypers.cutoff, hypers.smoothing_width)
    return Step(hypers.cutoff)
