"""The conventions of o3ref, stated once. Every layer implements exactly these.

They are the conventions of the "Equivariant ML models" tutorial (the seed) and of today's
featomic and sphericart. Where another library differs, :mod:`o3ref.verify.conventions`
states the difference as an exact *map* and a test proves it.

Rotations
---------
* Rotations are **active**: rotating a structure sends positions ``r -> R r``, a vector
  property ``y -> R y`` and a rank-2 Cartesian tensor ``T -> R T R^T``.
* Euler angles are **ZYZ** in radians: ``R(alpha, beta, gamma) = Rz(alpha) Ry(beta) Rz(gamma)``
  with ``Rz(t) = [[c, -s, 0], [s, c, 0], [0, 0, 1]]`` and ``Ry(t) = [[c, 0, s], [0, 1, 0],
  [-s, 0, c]]`` (intrinsic z-y'-z''; scipy's ``Rotation.from_euler("ZYZ", ...)``).
* Inversion is ``r -> -r``; an improper rotation is ``-R``.

Spherical harmonics
-------------------
* Complex ``Y_l^m`` are orthonormal on the unit sphere and include the Condon-Shortley phase
  ``(-1)^m`` (as scipy ``sph_harm_y``, mpmath ``spherharm`` and sympy ``Ynm``).
* Real ``Y_lm`` are the "real form" (Wikipedia; sphericart; featomic)::

      m > 0:  sqrt(2) (-1)^m Re Y_l^m
      m = 0:  Y_l^0
      m < 0:  sqrt(2) (-1)^m Im Y_l^|m|

  orthonormal, with no sign left over: ``Y_1m = sqrt(3/(4 pi)) (y, z, x)/r`` for
  ``m = -1, 0, 1``, ``Y_00 = 1/(2 sqrt(pi))``, and parity ``Y_lm(-r) = (-1)^l Y_lm(r)``.
* Storage order: ``m = -l..l`` ascending inside a degree, degrees ascending; the flat index of
  ``(l, m)`` is ``l*l + l + m`` (:mod:`o3ref.reference.indexing`).
* sympy's ``Znm`` is a different real form: it negates every ``m < 0`` and multiplies
  ``m > 0`` by ``(-1)^m``.

Complex <-> real
----------------
``Y_l^mu = sum_m U[mu, m] Y_lm`` (complex = ``U @`` real), ``U`` unitary, rows complex ``mu``,
columns real ``m`` (both ``-l..l``)::

    U[0, 0] = 1
    m > 0:  U[m, m] = (-1)^m / sqrt(2),      U[-m, m] = 1 / sqrt(2)
    m < 0:  U[|m|, m] = i (-1)^m / sqrt(2),  U[-|m|, m] = -i / sqrt(2)

and real = ``U^dagger @`` complex. :func:`complex_to_real` returns this ``U``.

Wigner D
--------
* Complex, standard (Wikipedia, Sakurai):
  ``D^l_{m'm}(alpha, beta, gamma) = exp(-i m' alpha) d^l_{m'm}(beta) exp(-i m gamma)`` with
  ``d^l_{m'm}(beta) = <l m'| exp(-i beta J_y) |l m>``, so ``d^1_{1,0}(beta) = -sin(beta)/sqrt(2)``.
  For the complex harmonics (vectors over m): ``Y_l(R r) = conj(D^l(R)) @ Y_l(r)``.
* Real: ``D_real^l(R) = U^dagger conj(D^l(R)) U``. It is real orthogonal and is fixed by
  ``Y_l(R r) = D_real^l(R) @ Y_l(r)`` for the real harmonics. For ``l = 1`` it is
  ``P R P^T`` with ``P`` the permutation ``(x, y, z) -> (y, z, x)``. It is a homomorphism,
  ``D_real(R1 R2) = D_real(R1) D_real(R2)``, and ``D_real(-R) = (-1)^l D_real(R)``.
* sympy's ``wigner_d(J, alpha, beta, gamma)`` is the standard ``D`` at
  ``(-alpha, -beta, -gamma)`` with rows and columns in descending ``m``: a map, not ours.

Clebsch-Gordan
--------------
* Complex: Condon-Shortley ``<l1 m1 l2 m2 | L M>`` (sympy's
  ``clebsch_gordan(l1, l2, L, m1, m2, M)``), related to the 3j symbol by
  ``<l1 m1 l2 m2 | L M> = (-1)^(l1 - l2 + M) sqrt(2L + 1) (l1 l2 L; m1 m2 -M)``.
* Real: ``K[m1, m2, M] = sum U1[mu1, m1] U2[mu2, m2] <l1 mu1 l2 mu2 | L mu> conj(UL[mu, M])``.
  ``K`` is real when ``l1 + l2 + L`` is even and purely imaginary when it is odd; the real CG
  is ``Re K`` (even) or ``Im K`` (odd). Each non-zero entry is ``+-sqrt(p/q)`` with integers
  ``p, q`` (:class:`o3ref.reference.signed_sqrt.SignedSqrt`).
* Equivariance: ``sum C[m1, m2, M] (D1 x)[m1] (D2 z)[m2] = sum_M' D^L[M, M'] sum C[m1, m2, M']
  x[m1] z[m2]`` with the real ``D``.
* Closed forms: ``(1, 1) -> 0`` is ``-(u . v)/sqrt(3)``; ``(1, 1) -> 1`` is
  ``(u x v)/sqrt(2)`` in ``(y, z, x)`` order.
* featomic >= 0.6.1 stores the same coefficients but multiplies its products by an extra
  ``(-1)^(l1 + l2 + lambda)``; e3nn's ``wigner_3j(l1, l2, L) sqrt(2L + 1)`` is
  ``(-1)^floor((l1 + l2 - L)/2)`` times ours. Both are maps.

Cartesian <-> spherical
-----------------------
* A vector ``(x, y, z)`` is the ``l = 1`` spherical vector ``(y, z, x)``: no scale, no sign.
  Conversions take an explicit axis (never "every axis of length 3").
* A rank-2 tensor ``T`` couples to ``L = 0, 1, 2`` with the real CG of ``(1, 1)``; the
  inverse is exact (:mod:`o3ref.reference.cartesian`).

Examples
--------
The sign-sensitive entries of ``U`` for ``l = 1``:

>>> complex_to_real(1)
Matrix([
[-sqrt(2)*I/2, 0,  sqrt(2)/2],
[           0, 1,          0],
[-sqrt(2)*I/2, 0, -sqrt(2)/2]])
"""

