"""o3ref.verify: compare implementations, check properties, map conventions.

Imports both :mod:`o3ref.reference` and :mod:`o3ref.fast`; holds the tolerance policies,
the comparison reports, the exact maps to other libraries' conventions, the convention
detector, the adapters, the pytest conformance plugin and the ``o3ref`` command line.
"""
