"""The computations of ``o3ref tutorial`` (:mod:`.steps` prints them): the seed's rotated
copies, the features, and their equivariance and inversion deviations.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ALPHAS", "LCUT", "equivariance_deviation", "features", "first_atom_rows",
           "inversion_deviation", "rotated_copies", "split_inversion"]

LCUT = 4
ALPHAS = [10.0**k for k in range(-10, 1)]


def rotated_copies(frame, dipole):
    """The seed's 256 rotations: alpha, gamma in linspace(0, 2pi, 8), beta in linspace(0, pi, 4)."""
    from o3ref.fast import rotation_matrix

    grid = [
        (a, b, g)
        for a in np.linspace(0, 2 * np.pi, 8)
        for b in np.linspace(0, np.pi, 4)
        for g in np.linspace(0, 2 * np.pi, 8)
    ]
    angles = np.array(grid)
    R = rotation_matrix(angles[:, 0], angles[:, 1], angles[:, 2])
    frames = []
    for (alpha, beta, gamma), rot in zip(grid, R, strict=True):
        copy = frame.copy()
        copy.calc = None
        copy.positions = frame.positions @ rot.T
        copy.info.update(alpha=alpha, beta=beta, gamma=gamma, dipole=rot @ dipole)
        frames.append(copy)
    return angles, R, frames


def features(calculator, frames, neighbor_types):
    """(nu = 1, nu = 2) TensorMaps, centre types in the samples, neighbour types in properties."""
    from metatensor import Labels

    from o3ref.fast import acdc_standardize_keys, cg_increment

    density = calculator.compute(frames)
    density = density.keys_to_properties(
        Labels(["neighbor_type"], np.array(neighbor_types, dtype=np.int32).reshape(-1, 1))
    )
    nu1 = acdc_standardize_keys(density).keys_to_samples("center_type")
    nu2 = cg_increment(nu1, nu1, lcut=LCUT)
    return nu1, nu2


def first_atom_rows(block) -> np.ndarray:
    """Rows of the first atom of each structure (the O of a water molecule)."""
    return np.flatnonzero(np.asarray(block.samples.column("atom")) == 0)


def equivariance_deviation(tensor, base_index, rotated_indices, wigner) -> float:
    """max |X(R_k A) - D^lambda(R_k) X(A)| over blocks, rotations k, components, properties."""
    worst = 0.0
    for key, block in tensor.items():
        lam = int(key["o3_lambda"])
        values = np.asarray(block.values)
        base = values[base_index]  # (2 lam + 1, n_props)
        expected = np.einsum("kab,bq->kaq", wigner[lam], base)
        worst = max(worst, float(np.abs(values[rotated_indices] - expected).max()))
    return worst


def inversion_deviation(tensor, tensor_inverted) -> float:
    worst = 0.0
    for key, block in tensor.items():
        factor = int(key["o3_sigma"]) * (-1) ** int(key["o3_lambda"])
        diff = np.asarray(tensor_inverted.block(key).values) - factor * np.asarray(block.values)
        worst = max(worst, float(np.abs(diff).max()))
    return worst


def split_inversion(tensor, n_atoms):
    """The (original, inverted) halves of a two-structure TensorMap, as two TensorMaps."""
    from metatensor import Labels, TensorBlock, TensorMap

    halves = ([], [])
    for block in tensor.blocks():
        values = np.asarray(block.values)
        for k in (0, 1):
            halves[k].append(TensorBlock(
                values=values[k * n_atoms:(k + 1) * n_atoms],
                samples=Labels.range("atom", n_atoms),
                components=block.components,
                properties=block.properties,
            ))
    keys = tensor.keys
    return TensorMap(keys, halves[0]), TensorMap(keys, halves[1])
