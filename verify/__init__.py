"""o3ref.verify: compare implementations, check properties, map conventions.

Imports both :mod:`o3ref.reference` and :mod:`o3ref.fast`; holds the tolerance policies,
the comparison reports, the exact maps to other libraries' conventions, the convention
detector, the adapters, the pytest conformance plugin and the ``o3ref`` command line.
"""

# --- issue 6: verify layer (numpy-only modules; conventions/adapters/suite load on use) ---
from .compare import (  # noqa: E402, F401
    ComparisonReport,
    assert_close,
    compare_arrays,
    compare_tensormaps,
)
from .detect import ConventionReport, detect_convention  # noqa: E402, F401
from .properties import (  # noqa: E402, F401
    assert_equivariant,
    assert_gradient_fd,
    assert_homomorphism,
    assert_orthogonal,
    assert_orthonormal_sh,
    assert_parity,
    assert_sh_equivariant,
)

# --- issue 5: the tutorial's targets as metatensor blocks ---
from .targets import dipole_tensor, energy_block, read_frames  # noqa: E402, F401
