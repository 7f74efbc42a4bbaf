"""o3ref.fast: vectorized float64 NumPy kernels and calculators.

Derived independently of :mod:`o3ref.reference` (never imported here) and cross-validated
against it by :mod:`o3ref.verify`. Conventions: :mod:`o3ref.reference.conventions`.
"""

# --- issue 5: ACDC / lambda-SOAP and the equivariant ridge model ---
from .acdc import acdc_standardize_keys, cg_combine, cg_increment  # noqa: E402
from .ridge import EquivariantRidge  # noqa: E402

# --- issue 4: spherical expansion (hypers, neighbours, cutoff, GTO radial integrals) ---
from .expansion import SphericalExpansion  # noqa: E402
from .hypers import ExpansionHypers  # noqa: E402
