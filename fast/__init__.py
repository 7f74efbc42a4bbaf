"""o3ref.fast: vectorized float64 NumPy kernels and calculators.

Derived independently of :mod:`o3ref.reference` (never imported here) and cross-validated
against it by :mod:`o3ref.verify`. Conventions: :mod:`o3ref.reference.conventions`.

The public names, by concept (``__all__`` lists them in the same groups): rotations,
spherical and solid harmonics, Wigner D matrices, Clebsch-Gordan coefficients and Cartesian
tensors, the spherical expansion of atomic densities, ACDC / lambda-SOAP features and the
equivariant ridge model, and the memory budget that every sized request is checked against.
"""

from .acdc import acdc_standardize_keys, cg_combine, cg_increment
from .budget import memory_budget, set_memory_budget
from .cartesian import (
    spherical_to_tensor,
    spherical_to_xyz,
    tensor_to_spherical,
    xyz_to_spherical,
)
from .clebsch_gordan import (
    cg_product,
    complex_clebsch_gordan,
    complex_to_real_matrix,
    couple,
    decouple,
    real_clebsch_gordan,
    real_clebsch_gordan_sparse,
)
from .expansion import SphericalExpansion
from .harmonics import (
    SolidHarmonics,
    SphericalHarmonics,
    solid_harmonics,
    spherical_harmonics,
)
from .hypers import ExpansionHypers, seed_hypers
from .ridge import EquivariantRidge
from .rotations import (
    axis_angle_to_matrix,
    axis_angle_to_quaternion,
    compose_rotations,
    euler_to_matrix,
    euler_to_quaternion,
    inverse_rotation,
    matrix_to_axis_angle,
    matrix_to_euler,
    matrix_to_quaternion,
    quaternion_inverse,
    quaternion_multiply,
    quaternion_to_axis_angle,
    quaternion_to_euler,
    quaternion_to_matrix,
    random_quaternions,
    random_rotations,
    rotation_matrix,
)
from .wigner import WignerDReal, wigner_D_real, wigner_D_real_blocks

__all__ = [
    # rotations: matrices, quaternions, Euler angles (ZYZ), axis-angle, and conversions
    "rotation_matrix",
    "euler_to_matrix",
    "matrix_to_euler",
    "euler_to_quaternion",
    "quaternion_to_euler",
    "quaternion_to_matrix",
    "matrix_to_quaternion",
    "axis_angle_to_matrix",
    "matrix_to_axis_angle",
    "axis_angle_to_quaternion",
    "quaternion_to_axis_angle",
    "quaternion_multiply",
    "quaternion_inverse",
    "compose_rotations",
    "inverse_rotation",
    "random_rotations",
    "random_quaternions",
    # spherical and solid harmonics (values and gradients)
    "SphericalHarmonics",
    "SolidHarmonics",
    "spherical_harmonics",
    "solid_harmonics",
    # Wigner D matrices of the real harmonics
    "WignerDReal",
    "wigner_D_real",
    "wigner_D_real_blocks",
    # Clebsch-Gordan coefficients (complex and real), coupling, and Cartesian tensors
    "complex_clebsch_gordan",
    "real_clebsch_gordan",
    "real_clebsch_gordan_sparse",
    "complex_to_real_matrix",
    "cg_product",
    "couple",
    "decouple",
    "xyz_to_spherical",
    "spherical_to_xyz",
    "tensor_to_spherical",
    "spherical_to_tensor",
    # spherical expansion of atomic densities (calculator and hyper-parameters)
    "SphericalExpansion",
    "ExpansionHypers",
    "seed_hypers",
    # ACDC / lambda-SOAP features and the equivariant ridge model
    "acdc_standardize_keys",
    "cg_combine",
    "cg_increment",
    "EquivariantRidge",
    # the memory budget every sized request is checked against
    "memory_budget",
    "set_memory_budget",
]
