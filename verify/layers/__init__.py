"""Checks of layers on irreps: equivariance of a layer given its irreps (:mod:`.irreps`), a
change of basis to Cartesian tensors (:mod:`.change_of_basis`) and position gradients of
many-body outputs (:mod:`.gradients`), and what a layer computes: an equivariant bilinear
or linear layer decomposed onto the exact couplings (:mod:`.decompose`), its normalisation
named (:mod:`.normalisation`), two implementations compared path by path
(:mod:`.compare_layers`), and a symmetric contraction split by degree against the exact
coupling spaces (:mod:`.polynomial`).

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
from .compare_layers import LayerComparison, compare_layers, compare_reports
from .decompose import decompose_bilinear, decompose_linear
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
from .layer_report import LayerReport
from .normalisation import CONVENTIONS, NormalisationReport, name_normalisation
from .polynomial import PolynomialReport, PolynomialRow, decompose_polynomial

__all__ = [
    "IrrepsReport", "as_numpy", "assert_equivariant_irreps", "frame_matrix", "irreps_dim",
    "irreps_rotation", "parse_irreps",
    "ChangeOfBasisReport", "cartesian_basis", "compare_change_of_basis", "parse_formula",
    "symmetry_projector",
    "GradientReport", "assert_position_gradients",
    "LayerReport", "decompose_bilinear", "decompose_linear",
    "CONVENTIONS", "NormalisationReport", "name_normalisation",
    "LayerComparison", "compare_layers", "compare_reports",
    "PolynomialReport", "PolynomialRow", "decompose_polynomial",
]
