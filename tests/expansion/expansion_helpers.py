"""Shared structures and comparisons for the spherical-expansion tests (imported by them)."""

from __future__ import annotations

import ase
import numpy as np

from o3ref.fast.hypers import seed_hypers

# the seed tutorial's hypers ("Equivariant ML models", rascaline keyword spelling)
SEED_HYPERS = dict(seed_hypers(), gradients=False)


def water_frame(index: int) -> ase.Atoms:
    """Frame ``index`` of the seed's water set from its grid formula (i*11 + j)."""
    i, j = divmod(index, 11)
    oh1 = 0.70 + 0.05 * i
    oh2 = 1.90 - oh1
    half = np.radians(60.0 + 10.0 * j) / 2
    positions = [
        [0.0, 0.0, 0.0],
        [-oh1 * np.sin(half), oh1 * np.cos(half), 0.0],
        [oh2 * np.sin(half), oh2 * np.cos(half), 0.0],
    ]
    return ase.Atoms("OHH", positions=positions)


def water_box(n_side: int = 2, seed: int = 0, jitter: float = 0.15) -> ase.Atoms:
    """``n_side**3`` water molecules at liquid density, randomly oriented and displaced."""
    n = n_side**3
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


def random_structure(rng, n_atoms, species, periodic, box=3.0, min_distance=0.5):
    """Random atoms in a (possibly periodic, slightly skewed) box, no two closer than
    ``min_distance`` (periodic images included)."""
    cell = np.eye(3) * box + rng.uniform(-0.3, 0.3, (3, 3))
    while True:
        positions = rng.uniform(0, 1, (n_atoms, 3)) @ cell
        atoms = ase.Atoms(numbers=rng.choice(species, n_atoms), positions=positions,
                          cell=cell if periodic else None, pbc=periodic)
        if n_atoms == 1 or atoms.get_all_distances(mic=periodic)[
            np.triu_indices(n_atoms, 1)
        ].min() > min_distance:
            return atoms


def block_errors(expected, actual, scale):
    """max |expected - actual| divided by ``max(||expected||, scale)``."""
    expected = np.asarray(expected, dtype=np.float64)
    return np.abs(expected - actual).max() / max(np.linalg.norm(expected), scale)


def assert_tensormaps_close(expected, actual, rtol, gradients=False):
    """Same keys, samples, components, properties; every block within ``rtol`` of its norm.

    Blocks that vanish by symmetry (their norm is rounding) are measured against
    ``1e-6`` times the largest block norm instead.
    """
    assert expected.keys == actual.keys
    largest = max(np.linalg.norm(b.values) for b in expected.blocks())
    for key, block in expected.items():
        other = actual.block(key)
        assert block.samples == other.samples, key
        assert block.components == other.components, key
        assert block.properties == other.properties, key
        assert block_errors(block.values, other.values, 1e-6 * largest) <= rtol, key
        if gradients:
            grad, other_grad = block.gradient("positions"), other.gradient("positions")
            assert grad.samples == other_grad.samples, key
            assert grad.components == other_grad.components, key
            glargest = max(np.linalg.norm(b.gradient("positions").values)
                           for b in expected.blocks())
            assert block_errors(grad.values, other_grad.values, 1e-6 * glargest) <= rtol, key


def seed_frames():
    """The 121 frames of the seed's water set, from the grid formula."""
    return [water_frame(k) for k in range(121)]
