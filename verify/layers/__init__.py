"""Checks of layers on irreps: equivariance of a layer given its irreps (:mod:`.irreps`), a
change of basis to Cartesian tensors (:mod:`.change_of_basis`) and position gradients of
many-body outputs (:mod:`.gradients`).

Imports only the verify root vocabulary and o3ref.reference / o3ref.fast.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from .change_of_basis import (
    ChangeOfBasisReport,
    cartesian_basis,
    compare_change_of_basis,
    parse_formula,
    symmetry_projector,
)
from .gradients import GradientReport, assert_position_gradients
from .irreps import (
    IrrepsReport,
    as_numpy,
    assert_equivariant_irreps,
    frame_matrix,
    irreps_dim,
    irreps_rotation,
    parse_irreps,
)

__all__ = [
    "IrrepsReport", "as_numpy", "assert_equivariant_irreps", "frame_matrix", "irreps_dim",
    "irreps_rotation", "parse_irreps",
    "ChangeOfBasisReport", "cartesian_basis", "compare_change_of_basis", "parse_formula",
    "symmetry_projector",
    "GradientReport", "assert_position_gradients",
]
