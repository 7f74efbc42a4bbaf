"""The scale of each property of one frame: the magnitude its rounding is measured against.

A tolerance must scale with the size of what the model COMPUTED, never with an output that
vanishes by symmetry: the forces of a perfect crystal are zero and its energy may be a small
difference of eV-sized per-atom terms (EMT's Cu at a = 3.6 A: |E| = 0.027 eV for four atoms),
so neither is a scale. :func:`frame_scales` measures instead:

- the stiffness ``k = max|F(r + d) - F(r)| / max|d|`` from one extra evaluation on a
  deterministically rattled copy (``max|d|`` = :data:`RATTLE`; a periodic frame of fewer
  than four atoms is rattled as its 2x2x2 supercell, since one atom per cell only moves
  rigidly); the force scale is
  ``max(max|F|, k x 1 A, E0 / (N x 1 A))`` (``E0 = |E| + sum_i |e_i|``), the forces a
  displacement of 1 A produces, and for an isolated atom the energy over 1 A;
- the energy scale ``E0 + N x F_s x`` :data:`TERM_LENGTH`: the per-atom energies (``energies``
  when the calculator has them) and the size of the per-atom terms a model sums, which the
  stiffness bounds (a term ``e(r)`` decaying over a length ``lambda`` has ``e ~ k lambda^2``;
  ``TERM_LENGTH`` is that length times the displacement, for EMT 0.5 A);
- the stress scale ``E_s / V`` (a virial sums over every atom);
- other properties (dipole, polarizability): their largest value.

Conventions: :mod:`o3ref.reference.conventions`.

>>> RATTLE, TERM_LENGTH
(0.02, 0.25)
"""

from __future__ import annotations

import numpy as np

__all__ = ["RATTLE", "TERM_LENGTH", "frame_scales", "rattled"]

#: the largest displacement of the rattled copy that measures the stiffness (A)
RATTLE = 0.02
#: the length (A) that turns the force scale into the size of one per-atom term
TERM_LENGTH = 0.25
_TINY = float(np.finfo(np.float64).tiny)


def rattled(frame, amplitude: float = RATTLE, seed: int = 20260):
    """A copy of ``frame`` with every atom displaced, the largest component ``amplitude``
    (deterministic: the same frame always gets the same displacements)."""
    d = np.random.default_rng(seed).standard_normal((len(frame), 3))
    d *= amplitude / max(float(np.abs(d).max(initial=0.0)), _TINY)
    out = frame.copy()
    out.set_positions(frame.get_positions() + d)
    return out, d


def _array(values, name):
    v = values.get(name)
    return v if isinstance(v, np.ndarray) else None


def _stiffness(before, after, d) -> float:
    """``max|F(r + d) - F(r)| / max|d|``, or from the energy ``2 |dE| / |d|^2``."""
    f0, f1 = _array(before, "forces"), _array(after, "forces")
    if f0 is not None and f1 is not None and f0.shape == f1.shape:
        return float(np.abs(f1 - f0).max(initial=0.0)) / RATTLE
    e0, e1 = _array(before, "energy"), _array(after, "energy")
    if e0 is not None and e1 is not None:  # E(r + d) - E(r) ~ k |d|^2 / 2 near equilibrium
        return 2.0 * abs(float(e1) - float(e0)) / max(float(np.sum(d * d)), _TINY)
    return 0.0


def frame_scales(calculator, frame, base: dict, evaluate, names=()) -> tuple[dict, dict]:
    """``({property: scale}, rattled)`` for one frame with its base evaluation ``base``
    (module docstring); ``evaluate(calculator, atoms, names)`` is the models' evaluator and
    ``rattled`` its values of ``names`` on the rattled copy (generic values, where a perfect
    crystal's are zero: what the precision of each property is read from). The extra
    evaluations (forces and per-atom energies when the calculator gives them) never fail the
    report: a property the calculator lacks simply does not enter the scale."""
    n = max(len(frame), 1)
    extra = evaluate(calculator, frame, ["forces", "energies"])
    forces = _array(base, "forces") if _array(base, "forces") is not None else _array(
        extra, "forces")
    energies = _array(extra, "energies")
    energy = abs(float(_array(base, "energy"))) if _array(base, "energy") is not None else 0.0
    e0 = energy + (float(np.abs(energies).sum()) if energies is not None else 0.0)
    moved, d = rattled(frame)
    wanted = list(dict.fromkeys([*names, "forces", "energy"]))
    shaken = evaluate(calculator, moved, wanted)
    if len(frame) < 4 and frame.pbc.all() and frame.cell.rank == 3:
        # one atom per cell moves rigidly: rattle a 2x2x2 supercell instead
        probe = frame.repeat((2, 2, 2))
        probe_base = evaluate(calculator, probe, ["forces", "energy"])
        probe_moved, d = rattled(probe)
        probe_shaken = evaluate(calculator, probe_moved, ["forces", "energy"])
    else:
        probe_base, probe_shaken = {"forces": forces, "energy": _array(base, "energy")}, shaken
    stiffness = _stiffness(probe_base, probe_shaken, d)
    f_max = float(np.abs(forces).max(initial=0.0)) if forces is not None else 0.0
    force = max(f_max, stiffness * 1.0, e0 / n)
    scales = {"energy": max(e0 + n * force * TERM_LENGTH, _TINY), "forces": max(force, _TINY)}
    if frame.cell.rank == 3:
        scales["stress"] = scales["energy"] / frame.get_volume()
    for name in ("dipole", "polarizability"):
        v = _array(base, name)
        if v is not None:
            scales[name] = max(float(np.abs(v).max(initial=0.0)), _TINY)
    return scales, {n: v for n, v in shaken.items() if n in names}
