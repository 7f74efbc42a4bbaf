"""o3ref.verify: compare implementations, check properties, map conventions.

Imports both :mod:`o3ref.reference` and :mod:`o3ref.fast`; holds the tolerance policies,
the comparison reports, the exact maps to other libraries' conventions, the convention
detector, the adapters, the pytest conformance plugin and the ``o3ref`` command line.

The names below are re-exported lazily (PEP 562): the pytest plugin
(:mod:`o3ref.verify.pytest_plugin`) is loaded in every pytest session of an environment where
o3ref is installed, so importing this package must not import numpy or metatensor (it would
also load BLAS before a benchmark can pin its thread count).

Calling convention for your functions (:mod:`o3ref.verify.callables`): every check, the
convention detector and the pytest plugin call an implementation the same way:

- spherical harmonics ``sh(l_max, xyz (n, 3)) -> (n, (l_max+1)**2)``, ``m = -l..l``;
- their gradients ``sh_gradient(l_max, xyz) -> (values, gradients (n, 3, (l_max+1)**2))``;
- the real Wigner D ``wigner_d(l, alpha, beta, gamma) -> (2l+1, 2l+1)``, ZYZ Euler angles of
  an active rotation, or ``wigner_d(l, R)`` for a check given ``takes="matrix"``;
- real Clebsch-Gordan coefficients ``cg(l1, l2, L) -> (2l1+1, 2l2+1, 2L+1)``.

Other signatures go through :func:`from_xyz_function` (``f(xyz)``) or
:func:`from_matrix_function` (batched ``d_func(R (n, 3, 3))``); a callable that cannot take
the convention's arguments raises ``TypeError`` naming the expected signature. The generic
:func:`assert_equivariant` and :func:`assert_gradient_fd` take ``f(x)``.
Conventions (signs, order, rotations): :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    # comparisons and reports
    "ComparisonReport": "compare",
    "assert_close": "compare",
    "compare_arrays": "compare",
    "compare_tensormaps": "compare",
    # the convention detector and the composed maps it finds
    "ConventionMap": "conventions.maps",
    "ConventionReport": "conventions.detect",
    "detect_convention": "conventions.detect",
    # the calling convention for users' functions and its explicit wrappers
    "from_matrix_function": "callables",
    "from_xyz_function": "callables",
    # property checks usable on any callable
    "assert_equivariant": "properties",
    "assert_gradient_fd": "properties",
    "assert_homomorphism": "properties",
    "assert_orthogonal": "properties",
    "assert_orthonormal_sh": "properties",
    "assert_parity": "properties",
    "assert_sh_equivariant": "properties",
    # precision policies
    "PrecisionPolicy": "tolerances",
    # irreps, layers, change of basis, many-body gradients, whole models
    "ChangeOfBasisReport": "layers.change_of_basis",
    "IrrepsReport": "layers.irreps",
    "ModelReport": "models.runner",
    "assert_equivariant_irreps": "layers.irreps",
    "assert_position_gradients": "layers.gradients",
    "check_model": "models.runner",
    "compare_change_of_basis": "layers.change_of_basis",
    "compare_models": "models.runner",
    "irreps_rotation": "layers.irreps",
    "parse_irreps": "layers.irreps",
    "signed_permutations": "models.checks",
    # what a layer computes: decomposition onto the exact couplings, normalisations, comparison
    "LayerComparison": "layers.compare_layers",
    "LayerReport": "layers.layer_report",
    "PolynomialReport": "layers.polynomial",
    "compare_layers": "layers.compare_layers",
    "decompose_bilinear": "layers.decompose",
    "decompose_linear": "layers.decompose",
    "decompose_polynomial": "layers.polynomial",
    "name_normalisation": "layers.normalisation",
    # the tutorial's targets as metatensor blocks
    "dipole_tensor": "structures.targets",
    "energy_block": "structures.targets",
    "read_frames": "structures.targets",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'o3ref.verify' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
