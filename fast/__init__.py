"""o3ref.fast: vectorized float64 NumPy kernels and calculators.

Derived independently of :mod:`o3ref.reference` (never imported here) and cross-validated
against it by :mod:`o3ref.verify`. Conventions: :mod:`o3ref.reference.conventions`.
"""

# --- issue 10: the memory budget every sized request is checked against ---
from .budget import memory_budget, set_memory_budget  # noqa: E402

# --- issue 3: angular kernels (rotations, harmonics, Wigner D, real CG, Cartesian) ---
from .cartesian import (  # noqa: E402
    spherical_to_tensor,
    spherical_to_xyz,
    tensor_to_spherical,
    xyz_to_spherical,
)
from .clebsch_gordan import (  # noqa: E402
    cg_product,
    complex_clebsch_gordan,
    complex_to_real_matrix,
    couple,
    decouple,
    real_clebsch_gordan,
    real_clebsch_gordan_sparse,
)
from .harmonics import (  # noqa: E402
    SolidHarmonics,
    SphericalHarmonics,
    solid_harmonics,
    spherical_harmonics,
)
from .rotations import (  # noqa: E402
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
from .wigner import WignerDReal, wigner_D_real, wigner_D_real_blocks  # noqa: E402

# --- issue 5: ACDC / lambda-SOAP and the equivariant ridge model ---
from .acdc import acdc_standardize_keys, cg_combine, cg_increment  # noqa: E402
from .ridge import EquivariantRidge  # noqa: E402

# --- issue 4: spherical expansion (hypers, neighbours, cutoff, GTO radial integrals) ---
from .expansion import SphericalExpansion  # noqa: E402
from .hypers import ExpansionHypers, seed_hypers  # noqa: E402
