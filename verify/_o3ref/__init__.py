"""o3ref: an exact O(3) reference and a conformance suite for equivariant atomistic ML.

- :mod:`o3ref.reference`: exact (sympy, mpmath) real spherical harmonics, Wigner D and
  Clebsch-Gordan coefficients;
- :mod:`o3ref.fast`: vectorized float64 NumPy kernels and calculators (spherical expansion,
  ACDC / lambda-SOAP, ridge);
- :mod:`o3ref.verify`: comparisons, property checks, convention maps and detector, adapters,
  the pytest plugin and the ``o3ref`` command line (also ``python -m o3ref``);
- :mod:`o3ref.data`: golden exact tables and the water-dipole data set
  (:func:`o3ref.data.load_water_dipoles`).

The conventions are stated once, in :mod:`o3ref.reference.conventions`.

``o3ref.__version__`` is read from the installed distribution's metadata (the version in
``pyproject.toml``), so there is one source of truth. Importing ``o3ref`` imports nothing
else: the subpackages load on first use (``import o3ref.fast``, or ``o3ref.fast`` after
``import o3ref``), because the pytest plugin makes every pytest session import this package.

This file is ``verify/_o3ref/__init__.py`` in the repository (the top level of the repository
is fixed); ``pyproject.toml`` maps it to the package ``o3ref``.
"""

from __future__ import annotations

import importlib

_SUBPACKAGES = ("data", "fast", "reference", "verify")


def __getattr__(name: str):
    if name == "__version__":
        from importlib.metadata import version

        value = version("o3ref")
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module 'o3ref' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"__version__", *_SUBPACKAGES})