from __future__ import annotations

import functools

import sympy

from .indexing import check_degree, m_index
from .limits import check_work
from .rotations import rotation_matrix

__all__ = ["complex_to_real", "rotation_matrix"]


@functools.lru_cache(maxsize=64)
def _complex_to_real(l: int) -> sympy.ImmutableMatrix:
    half = 1 / sympy.sqrt(2)
    u = sympy.zeros(2 * l + 1, 2 * l + 1)
    u[m_index(l, 0), m_index(l, 0)] = sympy.Integer(1)
    for m in range(1, l + 1):
        sign = (-1) ** m
        # real column +m: the cosine-like combination
        u[m_index(l, m), m_index(l, m)] = sign * half
        u[m_index(l, -m), m_index(l, m)] = half
        # real column -m: the sine-like combination
        u[m_index(l, m), m_index(l, -m)] = sympy.I * sign * half
        u[m_index(l, -m), m_index(l, -m)] = -sympy.I * half
    return sympy.ImmutableMatrix(u)


def complex_to_real(l) -> sympy.Matrix:
    """The exact unitary ``U`` with complex harmonics ``= U @`` real harmonics.

    Rows are complex orders ``mu = -l..l``, columns real orders ``m = -l..l``; real
    harmonics are ``U^dagger @`` complex ones.

    Conventions: see :mod:`o3ref.reference.conventions` (section "Complex <-> real").

    >>> u = complex_to_real(1)
    >>> u[2, 2], u[0, 2]  # U[1, 1] = -1/sqrt(2), U[-1, 1] = +1/sqrt(2)
    (-sqrt(2)/2, sqrt(2)/2)
    >>> (u.H * u) == sympy.eye(3)
    True
    """
    l = check_degree("l", l)
    size = (2 * l + 1) ** 2
    check_work(f"complex_to_real(l={l})", 2.5e-6 * size, f"a dense sympy matrix of {size:.3g} "
               "entries")
    return sympy.Matrix(_complex_to_real(l))
