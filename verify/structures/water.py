"""Structures for tests, benchmarks and ``o3ref bench``: the seed's water grid and water boxes.

- :func:`seed_water_frame` / :func:`seed_water_frames`: the 121 water molecules of the
  "Equivariant ML models" tutorial, frame ``k = 11 i + j`` with ``O-H1 = 0.70 + 0.05 i`` Å,
  ``O-H2 = 1.90 - O-H1`` and ``H-O-H = 60 + 10 j`` degrees, O at the origin, in the ``xy``
  plane (the tutorial's data file has these geometries; ``o3ref/data`` holds our own labels).
- :func:`sparse_box` / :func:`thin_cell`: mostly empty periodic boxes and cells much
  thinner than the cutoff, the inputs whose cost must follow the atoms, not the space
  (issue 10).
- :func:`water_box`: ``n_side**3`` rigid water molecules (O-H 0.9572 Å, 104.52 degrees) at
  liquid density (0.997 g/cm^3) in a periodic cube, on a jittered grid, uniformly random
  orientations from a seeded generator: a condensed-phase test case.

>>> frame = seed_water_frame(12)
>>> round(float(frame.get_distance(0, 1)), 12), round(float(frame.get_angle(1, 0, 2)), 9)
(0.75, 70.0)
>>> box = water_box(2)
>>> len(box), bool(box.pbc.all()), round(float(box.cell[0, 0]), 3)
(24, True, 6.215)
"""

from __future__ import annotations

import ase
import numpy as np

__all__ = ["seed_water_frame", "seed_water_frames", "water_box", "sparse_box", "thin_cell"]


def seed_water_frame(index: int) -> ase.Atoms:
    """Frame ``index`` (0..120) of the seed's water set, from its grid formula."""
    if not isinstance(index, (int, np.integer)) or not 0 <= index <= 120:
        raise ValueError(f"index must be an integer in 0..120, got {index!r}")
    i, j = divmod(int(index), 11)
    oh1 = 0.70 + 0.05 * i
    oh2 = 1.90 - oh1
    half = np.radians(60.0 + 10.0 * j) / 2
    positions = [
        [0.0, 0.0, 0.0],
        [-oh1 * np.sin(half), oh1 * np.cos(half), 0.0],
        [oh2 * np.sin(half), oh2 * np.cos(half), 0.0],
    ]
    return ase.Atoms("OHH", positions=positions)


def seed_water_frames() -> list[ase.Atoms]:
    """The 121 frames of the seed's water set, in the tutorial's order."""
    return [seed_water_frame(k) for k in range(121)]


def water_box(n_side: int = 2, seed: int = 0, jitter: float = 0.15) -> ase.Atoms:
    """``n_side**3`` water molecules at liquid density, randomly oriented and displaced
    (by up to ``jitter`` Å per axis) from a cubic grid; periodic cubic cell."""
    if not isinstance(n_side, (int, np.integer)) or n_side < 1:
        raise ValueError(f"n_side must be a positive integer, got {n_side!r}")
    n = int(n_side) ** 3
    length = (n * 18.015 / 6.02214076e23 / 0.997 * 1e24) ** (1 / 3)
    rng = np.random.default_rng(seed)
    step = length / n_side
    grid = np.stack(np.meshgrid(*[np.arange(n_side)] * 3, indexing="ij"), -1).reshape(-1, 3)
    centres = (grid + 0.5) * step + rng.uniform(-jitter, jitter, (n, 3))
    theta, d = np.radians(104.52), 0.9572
    mol = np.array([[0, 0, 0], [d * np.sin(theta / 2), d * np.cos(theta / 2), 0],
                    [-d * np.sin(theta / 2), d * np.cos(theta / 2), 0]])
    q = rng.normal(size=(n, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    w, x, y, z = q.T
    rot = np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
                    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
                   -1).reshape(n, 3, 3)
    positions = centres[:, None, :] + np.einsum("kij,aj->kai", rot, mol)
    return ase.Atoms("OH2" * n, positions=positions.reshape(-1, 3), cell=[length] * 3, pbc=True)


def sparse_box(n_atoms: int = 100, length: float = 1000.0, seed: int = 0) -> ase.Atoms:
    """``n_atoms`` O and H atoms (alternating) uniformly at random in a periodic cube of side
    ``length`` Å (seeded): almost all of the box is empty space."""
    if not isinstance(n_atoms, (int, np.integer)) or n_atoms < 1:
        raise ValueError(f"n_atoms must be a positive integer, got {n_atoms!r}")
    if not length > 0:
        raise ValueError(f"length must be positive, got {length!r}")
    rng = np.random.default_rng(seed)
    numbers = np.where(np.arange(n_atoms) % 2 == 0, 8, 1)
    return ase.Atoms(numbers=numbers, positions=rng.uniform(0.0, length, (n_atoms, 3)),
                     cell=np.eye(3) * length, pbc=True)


def thin_cell(thickness: float = 1e-6) -> ase.Atoms:
    """O, H, H in a periodic cell ``diag(1, 1, thickness)`` Å, all in its ``z = 0`` plane:
    with a 2 Å cutoff, about ``4/thickness`` periodic images along ``z`` per atom."""
    if not thickness > 0:
        raise ValueError(f"thickness must be positive, got {thickness!r}")
    return ase.Atoms("OHH", positions=[[0.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.7, 0.0]],
                     cell=np.diag([1.0, 1.0, thickness]), pbc=True)
