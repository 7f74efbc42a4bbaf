"""o3ref.reference: exact (sympy, mpmath) real spherical harmonics, Wigner D, Clebsch-Gordan.

Everything here is exact by default (integers, rationals, sympy radicals) or computed with
mpmath at an explicit precision. It never imports :mod:`o3ref.fast`.
The conventions are stated once, in :mod:`o3ref.reference.conventions`.

Public names, by concept (``__all__`` below): indexing and exact numbers; rotations and the
complex-to-real map; spherical and solid harmonics; Wigner D; coupling (Clebsch-Gordan, 3j,
Gaunt, 6j, 9j); Cartesian tensors; the density expansion; ACDC products and ridge; work
budgets and caches. The exact coefficient tables are the subpackage
:mod:`o3ref.reference.tables`.
"""

from .acdc import cg_product, lambda_soap
from .cartesian import couple, decouple, spherical_to_vector, vector_to_spherical
from .cartesian_basis import cartesian_basis
from .coupling import CouplingBasis, coupling_basis, coupling_dimension, exact_fits
from .clebsch_gordan import _clear_caches as _clear_complex_cg
from .clebsch_gordan import clebsch_gordan, clebsch_gordan_exact, wigner_3j, wigner_3j_exact
from .conventions import complex_to_real
from .expansion import (
    gto_lowdin,
    gto_overlap,
    radial_integral,
    radial_integral_quadrature,
    spherical_expansion,
)
from .gaunt import gaunt, real_gaunt
from .harmonics import (
    complex_solid_harmonic,
    complex_spherical_harmonics,
    real_solid_harmonic,
    real_spherical_harmonics,
    x,
    y,
    z,
)
from .indexing import flat_index, lm_pairs, n_harmonics
from .limits import allow_work, work_budget
from .real_cg import _clear_caches as _clear_real_cg
from .real_cg import real_clebsch_gordan
from .recoupling import wigner_6j, wigner_6j_exact, wigner_9j, wigner_9j_exact
from .ridge import ridge_solution
from .rotations import quaternion_to_matrix, rotation_matrix, rotation_y, rotation_z
from .signed_sqrt import SignedSqrt
from .solid_polynomials import solid_harmonic_coefficients
from .wigner import wigner_D, wigner_D_real, wigner_d_small

__all__ = [
    # indexing and exact numbers
    "flat_index",
    "lm_pairs",
    "n_harmonics",
    "SignedSqrt",
    # rotations and the complex-to-real map
    "complex_to_real",
    "quaternion_to_matrix",
    "rotation_matrix",
    "rotation_y",
    "rotation_z",
    # spherical and solid harmonics
    "complex_solid_harmonic",
    "complex_spherical_harmonics",
    "real_solid_harmonic",
    "real_spherical_harmonics",
    "solid_harmonic_coefficients",
    "x",
    "y",
    "z",
    # Wigner D
    "wigner_D",
    "wigner_D_real",
    "wigner_d_small",
    # coupling: Clebsch-Gordan, 3j, Gaunt, 6j, 9j
    "clebsch_gordan",
    "clebsch_gordan_exact",
    "real_clebsch_gordan",
    "wigner_3j",
    "wigner_3j_exact",
    "gaunt",
    "real_gaunt",
    "wigner_6j",
    "wigner_6j_exact",
    "wigner_9j",
    "wigner_9j_exact",
    # symmetric nu-fold couplings (the layer referee's exact side)
    "CouplingBasis",
    "coupling_basis",
    "coupling_dimension",
    "exact_fits",
    # Cartesian tensors
    "cartesian_basis",
    "couple",
    "decouple",
    "spherical_to_vector",
    "vector_to_spherical",
    # the density expansion (mpmath, small systems)
    "gto_lowdin",
    "gto_overlap",
    "radial_integral",
    "radial_integral_quadrature",
    "spherical_expansion",
    # ACDC products and ridge (high precision, small inputs)
    "cg_product",
    "lambda_soap",
    "ridge_solution",
    # work budgets and caches
    "allow_work",
    "work_budget",
    "clear_caches",
]


def clear_caches() -> None:
    """Forget the cached Clebsch-Gordan coefficients (complex and real, the Racah sums'
    factorial parts, the interned :class:`SignedSqrt`), so that a benchmark times a cold
    computation; values are unchanged.

    Conventions: see :mod:`o3ref.reference.conventions` (no convention of its own).

    >>> clear_caches()
    >>> str(real_clebsch_gordan(1, 1, 0)[0, 0, 0])
    '-sqrt(1/3)'
    """
    _clear_real_cg()
    _clear_complex_cg()
