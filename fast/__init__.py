"""o3ref.fast: vectorized float64 NumPy kernels and calculators.

Derived independently of :mod:`o3ref.reference` (never imported here) and cross-validated
against it by :mod:`o3ref.verify`. Conventions: :mod:`o3ref.reference.conventions`.
"""
