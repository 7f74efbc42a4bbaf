"""Many-body position gradients against central differences, one atom and one axis at a time.

:func:`o3ref.verify.properties.assert_gradient_fd` moves every point at once, which checks
``sum_j d/dr_j`` only (a translation); a descriptor of atom ``i`` depends on every neighbour
``j`` separately, and a gradient that holds the centre fixed (dscribe's SOAP without
``attach=True``) or forgets a neighbour passes that test. :func:`assert_position_gradients`
moves atom ``a`` of frame ``s`` along axis ``x, y, z`` alone, by ``+-h`` and ``+-2h``, and
compares ``(f(r + h) - f(r - h)) / 2h`` with the analytic gradient for every output row.

Two forms of ``f``:

* ``f(frames) -> TensorMap`` with ``"positions"`` gradient blocks (metatensor's layout:
  gradient samples ``sample, system, atom``, components ``[xyz, ...]``), called on one-frame
  lists (``[frame]``, then each moved copy), so that ``system`` is always 0;
* ``f(frame) -> (values, gradients)``, dense arrays ``(centres, k...)`` and
  ``(centres, atoms, 3, k...)``, called per frame.

The step is :func:`o3ref.verify.tolerances.fd_step` of the output's dtype; the tolerance
is :func:`o3ref.verify.tolerances.fd_tolerance` with the Richardson estimate
``|FD(h) - FD(2h)|`` of the truncation error.

Conventions: :mod:`o3ref.reference.conventions` (``r_ij = r_j - r_i``; gradients
``d values / d r_atom``).

>>> import ase, numpy as np
>>> def pair(frame):  # values (1, 1): |r_1 - r_0|^2, and its gradient (1, 2, 3, 1)
...     d = frame.positions[1] - frame.positions[0]
...     return np.array([[d @ d]]), np.stack([-2 * d, 2 * d])[None, :, :, None]
>>> assert_position_gradients(pair, ase.Atoms("H2", positions=[[0, 0, 0], [0.3, 0.4, 0.5]])).passed
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..compare import compare_arrays
from ..tolerances import check_tolerance_value, fd_step, fd_tolerance
from .irreps import as_numpy

__all__ = ["GradientReport", "assert_position_gradients"]


@dataclass
class GradientReport:
    """One row per output (a TensorMap block, or ``"dense"``) with its largest error."""

    step: float
    rows: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every (atom, axis) difference agrees with the gradient within tolerance."""
        return all(r["passed"] for r in self.rows)

    def __str__(self) -> str:
        lines = [f"position gradients vs central differences (h = {self.step:.2e})"]
        for r in self.rows:
            lines.append(
                f"  {r['output']}: max err {r['max_abs']:.2e} (tolerance {r['tolerance']:.1e}) "
                f"{'ok' if r['passed'] else 'FAILED'}; worst at frame {r['frame']}, atom "
                f"{r['atom']}, axis {'xyz'[r['axis']]}, row {r['row']}: analytic "
                f"{r['analytic']:.6g}, finite difference {r['fd']:.6g}"
            )
        return "\n".join(lines)


def _is_tensormap(obj) -> bool:
    return hasattr(obj, "keys") and hasattr(obj, "block") and hasattr(obj, "items")


def _tensor_form(f, frame):
    """``f([frame])`` when ``f`` is of the TensorMap form, else ``None`` (a dense
    ``f(frame)`` fails on a list, or returns something that is not a TensorMap)."""
    try:
        out = f([frame])
    except Exception:  # noqa: BLE001 - any failure on a list means the dense form
        return None
    return out if _is_tensormap(out) else None


def _moved(frame, atom: int, axis: int, delta: float):
    out = frame.copy()
    pos = out.get_positions()
    pos[atom, axis] += delta
    out.set_positions(pos)
    return out


def _frame_rows(block, system: int) -> dict[int, int]:
    """Sample atom -> row, for the samples of ``system`` in ``block``."""
    s = block.samples
    systems = np.asarray(s.column("system"))
    atoms = np.asarray(s.column("atom")) if "atom" in s.names else np.zeros(len(systems), int)
    return {int(a): k for k, (sy, a) in enumerate(zip(systems, atoms, strict=True))
            if sy == system}


def _tensormap_dense(tensor, system: int, n_atoms: int) -> dict:
    """key -> (values of ``system``'s samples, gradient (samples, atoms, 3, ...)), row order
    by sample atom."""
    out = {}
    for key, block in tensor.items():
        rows = _frame_rows(block, system)
        order = sorted(rows)
        values = np.asarray(block.values)[[rows[a] for a in order]]
        grad = None
        if "positions" in block.gradients_list():
            g = block.gradient("positions")
            gv = np.asarray(g.values)
            grad = np.zeros((len(order), n_atoms, 3) + values.shape[1:], dtype=gv.dtype)
            where = np.full(len(block.samples), -1)
            where[[rows[a] for a in order]] = np.arange(len(order))
            gs = np.asarray(g.samples.values)
            keep = (gs[:, 1] == system) & (where[gs[:, 0]] >= 0)
            np.add.at(grad, (where[gs[keep, 0]], gs[keep, 2]), gv[keep])
        out[tuple(int(v) for v in key.values)] = (order, values, grad)
    return out


