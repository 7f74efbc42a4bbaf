"""Helpers of the ACDC tests: water geometries from the grid definition and densities."""

from __future__ import annotations

import ase
import numpy as np
import sympy
from metatensor import Labels, TensorBlock, TensorMap

from o3ref.data.generate_water_dipoles import grid, positions
from o3ref.fast.hypers import seed_hypers

#: the seed tutorial's hypers (rascaline <= 0.1 spelling; max_radial = number of functions)
SEED_HYPERS = seed_hypers()

#: small hypers for the exact and finite-difference checks
SMALL_HYPERS = dict(SEED_HYPERS, max_radial=2, max_angular=2)


def water(index: int) -> ase.Atoms:
    """Frame ``index`` of the tutorial's grid, built from its definition (no file read)."""
    oh1, oh2, hoh = grid()[index]
    return ase.Atoms("OHH", positions=positions(oh1, oh2, hoh))


def rotation(alpha, beta, gamma) -> np.ndarray:
    """ZYZ rotation from the exact reference (sympy), evaluated to float."""
    from o3ref.reference import rotation_matrix

    return np.array(rotation_matrix(alpha, beta, gamma).evalf(30).tolist(), dtype=float)


def wigner(l, alpha, beta, gamma) -> np.ndarray:
    """Real Wigner D of the exact reference at 30 digits, as float."""
    from o3ref.reference import wigner_D_real

    return np.array(np.asarray(wigner_D_real(l, alpha, beta, gamma, dps=30)).tolist(), dtype=float)


def rotated(frame: ase.Atoms, R: np.ndarray) -> ase.Atoms:
    copy = frame.copy()
    copy.positions = frame.positions @ R.T
    return copy


def density(frames, hypers=SEED_HYPERS, gradients=None, types=(1, 8)) -> TensorMap:
    """o3ref density coefficients with neighbour types moved to the properties."""
    from o3ref.fast import SphericalExpansion

    tensor = SphericalExpansion(**hypers).compute(frames, gradients=gradients)
    return tensor.keys_to_properties(
        Labels(["neighbor_type"], np.array(types, dtype=np.int32).reshape(-1, 1))
    )


def nu1_seed_layout(frames, hypers=SEED_HYPERS, gradients=None) -> TensorMap:
    """The seed's nu = 1 features: standardized, centre types moved to the samples."""
    from o3ref.fast import acdc_standardize_keys

    return acdc_standardize_keys(density(frames, hypers, gradients)).keys_to_samples("center_type")


def vectors_tensor(values_by_l: dict, property_name: str = "n") -> TensorMap:
    """A hand-made TensorMap keyed o3_lambda with blocks (n, 2l+1, q) and samples 'system'."""
    blocks, keys = [], []
    for l, values in sorted(values_by_l.items()):
        values = np.asarray(values, dtype=float)
        blocks.append(
            TensorBlock(
                values=values,
                samples=Labels(["system"], np.arange(values.shape[0]).reshape(-1, 1)),
                components=[Labels(["o3_mu"], np.arange(-l, l + 1).reshape(-1, 1))],
                properties=Labels([property_name], np.arange(values.shape[2]).reshape(-1, 1)),
            )
        )
        keys.append([l])
    return TensorMap(Labels(["o3_lambda"], np.array(keys)), blocks)


#: the seed's 'selected' rotation, copy 11 of its grid: (0, pi/3, 6 pi/7)
SEED_ROTATION = (sympy.Integer(0), sympy.pi / 3, 6 * sympy.pi / 7)
