"""o3ref.verify: compare implementations, check properties, map conventions.

Imports both :mod:`o3ref.reference` and :mod:`o3ref.fast`; holds the tolerance policies,
the comparison reports, the exact maps to other libraries' conventions, the convention
detector, the adapters, the pytest conformance plugin and the ``o3ref`` command line.

The names below are re-exported lazily (PEP 562): the pytest plugin
(:mod:`o3ref.verify.pytest_plugin`) is loaded in every pytest session of an environment where
o3ref is installed, so importing this package must not import numpy or metatensor (it would
also load BLAS before a benchmark can pin its thread count).
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
    "ConventionMap": "convention_maps",
    "ConventionReport": "detect",
    "detect_convention": "detect",
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
    # the tutorial's targets as metatensor blocks
    "dipole_tensor": "targets",
    "energy_block": "targets",
    "read_frames": "targets",
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
