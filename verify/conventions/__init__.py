"""Convention knowledge, in one place: the table of proven maps to other libraries'
conventions (:mod:`.table`), the composable exact pieces the maps are made of (:mod:`.maps`),
what they know about particular libraries (:mod:`.libraries`) and the detector that finds a
map for an unknown function (:mod:`.detect`; private probes, search and code generation in
``_probes``, ``_matrices``, ``_search``, ``_codegen``).

Adapters import this package; it imports no adapter and no front door.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from ._probes import show_args
from .detect import ConventionReport, detect_convention
from .maps import (
    CG_NORMALISATIONS,
    CG_SIGNS,
    M_ORDERS,
    NAMED_MAPS,
    SH_NORMALISATIONS,
    SH_SIGNS,
    ConventionMap,
    Piece,
    argument_piece,
    complex_basis,
    frame_piece,
    rotation_piece,
)
from .table import (
    CG_CONVENTIONS,
    CONVENTIONS_TABLE,
    E3NN_ARGUMENT,
    SH_CONVENTIONS,
    WIGNER_D_CONVENTIONS,
    CGConvention,
    SHConvention,
    WignerDConvention,
    unnormalised_factor,
)

__all__ = [
    # the table of proven maps
    "CG_CONVENTIONS", "CONVENTIONS_TABLE", "E3NN_ARGUMENT", "SH_CONVENTIONS",
    "WIGNER_D_CONVENTIONS", "CGConvention", "SHConvention", "WignerDConvention",
    "unnormalised_factor",
    # the composable pieces
    "CG_NORMALISATIONS", "CG_SIGNS", "M_ORDERS", "NAMED_MAPS", "SH_NORMALISATIONS", "SH_SIGNS",
    "ConventionMap", "Piece", "argument_piece", "complex_basis", "frame_piece", "rotation_piece",
    # the detector
    "ConventionReport", "detect_convention", "show_args",
]
