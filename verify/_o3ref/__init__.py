"""o3ref: a referee for O(3)-equivariant code in atomistic machine learning.

If you write or use spherical harmonics, Wigner D matrices, Clebsch-Gordan coefficients,
equivariant layers or interatomic models, o3ref tells you whether they are right, and when
they are not, which convention they follow instead or which symmetry they break. Its
verdicts rest on an exact reference (sympy, mpmath), derived independently of the fast NumPy
code it also ships. It also writes exact tables of Clebsch-Gordan, 3j, Gaunt, 6j and 9j
coefficients.

Install, from a clone of the repository (Python 3.10 or newer):

```console
$ pip install .
```

Which convention does a function follow? Here a spherical-harmonics function that reads its
argument as ``(y, z, x)`` and is 4pi-normalised, as e3nn's:

```pycon
>>> import numpy as np
>>> from o3ref import fast
>>> from o3ref.verify import detect_convention
>>> def my_sh(l_max, xyz):
...     xyz = np.asarray(xyz)
...     return np.sqrt(4 * np.pi) * fast.SphericalHarmonics(l_max).compute(xyz[:, [2, 0, 1]])
>>> report = detect_convention(my_sh, kind="sh")
>>> report.convention
"e3nn 'component'"
>>> converted = report.map.convert(my_sh)  # my_sh in o3ref's convention
```

The same from the command line, for a whole library: ``o3ref verify --against wigners``.

Start with the guides, `o3ref.guides`: conventions, checking a library, checking a layer or a
model, o3ref in your CI, exact tables, reports, the survey of other libraries, benchmarks and
the tutorial.

The packages:

- `o3ref.reference`: exact (sympy, mpmath) real spherical harmonics, Wigner D and
  Clebsch-Gordan coefficients, Gaunt, 6j and 9j, and the tables;
- `o3ref.fast`: vectorized float64 NumPy kernels and calculators (spherical expansion,
  ACDC / lambda-SOAP features, ridge regression);
- `o3ref.verify`: comparisons, property checks, the convention detector, adapters to other
  libraries, the pytest plugin and the ``o3ref`` command line (also ``python -m o3ref``);
- `o3ref.data`: golden exact tables and a water-dipole data set
  (`o3ref.data.load_water_dipoles`).

The conventions are stated once, in `o3ref.reference.conventions`. ``o3ref.__version__`` is
the installed version. Importing ``o3ref`` imports nothing else: the subpackages load on first
use.
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
