"""The guides: how to use o3ref, one task per page.

- `o3ref.guides.conventions`: o3ref's conventions, and the exact map from every other
  library's (the full table).
- `o3ref.guides.library`: checking a library's spherical harmonics, Wigner D or
  Clebsch-Gordan coefficients: `o3ref verify`, `--against`, adapters, the convention
  detector, the pytest plugin.
- `o3ref.guides.models`: checking a layer or a whole model.
- `o3ref.guides.ci`: o3ref in your CI, a tox environment or a nox session running the
  conformance suite against your own functions.
- `o3ref.guides.tables`: exact tables (formats, sharding, Dask).
- `o3ref.guides.reports`: the JSON report of every `--json`.
- `o3ref.guides.survey`: every installed library against the exact reference.
- `o3ref.guides.benchmarks`: every measured number, next to the command that reproduces it.
- `o3ref.guides.tutorial`: the "Equivariant ML models" tutorial, reproduced with o3ref alone.

Each guide is a Markdown file of this package (``verify/_o3ref/guides/NAME.md`` in the
repository), included by the module of the same name; ``tests/test_docs_examples.py`` runs
every example of every guide and compares what it prints with what the page shows.
"""
