"""The tutorial's targets as metatensor blocks: energies (with forces) and dipoles.

- :func:`read_frames` reads an extended XYZ file and normalises where the properties live
  (ase >= 3.23 moves ``energy`` and ``dipole`` into a calculator; the tutorial's file calls
  its forces ``force`` and keeps them in ``atoms.arrays``, ours calls them ``forces``).
- :func:`energy_block`: one row per structure (samples ``system``), property ``energy``,
  with a ``positions`` gradient equal to minus the forces (gradient samples
  ``sample, system, atom``; components ``xyz``).
- :func:`dipole_tensor`: a TensorMap with one block, keys ``(o3_lambda, o3_sigma) = (1, 1)``,
  samples ``system``, components ``o3_mu = -1, 0, 1`` holding the Cartesian ``(y, z, x)``
  (CONVENTIONS: a vector ``(x, y, z)`` is the ``l = 1`` spherical vector ``(y, z, x)``, no
  scaling and no sign), property ``dipole``.

Units are whatever the file holds (see ``o3ref/data/README.md`` for ours).

Conventions: :mod:`o3ref.reference.conventions`.

>>> xyz_to_spherical(np.array([[1.0, 2.0, 3.0]]), axis=1).tolist()
[[2.0, 3.0, 1.0]]
>>> spherical_to_xyz(np.array([[2.0, 3.0, 1.0]]), axis=1).tolist()
[[1.0, 2.0, 3.0]]
"""

from __future__ import annotations

import numpy as np
from metatensor import Labels, TensorBlock, TensorMap

__all__ = [
    "dipole_tensor",
    "energy_block",
    "frame_dipole",
    "frame_energy",
    "frame_forces",
    "read_frames",
    "spherical_to_xyz",
    "xyz_to_spherical",
]

# (x, y, z) -> (y, z, x): position k of the spherical vector holds Cartesian axis _XYZ_TO_MU[k]
_XYZ_TO_MU = np.array([1, 2, 0])
_MU_TO_XYZ = np.array([2, 0, 1])


def _check_axis(array: np.ndarray, axis: int) -> int:
    if not isinstance(axis, int) or isinstance(axis, bool):
        raise TypeError(f"axis={axis!r} must be an integer")
    if not -array.ndim <= axis < array.ndim:
        raise ValueError(f"axis={axis} is out of range for an array with {array.ndim} dimensions")
    if array.shape[axis] != 3:
        raise ValueError(
            f"axis={axis} has length {array.shape[axis]}: a vector axis must have length 3"
        )
    return axis


def xyz_to_spherical(array, axis: int) -> np.ndarray:
    """Cartesian ``(x, y, z)`` along ``axis`` -> real ``l = 1`` components ``(y, z, x)``."""
    array = np.asarray(array)
    return np.take(array, _XYZ_TO_MU, axis=_check_axis(array, axis))


def spherical_to_xyz(array, axis: int) -> np.ndarray:
    """Real ``l = 1`` components ``(y, z, x)`` along ``axis`` -> Cartesian ``(x, y, z)``."""
    array = np.asarray(array)
    return np.take(array, _MU_TO_XYZ, axis=_check_axis(array, axis))


def read_frames(path) -> list:
    """All frames of an extended XYZ file (``ase.io.read(path, ":")``)."""
    import ase.io

    frames = ase.io.read(str(path), ":")
    if not frames:
        raise ValueError(f"{path} holds no structures")
    return frames


def _result(frame, name):
    calc = frame.calc
    if calc is not None and name in getattr(calc, "results", {}):
        return calc.results[name]
    if name in frame.info:
        return frame.info[name]
    return None


def frame_energy(frame) -> float:
    """The energy of one frame (from the calculator or ``info``)."""
    value = _result(frame, "energy")
    if value is None:
        raise ValueError(f"frame {frame.get_chemical_formula()} has no 'energy'")
    return float(value)


def frame_forces(frame) -> np.ndarray:
    """Forces ``(n_atoms, 3)``: calculator ``forces``, or the arrays ``forces`` / ``force``."""
    value = _result(frame, "forces")
    if value is None:
        for name in ("forces", "force"):
            if name in frame.arrays:
                value = frame.arrays[name]
                break
    if value is None:
        raise ValueError(f"frame {frame.get_chemical_formula()} has no 'forces' or 'force'")
    value = np.asarray(value, dtype=np.float64)
    if value.shape != (len(frame), 3):
        raise ValueError(f"forces have shape {value.shape}: they must be ({len(frame)}, 3)")
    return value


def frame_dipole(frame) -> np.ndarray:
    """The Cartesian dipole ``(3,)`` of one frame (calculator or ``info``)."""
    value = _result(frame, "dipole")
    if value is None:
        raise ValueError(f"frame {frame.get_chemical_formula()} has no 'dipole'")
    value = np.asarray(value, dtype=np.float64).reshape(-1)
    if value.shape != (3,):
        raise ValueError(f"dipole has shape {value.shape}: it must be a 3-vector")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"dipole {value.tolist()} must hold finite numbers")
    return value


def energy_block(frames) -> TensorBlock:
    """Energies ``(n_frames, 1)`` with the ``positions`` gradient ``-forces``."""
    energies = np.array([frame_energy(f) for f in frames]).reshape(-1, 1)
    samples = Labels(["system"], np.arange(len(frames), dtype=np.int32).reshape(-1, 1))
    properties = Labels(["energy"], np.array([[0]], dtype=np.int32))
    block = TensorBlock(values=energies, samples=samples, components=[], properties=properties)
    rows = [[i, i, a] for i, f in enumerate(frames) for a in range(len(f))]
    gradient_values = -np.concatenate([frame_forces(f) for f in frames]).reshape(-1, 3, 1)
    block.add_gradient(
        "positions",
        TensorBlock(
            values=gradient_values,
            samples=Labels(["sample", "system", "atom"], np.array(rows, dtype=np.int32)),
            components=[Labels(["xyz"], np.arange(3, dtype=np.int32).reshape(-1, 1))],
            properties=properties,
        ),
    )
    return block


def dipole_tensor(frames) -> TensorMap:
    """Dipoles as the ``(o3_lambda, o3_sigma) = (1, 1)`` block, ``o3_mu`` in ``(y, z, x)`` order."""
    cartesian = np.array([frame_dipole(f) for f in frames])
    values = xyz_to_spherical(cartesian, axis=1).reshape(-1, 3, 1)
    block = TensorBlock(
        values=values,
        samples=Labels(["system"], np.arange(len(frames), dtype=np.int32).reshape(-1, 1)),
        components=[Labels(["o3_mu"], np.array([[-1], [0], [1]], dtype=np.int32))],
        properties=Labels(["dipole"], np.array([[0]], dtype=np.int32)),
    )
    keys = Labels(["o3_lambda", "o3_sigma"], np.array([[1, 1]], dtype=np.int32))
    return TensorMap(keys, [block])