def _align(order_ref, fd_entry, shape):
    """Values of a difference evaluation in the analytic rows' order (absent rows are 0)."""
    if fd_entry is None:
        return np.zeros(shape)
    order, values, _ = fd_entry
    where = {a: k for k, a in enumerate(order)}
    out = np.zeros(shape)
    for k, a in enumerate(order_ref):
        if a in where:
            out[k] = values[where[a]]
    return out


def assert_position_gradients(
    f: Callable,
    frames,
    *,
    atoms=None,
    step: float | None = None,
    dtype=None,
    tol: float | None = None,
) -> GradientReport:
    """Check every ``d f / d r_{atom, axis}`` against central differences (module docstring).

    ``atoms`` limits the moved atoms (indices, the same in every frame); ``step`` and
    ``dtype`` override the step and the dtype the tolerance assumes (the output's by
    default); ``tol`` overrides the tolerance. Raises ``AssertionError`` with the
    :class:`GradientReport` when some output disagrees; returns it otherwise.
    """
    single = hasattr(frames, "positions")
    frames = [frames] if single else list(frames)
    if not frames:
        raise ValueError("frames must hold at least one ase.Atoms")
    first = _tensor_form(f, frames[0])
    tensor_mode = first is not None
    # accumulators per output: analytic, fd(h), fd(2h), scale; indexed (frame, row, atom, ..)
    errors: dict = {}
    h = None
    for s, frame in enumerate(frames):
        n_atoms = len(frame)
        if tensor_mode:
            ref = _tensormap_dense(first if s == 0 else f([frame]), 0, n_atoms)
        else:
            values, grads = (as_numpy(x) for x in f(frame))
            if grads.shape[:3] != (values.shape[0], n_atoms, 3):
                raise ValueError(f"f(frames[{s}]) gradients have shape {grads.shape}; "
                                 f"(centres, atoms, 3, ...) needs ({values.shape[0]}, "
                                 f"{n_atoms}, 3, ...)")
            ref = {"dense": (list(range(len(values))), values, grads)}
        if h is None:
            kind = next(iter(ref.values()))[1].dtype if ref else np.dtype(np.float64)
            the_dtype = np.dtype(dtype) if dtype is not None else (
                kind if kind.kind == "f" else np.dtype(np.float64))
            h = float(step) if step is not None else fd_step(the_dtype)
        moved = range(n_atoms) if atoms is None else atoms
        for a in moved:
            for axis in range(3):
                evals = {}
                for mult in (1, -1, 2, -2):
                    out = f(_moved(frame, a, axis, mult * h)) if not tensor_mode else f(
                        [_moved(frame, a, axis, mult * h)])
                    if tensor_mode:
                        evals[mult] = _tensormap_dense(out, 0, n_atoms)
                    else:
                        evals[mult] = {"dense": (list(range(len(out[0]))), as_numpy(out[0]),
                                                 None)}
                for key, (order, values, grad) in ref.items():
                    if grad is None:
                        continue
                    shape = values.shape
                    v = {m: _align(order, evals[m].get(key), shape) for m in evals}
                    fd1 = (v[1] - v[-1]) / (2 * h)
                    fd2 = (v[2] - v[-2]) / (4 * h)
                    exact = grad[:, a, axis]
                    acc = errors.setdefault(key, {"max_abs": -1.0, "trunc": 0.0, "scale": 0.0})
                    acc["trunc"] = max(acc["trunc"], float(np.abs(fd1 - fd2).max(initial=0)))
                    acc["scale"] = max(acc["scale"], float(np.abs(values).max(initial=0)))
                    # the comparison core: a NaN or inf on either side is an infinite error
                    diff = compare_arrays(exact, fd1, atol=0.0)
                    if diff.n and diff.max_abs > acc["max_abs"]:
                        idx = diff.worst_index
                        acc.update(max_abs=diff.max_abs, frame=s, atom=int(a), axis=axis,
                                   row=int(order[idx[0]]) if tensor_mode else int(idx[0]),
                                   analytic=float(exact[idx]), fd=float(fd1[idx]))
    report = GradientReport(step=h)
    for key, acc in errors.items():
        if acc["max_abs"] < 0:
            continue
        t = check_tolerance_value("tol", tol) if tol is not None else fd_tolerance(
            the_dtype, h, max(acc["scale"], 1e-300), acc["trunc"]).atol
        name = key if key == "dense" else "key " + str(key)
        report.rows.append({"output": name, "max_abs": acc["max_abs"], "tolerance": t,
                            "passed": acc["max_abs"] <= t, "frame": acc["frame"],
                            "atom": acc["atom"], "axis": acc["axis"], "row": acc["row"],
                            "analytic": acc["analytic"], "fd": acc["fd"]})
    if not report.rows:
        raise ValueError("f returned no position gradients to check")
    if not report.passed:
        raise AssertionError(f"position gradients disagree with finite differences:\n{report}")
    return report
