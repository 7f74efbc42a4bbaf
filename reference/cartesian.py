"""Exact Cartesian <-> spherical maps: vectors and rank-2 tensors (``L = 0, 1, 2``).

A Cartesian vector ``(x, y, z)`` is the ``l = 1`` spherical vector ``(y, z, x)`` (no scale,
no sign). A rank-2 tensor ``T`` becomes ``T_s = P T P^T`` in that order and couples to
``t^L_M = sum_{m1 m2} C^{11L}[m1, m2, M] T_s[m1, m2]`` with the real CG of
:func:`o3ref.reference.real_cg.real_clebsch_gordan`; the real CG of ``(1, 1)`` is an
orthogonal change of basis, so ``T_s[m1, m2] = sum_{L M} C^{11L}[m1, m2, M] t^L_M`` is the
exact inverse.

Conventions: see :mod:`o3ref.reference.conventions` (section "Cartesian <-> spherical").

>>> t = couple(sympy.eye(3))  # the identity is pure L = 0: -sqrt(3) = -trace/sqrt(3)
>>> t[0], t[1].T, t[2].T
(Matrix([[-sqrt(3)]]), Matrix([[0, 0, 0]]), Matrix([[0, 0, 0, 0, 0]]))
"""

from __future__ import annotations

import sympy

from .real_cg import real_clebsch_gordan

__all__ = ["couple", "decouple", "spherical_to_vector", "vector_to_spherical"]

# P maps (x, y, z) -> (y, z, x): row m of P picks the Cartesian axis of order m = -1, 0, 1
_P = sympy.ImmutableMatrix([[0, 1, 0], [0, 0, 1], [1, 0, 0]])


def _matrix(name: str, value, shape: tuple[int, int]) -> sympy.Matrix:
    try:
        mat = sympy.Matrix(value)
    except (TypeError, ValueError, sympy.SympifyError) as exc:
        raise TypeError(f"{name} must be a {shape[0]}x{shape[1]} matrix of exact numbers") from exc
    if mat.shape != shape:
        raise ValueError(f"{name} has shape {mat.shape}: it must be {shape}")
    if mat.has(sympy.Float):
        raise TypeError(f"{name} contains floats: the exact layer takes exact numbers")
    return mat


def vector_to_spherical(v) -> sympy.Matrix:
    """Cartesian ``(x, y, z)`` -> spherical ``l = 1`` components ``(y, z, x)`` (m = -1, 0, 1).

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> vector_to_spherical([1, 2, 3]).T
    Matrix([[2, 3, 1]])
    """
    return _P * _matrix("v", v, (3, 1))


def spherical_to_vector(s) -> sympy.Matrix:
    """Spherical ``l = 1`` components ``(y, z, x)`` -> Cartesian ``(x, y, z)``.

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> spherical_to_vector([2, 3, 1]).T
    Matrix([[1, 2, 3]])
    """
    return _P.T * _matrix("s", s, (3, 1))


def _cg_sympy(L: int) -> list:
    c = real_clebsch_gordan(1, 1, L)
    return [[[c[i, j, k].to_sympy() for k in range(2 * L + 1)] for j in range(3)] for i in range(3)]


def couple(tensor) -> dict[int, sympy.Matrix]:
    """Couple a Cartesian rank-2 tensor into spherical parts ``{L: (2L+1) x 1}``, L = 0, 1, 2.

    ``t^0 = -trace(T)/sqrt(3)``; ``t^1`` is ``(T_ab - T_ba)``'s axial vector over ``sqrt(2)``
    in ``(y, z, x)`` order; ``t^2`` the symmetric traceless part. Rotating ``T -> R T R^T``
    rotates ``t^L -> D_real^L(R) t^L``.

    Conventions: see :mod:`o3ref.reference.conventions` (real CG of ``(1, 1)``).

    >>> u, v = sympy.Matrix([1, 0, 0]), sympy.Matrix([0, 1, 0])
    >>> couple(u * v.T)[1].T  # (u x v)/sqrt(2) = z/sqrt(2): (y, z, x) order
    Matrix([[0, sqrt(2)/2, 0]])
    """
    t_s = _P * _matrix("tensor", tensor, (3, 3)) * _P.T
    out = {}
    for L in (0, 1, 2):
        c = _cg_sympy(L)
        out[L] = sympy.Matrix(
            [
                sum(c[i][j][k] * t_s[i, j] for i in range(3) for j in range(3))
                for k in range(2 * L + 1)
            ]
        )
    return out


def decouple(parts) -> sympy.Matrix:
    """Inverse of :func:`couple`: spherical parts ``{0: 1x1, 1: 3x1, 2: 5x1}`` -> Cartesian ``T``.

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> decouple({0: [-sympy.sqrt(3)], 1: [0, 0, 0], 2: [0, 0, 0, 0, 0]})
    Matrix([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1]])
    """
    if set(parts) != {0, 1, 2}:
        raise ValueError(f"parts has keys {sorted(parts)}: it must have exactly 0, 1 and 2")
    vectors = {L: _matrix(f"parts[{L}]", parts[L], (2 * L + 1, 1)) for L in (0, 1, 2)}
    t_s = sympy.zeros(3, 3)
    for L in (0, 1, 2):
        c = _cg_sympy(L)
        for i in range(3):
            for j in range(3):
                t_s[i, j] += sum(c[i][j][k] * vectors[L][k] for k in range(2 * L + 1))
    return (_P.T * t_s * _P).applyfunc(sympy.expand)
