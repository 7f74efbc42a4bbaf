"""o3ref.reference: exact (sympy, mpmath) real spherical harmonics, Wigner D, Clebsch-Gordan.

Everything here is exact by default (integers, rationals, sympy radicals) or computed with
mpmath at an explicit precision. It never imports :mod:`o3ref.fast`.
The conventions are stated once, in :mod:`o3ref.reference.conventions`.
"""
